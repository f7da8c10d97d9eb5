"""`flowza validate`, `run` and `export` refuse a workflow over the node cap, naming it (issue 23 item 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flowza.cli import app as cli
from tests.engine.test_graph_scaling import long_chain


@pytest.mark.parametrize("command", [["validate"], ["run", "--no-cache"], ["export"]], ids=lambda c: c[0])
def test_the_cli_refuses_501_nodes(command: list[str], tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    path.write_text(json.dumps(long_chain(501)))
    data = tmp_path / "data"
    data.mkdir()
    result = CliRunner().invoke(cli, [command[0], str(path), "--data-dir", str(data), *command[1:]])
    said = " ".join(result.output.split())
    assert result.exit_code in (1, 2), said[-500:]
    assert "at most 500 nodes" in said and "501" in said, said[-500:]
    assert not list(data.iterdir())  # nothing ran, nothing was written
