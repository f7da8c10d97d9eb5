"""Ask every node of a workflow for its source, in topological order (the plan both renderers use)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from flowza.codegen.helpers import RESERVED
from flowza.codegen.snippet import Allocator, Helper, Import, Names, Snippet
from flowza.engine.issues import ValidationFailed
from flowza.engine.validate import validate
from flowza.nodes.base import NodeDef
from flowza.workflow import Workflow


class ExportError(Exception):
    """A workflow that cannot be exported, with a message naming the node."""


@dataclass(frozen=True)
class Section:
    node_id: str
    definition: NodeDef
    params: BaseModel
    snippet: Snippet

    def changed_params(self) -> dict[str, Any]:
        """The params set in the workflow (defaults left out), as JSON values."""
        return self.params.model_dump(mode="json", exclude_defaults=True)


@dataclass(frozen=True)
class ExportPlan:
    workflow: Workflow
    sections: list[Section]
    version: int | None = None
    data_dir: Path | None = None
    helpers: list[Helper] = field(default_factory=list)

    def imports(self, notebook: bool = False) -> list[Import]:
        found: list[Import] = [Import("json"), Import("os"), Import("pathlib", "Path")]
        for section in self.sections:
            found += section.snippet.imports
            if notebook:
                found += section.snippet.chart_imports if section.snippet.chart else ()
        for helper in self.helpers:
            found += helper.imports
        return list(dict.fromkeys(found))

    @property
    def metrics(self) -> list[tuple[str, str]]:
        return [(s.node_id, s.snippet.metrics) for s in self.sections if s.snippet.metrics]


def _collect_helpers(sections: list[Section]) -> list[Helper]:
    ordered: dict[str, Helper] = {}

    def add(helper: Helper) -> None:
        for required in helper.requires:
            add(required)
        ordered.setdefault(helper.name, helper)

    for section in sections:
        for helper in section.snippet.helpers:
            add(helper)
    return list(ordered.values())


def plan_export(
    document: dict[str, Any] | Workflow, data_dir: Path | None = None, version: int | None = None
) -> ExportPlan:
    """Validate the workflow (with its data when `data_dir` is given) and gather each node's snippet."""
    report, workflow, graph = validate(document, data_dir)
    if graph is None or workflow is None:
        raise ValidationFailed(report)
    allocator = Allocator(reserved=set(RESERVED))
    refs: dict[str, dict[str, Any]] = {}
    sections: list[Section] = []
    for node_id in graph.order:
        definition = graph.defs[node_id]
        params = definition.params_model.model_validate(graph.spec(node_id).params)
        inputs = {port: refs[link.source].get(link.source_port) for port, link in graph.inputs[node_id].items()}
        names = Names(node_id, allocator, inputs, graph.target_hint(node_id), data_dir)
        make = definition.code
        if make is None:
            raise ExportError(f"node {node_id!r} ({definition.type}) cannot be exported: it has no code()")
        try:
            snippet = make(params, names)
        except ValueError as exc:
            raise ExportError(str(exc)) from exc
        refs[node_id] = snippet.outputs
        sections.append(Section(node_id, definition, params, snippet))
    return ExportPlan(workflow, sections, version, data_dir, _collect_helpers(sections))
