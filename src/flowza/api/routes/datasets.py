from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from flowza.api import schemas
from flowza.api.deps import SessionDep, StateDep, UserDep
from flowza.api.errors import ApiError, not_found
from flowza.api.responses import json_response
from flowza.datasets.names import dataset_name, path_in
from flowza.datasets.preview import MAX_PAGE
from flowza.datasets.upload import TooLarge, receive_upload
from flowza.db.models import DatasetRow
from flowza.db.repositories import Datasets
from flowza.runs.documents import iso

router = APIRouter(tags=["datasets"])

MULTIPART_SLACK = 64 * 1024  # headers and boundaries around the file part

UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "The CSV file"},
                    "name": {"type": "string", "description": "Dataset name (default: the file's name)"},
                },
            }
        }
    },
}


def dataset_summary(row: DatasetRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "original_filename": row.original_filename,
        "size_bytes": row.size_bytes,
        "sha256": row.sha256,
        "rows": row.rows,
        "columns": row.columns,
        "created_at": iso(row.created_at),
    }


def dataset_document(row: DatasetRow) -> dict[str, Any]:
    return {**dataset_summary(row), "profile": row.profile}


def _get(session: SessionDep, user: str, dataset_id: str) -> DatasetRow:
    row = Datasets(session).get(user, dataset_id)
    if row is None:
        raise not_found(f"no dataset {dataset_id!r}")
    return row


@router.post(
    "/datasets",
    status_code=201,
    summary="Upload a CSV (multipart field `file`, optional `name`); checked, profiled, stored with a Parquet copy",
    openapi_extra={"requestBody": UPLOAD_BODY},
    response_model=None,
    responses={
        **schemas.ok(schemas.Dataset, 201),
        400: {"description": "Not a multipart upload"},
        409: {"description": "Name taken"},
        413: {"description": "Larger than FLOWZA_MAX_UPLOAD_MB"},
        422: {"description": "Not a usable CSV"},
    },
)
async def upload_dataset(request: Request, state: StateDep, user: UserDep) -> dict[str, Any]:
    limit = state.settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit + MULTIPART_SLACK:
        raise TooLarge(limit)
    await run_in_threadpool(state.datasets.clear_stale_uploads, user)  # left by a process that died
    with state.datasets.scratch(user) as scratch:  # removed when the request ends, however it ends
        received = await receive_upload(
            request.stream(), request.headers.get("content-type"), scratch / "upload", limit
        )
        name = dataset_name(received.fields.get("name"), received.filename)
        if await run_in_threadpool(state.datasets.exists, user, name):
            raise ApiError(409, f"a dataset named {name!r} already exists; delete it first or choose another name")
        named = scratch / name
        os.replace(received.path, named)
        row = await run_in_threadpool(
            state.datasets.import_file, user, named, name, received.filename or name, received.sha256
        )
    return dataset_document(row)


@router.get(
    "/datasets",
    summary="The current user's datasets",
    response_model=None,
    responses=schemas.ok(list[schemas.DatasetSummary], 200),
)
def list_datasets(session: SessionDep, user: UserDep) -> Response:
    return json_response([dataset_summary(row) for row in Datasets(session).for_owner(user)])


@router.get(
    "/datasets/{dataset_id}",
    summary="A dataset with its profile (per-column statistics)",
    response_model=None,
    responses=schemas.ok(schemas.Dataset, 200),
)
def get_dataset(dataset_id: str, session: SessionDep, user: UserDep) -> Response:
    return json_response(dataset_document(_get(session, user, dataset_id)))


@router.get(
    "/datasets/{dataset_id}/preview",
    summary="A page of the dataset's rows",
    response_model=None,
    responses=schemas.ok(schemas.TablePage, 200),
)
def preview_dataset(
    dataset_id: str,
    session: SessionDep,
    state: StateDep,
    user: UserDep,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=MAX_PAGE),
) -> dict[str, Any]:
    row = _get(session, user, dataset_id)
    return {"id": row.id, "name": row.name, **state.datasets.preview(user, row, offset, limit)}


@router.get("/datasets/{dataset_id}/download", summary="The original CSV file", response_class=FileResponse)
def download_dataset(dataset_id: str, session: SessionDep, state: StateDep, user: UserDep) -> Response:
    row = _get(session, user, dataset_id)
    path = path_in(state.layout.datasets_dir(user), row.name)
    if not path.is_file():
        raise not_found(f"the file of dataset {row.name!r} is missing from the server's data directory")
    return FileResponse(path, media_type="text/csv", filename=row.name)


@router.delete(
    "/datasets/{dataset_id}",
    status_code=204,
    summary="Delete a dataset; 409 while a saved workflow uses it unless force=true",
)
def delete_dataset(
    dataset_id: str, session: SessionDep, state: StateDep, user: UserDep, force: bool = False
) -> Response:
    row = _get(session, user, dataset_id)
    session.close()
    state.datasets.delete(user, row, force)
    return Response(status_code=204)
