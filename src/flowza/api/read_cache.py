"""Whole responses of the hot reads, kept until Flowza's data changes (PostgreSQL only).

`GET /workflows`, `/workflows/{id}`, `/datasets` and `/datasets/{id}` change only when a workflow,
a dataset or a user is written. This ASGI middleware sits inside the auth gate, so the requesting
user is known; it keeps each 200 JSON answer per (user, path, query) and answers the same read
from memory until something is written. A hit skips routing, dependencies, the thread pool, the
database and JSON encoding: the API benchmark's reads spend most of their CPU there.

What empties it:
- any API request to this server that is not a GET or HEAD, as its answer starts and again once
  it is sent (so a client reads its own writes at once);
- a PostgreSQL NOTIFY on channel `flowza_changes`, which triggers on the workflows, workflow
  versions, datasets and users tables send at every commit that writes them, from any process
  (another server, `flowza user`, a script). `ChangeListener` LISTENs on its own connection and
  proves it alive with a NOTIFY to itself every few seconds; the cache is used only while those
  probes come back, and is emptied when the connection is lost or restored.

A read is stored only if no change was seen while it ran, so an answer computed from data that
was being replaced is never kept. SQLite servers (one user on one machine) do not use it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Hashable, MutableMapping
from dataclasses import dataclass
from typing import Any

from flowza.api.identity import ACCOUNT_KEY, PUBLIC_PATHS
from flowza.api.limits import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

CHANNEL = "flowza_changes"
PROBE = "flowza-listener-probe"  # the payload of the listener's own liveness NOTIFY
CACHED_PATHS = re.compile(r"^/api/v1/(workflows|datasets)(/[^/]+)?$")
READ_METHODS = frozenset({"GET", "HEAD"})
MAX_ENTRIES = 4096
MAX_BODY_BYTES = 1024 * 1024  # larger answers are not kept
MAX_TOTAL_BYTES = 64 * 1024 * 1024
HIT_HEADER = (b"x-flowza-cache", b"hit")  # on answers from the cache, for clients and benchmarks


Key = Hashable  # the middleware keeps answers by (user id, path)


@dataclass(frozen=True)
class Stored:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class ReadCache:
    """Answers by key, valid for one generation of the data; thread-safe."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_TOTAL_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._bytes = 0
        self.generation = 0
        self.enabled = False  # until the change listener is connected
        self._entries: OrderedDict[Key, Stored] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> Stored | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Key, value: Stored, generation: int) -> None:
        with self._lock:
            if not self.enabled or generation != self.generation:
                return  # the data changed while this answer was computed
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self._bytes -= len(replaced.body)
            self._entries[key] = value
            self._bytes += len(value.body)
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)  # the least recently used
                self._bytes -= len(evicted.body)

    def invalidate(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self._bytes = 0

    def set_enabled(self, enabled: bool) -> None:
        with self._lock:
            self.enabled = enabled
            self.generation += 1
            self._entries.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


def _user_key(scope: Scope, local_user: str) -> str:
    state: MutableMapping[str, Any] = scope.get("state") or {}
    account = state.get(ACCOUNT_KEY)
    return str(getattr(account, "id", None) or local_user)


class ReadCacheMiddleware:
    def __init__(self, app: ASGIApp, cache: ReadCache, local_user: Any) -> None:
        self.app = app
        self.cache = cache
        self.local_user = local_user  # a callable: the local user's id is known after start-up
        # Reads being answered now, by key: the same read arriving meanwhile waits for that answer
        # instead of asking the database again (after a write empties the cache, 50 clients would
        # otherwise all miss at once).
        self._in_flight: dict[Key, tuple[int, asyncio.Future[Stored | None]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in READ_METHODS:
            await self._write(scope, receive, send)
            return
        if (
            scope["method"] == "HEAD"
            or not self.cache.enabled
            or not CACHED_PATHS.match(scope["path"])
            or scope.get("query_string")  # none of the cached routes takes a query: keep keys bounded
            or self._conditional(scope)
        ):
            await self.app(scope, receive, send)
            return
        key = (_user_key(scope, self.local_user()), scope["path"])
        stored = self.cache.get(key)
        if stored is None:
            stored = await self._shared_answer(key)
        if stored is not None:
            headers = [*stored.headers, HIT_HEADER]
            await send({"type": "http.response.start", "status": stored.status, "headers": headers})
            await send({"type": "http.response.body", "body": stored.body})
            return
        generation = self.cache.generation
        answer: asyncio.Future[Stored | None] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = (generation, answer)
        try:
            await self._answer_and_keep(scope, receive, send, key, generation, answer)
        finally:
            if self._in_flight.get(key, (0, None))[1] is answer:
                del self._in_flight[key]
            if not answer.done():
                answer.set_result(None)

    async def _shared_answer(self, key: Key) -> Stored | None:
        """The answer of the same read already running, if it started since the last change and
        none happened while it ran; else None (this request then asks the database itself)."""
        running = self._in_flight.get(key)
        if running is None or running[0] != self.cache.generation:
            return None
        generation, answer = running
        stored = await asyncio.shield(answer)
        return stored if stored is not None and self.cache.generation == generation else None

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A request that may write: empty the cache before its answer starts, and again after.

        Only API routes can write (paths outside /api/ and the public login and health routes
        cannot reach the four tables), so other requests leave the cache alone.
        """
        path = scope["path"]
        if not path.startswith("/api/") or path.rstrip("/") in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return

        async def invalidate_first(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.cache.invalidate()
            await send(message)

        try:
            await self.app(scope, receive, invalidate_first)
        finally:
            self.cache.invalidate()

    @staticmethod
    def _conditional(scope: Scope) -> bool:
        return any(name in (b"if-none-match", b"if-modified-since") for name, _ in scope.get("headers", []))

    async def _answer_and_keep(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: Key,
        generation: int,
        answer: asyncio.Future[Stored | None],
    ) -> None:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def capture(message: MutableMapping[str, Any]) -> None:
            nonlocal keep, size
            if message["type"] == "http.response.start":
                start.update(message)
                headers = dict(message.get("headers", []))
                keep = keep and message["status"] == 200 and headers.get(b"content-type") == b"application/json"
            elif message["type"] == "http.response.body" and keep:
                chunks.append(bytes(message.get("body", b"")))
                size += len(chunks[-1])
                if size > MAX_BODY_BYTES:
                    keep = False
                elif not message.get("more_body", False):
                    stored = Stored(start["status"], list(start.get("headers", [])), b"".join(chunks))
                    self.cache.put(key, stored, generation)
                    if not answer.done():
                        answer.set_result(stored)
            await send(message)

        await self.app(scope, receive, capture)


class ChangeListener:
    """LISTENs for `flowza_changes` on its own PostgreSQL connection and empties the cache on each.

    The connection is proven alive, not assumed: every `probe_seconds` it NOTIFYs itself and
    must hear that probe back within `probe_timeout` (this also catches a pooler that accepts
    LISTEN but never delivers), with TCP keepalives and a send timeout under it. Until the first
    probe comes back, and whenever one is late, the cache is off.
    """

    def __init__(
        self,
        database_url: str,
        cache: ReadCache,
        probe_seconds: float = 5.0,
        probe_timeout: float = 10.0,
        max_retry_seconds: float = 30.0,
    ) -> None:
        self.database_url = database_url
        self.cache = cache
        self.probe_seconds = probe_seconds
        self.probe_timeout = probe_timeout
        self.max_retry_seconds = max_retry_seconds
        self.backend_pid: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connected = threading.Event()

    def start(self, wait_seconds: float = 5.0) -> None:
        self._thread = threading.Thread(target=self._run, name="flowza-change-listener", daemon=True)
        self._thread.start()
        self._connected.wait(wait_seconds)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.cache.set_enabled(False)

    def _run(self) -> None:
        retry = 1.0
        failing = False
        while not self._stop.is_set():
            try:
                self._listen()
                retry = 1.0
            except Exception as exc:  # the database went away: serve without the cache until it is back
                if not failing:
                    log.warning("read cache off: change listener lost its connection (%s)", exc)
                failing = True
            self.cache.set_enabled(False)
            self._connected.clear()
            self._stop.wait(retry)
            retry = min(retry * 2, self.max_retry_seconds)

    def _conninfo(self) -> str:
        from sqlalchemy.engine import make_url

        url = make_url(self.database_url).set(drivername="postgresql")
        return url.render_as_string(hide_password=False)

    def _listen(self) -> None:
        import time

        import psycopg

        with psycopg.connect(
            self._conninfo(),
            autocommit=True,
            connect_timeout=5,
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=3,
            tcp_user_timeout=10_000,
        ) as connection:
            self.backend_pid = connection.info.backend_pid
            connection.execute(f"LISTEN {CHANNEL}")
            sent = self._probe(connection)
            heard = 0.0
            while not self._stop.is_set():
                for notice in connection.notifies(timeout=0.5, stop_after=1):
                    if notice.payload == PROBE:
                        if notice.pid == self.backend_pid:  # ours, not another server's
                            heard = time.monotonic()
                            if not self.cache.enabled:
                                self.cache.set_enabled(True)  # proven: notifications reach us
                                self._connected.set()
                    else:
                        self.cache.invalidate()
                now = time.monotonic()
                if heard < sent and now - sent > self.probe_timeout:
                    raise TimeoutError(f"no NOTIFY came back within {self.probe_timeout:g} s")
                if now - sent >= self.probe_seconds and heard >= sent:
                    sent = self._probe(connection)

    @staticmethod
    def _probe(connection: Any) -> float:
        import time

        sent = time.monotonic()
        connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, PROBE))
        return sent
