"""Workflow templates shipped with Flowza as workflow JSON files."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def template_names() -> list[str]:
    folder = resources.files("flowza") / "templates"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def load_template(name: str) -> dict[str, Any]:
    if name not in template_names():
        raise KeyError(name)
    text = (resources.files("flowza") / "templates" / f"{name}.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def list_templates() -> list[dict[str, Any]]:
    result = []
    for name in template_names():
        document = load_template(name)
        result.append(
            {
                "name": name,
                "title": document.get("name", name),
                "description": document.get("description", ""),
                "dataset_kind": document.get("dataset_kind"),
                "workflow": document,
            }
        )
    return result
