from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from flowza.api.errors import not_found
from flowza.templates import list_templates, template_names

router = APIRouter(tags=["catalog"])


@router.get("/templates", summary="Workflow templates shipped with Flowza, each with its workflow document")
def get_templates() -> list[dict[str, Any]]:
    return list_templates()


@router.get("/templates/{name}", summary="One template")
def get_template(name: str) -> dict[str, Any]:
    if name not in template_names():
        raise not_found(f"no template {name!r} (templates: {', '.join(template_names())})")
    return next(item for item in list_templates() if item["name"] == name)
