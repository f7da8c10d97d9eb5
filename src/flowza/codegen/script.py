"""Render an export plan as one runnable Python script (issue 6, item 2)."""

from __future__ import annotations

from flowza.codegen.build import ExportPlan
from flowza.codegen.render import (
    final_block,
    header_lines,
    helpers_block,
    imports_block,
    install_lines,
    one_line,
    params_line,
    python_version,
    section_title,
    settings_block,
)

RULE = "# " + "-" * 98


def render_script(plan: ExportPlan, data_dir_default: str = ".") -> str:
    pip, notes = install_lines(plan)
    header = [
        *header_lines(plan),
        f"Needs Python {python_version()} (or newer) and these packages, at the versions it was exported with:",
        f"  {pip}",
        *(f"  ({note})" for note in notes),
        "Run: DATA_DIR=/folder/with/the/csv/files python this_file.py",
    ]
    parts = ["\n".join(f"# {line}" for line in header)]
    parts.append(imports_block(plan.imports()))
    parts.append(settings_block(data_dir_default))
    if plan.helpers:
        parts.append(helpers_block(plan))
    total = len(plan.sections)
    for index, section in enumerate(plan.sections, 1):
        lines = [RULE, f"# {section_title(section, index, total)}", f"# {params_line(section)}"]
        if section.snippet.explanation:
            lines.append(f"# {one_line(section.snippet.explanation)}")
        lines.append(RULE)
        parts.append("\n".join(lines) + "\n" + section.snippet.code)
    parts.append(RULE + "\n# Metrics of every evaluate node, as JSON\n" + RULE + "\n" + final_block())
    return "\n\n\n".join(parts) + "\n"
