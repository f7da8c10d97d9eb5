"""`flowza serve` on a port another program holds: one line saying so and which port to use instead."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from flowza.commands.ports import busy_port_problem, can_listen

FLOWZA = str(Path(sys.executable).parent / "flowza")
REPO = Path(__file__).resolve().parents[2]


def test_serve_on_a_busy_port_says_which_port_to_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [FLOWZA, "serve", "--port", str(port), "--data-dir", str(tmp_path / "data")],
            capture_output=True,
            text=True,
            timeout=120,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("FLOWZA_")}, "HOME": str(tmp_path)},
        )
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    assert f"port {port} on 127.0.0.1 is already in use" in errors[0]
    assert "make run PORT=" in errors[0] and "flowza serve --port " in errors[0]
    suggested = int(errors[0].split("make run PORT=")[1].split("`")[0])
    assert suggested != port and can_listen("127.0.0.1", suggested)
    assert not (tmp_path / "data").exists()  # refused before creating anything


def test_a_free_port_is_no_problem() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert busy_port_problem("127.0.0.1", port) is None
    assert busy_port_problem("127.0.0.1", 0) is None  # 0: the system picks a free one


def test_make_run_passes_port_and_host() -> None:
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8123", "HOST=::1"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert dry.returncode == 0, dry.stderr
    serve = [line for line in dry.stdout.splitlines() if "flowza serve" in line]
    assert serve and '--port "8123"' in serve[-1] and '--host "::1"' in serve[-1]
