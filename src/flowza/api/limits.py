"""Request limits, before any route runs: body size, JSON nesting depth, NUL characters.

* A body larger than FLOWZA_MAX_BODY_MB is refused with 413 (dataset uploads have their own,
  larger limit, FLOWZA_MAX_UPLOAD_MB, enforced while streaming to disk).
* A JSON body nested deeper than FLOWZA_MAX_JSON_DEPTH is refused with 422, so no parser or
  validator ever recurses on attacker-chosen depth.
* A NUL character in the path, the query or any JSON string is refused with 422: PostgreSQL text
  cannot hold it, and no legitimate name or value needs it.
* A lone UTF-16 surrogate in any JSON string or key (an escape such as "\\ud800" without its pair,
  which Python's JSON parser accepts) is refused with 422 naming the field: such a string cannot be
  encoded as UTF-8, so storing or answering it would fail later. Paths, query strings, headers and
  form fields are decoded from bytes and cannot hold one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
DB_INT_MAX = 2_147_483_647  # the largest number an INTEGER column holds: bound for ids, versions, offsets
NUL = "\x00"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # JSON pairs are joined when parsed: any left is alone


class LimitExceeded(Exception):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _printable(path: str, limit: int = 200) -> str:
    shown = LONE_SURROGATE.sub("?", path) or "(the body)"
    return shown if len(shown) <= limit else shown[:limit] + "…"


def json_problem(value: Any, max_depth: int) -> tuple[str, str | None] | None:
    """(why, field) a parsed JSON value is refused (too deep, NUL, lone surrogate), or None; iterative."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, dict):
            if depth > max_depth:
                return f"the JSON body is nested deeper than {max_depth} levels", None
            for key, inner in item.items():
                if NUL in key:
                    return "the JSON body holds a NUL character (\\u0000) in a key; text cannot contain NUL", None
                if LONE_SURROGATE.search(key):
                    where = _printable(_child(path, key))
                    return f"field {where!r}: the key holds a lone UTF-16 surrogate; text must be valid Unicode", where
                stack.append((inner, depth + 1, _child(path, key)))
        elif isinstance(item, list):
            if depth > max_depth:
                return f"the JSON body is nested deeper than {max_depth} levels", None
            stack.extend((inner, depth + 1, _child(path, i)) for i, inner in enumerate(item))
        elif isinstance(item, str):
            if NUL in item:
                return "the JSON body holds a NUL character (\\u0000); text cannot contain NUL", None
            if LONE_SURROGATE.search(item):
                where = _printable(path)
                return (
                    f"field {where!r}: the value holds a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff "
                    "escape); text must be valid Unicode",
                    where,
                )
    return None


def _no_constants(name: str) -> Any:
    raise LimitExceeded(422, f"the JSON body holds {name}, which is not JSON (use null or a number)")


def check_json(body: bytes, max_depth: int) -> None:
    try:
        value = json.loads(body, parse_constant=_no_constants)
    except RecursionError:
        raise LimitExceeded(422, f"the JSON body is nested deeper than {max_depth} levels") from None
    except ValueError:
        return  # not JSON: the route's own parsing reports it as a 422
    problem = json_problem(value, max_depth)
    if problem is not None:
        raise LimitExceeded(422, *problem)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _reply(
    send: Send,
    status: int,
    message: str,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
    field: str | None = None,
) -> None:
    body = json.dumps({"detail": message} | ({"field": field} if field is not None else {})).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra_headers or [])})
    await send({"type": "http.response.body", "body": body})


class RequestLimits:
    """ASGI middleware; `is_upload(path)` says which paths stream a file (checked by their route)."""

    def __init__(
        self, app: ASGIApp, max_body: int, max_depth: int, is_upload: Callable[[str, str], bool] | None = None
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_depth = max_depth
        self.is_upload = is_upload or (lambda _method, _path: False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            self._check_target(scope)
            if scope["method"] in BODY_METHODS and not self.is_upload(scope["method"], scope["path"]):
                receive = await self._buffered(scope, receive)
        except LimitExceeded as exc:
            await _reply(send, exc.status, exc.message, field=exc.field)
            return
        await self.app(scope, receive, send)

    def _check_target(self, scope: Scope) -> None:
        query = bytes(scope.get("query_string", b""))
        if NUL in scope["path"] or b"%00" in query or b"\x00" in query:
            raise LimitExceeded(422, "the URL holds a NUL character (%00); names and values cannot contain NUL")

    async def _buffered(self, scope: Scope, receive: Receive) -> Receive:
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_body:
            raise LimitExceeded(413, self._too_large())
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise LimitExceeded(413, self._too_large())
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body.lstrip()[:1] in (b"{", b"[", b'"'):  # JSON whatever the declared type: FastAPI may parse it
            check_json(body, self.max_depth)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_body / 1024 / 1024:g} MB (FLOWZA_MAX_BODY_MB)"


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class SecurityHeaders:
    """Every response: no MIME sniffing, no framing (clickjacking), no referrer; API answers are not cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {bytes(k).lower() for k, _ in headers}
                extra = SECURITY_HEADERS + ([(b"cache-control", b"no-store")] if api else [])
                headers.extend((k, v) for k, v in extra if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
