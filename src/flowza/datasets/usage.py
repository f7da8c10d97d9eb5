"""Which dataset names a workflow document refers to (params whose form widget is `dataset`)."""

from __future__ import annotations

from typing import Any

from flowza.nodes.registry import get_node


def dataset_params(node_type: str) -> list[str]:
    definition = get_node(node_type)
    if definition is None:
        return []
    names = []
    for name, info in definition.params_model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if extra.get("ui:widget") == "dataset":
            names.append(name)
    return names


def datasets_in(document: dict[str, Any]) -> set[str]:
    used: set[str] = set()
    nodes = document.get("nodes")
    if not isinstance(nodes, list):
        return used
    for spec in nodes:
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
            continue
        params = spec.get("params")
        if not isinstance(params, dict):
            continue
        for name in dataset_params(spec["type"]):
            value = params.get(name)
            if isinstance(value, str) and value:
                used.add(value)
    return used
