"""Response shapes for the OpenAPI document (documentation only: routes return plain JSON dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Error(BaseModel):
    detail: str = Field(description="What is wrong, in words a person can act on")


class ColumnProfile(BaseModel):
    name: str
    dtype: str
    kind: str
    missing: int
    distinct: int
    min: float | int | None = Field(default=None, description="Numbers only")
    max: float | int | None = Field(default=None, description="Numbers only")
    mean: float | None = Field(default=None, description="Numbers only")
    std: float | None = Field(default=None, description="Numbers only")
    top: list[dict[str, Any]] | None = Field(default=None, description="Text: most frequent values with counts")


class Profile(BaseModel):
    rows: int
    columns: list[ColumnProfile]


class DatasetSummary(BaseModel):
    id: str
    name: str = Field(description="What load_csv's `dataset` param refers to")
    original_filename: str
    size_bytes: int
    sha256: str
    rows: int
    columns: int
    created_at: str


class Dataset(DatasetSummary):
    profile: Profile


class Column(BaseModel):
    name: str
    dtype: str


class TablePage(BaseModel):
    columns: list[Column]
    rows: list[list[Any]]
    offset: int
    limit: int
    total_rows: int


class Issue(BaseModel):
    level: str
    code: str
    message: str
    node_id: str | None
    field: str | None


class Validation(BaseModel):
    valid: bool
    errors: list[Issue]
    warnings: list[Issue]


class WorkflowSummary(BaseModel):
    id: str
    name: str
    version: int = Field(description="Send it back in If-Match when saving an edit")
    created_at: str
    updated_at: str


class Workflow(WorkflowSummary):
    document: dict[str, Any] = Field(description="The workflow JSON document (schema_version 1)")
    validation: Validation


class VersionSummary(BaseModel):
    version: int
    name: str
    message: str = Field(description="created, saved or 'restored version N'")
    valid: bool
    created_at: str


class Version(VersionSummary):
    document: dict[str, Any]
    validation: Validation


class RunSummary(BaseModel):
    id: str
    workflow_id: str
    workflow_version: int
    target_node: str | None
    status: str = Field(
        description="pending, running, cancelling (a cancel was asked for; the work is stopping), "
        "succeeded, failed or cancelled"
    )
    error: str | None
    created_at: str | None
    started_at: str | None
    finished_at: str | None


class NodeRun(BaseModel):
    status: str = Field(description="pending, running, succeeded, cached, failed, skipped or cancelled")
    seconds: float
    error: str | None
    type: str
    reason: str | None = Field(description="Why the node ran, was cached or was skipped")
    cache_key: str | None
    log: list[Any]
    started_at: str | None
    finished_at: str | None


class Run(RunSummary):
    cancel_requested: bool
    nodes: dict[str, NodeRun]
    metrics: dict[str, dict[str, Any]] = Field(description="By evaluate node id")
    files: dict[str, str] = Field(description="Exported file name by export node id")
    warnings: list[Issue]


class Artifact(BaseModel):
    id: str
    node_id: str
    port: str
    kind: str = Field(description="table, model, metrics or file")
    name: str | None
    format: str | None
    created_at: str | None
    downloads: dict[str, str] = Field(description="Download URL by format")


class NodeOutput(BaseModel):
    run_id: str
    node_id: str
    port: str
    ports: list[str]
    kind: str = Field(description="table (+ columns, rows, offset, limit, total_rows, split), metrics, model or file")
    columns: list[Column] | None = None
    rows: list[list[Any]] | None = None
    total_rows: int | None = None
    metrics: dict[str, Any] | None = None
    model: dict[str, Any] | None = None
    file: dict[str, Any] | None = None


def ok(model: type[BaseModel] | Any, status: int = 200, **errors: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: its success shape and its documented errors."""
    documented: dict[int | str, dict[str, Any]] = {status: {"model": model}}
    for code, description in errors.items():
        documented[int(code.removeprefix("e"))] = {"model": Error, "description": description}
    return documented
