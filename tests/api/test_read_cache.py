"""The API's read cache: hot reads answered from memory until Flowza's data changes (PostgreSQL only)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from flowza.api.app import create_app
from flowza.api.read_cache import ReadCache
from flowza.config import Settings
from tests.api.conftest import _empty_postgres, save, upload, workflow

HIT = "x-flowza-cache"


@pytest.fixture
def pg_settings(postgres_url: str, tmp_path: Path) -> Settings:
    _empty_postgres(postgres_url)
    return Settings(home=tmp_path / "h", data_dir=tmp_path / "d", database_url=postgres_url, seed_samples=False)


@pytest.fixture
def pg_client(pg_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(pg_settings)) as client:
        yield client


def cache_of(client: TestClient) -> ReadCache:
    cache: ReadCache = client.app.state.flowza.read_cache  # type: ignore[attr-defined]
    return cache


def hit(client: TestClient, path: str, headers: dict[str, str] | None = None) -> Any:
    """GET `path` until it is answered from the cache. The server's own NOTIFY for a write just made
    can land while the first read runs; that read's answer is then (rightly) not kept."""
    deadline = time.monotonic() + 5
    while True:
        response = client.get(path, headers=headers or {})
        if response.headers.get(HIT) == "hit" or time.monotonic() > deadline:
            return response
        time.sleep(0.02)


def psycopg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_read_is_answered_from_memory_the_second_time(pg_client: TestClient) -> None:
    save(pg_client, workflow("binary_classification"))
    first = pg_client.get("/api/v1/workflows")
    second = hit(pg_client, "/api/v1/workflows")
    assert first.status_code == second.status_code == 200
    assert HIT not in first.headers and second.headers[HIT] == "hit"
    assert second.json() == first.json() and second.headers["content-type"] == "application/json"
    assert second.headers["x-content-type-options"] == "nosniff"  # the outer middlewares still apply


def test_own_writes_are_read_back_at_once(pg_client: TestClient) -> None:
    saved = save(pg_client, workflow("binary_classification"))
    path = f"/api/v1/workflows/{saved['id']}"
    assert pg_client.get(path).json()["version"] == 1
    assert hit(pg_client, path).headers[HIT] == "hit"
    document = workflow("binary_classification")
    document["name"] = "renamed"
    put = pg_client.put(path, json=document, headers={"If-Match": '"1"'})
    assert put.status_code == 200, put.text
    after = pg_client.get(path)
    assert HIT not in after.headers and after.json()["version"] == 2 and after.json()["name"] == "renamed"
    assert [w["name"] for w in pg_client.get("/api/v1/workflows").json()] == ["renamed"]


def test_a_write_from_another_process_empties_the_cache(pg_client: TestClient, pg_settings: Settings) -> None:
    """Another server, a script or `flowza user` writes the database directly: the NOTIFY trigger tells us."""
    saved = save(pg_client, workflow("binary_classification"))
    assert hit(pg_client, "/api/v1/workflows").headers[HIT] == "hit"
    assert pg_settings.database_url is not None
    with psycopg.connect(psycopg_url(pg_settings.database_url), autocommit=True) as other:
        other.execute("UPDATE workflows SET name = 'changed elsewhere' WHERE id = %s", (saved["id"],))
    deadline = time.monotonic() + 5
    names: list[str] = []
    while time.monotonic() < deadline:
        names = [w["name"] for w in pg_client.get("/api/v1/workflows").json()]
        if names == ["changed elsewhere"]:
            break
        time.sleep(0.01)
    assert names == ["changed elsewhere"]


def test_answers_are_kept_per_user(pg_settings: Settings) -> None:
    settings = pg_settings.model_copy(update={"auth": True})
    with TestClient(create_app(settings)) as client:
        auth = client.app.state.flowza_auth  # type: ignore[attr-defined]
        tokens = {}
        for name in ("ann", "bob"):
            auth.create_user(name, "a long password 1", admin=False)
            response = client.post("/api/v1/auth/token", json={"username": name, "password": "a long password 1"})
            tokens[name] = {"Authorization": f"Bearer {response.json()['access_token']}"}
        document = workflow("binary_classification")
        document["name"] = "ann's"
        assert client.post("/api/v1/workflows", json=document, headers=tokens["ann"]).status_code == 201
        ann = hit(client, "/api/v1/workflows", tokens["ann"])
        assert ann.headers[HIT] == "hit" and [w["name"] for w in ann.json()] == ["ann's"]
        bob = client.get("/api/v1/workflows", headers=tokens["bob"])  # ann's answer is in the cache
        assert HIT not in bob.headers and bob.json() == []
        bob = hit(client, "/api/v1/workflows", tokens["bob"])
        assert bob.headers[HIT] == "hit" and bob.json() == []
        assert [w["name"] for w in hit(client, "/api/v1/workflows", tokens["ann"]).json()] == ["ann's"]
        assert client.get("/api/v1/workflows").status_code == 401  # the gate still comes first


def test_only_the_listed_reads_are_kept(pg_client: TestClient) -> None:
    content = b"a,b\n1,2\n3,4\n"
    dataset = upload(pg_client, "small.csv", content).json()
    for path in ("/api/v1/datasets", f"/api/v1/datasets/{dataset['id']}"):
        assert hit(pg_client, path).headers[HIT] == "hit"
    pg_client.get("/api/v1/datasets?any=1")
    assert HIT not in pg_client.get("/api/v1/datasets?any=1").headers  # no route here takes a query
    for path in (f"/api/v1/datasets/{dataset['id']}/preview", "/api/v1/nodes", "/api/v1/health"):
        pg_client.get(path)
        assert HIT not in pg_client.get(path).headers
    missing = "/api/v1/workflows/no-such-id"
    assert pg_client.get(missing).status_code == 404
    assert HIT not in pg_client.get(missing).headers  # only 200 answers are kept
    conditional = pg_client.get("/api/v1/datasets", headers={"If-None-Match": '"x"'})
    assert HIT not in conditional.headers


def test_the_cache_is_off_while_the_listener_is_down(pg_client: TestClient, pg_settings: Settings) -> None:
    state = pg_client.app.state.flowza  # type: ignore[attr-defined]
    assert hit(pg_client, "/api/v1/workflows").headers[HIT] == "hit"
    assert pg_settings.database_url is not None
    with psycopg.connect(psycopg_url(pg_settings.database_url), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (state.change_listener.backend_pid,))
    deadline = time.monotonic() + 5
    while state.read_cache.enabled and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not state.read_cache.enabled and len(state.read_cache) == 0  # lost: off at once
    pg_client.get("/api/v1/workflows")
    deadline = time.monotonic() + 15
    while not state.read_cache.enabled and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state.read_cache.enabled  # reconnected, and its probe came back
    assert hit(pg_client, "/api/v1/workflows").headers[HIT] == "hit"
    state.change_listener.stop()
    assert not state.read_cache.enabled and len(state.read_cache) == 0


def test_sqlite_servers_do_not_cache(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "h", data_dir=tmp_path / "d", database_url=f"sqlite:///{tmp_path / 'f.db'}")
    with TestClient(create_app(settings.model_copy(update={"seed_samples": False}))) as client:
        client.get("/api/v1/workflows")
        assert HIT not in client.get("/api/v1/workflows").headers
        assert not cache_of(client).enabled


def test_an_answer_computed_during_a_change_is_not_kept() -> None:
    cache = ReadCache()
    cache.set_enabled(True)
    started_at = cache.generation
    cache.invalidate()  # a write lands while the read runs
    from flowza.api.read_cache import Stored

    cache.put(("u", "/api/v1/workflows", b""), Stored(200, [], b"[]"), started_at)
    assert len(cache) == 0
    cache.put(("u", "/api/v1/workflows", b""), Stored(200, [], b"[]"), cache.generation)
    assert len(cache) == 1


def test_api_writes_empty_the_cache_before_they_answer_and_other_requests_do_not() -> None:
    import asyncio

    from flowza.api.read_cache import ReadCacheMiddleware, Stored

    seen_at_start: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    cache = ReadCache()
    cache.set_enabled(True)
    middleware = ReadCacheMiddleware(app, cache, lambda: "local")

    async def request(method: str, path: str) -> None:
        async def send(message: Any) -> None:
            if message["type"] == "http.response.start":
                seen_at_start.append(len(cache))

        async def receive() -> Any:
            return {"type": "http.request", "body": b""}

        scope = {"type": "http", "method": method, "path": path, "query_string": b"", "headers": [], "state": {}}
        await middleware(scope, receive, send)

    def fill() -> None:
        cache.put(("local", "/api/v1/workflows", b""), Stored(200, [], b"[]"), cache.generation)

    fill()
    asyncio.run(request("PUT", "/api/v1/workflows/w1"))
    assert seen_at_start == [0] and len(cache) == 0  # empty before the client sees the answer
    for method, path in (("POST", "/"), ("POST", "/api/v1/auth/token"), ("OPTIONS", "/assets/x.js")):
        fill()
        asyncio.run(request(method, path))
        assert len(cache) == 1, (method, path)


def _middleware_over_slow_app(calls: list[str], release: Any) -> Any:
    from flowza.api.read_cache import ReadCacheMiddleware

    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["path"])
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": f'{{"n": {len(calls)}}}'.encode()})

    cache = ReadCache()
    cache.set_enabled(True)
    return ReadCacheMiddleware(app, cache, lambda: "local"), cache


async def _get(middleware: Any, path: str = "/api/v1/workflows") -> tuple[int, bytes]:
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": [], "state": {}}
    await middleware(scope, receive, send)
    return sent[0]["status"], sent[1]["body"]


def test_the_same_read_arriving_meanwhile_waits_for_the_running_one() -> None:
    import asyncio

    async def scenario() -> tuple[list[str], list[tuple[int, bytes]]]:
        calls: list[str] = []
        release = asyncio.Event()
        middleware, _ = _middleware_over_slow_app(calls, release)
        readers = [asyncio.create_task(_get(middleware)) for _ in range(10)]
        await asyncio.sleep(0.05)
        release.set()
        return calls, list(await asyncio.gather(*readers))

    calls, answers = asyncio.run(scenario())
    assert calls == ["/api/v1/workflows"]  # the database was asked once for 10 reads
    assert answers == [(200, b'{"n": 1}')] * 10


def test_a_read_waiting_on_one_that_saw_a_change_asks_again() -> None:
    import asyncio

    async def scenario() -> tuple[list[str], list[tuple[int, bytes]]]:
        calls: list[str] = []
        release = asyncio.Event()
        middleware, cache = _middleware_over_slow_app(calls, release)
        first = asyncio.create_task(_get(middleware))
        await asyncio.sleep(0.02)
        waiting = asyncio.create_task(_get(middleware))  # joins the first read
        await asyncio.sleep(0.02)
        cache.invalidate()  # a write lands while both wait
        release.set()
        return calls, [await first, await waiting]

    calls, answers = asyncio.run(scenario())
    # the first answer was computed before the change landed: the waiting read does not take it
    assert len(calls) == 2 and answers == [(200, b'{"n": 1}'), (200, b'{"n": 2}')]


def test_the_cache_keeps_to_its_entry_and_byte_budgets() -> None:
    from flowza.api.read_cache import Stored

    cache = ReadCache(max_entries=3, max_bytes=250)
    cache.set_enabled(True)
    for index in range(5):
        cache.put(("u", f"/api/v1/workflows/{index}", b""), Stored(200, [], b"x" * 100), cache.generation)
    assert len(cache) == 2  # 3 entries would be 300 bytes
    assert cache.get(("u", "/api/v1/workflows/4", b"")) is not None
    assert cache.get(("u", "/api/v1/workflows/0", b"")) is None  # the least recently used went first
