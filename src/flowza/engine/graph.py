"""A workflow as a graph of resolved edges (ports filled in), with its topological order.

Every query is linear in nodes + edges: the adjacency (consumers by node) and the node specs by id
are indexed once, and what depends on everything downstream (target hints) or upstream is computed
for all nodes in one topological pass, never by walking the edges again for each node.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, field

from flowza.nodes.base import NodeDef
from flowza.workflow import NodeSpec, Workflow


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
    _consumers: dict[str, list[Link]] = field(init=False, repr=False, compare=False)
    _specs: dict[str, NodeSpec] = field(init=False, repr=False, compare=False)
    _hints: dict[str, str | None] | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        self._consumers = {}
        for link in self.links:
            self._consumers.setdefault(link.source, []).append(link)
        self._specs = {}
        for spec in self.workflow.nodes:
            self._specs.setdefault(spec.id, spec)  # the first of duplicate ids, as Workflow.node

    def spec(self, node_id: str) -> NodeSpec:
        """The node's spec in the document (Workflow.node, without scanning the node list)."""
        return self._specs[node_id]

    def consumers(self, node_id: str) -> list[Link]:
        return list(self._consumers.get(node_id, ()))

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
        stack = [link.target for link in self._consumers.get(node_id, ())]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(link.target for link in self._consumers.get(current, ()))
        return seen

    def with_ancestor_in(self, marked: set[str]) -> set[str]:
        """Every node with at least one node of `marked` upstream of it (one pass in topological order)."""
        found: set[str] = set()
        for node_id in self._order():
            if any(source in marked or source in found for source in self.upstream(node_id)):
                found.add(node_id)
        return found

    def with_descendant_in(self, marked: set[str]) -> set[str]:
        """Every node with at least one node of `marked` downstream of it (one pass in reverse order)."""
        found: set[str] = set()
        for node_id in reversed(self._order()):
            if any(link.target in marked or link.target in found for link in self._consumers.get(node_id, ())):
                found.add(node_id)
        return found

    def target_hint(self, node_id: str) -> str | None:
        """The target column this node's data will be used to predict, looking downstream.

        The nearest downstream node with a `target` param gives it; at equal distance, the one reached
        through the earlier edge. Hints of all nodes are computed together, on first use.
        """
        if self._hints is None:
            self._hints = self._target_hints()
        return self._hints.get(node_id)

    def _target_hints(self) -> dict[str, str | None]:
        nearest: dict[str, tuple[int, str] | None] = {}  # node -> (distance, target) of its nearest target
        for node_id in reversed(self._order()):
            best: tuple[int, str] | None = None
            for link in self._consumers.get(node_id, ()):
                target = self._own_target(link.target)
                candidate = (1, target) if target else self._further(nearest.get(link.target))
                if candidate is not None and (best is None or candidate[0] < best[0]):
                    best = candidate
            nearest[node_id] = best
        return {node_id: found[1] if found else None for node_id, found in nearest.items()}

    @staticmethod
    def _further(found: tuple[int, str] | None) -> tuple[int, str] | None:
        return (found[0] + 1, found[1]) if found else None

    def _own_target(self, node_id: str) -> str | None:
        spec = self._specs.get(node_id)
        target = spec.params.get("target") if spec is not None else None
        return target if isinstance(target, str) and target else None

    def _order(self) -> list[str]:
        if self.order:
            return self.order
        self.order = topological_order(list(self.defs), self.links)
        return self.order


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
