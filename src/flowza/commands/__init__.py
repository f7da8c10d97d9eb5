"""Extra `flowza` sub-commands, one module each, registered on the main typer app.

To add a command: write `flowza/commands/<name>.py` with a `register(app)` function and add
its module name to `COMMAND_MODULES`.
"""

from __future__ import annotations

import importlib

import typer

COMMAND_MODULES: list[str] = ["generate", "serve", "db", "export", "user", "worker"]


def register_all(app: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"flowza.commands.{name}")
        module.register(app)
