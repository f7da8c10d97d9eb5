"""Pieces shared by the script and the notebook: imports, settings, helpers, section headers."""

from __future__ import annotations

import sys
from collections import defaultdict

from flowza import __version__
from flowza.codegen.build import ExportPlan, Section
from flowza.codegen.requirements import alternative_names, pip_line, requirements
from flowza.codegen.snippet import Import, lit

STDLIB = {"csv", "json", "os", "pathlib", "typing"}


def one_line(text: str) -> str:
    """Text for a `#` comment: anything that is not printable (newlines included) is written escaped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def imports_block(imports: list[Import]) -> str:
    blocks = []
    for stdlib in (True, False):
        chosen = [i for i in imports if (i.module.split(".")[0] in STDLIB) == stdlib]
        plain = sorted({(i.module, i.alias) for i in chosen if i.name is None})
        lines = [f"import {m}" + (f" as {a}" if a else "") for m, a in plain]
        names: dict[str, set[str]] = defaultdict(set)
        for i in chosen:
            if i.name is not None:
                names[i.module].add(i.name + (f" as {i.alias}" if i.alias else ""))
        lines += [f"from {m} import {', '.join(sorted(names[m]))}" for m in sorted(names)]
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def header_lines(plan: ExportPlan) -> list[str]:
    workflow = plan.workflow
    version = f"version {plan.version}" if plan.version is not None else "not saved in Flowza (exported from a file)"
    lines = [
        f"Workflow: {lit(workflow.name)}",
        f"Workflow version: {version}",
        f"Exported by Flowza {__version__}: Python code that reproduces the Flowza run.",
    ]
    if workflow.description:
        lines.append(f"Description: {lit(workflow.description)}")
    return [one_line(line) for line in lines]


def install_lines(plan: ExportPlan, notebook: bool = False) -> tuple[str, list[str]]:
    """The `pip install` line of exactly the packages the file imports, pinned to the versions
    installed at export time, and notes on other names a package is published under."""
    found = requirements(plan.imports(notebook=notebook))
    return pip_line(found), alternative_names(found)


def python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def settings_block(data_dir_default: str) -> str:
    return "\n".join(
        [
            "# where the datasets are (set the DATA_DIR environment variable, or edit this line)",
            f'DATA_DIR = Path(os.environ.get("DATA_DIR", {lit(data_dir_default)}))',
            "# where exported model files go",
            'OUTPUT_DIR = Path(os.environ.get("OUTPUT_DIR", "flowza-output"))',
            "METRICS = {}  # each evaluate node's metrics, printed as JSON at the end",
        ]
    )


def helpers_block(plan: ExportPlan) -> str:
    return "\n\n\n".join(helper.source for helper in plan.helpers)


def section_title(section: Section, index: int, total: int) -> str:
    definition = section.definition
    return one_line(f"[{index}/{total}] {lit(section.node_id)}: {definition.title} ({definition.type})")


def params_line(section: Section) -> str:
    return one_line(f"params: {lit(section.changed_params()) if section.changed_params() else 'defaults'}")


def final_block() -> str:
    return "print(json.dumps(METRICS, indent=2, default=str))"
