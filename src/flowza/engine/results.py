"""What a run reports: each node's status and timing, the metrics, the exported files."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowza.engine.issues import Report


@dataclass
class NodeResult:
    status: str = "pending"  # pending, running, succeeded, cached, failed, skipped, cancelled
    seconds: float = 0.0
    error: str | None = None
    cache_key: str | None = None
    reason: str | None = None
    log: list[str] = field(default_factory=list)

    def to_dict(self, detailed: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = {"status": self.status, "seconds": round(self.seconds, 6), "error": self.error}
        if detailed:
            result.update({"cache_key": self.cache_key, "reason": self.reason, "log": self.log})
        return result


@dataclass
class RunResult:
    status: str
    nodes: dict[str, NodeResult]
    metrics: dict[str, dict[str, Any]]
    files: dict[str, str]
    report: Report
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    cache_errors: list[str] = field(default_factory=list)

    def to_dict(self, detailed: bool = False) -> dict[str, Any]:
        document: dict[str, Any] = {
            "status": self.status,
            "nodes": {node_id: r.to_dict(detailed) for node_id, r in self.nodes.items()},
            "metrics": self.metrics,
        }
        if detailed:
            document["files"] = self.files
            document["warnings"] = [i.to_dict() for i in self.report.warnings]
        return document
