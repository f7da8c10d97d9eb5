"""One entry point for the CLI and the API: a workflow document to script or notebook text."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from flowza.codegen.build import plan_export
from flowza.codegen.notebook import notebook_text
from flowza.codegen.script import render_script

ExportFormat = Literal["script", "notebook"]
EXTENSIONS: dict[str, str] = {"script": ".py", "notebook": ".ipynb"}
MEDIA_TYPES: dict[str, str] = {"script": "text/x-python", "notebook": "application/x-ipynb+json"}


def export_workflow(
    document: dict[str, Any],
    fmt: ExportFormat,
    *,
    data_dir: Path | None = None,
    data_dir_default: str = ".",
    version: int | None = None,
) -> str:
    """The workflow as a runnable script or notebook; raises ValidationFailed or ExportError."""
    plan = plan_export(document, data_dir, version)
    if fmt == "script":
        return render_script(plan, data_dir_default)
    if fmt == "notebook":
        return notebook_text(plan, data_dir_default)
    raise ValueError(f"unknown export format {fmt!r}: use 'script' or 'notebook'")
