"""GET /workflows/{id}/export: a saved workflow (any version) as a runnable script or notebook download."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from flowza.api.deps import SessionDep, StateDep, UserDep
from flowza.api.errors import ApiError, not_found
from flowza.api.workflow_store import refuse_oversized
from flowza.db.repositories import Workflows

router = APIRouter(tags=["export"])

ExportFormat = Literal["script", "notebook"]


def download_name(name: str, version: int, fmt: str) -> str:
    """A safe file name for the Content-Disposition header."""
    from flowza.codegen.export import EXTENSIONS

    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")[:80] or "workflow"
    return f"{stem}_v{version}{EXTENSIONS[fmt]}"


@router.get(
    "/workflows/{workflow_id}/export",
    summary="Download a workflow as a Python script or a Jupyter notebook (its header pins the packages it imports)",
    response_class=Response,
    responses={
        200: {"content": {"text/x-python": {}, "application/x-ipynb+json": {}}, "description": "The file"},
        422: {"description": "The workflow is not valid (the report is in the body) or cannot be exported"},
    },
)
def export_workflow_file(
    workflow_id: str,
    session: SessionDep,
    state: StateDep,
    user: UserDep,
    format: Annotated[ExportFormat, Query(description="script (.py) or notebook (.ipynb)")] = "script",
    version: Annotated[int | None, Query(ge=1, description="A saved version; default the current one")] = None,
) -> Response:
    from flowza.codegen.build import ExportError
    from flowza.codegen.export import MEDIA_TYPES, export_workflow
    from flowza.engine.issues import ValidationFailed

    workflows = Workflows(session)
    row = workflows.get(user, workflow_id)
    if row is None:
        raise not_found(f"no workflow {workflow_id!r}")
    number = version or row.version
    stored = workflows.version(row.id, number)
    if stored is None:
        raise not_found(f"workflow {workflow_id!r} has no version {number} (latest is {row.version})")
    refuse_oversized(stored.document)
    data_dir = state.layout.datasets_dir(user)
    try:
        text = export_workflow(stored.document, format, data_dir=data_dir, data_dir_default=".", version=number)
    except ValidationFailed as exc:
        report = exc.report.to_dict()
        raise ApiError(
            422, f"version {number} of the workflow is not valid; fix it before exporting", **report
        ) from None
    except ExportError as exc:
        raise ApiError(422, str(exc)) from None
    filename = download_name(row.name, number, format)
    return Response(
        content=text.encode("utf-8"),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
