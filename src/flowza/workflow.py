"""The workflow JSON format, schema_version 1 (DESIGN.md section 4).

These pydantic models are the single definition of the format: the CLI, the API, the
editor and the generators read and write it, and `flowza schema` publishes its JSON Schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NODE_ID_PATTERN = r"^[A-Za-z0-9_.\-]{1,64}$"
MAX_NODES = 500
MAX_EDGES = 1000  # every input port takes one edge and no node has more than two inputs


class Position(BaseModel):
    model_config = ConfigDict(extra="forbid")
    x: float = 0.0
    y: float = 0.0


class NodeSpec(BaseModel):
    """One step of a workflow: a node type from the catalog and its params."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64, description="Unique id of the node inside the workflow")
    type: str = Field(min_length=1, max_length=64, description="Node type id from the catalog")
    params: dict[str, Any] = Field(default_factory=dict, description="Parameters; see the node's schema")
    position: Position | None = None
    label: str | None = Field(default=None, max_length=200, description="Optional display title")


class Edge(BaseModel):
    """A connection from an output port of one node to an input port of another."""

    model_config = ConfigDict(extra="forbid")
    source: str
    target: str
    source_port: str | None = Field(default=None, description="Optional where the source has one output")
    target_port: str | None = Field(default=None, description="Optional where one input port fits")


class Workflow(BaseModel):
    """A whole workflow document."""

    model_config = ConfigDict(extra="forbid")
    schema_version: Literal[1] = 1
    name: str = Field(default="Untitled workflow", max_length=200)
    description: str = Field(default="", max_length=5000)
    dataset_kind: str | None = Field(
        default=None, description="For templates: the kind of dataset this workflow expects"
    )
    nodes: list[NodeSpec] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)

    def node(self, node_id: str) -> NodeSpec:
        for spec in self.nodes:
            if spec.id == node_id:
                return spec
        raise KeyError(node_id)


def size_problem(document: object, max_nodes: int = MAX_NODES, max_edges: int = MAX_EDGES) -> tuple[str, str] | None:
    """(field, message) when a workflow document (a dict or a Workflow) has more nodes or edges than allowed.

    Counts only, before any parsing or graph work, so an oversized document costs nothing more.
    """
    if isinstance(document, Workflow):
        counts = {"nodes": len(document.nodes), "edges": len(document.edges)}
    elif isinstance(document, dict):
        counts = {key: len(value) for key in ("nodes", "edges") if isinstance(value := document.get(key), list)}
    else:
        return None
    for field, cap in (("nodes", max_nodes), ("edges", max_edges)):
        count = counts.get(field, 0)
        if count > cap:
            return field, f"a workflow may have at most {cap} {field}, this one has {count}"
    return None


def workflow_json_schema() -> dict[str, Any]:
    return Workflow.model_json_schema()


def load_workflow_file(path: Path) -> dict[str, Any]:
    """Read a workflow JSON file into a plain dict (validation happens separately)."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a workflow file must hold a JSON object, not {type(data).__name__}")
    return data
