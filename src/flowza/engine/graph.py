"""A workflow as a graph of resolved edges (ports filled in), with its topological order."""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, field

from flowza.nodes.base import NodeDef
from flowza.workflow import Workflow


@dataclass(frozen=True)
class Link:
    source: str
    source_port: str
    target: str
    target_port: str


@dataclass
class Graph:
    workflow: Workflow
    defs: dict[str, NodeDef]
    links: list[Link]
    inputs: dict[str, dict[str, Link]] = field(default_factory=dict)  # node -> input port -> link
    order: list[str] = field(default_factory=list)

    def consumers(self, node_id: str) -> list[Link]:
        return [link for link in self.links if link.source == node_id]

    def upstream(self, node_id: str) -> list[str]:
        return [link.source for link in self.inputs.get(node_id, {}).values()]

    def ancestors(self, node_id: str) -> set[str]:
        seen: set[str] = set()
        stack = self.upstream(node_id)
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.upstream(current))
        return seen

    def descendants(self, node_id: str) -> set[str]:
        seen: set[str] = set()
        stack = [link.target for link in self.consumers(node_id)]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(link.target for link in self.consumers(current))
        return seen

    def target_hint(self, node_id: str) -> str | None:
        """The target column this node's data will be used to predict, looking downstream."""
        frontier = [node_id]
        seen: set[str] = set()
        while frontier:
            next_frontier: list[str] = []
            for current in frontier:
                for link in self.consumers(current):
                    if link.target in seen:
                        continue
                    seen.add(link.target)
                    spec = self.workflow.node(link.target)
                    target = spec.params.get("target")
                    if isinstance(target, str) and target:
                        return target
                    next_frontier.append(link.target)
            frontier = next_frontier
        return None


def topological_order(node_ids: list[str], links: list[Link]) -> list[str]:
    """Kahn's order, ties broken by the order nodes appear in the document (stable, readable)."""
    position = {node_id: i for i, node_id in enumerate(node_ids)}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for node_id in node_ids:
        sorter.add(node_id)
    for link in links:
        sorter.add(link.target, link.source)
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=lambda n: position[n])
        for node_id in ready:
            order.append(node_id)
            sorter.done(node_id)
    return order
