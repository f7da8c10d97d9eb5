"""Every error is a JSON body {"detail": message, ...}; domain exceptions map to clear 4xx codes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from flowza.datasets.checks import BadFile, TableTooLarge
from flowza.datasets.names import BadName
from flowza.datasets.service import DatasetExists, DatasetInUse
from flowza.datasets.upload import BadUpload, TooLarge
from flowza.runs.outputs import OutputMissing, OutputUnreadable
from flowza.runs.service import InvalidWorkflow, NotFound, RunFinished


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def not_found(what: str) -> ApiError:
    return ApiError(404, what)


STATUS_OF: dict[type[Exception], int] = {
    NotFound: 404,
    OutputMissing: 404,
    TableTooLarge: 413,  # before BadFile, its base class
    BadFile: 422,
    BadName: 422,
    BadUpload: 400,
    TooLarge: 413,
    DatasetExists: 409,
    DatasetInUse: 409,
    RunFinished: 409,
    OutputUnreadable: 500,  # not the caller's fault, but still a message rather than a bare error
}


def install(app: FastAPI) -> None:
    async def api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return JSONResponse({"detail": exc.message, **exc.extra}, status_code=exc.status)

    async def invalid_workflow(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InvalidWorkflow)
        return JSONResponse({"detail": str(exc), **exc.report.to_dict()}, status_code=422)

    async def mapped(_: Request, exc: Exception) -> JSONResponse:
        status = next(code for kind, code in STATUS_OF.items() if isinstance(exc, kind))
        extra: dict[str, Any] = {}
        if isinstance(exc, DatasetInUse):
            extra["workflows"] = exc.workflows
        return JSONResponse({"detail": str(exc), **extra}, status_code=status)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(InvalidWorkflow, invalid_workflow)
    for kind in STATUS_OF:
        app.add_exception_handler(kind, mapped)
