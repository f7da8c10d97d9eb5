"""Building a workflow document node by node: a chain from load_csv, plus side branches."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

X_STEP = 240
Y_BRANCH = 160


@dataclass
class Chain:
    """A workflow under construction: nodes appended in order, each fed by the previous one."""

    name: str
    description: str = ""
    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, str]] = field(default_factory=list)
    last: str | None = None

    def add(self, node_id: str, node_type: str, params: dict[str, Any] | None = None) -> str:
        x = X_STEP * len([n for n in self.nodes if n["position"]["y"] == 0])
        self.nodes.append({"id": node_id, "type": node_type, "params": params or {}, "position": {"x": x, "y": 0}})
        if self.last is not None:
            self.edges.append({"source": self.last, "target": node_id})
        self.last = node_id
        return node_id

    def branch(self, source: str, node_id: str, node_type: str, params: dict[str, Any] | None = None) -> str:
        """A node fed by `source` that does not continue the chain (an export next to evaluate)."""
        x = next(n["position"]["x"] for n in self.nodes if n["id"] == source)
        position = {"x": x + X_STEP, "y": Y_BRANCH}
        self.nodes.append({"id": node_id, "type": node_type, "params": params or {}, "position": position})
        self.edges.append({"source": source, "target": node_id})
        return node_id

    def document(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "name": self.name[:200],
            "description": self.description[:5000],
            "nodes": self.nodes,
            "edges": self.edges,
        }


def file_name(*parts: str) -> str:
    """A name export_model accepts (letters, digits, _ . -), from free text."""
    raw = "_".join(p for p in parts if p)
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]+", "_", raw).strip("_.-")
    return (cleaned or "model")[:100]
