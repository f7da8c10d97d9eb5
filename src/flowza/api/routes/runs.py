from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from flowza.api import schemas
from flowza.api.deps import SessionDep, StateDep, UserDep
from flowza.api.errors import ApiError, not_found
from flowza.api.limits import DB_INT_MAX
from flowza.api.responses import json_response
from flowza.api.sse import run_events
from flowza.datasets.preview import MAX_PAGE
from flowza.db.models import ArtifactRow, RunRow
from flowza.db.repositories import ACTIVE_RUN_STATUSES, Runs, Workflows
from flowza.runs import outputs
from flowza.runs.documents import iso, run_document, run_summary

router = APIRouter(tags=["runs"])


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(
        default=None, ge=1, le=DB_INT_MAX, description="Workflow version to run (default: the current one)"
    )
    target_node: str | None = Field(default=None, description="Run only this node and what it needs")


def _run(session: SessionDep, user: str, run_id: str) -> RunRow:
    run = Runs(session).get(run_id, user)
    if run is None:
        raise not_found(f"no run {run_id!r}")
    return run


def _artifact_out(run_id: str, row: ArtifactRow) -> dict[str, Any]:
    base = f"/api/v1/runs/{run_id}/artifacts/{row.id}/download"
    formats = {"table": ["csv", "parquet"], "model": ["skops"], "metrics": ["json"], "file": [row.format or "file"]}
    return {
        "id": row.id,
        "node_id": row.node_id,
        "port": row.port,
        "kind": row.kind,
        "name": row.name,
        "format": row.format,
        "created_at": iso(row.created_at),
        "downloads": {fmt: f"{base}?format={fmt}" if row.kind == "table" else base for fmt in formats[row.kind]},
    }


@router.post(
    "/workflows/{workflow_id}/runs",
    status_code=202,
    summary="Start a run of a workflow version (422 with the errors when it is not valid)",
    response_model=None,
    responses=schemas.ok(schemas.RunSummary, 202),
)
def start_run(
    workflow_id: str,
    response: Response,
    state: StateDep,
    user: UserDep,
    request: Annotated[RunRequest | None, Body()] = None,
) -> dict[str, Any]:
    options = request or RunRequest()
    run = state.runs.create(user, workflow_id, options.version, options.target_node)
    state.executor.submit(run.id)
    response.headers["Location"] = f"/api/v1/runs/{run.id}"
    return run_summary(run)


@router.get(
    "/workflows/{workflow_id}/runs",
    summary="Run history of a workflow, newest first",
    response_model=None,
    responses=schemas.ok(list[schemas.RunSummary], 200),
)
def list_runs(
    workflow_id: str,
    session: SessionDep,
    user: UserDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=DB_INT_MAX),
) -> Response:
    if Workflows(session).get(user, workflow_id) is None:
        raise not_found(f"no workflow {workflow_id!r}")
    return json_response([run_summary(run) for run in Runs(session).for_workflow(user, workflow_id, limit, offset)])


@router.get(
    "/runs/{run_id}",
    summary="A run, live: status, per-node status/seconds/error/reason, metrics (as `flowza run --json`)",
    response_model=None,
    responses=schemas.ok(schemas.Run, 200),
)
def get_run(run_id: str, session: SessionDep, user: UserDep) -> Response:
    run = _run(session, user, run_id)
    return json_response(run_document(run, Runs(session).nodes(run.id)))


@router.get(
    "/runs/{run_id}/events",
    summary="Server-Sent Events of the run: past events replayed, then live ones; ends after run_finished",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def stream_events(
    run_id: str,
    request: Request,
    session: SessionDep,
    state: StateDep,
    user: UserDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: int = Query(
        0, ge=0, le=DB_INT_MAX, description="Only events with a higher sequence number (like Last-Event-ID)"
    ),
    token: str | None = Query(
        None, description="The bearer token, for EventSource, which cannot send headers (this route only)"
    ),
) -> StreamingResponse:
    _run(session, user, run_id)
    session.close()
    if last_event_id is not None and last_event_id.strip().isdigit():
        after = max(after, min(int(last_event_id.strip()), DB_INT_MAX))
    return StreamingResponse(
        run_events(state, request, run_id, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/runs/{run_id}/cancel",
    status_code=202,
    summary="Ask a pending or running run to stop",
    response_model=None,
    responses=schemas.ok(schemas.RunSummary, 202),
)
def cancel_run(run_id: str, state: StateDep, user: UserDep) -> dict[str, Any]:
    run = state.runs.request_cancel(user, run_id)
    state.executor.cancel(run.id)
    return {**run_summary(run), "cancel_requested": True}


def _node_output_values(state: StateDep, session: SessionDep, user: str, run_id: str, node_id: str) -> dict[str, Any]:
    run = _run(session, user, run_id)
    node = Runs(session).node(run.id, node_id)
    if node is None:
        raise not_found(f"run {run_id!r} has no node {node_id!r}")
    if node.cache_key is None:
        if node.status in ("pending", "running") or run.status in ACTIVE_RUN_STATUSES:
            raise ApiError(409, f"node {node_id!r} has no output yet (node {node.status}, run {run.status})")
        raise ApiError(
            409, f"node {node_id!r} has no output: it {node.status}" + (f" ({node.error})" if node.error else "")
        )
    return {"key": node.cache_key, "values": outputs.load_outputs(state.runs.cache_root, node.cache_key)}


@router.get(
    "/runs/{run_id}/nodes/{node_id}/output",
    summary="Preview a node's output: a page of a table (with columns), metrics JSON, or a model summary",
    response_model=None,
    responses=schemas.ok(schemas.NodeOutput, 200),
)
def node_output(
    run_id: str,
    node_id: str,
    session: SessionDep,
    state: StateDep,
    user: UserDep,
    port: str | None = Query(None, description="Output port (default: the node's first)"),
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=MAX_PAGE),
    part: Literal["all", "train", "test"] = Query("all", description="For a split table: which rows"),
) -> dict[str, Any]:
    loaded = _node_output_values(state, session, user, run_id, node_id)
    values: dict[str, Any] = loaded["values"]
    chosen = port or next(iter(values), None)
    if chosen not in values:
        raise not_found(f"node {node_id!r} has no output port {port!r} (ports: {', '.join(values)})")
    return {
        "run_id": run_id,
        "node_id": node_id,
        "port": chosen,
        "ports": list(values),
        **outputs.describe(values[chosen], chosen, offset, limit, part),
    }


@router.get(
    "/runs/{run_id}/artifacts",
    summary="Downloadable outputs of a finished run",
    response_model=None,
    responses=schemas.ok(list[schemas.Artifact], 200),
)
def list_artifacts(run_id: str, session: SessionDep, user: UserDep) -> list[dict[str, Any]]:
    run = _run(session, user, run_id)
    return [_artifact_out(run.id, row) for row in Runs(session).artifacts(run.id)]


@router.get(
    "/runs/{run_id}/artifacts/{artifact_id}/download",
    summary="Download an output: a table as csv or parquet, a model as skops, an exported file as is",
    response_class=FileResponse,
)
async def download_artifact(
    run_id: str,
    artifact_id: str,
    state: StateDep,
    user: UserDep,
    format: str | None = Query(None, description="csv or parquet for tables"),
) -> Response:
    def prepare() -> outputs.Download:
        with state.sessions() as session:
            _run(session, user, run_id)
            row = next((a for a in Runs(session).artifacts(run_id) if a.id == artifact_id), None)
        if row is None:
            raise not_found(f"run {run_id!r} has no artifact {artifact_id!r}")
        base_name = f"{row.node_id}-{row.port}"
        try:
            return outputs.download(state.runs.cache_root, row.cache_key, row.port, base_name, format, row.name)
        except ValueError as exc:
            raise ApiError(400, str(exc)) from None

    file = await run_in_threadpool(prepare)
    headers = {"Content-Disposition": f'attachment; filename="{file.filename}"'}
    if file.path is not None:
        if not file.path.is_file():
            raise not_found(f"the file of artifact {artifact_id!r} is gone from the cache; run the workflow again")
        return FileResponse(file.path, media_type=file.media_type, filename=file.filename)
    return Response(file.content or b"", media_type=file.media_type, headers=headers)
