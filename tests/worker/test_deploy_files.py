"""The Dockerfile and docker-compose.yml (no Docker engine here): their commands are real CLI commands,
their settings real FLOWZA_* variables, and the compose stack has what the README promises."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flowza.cli import app
from flowza.config import Settings

ROOT = Path(__file__).resolve().parents[2]
yaml = pytest.importorskip("yaml")


def check_cli(args: list[str]) -> str:
    """`flowza ARGS` parses (the command and every option exist); returns the command's name.

    `--help` is appended so nothing runs: the parser still refuses an unknown command or option.
    """
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, f"flowza {' '.join(args)}: {result.output}"
    return args[0]


def dockerfile_json(instruction: str) -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    found = re.findall(rf"^{instruction} (\[.*\])\s*$", text, flags=re.MULTILINE)
    assert found, f"no JSON-form {instruction} in the Dockerfile"
    value: list[str] = json.loads(found[-1])
    return value


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def test_the_image_runs_real_commands() -> None:
    assert dockerfile_json("ENTRYPOINT") == ["flowza"]
    assert check_cli(dockerfile_json("CMD")) == "serve"


def test_the_image_builds_the_editor_and_copies_existing_files() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "RUN npm ci" in text and "RUN npm run build" in text
    assert "build" in json.loads((ROOT / "frontend" / "package.json").read_text())["scripts"]
    for line in re.findall(r"^COPY (?!--from)(.+)$", text, flags=re.MULTILINE):
        for source in line.split()[:-1]:
            assert (ROOT / source).exists(), f"Dockerfile copies missing {source}"
    assert "COPY --from=frontend /build/src/flowza/web ./src/flowza/web" in text


def test_compose_services_commands_and_settings() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "api", "worker"}
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["api"]["image"] == services["worker"]["image"]  # one image for both
    assert check_cli(services["api"]["command"]) == "serve"
    assert check_cli(services["worker"]["command"]) == "worker"
    fields = {f"FLOWZA_{name.upper()}" for name in Settings.model_fields}
    for name in ("api", "worker"):
        variables = set(services[name]["environment"])
        assert variables <= fields, f"unknown settings: {variables - fields}"
        assert {"FLOWZA_DATABASE_URL", "FLOWZA_BROKER_URL"} <= variables
        assert "flowza-data:/data" in services[name]["volumes"]
    assert set(compose()["volumes"]) == {"postgres-data", "redis-data", "flowza-data"}


def test_the_readme_commands_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Scaling out with Celery", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^\s*(?:\S+=\S+ )*flowza (.+)$", section, flags=re.MULTILINE)
    assert commands, "the README section shows no flowza command"
    commands += re.findall(r"docker compose run --rm api (.+)$", section, flags=re.MULTILINE)
    for line in commands:
        args = [arg for arg in line.split("#", 1)[0].split() if arg != "&"]
        check_cli(args)
