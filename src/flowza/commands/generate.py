"""`flowza generate "PROMPT"`: a workflow from a sentence (offline planner, or the configured LLM)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="generate")(generate)


def generate(
    prompt: Annotated[str, typer.Argument(help='What to build, e.g. "predict survived on titanic with XGBoost"')],
    dataset: Annotated[Path | None, typer.Option("--dataset", help="The CSV file to plan for")] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Folder of CSV files; the prompt names one (env FLOWZA_DATA_DIR)")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the workflow JSON to this file")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole result: workflow, explanation, source, warnings")
    ] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Use the offline planner even if an LLM is set")] = False,
) -> None:
    """Generate a validated workflow from a sentence; the explanation goes to stderr."""
    from rich.console import Console
    from rich.markup import escape

    from flowza.ai.errors import GenerationRefused
    from flowza.ai.generate import generate as run_generate
    from flowza.config import get_settings

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    settings = get_settings()
    folder = data_dir if data_dir is not None or dataset is not None else settings.resolved_data_dir()
    try:
        result = run_generate(prompt, dataset=dataset, data_dir=folder, settings=settings, use_llm=not offline)
    except GenerationRefused as exc:
        err.print(f"[bold red]cannot generate:[/] {escape(exc.message)}")
        raise typer.Exit(2) from None
    err.print(f"[bold]workflow from the {result['source']}[/]")
    for line in result["explanation"]:
        err.print(f"  - {escape(line)}")
    for warning in result["warnings"]:
        err.print(f"[yellow]warning[/] {escape(warning)}")
    if output is not None:
        try:
            output.write_text(json.dumps(result["workflow"], indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        except OSError as exc:
            err.print(f"[bold red]error:[/] cannot write {escape(str(output))}: {escape(exc.strerror or str(exc))}")
            raise typer.Exit(2) from None
        err.print(f"wrote {escape(str(output))}")
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
    elif output is None:
        typer.echo(json.dumps(result["workflow"], indent=2, ensure_ascii=False))
