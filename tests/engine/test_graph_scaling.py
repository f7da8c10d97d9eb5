"""Validating a workflow does work proportional to its size (issue 23 item 2: it used to be cubic).

Work is measured as the number of lines of Flowza code executed (a line tracer limited to the
flowza package), not as time: validating a chain four times as long must execute at most about
four times as many lines. The seconds are printed for the record, never asserted.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import pytest

import flowza
from flowza.engine.validate import validate
from tests.engine.helpers import chain

FLOWZA_SOURCE = str(Path(flowza.__file__).parent)
GROWTH = 4
SLACK = 1.25  # fixed costs (the first and last nodes, report building) may grow a little differently


class FlowzaLines:
    """Counts the lines of code under src/flowza executed on this thread while active."""

    def __init__(self) -> None:
        self.lines = 0
        self._previous: Any = None

    def _call(self, frame: FrameType, event: str, arg: object) -> Any:
        return self._line if frame.f_code.co_filename.startswith(FLOWZA_SOURCE) else None

    def _line(self, frame: FrameType, event: str, arg: object) -> Any:
        if event == "line":
            self.lines += 1
        return self._line

    def __enter__(self) -> FlowzaLines:
        self._previous = sys.gettrace()
        sys.settrace(self._call)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        sys.settrace(self._previous)


def long_chain(length: int) -> dict[str, Any]:
    """load -> (length - 2) fitted steps -> a split naming the target: every step needs the target hint,
    and every step is fitted before the split (a leakage warning each: the lint walks the whole graph)."""
    steps = [("load", "load_csv", {"dataset": "synthetic.csv"})]
    steps += [(f"step{i}", "impute", {}) for i in range(length - 2)]
    steps += [("split", "train_test_split", {"target": "label"})]
    return chain(*steps)


def lines_to_validate(length: int) -> int:
    document = long_chain(length)
    started = time.perf_counter()
    report, _, graph = validate(document, None, enforce_size_caps=False)
    seconds = time.perf_counter() - started
    assert report.ok and graph is not None, [str(e) for e in report.errors[:3]]
    assert len(report.warnings) == length - 2  # every impute is fitted before the split
    assert graph.target_hint("step0") == "label"
    with FlowzaLines() as counter:
        validate(document, None, enforce_size_caps=False)
    print(f"\nvalidate, chain of {length} nodes: {seconds:.2f} s, {counter.lines} lines of flowza code")
    return counter.lines


@pytest.mark.parametrize("small", [100, 5_000])
def test_validation_work_grows_linearly_with_the_chain(small: int) -> None:
    validate(long_chain(10), None)  # imports and first-use set-up are not part of the measure
    small_lines = lines_to_validate(small)
    large_lines = lines_to_validate(small * GROWTH)
    ratio = large_lines / small_lines
    print(f"{small * GROWTH} vs {small} nodes: {ratio:.2f}x the work")
    assert ratio <= GROWTH * SLACK, f"{GROWTH}x the nodes took {ratio:.1f}x the work: not linear"


def test_the_engine_refuses_a_workflow_over_the_node_cap_before_any_graph_work() -> None:
    report, workflow, graph = validate(long_chain(501))
    assert workflow is None and graph is None
    assert [(e.code, e.field) for e in report.errors] == [("too_large", "nodes")]
    assert "at most 500 nodes" in report.errors[0].message and "501" in report.errors[0].message


def test_the_engine_refuses_a_workflow_over_the_edge_cap() -> None:
    document = long_chain(10)
    document["edges"] = document["edges"] * 112  # 1,008 edges between 10 nodes
    report, _, graph = validate(document)
    assert graph is None
    assert [(e.code, e.field) for e in report.errors] == [("too_large", "edges")]
    assert "at most 1000 edges" in report.errors[0].message


def branching(*edges: tuple[str, str], targets: dict[str, str]) -> dict[str, Any]:
    ids = list(dict.fromkeys(end for edge in edges for end in edge))
    nodes = [
        {"id": node_id, "type": "load_csv", "params": {"dataset": "synthetic.csv"}}
        if node_id == "load"
        else {"id": node_id, "type": "train_test_split", "params": {"target": targets[node_id]}}
        if node_id in targets
        else {"id": node_id, "type": "impute", "params": {}}
        for node_id in ids
    ]
    return {"schema_version": 1, "nodes": nodes, "edges": [{"source": s, "target": t} for s, t in edges]}


def test_the_target_hint_is_the_nearest_target_downstream() -> None:
    document = branching(
        ("load", "a"), ("a", "b"), ("b", "far"), ("load", "near"), targets={"far": "far_y", "near": "near_y"}
    )
    report, _, graph = validate(document)
    assert graph is not None, [str(e) for e in report.errors]
    assert [graph.target_hint(n) for n in ("load", "a", "b", "far", "near")] == [
        "near_y",
        "far_y",
        "far_y",
        None,
        None,
    ]


def test_at_equal_distance_the_target_hint_follows_the_earlier_edge() -> None:
    document = branching(
        ("load", "a"), ("load", "b"), ("b", "second"), ("a", "first"), targets={"first": "y1", "second": "y2"}
    )
    report, _, graph = validate(document)
    assert graph is not None, [str(e) for e in report.errors]
    assert graph.target_hint("load") == "y1"
