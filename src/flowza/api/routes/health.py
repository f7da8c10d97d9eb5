from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from flowza import __version__
from flowza.api.deps import StateDep
from flowza.db.repositories import ping

router = APIRouter(tags=["health"])


@router.get("/health", summary="Is the server up and its database reachable?")
def health(state: StateDep) -> Any:
    body: dict[str, Any] = {
        "status": "ok",
        "version": __version__,
        "database": "ok",
        "database_backend": state.engine.dialect.name,
        "executor": state.executor.name,
    }
    try:
        with state.sessions() as session:
            ping(session)
    except SQLAlchemyError as exc:
        body.update(status="error", database=f"unreachable: {type(exc).__name__}")
        return JSONResponse(body, status_code=503)
    return body
