"""Saving workflow documents as versions, with their validation report (invalid ones are saved too)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flowza.api.errors import ApiError
from flowza.api.redact import Redactor
from flowza.db.models import WorkflowRow, WorkflowVersionRow
from flowza.engine.validate import validate
from flowza.jsonsafe import jsonable
from flowza.runs.documents import iso
from flowza.workflow import size_problem

DEFAULT_NAME = "Untitled workflow"


def refuse_oversized(document: dict[str, Any]) -> None:
    """413 naming the cap when the document has more nodes or edges than a workflow may have.

    Every route that takes, saves, restores, runs or exports a document calls it before any graph work.
    """
    too_large = size_problem(document)
    if too_large is not None:
        raise ApiError(413, too_large[1])


def check(document: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """Errors and lint warnings of a document, data-aware against the owner's datasets.

    Shown to the user and stored with the version, so, as error bodies, without the server's
    paths and with long echoed values cut (flowza.api.redact).
    """
    try:
        report = validate(document, data_dir)[0].to_dict()
    except Exception as exc:  # the document is a JSON object the engine cannot even read: report, don't fail
        report = {
            "valid": False,
            "errors": [
                {"level": "error", "code": "invalid_document", "message": str(exc), "node_id": None, "field": None}
            ],
            "warnings": [],
        }
    safe: dict[str, Any] = Redactor.for_folders([(data_dir, "<data dir>")]).body(jsonable(report))
    return safe


def name_of(document: dict[str, Any]) -> str:
    name = document.get("name")
    return name.strip()[:200] if isinstance(name, str) and name.strip() else DEFAULT_NAME


def workflow_summary(row: WorkflowRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "version": row.version,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


def workflow_document(row: WorkflowRow, version: WorkflowVersionRow) -> dict[str, Any]:
    return {**workflow_summary(row), "document": version.document, "validation": version.validation}


def version_summary(version: WorkflowVersionRow) -> dict[str, Any]:
    return {
        "version": version.version,
        "name": name_of(version.document),
        "message": version.message,
        "valid": bool(version.validation.get("valid")),
        "created_at": iso(version.created_at),
    }


def version_document(version: WorkflowVersionRow) -> dict[str, Any]:
    return {**version_summary(version), "document": version.document, "validation": version.validation}
