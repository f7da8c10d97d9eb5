"""Live per-node progress for the command line, driven by engine events."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from flowza.engine.events import Event

STYLES = {
    "succeeded": "green",
    "cached": "cyan",
    "failed": "bold red",
    "skipped": "dim",
    "cancelled": "yellow",
    "running": "blue",
}


class ProgressPrinter:
    def __init__(self, console: Console, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet

    def __call__(self, event: Event) -> None:
        if self.quiet:
            return
        if event.type == "node_started":
            self.console.print(f"  [blue]▶[/] {event.node_id} running…")
        elif event.type == "node_progress" and event.message:
            self.console.print(f"    {event.node_id}: {event.message}")
        elif event.type in ("node_succeeded", "node_cached", "node_failed", "node_skipped", "node_cancelled"):
            status = event.status or ""
            style = STYLES.get(status, "")
            seconds = f" {event.seconds:.2f}s" if event.seconds is not None else ""
            detail = f" — {event.error}" if event.error else (f" — {event.message}" if event.message else "")
            self.console.print(f"  [{style}]{status:<9}[/] {event.node_id}{seconds}{detail}")

    def summary(self, result: Any) -> None:
        if self.quiet:
            return
        style = STYLES.get(result.status, "")
        self.console.print(f"run [{style}]{result.status}[/]")
        for node_id, node in result.nodes.items():
            if node.status == "failed":
                self.console.print(f"[red]error[/]   node {node_id!r}: {node.error}")
        for node_id, values in result.metrics.items():
            shown = {k: round(v, 4) for k, v in values.items() if isinstance(v, float)}
            self.console.print(f"  {node_id}: {shown}")
        for node_id, path in result.files.items():
            self.console.print(f"  {node_id} wrote {path}")
