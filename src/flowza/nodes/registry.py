"""Discovers the node modules under `flowza.nodes` and gives the catalog.

One node is one module named after its type (`flowza.nodes.data.load_csv` holds `load_csv`), so
`get_node` imports only the module it needs: a cached `flowza run` then imports the 7 node modules
of its workflow rather than all 15.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

from flowza.nodes.base import NodeDef, registered

_NOT_NODE_MODULES = {
    "base",
    "registry",
    "types",
    "schema",
    "common",
    "files",
    "limits",
    "metrics",
    "model_files",
    "onnx_export",
    "scoring",
    "stoppable",
    "structure",
}


@cache
def node_modules() -> dict[str, str]:
    """Module name by node type, found without importing the modules themselves."""
    import flowza.nodes as package

    modules = {}
    for info in pkgutil.walk_packages(package.__path__, prefix="flowza.nodes."):
        short = info.name.rsplit(".", 1)[-1]
        if not info.ispkg and short not in _NOT_NODE_MODULES:
            modules[short] = info.name
    return modules


@cache
def catalog() -> dict[str, NodeDef]:
    for module in node_modules().values():
        importlib.import_module(module)
    return dict(sorted(registered().items()))


def get_node(node_type: str) -> NodeDef | None:
    """The node of this type, importing only its own module."""
    known = registered().get(node_type)
    if known is not None:
        return known
    module = node_modules().get(node_type)
    if module is None:
        return None
    importlib.import_module(module)
    return registered().get(node_type)


def dataset_names(document: dict[str, Any]) -> list[str]:
    """The dataset file names a workflow document reads (params whose widget is `dataset`), in order."""
    names: list[str] = []
    nodes = document.get("nodes") if isinstance(document, dict) else None
    for spec in nodes if isinstance(nodes, list) else []:
        definition = get_node(str(spec.get("type"))) if isinstance(spec, dict) else None
        params = spec.get("params") if isinstance(spec, dict) else None
        if definition is None or not isinstance(params, dict):
            continue
        for name in definition.params_with_widget("dataset"):
            value = params.get(name)
            if isinstance(value, str) and value and value not in names:
                names.append(value)
    return names
