from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from flowza.api.errors import not_found
from flowza.nodes.registry import catalog, get_node

router = APIRouter(tags=["catalog"])


@router.get("/nodes", summary="The node catalog: ports with types and the params JSON Schema of every node")
def list_nodes() -> list[dict[str, Any]]:
    return [definition.catalog_entry() for definition in catalog().values()]


@router.get("/nodes/{node_type}", summary="One node type of the catalog")
def get_node_type(node_type: str) -> dict[str, Any]:
    definition = get_node(node_type)
    if definition is None:
        raise not_found(f"no node type {node_type!r}")
    return definition.catalog_entry()
