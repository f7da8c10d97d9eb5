"""Render an export plan as a Jupyter notebook (nbformat v4): a markdown cell per node, code,
previews of the data after each data step, and the evaluation charts (issue 6, item 3)."""

from __future__ import annotations

import json
import re
from typing import Any

import nbformat
from nbformat import v4

from flowza.codegen.build import ExportPlan, Section
from flowza.codegen.render import (
    final_block,
    header_lines,
    helpers_block,
    imports_block,
    install_lines,
    python_version,
    settings_block,
)

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#|~<>$&])")


def md(text: str) -> str:
    """User text shown as plain text in markdown: special characters escaped, one line."""
    flat = " ".join(str(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def _params_table(section: Section) -> str:
    values = section.params.model_dump(mode="json")
    if not values:
        return "_No parameters._"
    rows = ["| parameter | value | |", "|---|---|---|"]
    fields = type(section.params).model_fields
    for name, value in values.items():
        description = fields[name].description or ""
        rows.append(f"| {md(name)} | {md(json.dumps(value))} | {md(description)} |")
    return "\n".join(rows)


def _node_markdown(section: Section, index: int) -> str:
    definition = section.definition
    lines = [
        f"## {index}. {md(definition.title)}: node {md(json.dumps(section.node_id))}",
        "",
        md(definition.description),
    ]
    if section.snippet.explanation:
        lines += ["", md(section.snippet.explanation)]
    lines += ["", _params_table(section)]
    return "\n".join(lines)


def render_notebook(plan: ExportPlan, data_dir_default: str = ".") -> Any:
    title = [f"# {md(plan.workflow.name)}", ""] + [md(line) + "  " for line in header_lines(plan)[1:]]
    pip, notes = install_lines(plan, notebook=True)
    title += [
        "",
        f"Needs Python {python_version()} (or newer), Jupyter and these packages, "
        "at the versions it was exported with:",
        "",
        "```",
        pip,
        "```",
        *(md(note) for note in notes),
        "",
        "Run the cells from top to bottom; set `DATA_DIR` below to the folder holding the CSV files.",
    ]
    cells = [v4.new_markdown_cell("\n".join(title))]
    cells.append(
        v4.new_code_cell(
            f"# {pip}\n" + imports_block(plan.imports(notebook=True)) + "\n\n" + settings_block(data_dir_default)
        )
    )
    if plan.helpers:
        cells.append(v4.new_markdown_cell("Helper functions: the same rules Flowza applies, written out."))
        cells.append(v4.new_code_cell(helpers_block(plan)))
    for index, section in enumerate(plan.sections, 1):
        snippet = section.snippet
        cells.append(v4.new_markdown_cell(_node_markdown(section, index)))
        cells.append(v4.new_code_cell(snippet.code))
        if snippet.preview:
            cells.append(v4.new_code_cell(snippet.preview))
        if snippet.chart:
            cells.append(v4.new_code_cell(snippet.chart))
    cells.append(v4.new_markdown_cell("## Metrics\n\nEvery evaluate node's metrics, as JSON (the same as Flowza's)."))
    cells.append(v4.new_code_cell(final_block()))
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    return notebook


def notebook_text(plan: ExportPlan, data_dir_default: str = ".") -> str:
    return str(nbformat.writes(render_notebook(plan, data_dir_default)))
