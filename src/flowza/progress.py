"""Live per-node progress for the command line, driven by engine events."""

from __future__ import annotations

import json
import sys
from typing import Any

from flowza.engine.events import Event
from flowza.terminal import StderrLines

STYLES = {
    "succeeded": "green",
    "cached": "cyan",
    "failed": "bold red",
    "skipped": "dim",
    "cancelled": "yellow",
    "running": "blue",
}


class ProgressPrinter:
    def __init__(self, lines: StderrLines, quiet: bool = False) -> None:
        self.lines = lines
        self.quiet = quiet

    def __call__(self, event: Event) -> None:
        if self.quiet:
            return
        if event.type == "node_started":
            self.lines.line("  ", ("▶", "blue"), f" {event.node_id} running…")
        elif event.type == "node_progress" and event.message:
            self.lines.line(f"    {event.node_id}: {event.message}")
        elif event.type in ("node_succeeded", "node_cached", "node_failed", "node_skipped", "node_cancelled"):
            status = event.status or ""
            style = STYLES.get(status, "")
            seconds = f" {event.seconds:.2f}s" if event.seconds is not None else ""
            detail = f" — {event.error}" if event.error else (f" — {event.message}" if event.message else "")
            self.lines.line("  ", (f"{status:<9}", style), f" {event.node_id}{seconds}{detail}")

    def summary(self, result: Any) -> None:
        if self.quiet:
            return
        style = STYLES.get(result.status, "")
        self.lines.line("run ", (result.status, style))
        for node_id, node in result.nodes.items():
            if node.status == "failed":
                self.lines.line(("error", "red"), f"   node {node_id!r}: {node.error}")
        for node_id, values in result.metrics.items():
            shown = {k: round(v, 4) for k, v in values.items() if isinstance(v, float)}
            self.lines.line(f"  {node_id}: {shown}")
        for node_id, path in result.files.items():
            self.lines.line(f"  {node_id} wrote {path}")


def show_result(printer: ProgressPrinter, result: Any, as_json: bool) -> None:
    """What `flowza run` prints once its nodes are done: lint warnings, cache problems, the summary
    on stderr, and with `as_json` the result document on stdout."""
    for issue in result.report.warnings:
        printer.lines.line(("warning", "yellow"), f" {issue}")
    for problem in result.cache_errors:
        printer.lines.line(("warning", "yellow"), f" could not write to the cache: {problem}")
    printer.summary(result)
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), default=str) + "\n")
        sys.stdout.flush()
