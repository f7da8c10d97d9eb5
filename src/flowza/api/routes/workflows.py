from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Response

from flowza.api import schemas
from flowza.api import workflow_store as store
from flowza.api.deps import SessionDep, StateDep, UserDep
from flowza.api.errors import ApiError, not_found
from flowza.api.limits import DB_INT_MAX
from flowza.api.responses import json_response
from flowza.db.models import WorkflowRow
from flowza.db.repositories import Runs, StaleVersion, Workflows

router = APIRouter(tags=["workflows"])

WorkflowBody = Annotated[
    dict[str, Any],
    Body(description="The workflow JSON document itself (schema_version 1; see `flowza schema`)"),
]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The version this edit is based on (the `version` you read, e.g. `3`; quotes allowed). "
        "A stale version gets 409.",
    ),
]
VersionPath = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="A saved version number")]


def _base_version(if_match: str | None, required: bool) -> int | None:
    if if_match is None:
        if required:
            raise ApiError(428, "send the version your edit is based on in the If-Match header (e.g. 'If-Match: 3')")
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise ApiError(400, f"If-Match must hold a workflow version number such as 3, not {if_match!r}")
    return int(text)


def _check_size(document: dict[str, Any]) -> None:
    store.refuse_oversized(document)
    where = _non_finite(document, "")
    if where is not None:
        raise ApiError(422, f"the document holds NaN or Infinity at {where or 'the top'}; JSON has no such numbers")


def _non_finite(value: Any, path: str) -> str | None:
    """The path of the first NaN/Infinity (Python's JSON parser accepts them, databases do not)."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _non_finite(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def _get(session: SessionDep, user: str, workflow_id: str) -> WorkflowRow:
    row = Workflows(session).get(user, workflow_id)
    if row is None:
        raise not_found(f"no workflow {workflow_id!r}")
    return row


def _save(
    session: SessionDep, state: StateDep, user: str, row: WorkflowRow, base: int | None, doc: dict[str, Any], msg: str
) -> dict[str, Any]:
    _check_size(doc)
    validation = store.check(doc, state.layout.datasets_dir(user))
    workflows = Workflows(session)
    try:
        workflows.add_version(row, base, store.name_of(doc), doc, validation, msg)
    except StaleVersion as exc:
        session.rollback()
        raise ApiError(
            409,
            f"workflow {row.id!r} was saved by someone else meanwhile: your edit is based on version {base}, "
            f"the current version is {exc.current}. Reload it and apply your change again.",
            current_version=exc.current,
        ) from None
    session.commit()
    version = workflows.version(row.id, row.version)
    assert version is not None
    return store.workflow_document(row, version)


@router.post(
    "/validate",
    summary="Validate a workflow document against your datasets without saving it",
    response_model=None,
    responses=schemas.ok(schemas.Validation, 200),
)
def validate_document(document: WorkflowBody, state: StateDep, user: UserDep) -> dict[str, Any]:
    _check_size(document)
    return store.check(document, state.layout.datasets_dir(user))


@router.post(
    "/workflows",
    status_code=201,
    summary="Save a new workflow (saved even when not valid)",
    response_model=None,
    responses=schemas.ok(schemas.Workflow, 201),
)
def create_workflow(
    document: WorkflowBody, response: Response, session: SessionDep, state: StateDep, user: UserDep
) -> dict[str, Any]:
    _check_size(document)
    validation = store.check(document, state.layout.datasets_dir(user))
    workflows = Workflows(session)
    row = workflows.create(user, store.name_of(document), document, validation)
    session.commit()
    version = workflows.version(row.id, 1)
    assert version is not None
    response.headers["ETag"] = '"1"'
    response.headers["Location"] = f"/api/v1/workflows/{row.id}"
    return store.workflow_document(row, version)


@router.get(
    "/workflows",
    summary="The current user's workflows, most recently saved first",
    response_model=None,
    responses=schemas.ok(list[schemas.WorkflowSummary], 200),
)
def list_workflows(session: SessionDep, user: UserDep) -> Response:
    return json_response([store.workflow_summary(row) for row in Workflows(session).for_owner(user)])


@router.get(
    "/workflows/{workflow_id}",
    summary="A workflow's current version with its validation report",
    response_model=None,
    responses=schemas.ok(schemas.Workflow, 200),
)
def get_workflow(workflow_id: str, session: SessionDep, user: UserDep) -> Response:
    row = _get(session, user, workflow_id)
    version = Workflows(session).version(row.id, row.version)
    assert version is not None
    return json_response(store.workflow_document(row, version), headers={"ETag": f'"{row.version}"'})


@router.put(
    "/workflows/{workflow_id}",
    summary="Save a new version; needs If-Match with the base version (409 when stale, 428 when missing)",
    response_model=None,
    responses={
        **schemas.ok(schemas.Workflow, 200),
        409: {"description": "Based on an old version"},
        428: {"description": "If-Match missing"},
    },
)
def update_workflow(
    workflow_id: str,
    document: WorkflowBody,
    response: Response,
    session: SessionDep,
    state: StateDep,
    user: UserDep,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    base = _base_version(if_match, required=True)
    row = _get(session, user, workflow_id)
    result = _save(session, state, user, row, base, document, "saved")
    response.headers["ETag"] = f'"{result["version"]}"'
    return result


@router.delete("/workflows/{workflow_id}", status_code=204, summary="Delete a workflow, its versions and runs")
def delete_workflow(workflow_id: str, session: SessionDep, user: UserDep) -> Response:
    row = _get(session, user, workflow_id)
    if Runs(session).count_active(row.id):
        raise ApiError(409, f"workflow {workflow_id!r} has a run in progress; cancel it or wait for it first")
    Workflows(session).delete(row)
    session.commit()
    return Response(status_code=204)


@router.get(
    "/workflows/{workflow_id}/versions",
    summary="Every saved version, newest first",
    response_model=None,
    responses=schemas.ok(list[schemas.VersionSummary], 200),
)
def list_versions(workflow_id: str, session: SessionDep, user: UserDep) -> Response:
    row = _get(session, user, workflow_id)
    return json_response([store.version_summary(v) for v in Workflows(session).versions(row.id)])


@router.get(
    "/workflows/{workflow_id}/versions/{version}",
    summary="One saved version with its document",
    response_model=None,
    responses=schemas.ok(schemas.Version, 200),
)
def get_version(workflow_id: str, version: VersionPath, session: SessionDep, user: UserDep) -> Response:
    row = _get(session, user, workflow_id)
    stored = Workflows(session).version(row.id, version)
    if stored is None:
        raise not_found(f"workflow {workflow_id!r} has no version {version} (latest is {row.version})")
    return json_response(store.version_document(stored))


@router.post(
    "/workflows/{workflow_id}/versions/{version}/restore",
    summary="Make an old version the current one, as a new version (If-Match optional)",
    response_model=None,
    responses=schemas.ok(schemas.Workflow, 200),
)
def restore_version(
    workflow_id: str,
    version: VersionPath,
    response: Response,
    session: SessionDep,
    state: StateDep,
    user: UserDep,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    base = _base_version(if_match, required=False)
    row = _get(session, user, workflow_id)
    stored = Workflows(session).version(row.id, version)
    if stored is None:
        raise not_found(f"workflow {workflow_id!r} has no version {version} (latest is {row.version})")
    result = _save(session, state, user, row, base, stored.document, f"restored version {version}")
    response.headers["ETag"] = f'"{result["version"]}"'
    return result
