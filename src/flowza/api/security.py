"""Wiring the security pieces into the app: request limits, the auth gate, auth and user routes."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError

from flowza.api.state import ServerState
from flowza.auth.service import AuthService
from flowza.auth.throttle import LoginThrottle

UPLOAD_PATH = "/api/v1/datasets"


def auth_service(request: Request) -> AuthService:
    service: AuthService = request.app.state.flowza_auth
    return service


def _is_upload(method: str, path: str) -> bool:
    return method == "POST" and path.rstrip("/") == UPLOAD_PATH


def install(app: FastAPI, state: ServerState, prefix: str) -> None:
    """Call before the web app's catch-all route is added, so the auth routes are reached."""
    from flowza.api.auth_gate import AuthGate
    from flowza.api.limits import RequestLimits, SecurityHeaders
    from flowza.api.read_cache import ReadCacheMiddleware
    from flowza.api.routes.auth import router as auth_router
    from flowza.api.routes.users import router as users_router

    settings = state.settings
    redact_tokens_in_access_log()
    state.datasets.limits = settings.csv_limits()
    service = AuthService(state.sessions, settings.token_days)
    app.state.flowza_auth = service
    app.state.flowza_login_throttle = LoginThrottle(state.sessions)
    app.include_router(auth_router, prefix=prefix)
    app.include_router(users_router, prefix=prefix)
    # Added last runs first: limits, then the gate, then the read cache, then the routes.
    app.add_middleware(ReadCacheMiddleware, cache=state.read_cache, local_user=lambda: state.user_id)  # type: ignore[arg-type]
    app.add_middleware(AuthGate, auth=service, enabled=settings.auth)  # type: ignore[arg-type]
    app.add_middleware(
        RequestLimits,  # type: ignore[arg-type]
        max_body=settings.max_body_bytes,
        max_depth=settings.max_json_depth,
        is_upload=_is_upload,
    )
    app.add_middleware(SecurityHeaders)  # type: ignore[arg-type]

    async def data_error(_: Request, exc: Exception) -> JSONResponse:
        # A value the database cannot store (out-of-range number, over-long or NUL text): the caller's input.
        return JSONResponse({"detail": "a value in the request cannot be stored (out of range or malformed)"}, 422)

    _document_common_errors(app)
    app.add_exception_handler(DataError, data_error)
    app.add_exception_handler(OverflowError, data_error)  # SQLite's refusal of a number past 64 bits


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}],
            "description": "What is wrong, in words (or FastAPI's list of invalid fields)",
        }
    },
}
PUBLIC_OPERATIONS = {"/api/v1/health", "/api/v1/auth/token"}


def _document_common_errors(app: FastAPI) -> None:
    """Document the errors any route can answer with, so clients and schema checks know them.

    401 from the auth gate, 413 from the body limit, 422 from the URL/JSON checks (its `detail` is a
    sentence or FastAPI's list), 404 for an id that is not yours.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["Error"] = ERROR_SCHEMA
        schemas.setdefault("ValidationError", {"type": "object"})
        if "HTTPValidationError" in schemas:
            schemas["HTTPValidationError"] = {**ERROR_SCHEMA, "title": "HTTPValidationError"}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                wanted = {"422": "Invalid input (a sentence, or the list of invalid fields)"}
                if path not in PUBLIC_OPERATIONS:
                    wanted["401"] = "Not logged in (authentication is on and no valid token was sent)"
                if "{" in path:
                    wanted["404"] = "No such item among yours"
                if method in ("post", "put", "patch", "delete"):
                    wanted["400"] = "The body cannot be parsed"
                    wanted["413"] = "Request body too large"
                for status, description in wanted.items():
                    entry = responses.setdefault(status, {"description": description})
                    entry.setdefault(
                        "content", {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                    )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s]+")


class RedactTokens(logging.Filter):
    """Access logs show `?token=[redacted]`: the events route accepts a token in its query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                TOKEN_IN_QUERY.sub(r"\1[redacted]", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


def redact_tokens_in_access_log() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())
