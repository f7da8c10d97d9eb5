"""The `flowza` command line."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer

from flowza import __version__
from flowza.cli_support import UsageError, apply_overrides, read_workflow
from flowza.commands import register_all
from flowza.config import get_settings
from flowza.terminal import StderrLines

app = typer.Typer(
    help="Flowza: build, run and export machine-learning workflows.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = StderrLines()

DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Folder holding the datasets (env FLOWZA_DATA_DIR)")
]


def fail(message: str, code: int = 2) -> None:
    err.line(("error:", "bold red"), f" {message}")
    raise typer.Exit(code)


def _data_dir(option: Path | None) -> Path:
    return (option or get_settings().resolved_data_dir()).expanduser()


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit")
    ] = False,
) -> None:
    """Flowza: build, run and export machine-learning workflows."""


@app.command()
def run(
    workflow: Annotated[str, typer.Argument(help="Workflow JSON file, or a template name")],
    data_dir: DataDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the result document as JSON")] = False,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Cache folder (env FLOWZA_CACHE_DIR)")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Run every node; read and write no cache")] = False,
    overrides: Annotated[
        list[str] | None, typer.Option("--set", help="Override a param: NODE.PARAM=VALUE (repeatable)")
    ] = None,
    output_dir: Annotated[Path | None, typer.Option("--output-dir", help="Where exported files go")] = None,
    up_to: Annotated[str | None, typer.Option("--up-to", help="Run only this node and what it needs")] = None,
) -> None:
    """Run a workflow, showing per-node progress on stderr."""
    from flowza.engine.cache import Cache
    from flowza.engine.executor import RunOptions, run_workflow
    from flowza.engine.issues import ValidationFailed
    from flowza.progress import ProgressPrinter, show_result

    settings = get_settings()
    try:
        document = apply_overrides(read_workflow(workflow), overrides or [])
    except UsageError as exc:
        fail(str(exc))
    directory = _data_dir(data_dir)
    if not directory.is_dir():
        fail(f"data directory {str(directory)!r} does not exist")
    cache = None if no_cache else Cache((cache_dir or settings.resolved_cache_dir()).expanduser())
    cancel = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
    printer = ProgressPrinter(err, quiet=False)
    options = RunOptions(
        data_dir=directory,
        cache=cache,
        output_dir=(output_dir or settings.output_dir),
        target_node=up_to,
        cancel_event=cancel,
        on_event=printer,
        csv_limits=settings.csv_limits(),
    )
    try:
        result = run_workflow(document, options)
    except ValidationFailed as exc:
        for issue in exc.report.errors:
            err.line(("error", "red"), f"   {issue}")
        if as_json:
            typer.echo(json.dumps({"status": "failed", "nodes": {}, "metrics": {}, **exc.report.to_dict()}))
        raise typer.Exit(2) from None
    finally:
        signal.signal(signal.SIGINT, previous)
        if cache is not None:
            cache.close()
    show_result(printer, result, as_json)
    raise typer.Exit(0 if result.status == "succeeded" else 1)


@app.command()
def validate(
    workflow: Annotated[str, typer.Argument(help="Workflow JSON file, or a template name")],
    data_dir: DataDirOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    overrides: Annotated[list[str] | None, typer.Option("--set", help="Override a param: NODE.PARAM=VALUE")] = None,
) -> None:
    """Check a workflow without running it: errors (exit 1) and ML lint warnings."""
    from flowza.engine.validate import validate as check

    try:
        document = apply_overrides(read_workflow(workflow), overrides or [])
    except UsageError as exc:
        fail(str(exc))
    directory = data_dir or get_settings().data_dir
    if directory is not None and not directory.is_dir():
        fail(f"data directory {str(directory)!r} does not exist")
    report, _, _ = check(document, directory)
    if as_json:
        typer.echo(json.dumps(report.to_dict()))
    else:
        for issue in report.errors:
            typer.echo(f"error   {issue}")
        for issue in report.warnings:
            typer.echo(f"warning {issue}")
        summary = "valid" if report.ok else "not valid"
        typer.echo(f"{summary}: {len(report.errors)} error(s), {len(report.warnings)} warning(s)")
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def nodes(as_json: Annotated[bool, typer.Option("--json", help="Print the catalog as JSON")] = False) -> None:
    """List the node catalog with ports and params."""
    from flowza.nodes.registry import catalog

    entries = [definition.catalog_entry() for definition in catalog().values()]
    if as_json:
        typer.echo(json.dumps(entries, indent=2))
        return
    from rich.console import Console

    out = Console(highlight=False)
    for entry in entries:
        ins = ", ".join(f"{p['name']}:{p['type']}{'' if p['required'] else '?'}" for p in entry["inputs"]) or "-"
        outs = ", ".join(f"{p['name']}:{p['type']}" for p in entry["outputs"])
        out.print(f"[bold]{entry['type']}[/] ({entry['category']}) {ins} -> {outs}")
        out.print(f"    {entry['description']}")
        for name, prop in entry["params_schema"].get("properties", {}).items():
            default = prop.get("default", "(required)")
            out.print(f"    - {name} = {json.dumps(default)}: {prop.get('description', '')}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the workflow format."""
    from flowza.workflow import workflow_json_schema

    typer.echo(json.dumps(workflow_json_schema(), indent=2))


@app.command()
def templates(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False) -> None:
    """List the shipped workflow templates."""
    from flowza.templates import list_templates

    items = list_templates()
    if as_json:
        typer.echo(json.dumps(items, indent=2))
        return
    for item in items:
        typer.echo(f"{item['name']:<28} {item['title']}  [{item['dataset_kind']}]")
        typer.echo(f"{'':<28} {item['description']}")


@app.command()
def demo(
    data_dir: DataDirOption = None,
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir", help="Cache folder")] = None,
) -> None:
    """Write the sample datasets and run the bundled demo workflow on them."""
    from flowza.demo import write_samples

    directory = _data_dir(data_dir)
    write_samples(directory)
    err.line(f"sample datasets in {directory}")
    args: list[Any] = ["binary_classification", "--data-dir", str(directory)]
    args += ["--set", "load.dataset=sample_breast_cancer.csv", "--set", "split.target=diagnosis"]
    if cache_dir:
        args += ["--cache-dir", str(cache_dir)]
    run_command = typer.main.get_command(app)
    sys.exit(run_command.main(["run", *args], standalone_mode=False) or 0)


def main() -> None:
    """The `flowza` command and `python -m flowza`."""
    app()


register_all(app)


if __name__ == "__main__":
    main()
