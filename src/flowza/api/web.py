"""Serving the built frontend (src/flowza/web/) at `/`, when it has been built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

DEFAULT_WEB_DIR = Path(__file__).resolve().parent.parent / "web"


def install(app: FastAPI, web_dir: Path) -> None:
    root = web_dir.resolve()

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        page = root / "index.html"
        if page.is_file():
            return FileResponse(page)
        return RedirectResponse("/docs")

    @app.get("/{path:path}", include_in_schema=False)
    def asset(path: str) -> Response:
        if path == "api" or path.startswith("api/"):
            return JSONResponse({"detail": f"no API route /{path}"}, status_code=404)
        page = root / "index.html"
        if not page.is_file():
            return JSONResponse({"detail": f"no page /{path}; the API docs are at /docs"}, status_code=404)
        candidate = (root / path).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return FileResponse(candidate)
        return FileResponse(page)  # a client-side route of the single-page app
