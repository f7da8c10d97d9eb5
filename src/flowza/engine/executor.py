"""Run a validated workflow: plan, compute cache keys, execute or reuse each node, report events."""

from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowza.engine.cache import Cache, cache_key, import_writers, import_writers_in_background
from flowza.engine.events import Event, EventSink, ignore
from flowza.engine.graph import Graph
from flowza.engine.issues import Report, ValidationFailed
from flowza.engine.results import NodeResult, RunResult
from flowza.engine.validate import validate
from flowza.nodes.base import Cancelled, Context, NodeError
from flowza.nodes.limits import CsvLimits
from flowza.nodes.types import Dataset, ExportedFile, Metrics
from flowza.workflow import Workflow


@dataclass
class RunOptions:
    data_dir: Path
    cache: Cache | None = None
    output_dir: Path | None = None
    target_node: str | None = None
    cancel_event: threading.Event | None = None
    on_event: EventSink = ignore
    keep_outputs: bool = False
    csv_limits: CsvLimits = field(default_factory=CsvLimits)


def dataset_files(graph: Graph, node_id: str, params: Any, data_dir: Path) -> list[Path]:
    from flowza.nodes.data.files import resolve_in_root

    names = graph.defs[node_id].params_with_widget("dataset")
    return [resolve_in_root(data_dir, getattr(params, name)) for name in names]


class _Run:
    def __init__(self, graph: Graph, options: RunOptions) -> None:
        self.graph = graph
        self.options = options
        self.cache = options.cache
        self.results: dict[str, NodeResult] = {}
        self.values: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, str] = {}
        self.params: dict[str, Any] = {}
        self.executed: set[str] = set()
        self.remaining_consumers: dict[str, int] = {}

    def emit(self, event: Event) -> None:
        self.options.on_event(event)

    def plan(self) -> list[str]:
        order = self.graph.order
        if self.options.target_node is not None:
            wanted = self.graph.ancestors(self.options.target_node) | {self.options.target_node}
            order = [n for n in order if n in wanted]
        planned = set(order)
        for node_id in order:
            spec = self.graph.spec(node_id)
            definition = self.graph.defs[node_id]
            params = definition.params_model.model_validate(spec.params)
            self.params[node_id] = params
            self.results[node_id] = NodeResult()
            self.remaining_consumers[node_id] = sum(
                1 for link in self.graph.consumers(node_id) if link.target in self.results or link.target in planned
            )
        return order

    def compute_key(self, node_id: str) -> str:
        definition = self.graph.defs[node_id]
        params = self.params[node_id]
        upstream = [
            (port, self.keys[link.source], link.source_port) for port, link in self.graph.inputs[node_id].items()
        ]
        files = []
        if self.cache is not None:
            files = [
                self.cache.file_hashes.digest(p)
                for p in dataset_files(self.graph, node_id, params, self.options.data_dir)
            ]
        document = params.model_dump(mode="json")
        document["__target_hint"] = self.graph.target_hint(node_id)
        scope = self.cache.scope if self.cache is not None else ""
        return cache_key(definition.type, definition.version, document, upstream, files, scope)

    def inputs_for(self, node_id: str) -> dict[str, Any]:
        inputs = {}
        for port, link in self.graph.inputs[node_id].items():
            inputs[port] = self.outputs_of(link.source)[link.source_port]
        return inputs

    def outputs_of(self, node_id: str) -> dict[str, Any]:
        if node_id in self.values:
            return self.values[node_id]
        assert self.cache is not None
        try:
            outputs = self.cache.load(self.keys[node_id])
        except Exception as exc:  # a damaged entry: recompute instead of failing the run
            self.results[node_id].log.append(f"cached output unreadable ({exc}); recomputed")
            outputs = self.execute(node_id)
        self.values[node_id] = outputs
        return outputs

    def prepare_imports(self, node_id: str) -> None:
        """Have what cache writes import (scikit-learn, about a second) ready by the node's first write.

        Beside a node that runs on pandas alone (the CSV read that starts most runs) the import
        runs on another thread; before any other node, it must be complete.
        """
        if self.cache is None:
            return
        if self.graph.defs[node_id].needs_sklearn:
            import_writers()
        else:
            import_writers_in_background()

    def execute(self, node_id: str) -> dict[str, Any]:
        definition = self.graph.defs[node_id]
        self.prepare_imports(node_id)
        inputs = self.inputs_for(node_id)
        output_dir = (self.options.output_dir or self.options.data_dir / ".flowza-output") / node_id
        ctx = Context(
            node_id=node_id,
            data_dir=self.options.data_dir,
            output_dir=output_dir,
            target_hint=self.graph.target_hint(node_id),
            cancel_event=self.options.cancel_event,
            csv_limits=self.options.csv_limits,
            on_progress=lambda fraction, message: self.emit(
                Event("node_progress", node_id, "running", progress=fraction, message=message)
            ),
        )
        ctx.check_cancelled()
        try:
            outputs = definition.run(ctx, self.params[node_id], **inputs)
        finally:  # a node stopped part-way logged how far it got
            self.results[node_id].log.extend(ctx.messages)
        missing = set(definition.outputs) - set(outputs)
        if missing:
            raise NodeError(f"node produced no {', '.join(sorted(missing))} output")
        self.executed.add(node_id)
        if self.cache is not None:
            self.cache.store(self.keys[node_id], definition.type, outputs, self._parents(node_id, inputs))
        return outputs

    def _parents(self, node_id: str, inputs: dict[str, Any]) -> list[Any]:
        """Upstream tables whose cache entries a new table may refer to instead of copying."""
        from flowza.engine.frames import Parent

        parents = []
        for port, link in self.graph.inputs[node_id].items():
            value = inputs[port]
            if isinstance(value, Dataset):
                parents.append(Parent(value.frame, self.keys[link.source], link.source_port))
        return parents

    def release_inputs(self, node_id: str) -> None:
        if self.options.keep_outputs:
            return
        for link in self.graph.inputs[node_id].values():
            self.remaining_consumers[link.source] -= 1
            if self.remaining_consumers[link.source] <= 0 and link.source in self.values:
                kept = {p: v for p, v in self.values[link.source].items() if isinstance(v, (Metrics, ExportedFile))}
                self.values[link.source] = kept if kept else {}
                if not kept:
                    del self.values[link.source]

    def reason(self, node_id: str) -> str:
        if self.cache is None:
            return "cache disabled"
        reran = [u for u in self.graph.upstream(node_id) if u in self.executed]
        if reran:
            return f"upstream {', '.join(repr(u) for u in reran)} re-ran"
        return "no cached output for these params and inputs"

    def skip_reason(self, node_id: str) -> str | None:
        for upstream in self.graph.upstream(node_id):
            status = self.results[upstream].status
            if status in ("failed", "skipped"):
                return f"skipped because {upstream!r} {status}"
        return None


def run_graph(graph: Graph, report: Report, options: RunOptions) -> RunResult:
    run = _Run(graph, options)
    order = run.plan()
    run.emit(Event("run_started", data={"nodes": order}))
    cancelled = False
    for node_id in order:
        result = run.results[node_id]
        if cancelled or (options.cancel_event is not None and options.cancel_event.is_set()):
            cancelled = True
            result.status = "cancelled"
            run.emit(Event("node_cancelled", node_id, "cancelled"))
            continue
        skip = run.skip_reason(node_id)
        if skip:
            result.status, result.reason = "skipped", skip
            run.emit(Event("node_skipped", node_id, "skipped", message=skip))
            continue
        started = time.perf_counter()
        try:
            key = run.compute_key(node_id)
        except NodeError as exc:
            result.status, result.error = "failed", exc.message
            run.emit(Event("node_failed", node_id, "failed", error=exc.message))
            continue
        run.keys[node_id] = key
        result.cache_key = key
        if run.cache is not None and run.cache.has(key):
            result.status, result.reason = "cached", "inputs and params unchanged"
            result.seconds = time.perf_counter() - started
            run.emit(Event("node_cached", node_id, "cached", seconds=result.seconds))
            continue
        result.status, result.reason = "running", run.reason(node_id)
        run.emit(Event("node_started", node_id, "running", message=result.reason))
        try:
            run.values[node_id] = run.execute(node_id)
            result.status = "succeeded"
            result.seconds = time.perf_counter() - started
            run.emit(Event("node_succeeded", node_id, "succeeded", seconds=result.seconds))
        except Cancelled as exc:
            cancelled = True
            result.status, result.seconds = "cancelled", time.perf_counter() - started
            result.reason = str(exc) or None
            run.emit(Event("node_cancelled", node_id, "cancelled", seconds=result.seconds, message=result.reason))
        except NodeError as exc:
            message = f"{exc.message}" + (f" (param {exc.field!r})" if exc.field else "")
            result.status, result.error, result.seconds = "failed", message, time.perf_counter() - started
            run.emit(Event("node_failed", node_id, "failed", seconds=result.seconds, error=message))
        except Exception as exc:  # a bug or a library error: keep it to this node, keep the trace
            message = f"{type(exc).__name__}: {exc}"
            result.status, result.error, result.seconds = "failed", message, time.perf_counter() - started
            result.log.append(traceback.format_exc(limit=8))
            run.emit(Event("node_failed", node_id, "failed", seconds=result.seconds, error=message))
        run.release_inputs(node_id)
    metrics, files = _collect(run, order)
    if options.output_dir is not None:
        files = _place_files(files, options.output_dir)
    cache_errors = run.cache.flush() if run.cache is not None else []
    statuses = {r.status for r in run.results.values()}
    status = "cancelled" if "cancelled" in statuses else "failed" if "failed" in statuses else "succeeded"
    run.emit(Event("run_finished", status=status, data={"metrics": metrics}))
    outputs = run.values if options.keep_outputs else {}
    return RunResult(status, run.results, metrics, files, report, outputs, cache_errors)


def _place_files(files: dict[str, str], output_dir: Path) -> dict[str, str]:
    """Exported files end up in `output_dir/<node id>/`, also when they came from the cache."""
    import shutil

    placed = {}
    for node_id, path in files.items():
        source = Path(path)
        name = source.name.split(".", 1)[1] if source.parent.name != node_id and "." in source.name else source.name
        destination = output_dir / node_id / name
        if source.resolve() != destination.resolve():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
            sidecar = source.with_suffix(".json")
            if sidecar.is_file():
                shutil.copyfile(sidecar, destination.with_suffix(".json"))
        placed[node_id] = str(destination)
    return placed


def _collect(run: _Run, order: list[str]) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    metrics: dict[str, dict[str, Any]] = {}
    files: dict[str, str] = {}
    for node_id in order:
        if run.results[node_id].status not in ("succeeded", "cached"):
            continue
        definition = run.graph.defs[node_id]
        ports = {p.type for p in definition.outputs.values()}
        if not ports & {"metrics", "file"}:
            continue
        for value in run.outputs_of(node_id).values():
            if isinstance(value, Metrics):
                metrics[node_id] = value.values
            elif isinstance(value, ExportedFile):
                files[node_id] = value.path
    return metrics, files


def _dataset_paths(document: dict[str, Any] | Workflow, data_dir: Path) -> list[Path] | None:
    """Files the workflow's dataset params name inside `data_dir`; None when one does not resolve."""
    from flowza.nodes.data.files import resolve_in_root
    from flowza.nodes.registry import dataset_names

    raw = document.model_dump(mode="json") if isinstance(document, Workflow) else document
    try:
        return [resolve_in_root(data_dir, name) for name in dataset_names(raw)]
    except NodeError:
        return None


def _validation_key(document: dict[str, Any] | Workflow, paths: list[Path]) -> str | None:
    """What a validation result depends on: the document, the catalog and the files' identity."""
    import hashlib
    import json

    from flowza import __version__
    from flowza.nodes.registry import get_node

    raw = document.model_dump(mode="json") if isinstance(document, Workflow) else document
    files = [f"{path}|{path.stat().st_size}|{path.stat().st_mtime_ns}" for path in paths]
    nodes = raw.get("nodes") if isinstance(raw, dict) else None
    types = sorted({str(n.get("type")) for n in nodes if isinstance(n, dict)}) if isinstance(nodes, list) else []
    versions = {t: d.version if (d := get_node(t)) is not None else None for t in types}
    try:
        canonical = json.dumps([raw, files, versions, __version__], sort_keys=True, default=str)
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_for_run(document: dict[str, Any] | Workflow, options: RunOptions) -> tuple[Report, Graph | None]:
    """Validate, reusing a cached report when neither the document nor its files changed."""
    from flowza.engine.validate import build_graph, parse_workflow

    key = None
    paths = _dataset_paths(document, options.data_dir) if options.cache is not None else None
    if options.cache is not None and paths is not None:
        for path in paths:
            options.cache.file_hashes.prefetch(path)  # hashed while validation reads the sample
        key = _validation_key(document, paths)
    if key is not None and options.cache is not None:
        cached = options.cache.read_validation(key)
        if cached is not None and cached.get("valid"):
            report = Report.from_dict(cached)
            workflow = parse_workflow(document, Report())
            graph = build_graph(workflow, Report()) if workflow is not None else None
            if graph is not None:
                return report, graph
    report, _, graph = validate(document, options.data_dir)
    if key is not None and options.cache is not None and report.ok:
        options.cache.write_validation(key, report.to_dict())
    return report, graph


def run_workflow(document: dict[str, Any] | Workflow, options: RunOptions) -> RunResult:
    """Validate then run; raises ValidationFailed (with the report) when the workflow has errors."""
    report, graph = validate_for_run(document, options)
    if graph is None:
        raise ValidationFailed(report)
    if options.target_node is not None and options.target_node not in graph.defs:
        report.error("unknown_node", f"no node {options.target_node!r} to run up to", options.target_node)
        raise ValidationFailed(report)
    return run_graph(graph, report, options)
