"""Discovers every node module under `flowza.nodes` and gives the catalog."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from flowza.nodes.base import NodeDef, registered

_NOT_NODE_MODULES = {"base", "registry", "types", "schema", "common", "files", "metrics", "model_files"}


@cache
def catalog() -> dict[str, NodeDef]:
    import flowza.nodes as package

    for info in pkgutil.walk_packages(package.__path__, prefix="flowza.nodes."):
        if info.name.rsplit(".", 1)[-1] in _NOT_NODE_MODULES:
            continue
        importlib.import_module(info.name)
    return dict(sorted(registered().items()))


def get_node(node_type: str) -> NodeDef | None:
    return catalog().get(node_type)


CATEGORY_ORDER = ["Data", "Clean", "Preprocess", "Split", "Train", "Evaluate", "Export"]
