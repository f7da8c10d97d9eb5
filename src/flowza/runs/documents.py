"""The JSON document of a run: the same shape as `flowza run --json`, plus id, timestamps and reasons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from flowza.db.models import NodeRunRow, RunRow


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def run_summary(run: RunRow) -> dict[str, Any]:
    return {
        "id": run.id,
        "workflow_id": run.workflow_id,
        "workflow_version": run.workflow_version,
        "target_node": run.target_node,
        "status": run.status,
        "error": run.error,
        "created_at": iso(run.created_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
    }


def run_document(run: RunRow, nodes: Sequence[NodeRunRow]) -> dict[str, Any]:
    return {
        **run_summary(run),
        "cancel_requested": run.cancel_requested,
        "nodes": {
            node.node_id: {
                "status": node.status,
                "seconds": round(node.seconds, 6),
                "error": node.error,
                "type": node.node_type,
                "reason": node.reason,
                "cache_key": node.cache_key,
                "log": node.log,
                "started_at": iso(node.started_at),
                "finished_at": iso(node.finished_at),
            }
            for node in nodes
        },
        "metrics": run.metrics,
        "files": run.files,
        "warnings": run.warnings,
    }
