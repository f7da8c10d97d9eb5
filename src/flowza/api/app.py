"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from flowza import __version__
from flowza.api import errors, security, web
from flowza.api.routes.datasets import router as datasets_router
from flowza.api.routes.export import router as export_router
from flowza.api.routes.generate import router as generate_router
from flowza.api.routes.health import router as health_router
from flowza.api.routes.nodes import router as nodes_router
from flowza.api.routes.runs import router as runs_router
from flowza.api.routes.templates import router as templates_router
from flowza.api.routes.workflows import router as workflows_router
from flowza.api.state import ServerState
from flowza.config import Settings, get_settings

API_PREFIX = "/api/v1"

DESCRIPTION = """
Flowza's HTTP API: the node catalog, datasets, versioned workflows and runs with live events.

* Every error is a JSON body `{"detail": "what is wrong", ...}` with a 4xx status.
* Saving a workflow (`PUT /workflows/{id}`) needs the version the edit was based on in the
  `If-Match` header (e.g. `If-Match: 3`); a stale version gets 409 with the current version.
* Run events stream as Server-Sent Events from `GET /runs/{id}/events`.
"""


def create_app(settings: Settings | None = None, web_dir: Path | None = None) -> FastAPI:
    state = ServerState.build(settings or get_settings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Sync routes run in AnyIO's thread pool (40 threads by default); fewer threads contend less
        # for the GIL and never outnumber the pooled database connections.
        to_thread.current_default_thread_limiter().total_tokens = state.settings.request_threads
        await run_in_threadpool(state.start)
        try:
            yield
        finally:
            await run_in_threadpool(state.stop)

    app = FastAPI(
        title="Flowza API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.flowza = state
    errors.install(app)
    for router in (
        health_router,
        nodes_router,
        templates_router,
        datasets_router,
        workflows_router,
        runs_router,
        generate_router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(export_router, prefix=API_PREFIX)
    security.install(app, state, API_PREFIX)  # auth routes, the auth gate and request limits (README "Security")
    web.install(app, web_dir or web.DEFAULT_WEB_DIR)
    return app
