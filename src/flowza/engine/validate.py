"""Validation before anything runs: structure, params, ports, cycles, then columns and lints."""

from __future__ import annotations

import difflib
import graphlib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from flowza.engine.graph import Graph, Link, topological_order
from flowza.engine.issues import Report
from flowza.engine.lint import lint
from flowza.nodes.base import InferContext, NodeDef, NodeError
from flowza.nodes.registry import catalog, get_node
from flowza.nodes.schema import Shape, TableShape
from flowza.workflow import Workflow, size_problem


def close_match(word: str, choices: list[str]) -> list[str]:
    """The closest choice, case-insensitively (so 'c' suggests 'C')."""
    lowered = {c.lower(): c for c in choices}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1)
    return [lowered[found[0]]] if found else []


def _loc_to_field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(document)"


def parse_workflow(
    document: dict[str, Any] | Workflow, report: Report, enforce_size_caps: bool = True
) -> Workflow | None:
    """The document as a Workflow, or None with the reasons in `report`.

    A document over the node or edge cap (flowza.workflow.MAX_NODES / MAX_EDGES) is refused here,
    before any parsing or graph work; `enforce_size_caps=False` is for measuring the engine itself.
    """
    too_large = size_problem(document) if enforce_size_caps else None
    if too_large is not None:
        field, message = too_large
        report.error("too_large", message, None, field)
        return None
    if isinstance(document, Workflow):
        return document
    try:
        return Workflow.model_validate(document)
    except ValidationError as exc:
        nodes = document.get("nodes") if isinstance(document, dict) else None
        for err in exc.errors():
            loc = tuple(err["loc"])
            node_id = None
            field = _loc_to_field(loc)
            if len(loc) >= 2 and loc[0] == "nodes" and isinstance(loc[1], int) and isinstance(nodes, list):
                raw = nodes[loc[1]] if loc[1] < len(nodes) else None
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    node_id = raw["id"]
                field = _loc_to_field(loc[2:]) if len(loc) > 2 else "node"
            message = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
            report.error("invalid_document", message, node_id, field)
        return None


def check_params(node_id: str, definition: NodeDef, params: dict[str, Any], report: Report) -> Any:
    try:
        return definition.params_model.model_validate(params)
    except ValidationError as exc:
        known = list(definition.params_model.model_fields)
        for err in exc.errors():
            field = _loc_to_field(tuple(err["loc"]))
            if err["type"] == "extra_forbidden":
                hint = close_match(field, known)
                suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; known params: {', '.join(known) or 'none'}"
                report.error("unknown_param", f"unknown param {field!r}{suggestion}", node_id, field)
            else:
                report.error("invalid_param", f"invalid value {err.get('input')!r}: {err['msg']}", node_id, field)
        return None


def resolve_link(edge_index: int, edge: Any, defs: dict[str, NodeDef], report: Report) -> Link | None:
    source_def, target_def = defs[edge.source], defs[edge.target]
    outs = source_def.outputs
    ins = target_def.inputs
    if edge.source_port is not None and edge.source_port not in outs:
        report.error(
            "unknown_port",
            f"edge {edge_index} from {edge.source!r}: no output port {edge.source_port!r} "
            f"(it has {', '.join(outs) or 'none'})",
            edge.source,
            "source_port",
        )
        return None
    if edge.target_port is not None and edge.target_port not in ins:
        report.error(
            "unknown_port",
            f"edge {edge_index} into {edge.target!r}: no input port {edge.target_port!r} "
            f"(it has {', '.join(ins) or 'none'})",
            edge.target,
            "target_port",
        )
        return None
    out_names = [edge.source_port] if edge.source_port else list(outs)
    in_names = [edge.target_port] if edge.target_port else list(ins)
    pairs = [(o, i) for o in out_names for i in in_names if outs[o].type == ins[i].type]
    if not ins:
        report.error("port_mismatch", f"{edge.target!r} ({target_def.type}) takes no inputs", edge.target, "edges")
        return None
    if not pairs:
        have = ", ".join(sorted({outs[o].type for o in out_names})) or "nothing"
        want = ", ".join(sorted({ins[i].type for i in in_names}))
        report.error(
            "port_mismatch",
            f"port-type mismatch: {edge.source!r} ({source_def.type}) outputs {have} but {edge.target!r} "
            f"({target_def.type}) takes {want}",
            edge.target,
            "edges",
        )
        return None
    if len(pairs) > 1:
        report.error(
            "ambiguous_edge",
            f"edge from {edge.source!r} fits several ports of {edge.target!r}; set source_port and target_port",
            edge.target,
            "edges",
        )
        return None
    return Link(edge.source, pairs[0][0], edge.target, pairs[0][1])


def build_graph(workflow: Workflow, report: Report) -> Graph | None:
    defs: dict[str, NodeDef] = {}
    seen: set[str] = set()
    for spec in workflow.nodes:
        if spec.id in seen:
            report.error("duplicate_id", f"duplicate node id {spec.id!r}: every node needs its own id", spec.id, "id")
            continue
        seen.add(spec.id)
        definition = get_node(spec.type)
        if definition is None:
            hint = close_match(spec.type, list(catalog()))
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            report.error("unknown_node_type", f"unknown node type {spec.type!r}{suggestion}", spec.id, "type")
            continue
        defs[spec.id] = definition
        check_params(spec.id, definition, spec.params, report)
    links: list[Link] = []
    all_ids = {spec.id for spec in workflow.nodes}
    for index, edge in enumerate(workflow.edges):
        dangling = [end for end in (edge.source, edge.target) if end not in all_ids]
        if dangling:
            report.error(
                "dangling_edge",
                f"edge {index} ({edge.source!r} -> {edge.target!r}) refers to a node that does not "
                f"exist: {dangling[0]!r}",
                edge.target if edge.target in all_ids else edge.source,
                "edges",
            )
            continue
        if edge.source == edge.target:
            report.error("cycle", f"node {edge.source!r} is connected to itself", edge.source, "edges")
            continue
        if edge.source not in defs or edge.target not in defs:
            continue
        link = resolve_link(index, edge, defs, report)
        if link is not None:
            links.append(link)
    inputs: dict[str, dict[str, Link]] = {node_id: {} for node_id in defs}
    for link in links:
        existing = inputs[link.target].get(link.target_port)
        if existing is not None:
            report.error(
                "multiple_inputs",
                f"input {link.target_port!r} of {link.target!r} has two edges (from "
                f"{existing.source!r} and {link.source!r}); an input takes one",
                link.target,
                link.target_port,
            )
            continue
        inputs[link.target][link.target_port] = link
    for node_id, definition in defs.items():
        for port_name, port in definition.inputs.items():
            if port.required and port_name not in inputs[node_id]:
                report.error(
                    "missing_input",
                    f"required input {port_name!r} ({port.type}) of {node_id!r} ({definition.type}) is not connected",
                    node_id,
                    port_name,
                )
    ids = [spec.id for spec in workflow.nodes if spec.id in defs]
    try:
        order = topological_order(list(dict.fromkeys(ids)), links)
    except graphlib.CycleError as exc:
        cycle = list(dict.fromkeys(exc.args[1])) if len(exc.args) > 1 else []
        report.error(
            "cycle", f"the graph has a cycle: {' -> '.join(cycle + cycle[:1])}", cycle[0] if cycle else None, "edges"
        )
        return None
    structural = [e for e in report.errors if e.code not in ("invalid_param", "unknown_param")]
    if structural:
        return None
    return Graph(workflow=workflow, defs=defs, links=links, inputs=inputs, order=order)


def column_params(definition: NodeDef) -> list[tuple[str, bool]]:
    """Params holding column names: (name, is_list)."""
    many = set(definition.params_with_widget("columns"))
    return [(name, name in many) for name in definition.params_with_widget("columns", "column")]


def check_column_params(node_id: str, definition: NodeDef, params: Any, shape: Shape | None, report: Report) -> bool:
    if not isinstance(shape, TableShape) or not shape.exact:
        return True
    ok = True
    for name, is_list in column_params(definition):
        value = getattr(params, name, None)
        requested = value if is_list else ([value] if value else [])
        missing = [c for c in requested or [] if c not in shape.columns]
        if missing:
            available = list(shape.columns)
            hint = close_match(missing[0], available)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else f"; available: {', '.join(available[:20])}"
            plural = "columns" if len(missing) > 1 else "column"
            report.error(
                "unknown_column",
                f"{plural} {', '.join(repr(c) for c in missing)} not in the data{suggestion}",
                node_id,
                name,
            )
            ok = False
    return ok


def infer_shapes(graph: Graph, data_dir: Path | None, report: Report) -> dict[str, dict[str, Shape | None]]:
    """Propagate shapes through the graph; data-aware errors and node warnings go into `report`."""
    shapes: dict[str, dict[str, Shape | None]] = {}
    for node_id in graph.order:
        spec = graph.spec(node_id)
        definition = graph.defs[node_id]
        try:
            params = definition.params_model.model_validate(spec.params)
        except ValidationError:
            continue  # already reported; nodes downstream are skipped too
        inputs = {
            port: shapes.get(link.source, {}).get(link.source_port) for port, link in graph.inputs[node_id].items()
        }
        upstream_failed = any(link.source not in shapes for link in graph.inputs[node_id].values())
        if upstream_failed:
            continue
        if not check_column_params(node_id, definition, params, inputs.get("data"), report):
            continue
        ctx = InferContext(node_id=node_id, data_dir=data_dir, target_hint=graph.target_hint(node_id))
        infer = definition.infer
        try:
            outputs = infer(params, inputs, ctx) if infer else {name: inputs.get("data") for name in definition.outputs}
        except NodeError as exc:
            report.error("node_check", exc.message, node_id, exc.field)
            continue
        for code, message, field in ctx.warnings:
            report.warn(code, message, node_id, field)
        shapes[node_id] = outputs
    return shapes


def validate(
    document: dict[str, Any] | Workflow, data_dir: Path | None = None, enforce_size_caps: bool = True
) -> tuple[Report, Workflow | None, Graph | None]:
    """Check a workflow; data-aware checks run when `data_dir` holds its datasets.

    Linear in nodes + edges (the graph is indexed once); documents over the size caps are refused first.
    """
    report = Report()
    workflow = parse_workflow(document, report, enforce_size_caps)
    if workflow is None:
        return report, None, None
    graph = build_graph(workflow, report)
    if graph is None:
        return report, workflow, None
    shapes = infer_shapes(graph, data_dir, report)
    lint(graph, shapes, report)
    return report, workflow, graph if report.ok else None
