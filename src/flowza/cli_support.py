"""Helpers for the command line: reading a workflow or template, applying --set overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flowza.templates import load_template, template_names
from flowza.workflow import load_workflow_file


class UsageError(Exception):
    """A mistake on the command line, reported in one line with exit code 2."""


def read_workflow(source: str) -> dict[str, Any]:
    """A workflow from a JSON file, or a shipped template given by name."""
    path = Path(source)
    if path.is_file():
        try:
            return load_workflow_file(path)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise UsageError(f"{source}: {exc}") from exc
    if source in template_names():
        return load_template(source)
    raise UsageError(
        f"{source!r} is neither a workflow file nor a template name (templates: {', '.join(template_names())})"
    )


def parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def apply_overrides(document: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply `NODE.PARAM=VALUE` overrides (VALUE parsed as JSON when it parses)."""
    nodes = document.get("nodes")
    if overrides and not isinstance(nodes, list):
        raise UsageError("the workflow has no node list to apply --set to")
    for item in overrides:
        if "=" not in item or "." not in item.split("=", 1)[0]:
            raise UsageError(f"--set {item!r}: expected NODE.PARAM=VALUE")
        left, raw = item.split("=", 1)
        node_id, param = left.split(".", 1)
        matches = [n for n in nodes or [] if isinstance(n, dict) and n.get("id") == node_id]
        if not matches:
            ids = ", ".join(str(n.get("id")) for n in nodes or [] if isinstance(n, dict))
            raise UsageError(f"--set {item!r}: no node {node_id!r} (nodes: {ids})")
        params = matches[0].setdefault("params", {})
        if not isinstance(params, dict):
            raise UsageError(f"--set {item!r}: node {node_id!r} has malformed params")
        params[param] = parse_value(raw)
    return document
