"""`flowza export`: a workflow as a runnable Python script or Jupyter notebook."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def export(
        workflow: Annotated[str, typer.Argument(help="Workflow JSON file, or a template name")],
        fmt: Annotated[str, typer.Option("--format", "-f", help="script or notebook")] = "script",
        output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")] = None,
        data_dir: Annotated[
            Path | None,
            typer.Option("--data-dir", help="Folder holding the datasets: checks the columns, detects CSV formats"),
        ] = None,
        overrides: Annotated[
            list[str] | None, typer.Option("--set", help="Override a param: NODE.PARAM=VALUE (repeatable)")
        ] = None,
    ) -> None:
        """Export a workflow as Python code that reproduces its run (its header pins the packages it needs)."""
        from rich.console import Console

        from flowza.cli_support import UsageError, apply_overrides, read_workflow
        from flowza.codegen.build import ExportError
        from flowza.codegen.export import export_workflow
        from flowza.engine.issues import ValidationFailed

        err = Console(stderr=True, highlight=False)

        def fail(message: str, code: int = 2) -> None:
            err.print(f"[bold red]error:[/] {message}", markup=True)
            raise typer.Exit(code)

        if fmt not in ("script", "notebook"):
            fail(f"--format must be 'script' or 'notebook', not {fmt!r}")
        try:
            document = apply_overrides(read_workflow(workflow), overrides or [])
        except UsageError as exc:
            fail(str(exc))
        if data_dir is not None and not data_dir.is_dir():
            fail(f"data directory {str(data_dir)!r} does not exist")
        default_dir = str(data_dir.expanduser().resolve()) if data_dir is not None else "."
        try:
            text = export_workflow(document, fmt, data_dir=data_dir, data_dir_default=default_dir)  # type: ignore[arg-type]
        except ValidationFailed as exc:
            for issue in exc.report.errors:
                err.print(f"error   {issue}", markup=False)
            raise typer.Exit(1) from None
        except ExportError as exc:
            fail(str(exc), 1)
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
            err.print(f"wrote {output}", markup=False)
