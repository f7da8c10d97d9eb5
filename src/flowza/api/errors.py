"""Every error is a JSON body {"detail": message, ...}; domain exceptions map to clear 4xx codes.

Every body goes through flowza.api.redact before it is sent: no secret values, no server paths,
no megabyte echoes of the request.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from flowza.api.redact import Redactor
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
    state = getattr(app.state, "flowza", None)
    redactor = Redactor.for_settings(state.settings) if state is not None else Redactor()

    def reply(request: Request, body: dict[str, Any], status: int) -> JSONResponse:
        return JSONResponse(redactor.body(body, request.url.path), status_code=status)

    async def api_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return reply(request, {"detail": exc.message, **exc.extra}, exc.status)

    async def invalid_workflow(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InvalidWorkflow)
        return reply(request, {"detail": str(exc), **exc.report.to_dict()}, 422)

    async def mapped(request: Request, exc: Exception) -> JSONResponse:
        status = next(code for kind, code in STATUS_OF.items() if isinstance(exc, kind))
        extra: dict[str, Any] = {}
        if isinstance(exc, DatasetInUse):
            extra["workflows"] = exc.workflows
        return reply(request, {"detail": str(exc), **extra}, status)

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return reply(request, {"detail": jsonable_encoder(exc.errors())}, 422)  # FastAPI's list, made safe

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(InvalidWorkflow, invalid_workflow)
    app.add_exception_handler(RequestValidationError, invalid_request)
    for kind in STATUS_OF:
        app.add_exception_handler(kind, mapped)
