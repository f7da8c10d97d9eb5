"""Authentication: login, tokens (hashed), logout, every route guarded, admin-only user management, CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from flowza.api.app import create_app
from flowza.config import Settings
from flowza.db.models import ApiTokenRow, User
from tests.security.conftest import PASSWORD, Person, auth_of, login

FLOWZA = str(Path(sys.executable).parent / "flowza")
PUBLIC = {"/api/v1/health", "/api/v1/auth/token"}


def api_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every operation of the OpenAPI document, path parameters filled in."""
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in paths.items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_every_route_but_health_and_login_needs_a_token(server: TestClient, make_person: Callable[..., Person]) -> None:
    routes = api_routes(server)
    assert len(routes) > 20
    for method, path in routes:
        if path in PUBLIC:
            continue
        for headers in ({}, {"Authorization": "Bearer flz_not-a-real-token"}, {"Authorization": "Basic YTpi"}):
            response = server.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["www-authenticate"].startswith("Bearer")
    assert server.get("/api/v1/health").status_code == 200
    assert server.get("/api/v1/openapi.json").status_code == 200


def test_login_me_logout(server: TestClient, make_person: Callable[..., Person]) -> None:
    alice = make_person("alice")
    me = server.get("/api/v1/auth/me", headers=alice.headers)
    assert me.status_code == 200 and me.json()["name"] == "alice" and me.json()["auth"] is True
    assert server.get("/api/v1/datasets", headers=alice.headers).json() == []
    assert server.post("/api/v1/auth/logout", headers=alice.headers).status_code == 204
    assert server.get("/api/v1/auth/me", headers=alice.headers).status_code == 401
    assert server.get("/api/v1/datasets", headers=alice.headers).status_code == 401


def test_wrong_credentials_and_no_default_accounts(server: TestClient, make_person: Callable[..., Person]) -> None:
    for name, password in [("admin", "admin"), ("admin", "password"), ("root", "root"), ("local", ""), ("local", "x")]:
        response = server.post("/api/v1/auth/token", json={"username": name, "password": password})
        assert response.status_code in (401, 422), (name, response.text)
    make_person("bob")
    wrong = server.post("/api/v1/auth/token", json={"username": "bob", "password": PASSWORD + "!"})
    assert wrong.status_code == 401 and "wrong user name or password" in wrong.json()["detail"]
    unknown = server.post("/api/v1/auth/token", json={"username": "nobody", "password": PASSWORD})
    assert unknown.status_code == 401 and unknown.json()["detail"] == wrong.json()["detail"]


def test_passwords_and_tokens_are_stored_hashed(server: TestClient, make_person: Callable[..., Person]) -> None:
    carol = make_person("carol")
    with server.app.state.flowza.sessions() as session:  # type: ignore[attr-defined]
        user = session.scalar(select(User).where(User.name == "carol"))
        assert user is not None and user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
        hashes = session.scalars(select(ApiTokenRow.token_hash).where(ApiTokenRow.user_id == carol.id)).all()
    assert hashes and carol.token not in hashes and all(len(h) == 64 for h in hashes)


def test_personal_tokens_and_query_token_only_on_events(server: TestClient, make_person: Callable[..., Person]) -> None:
    dave = make_person("dave")
    made = server.post("/api/v1/auth/tokens", json={"name": "script", "days": 1}, headers=dave.headers)
    assert made.status_code == 201
    script = {"Authorization": f"Bearer {made.json()['access_token']}"}
    assert server.get("/api/v1/workflows", headers=script).status_code == 200
    listed = server.get("/api/v1/auth/tokens", headers=dave.headers).json()
    script_id = next(t["id"] for t in listed if t["name"] == "script")
    assert all("access_token" not in t and "token_hash" not in t for t in listed)
    # ?token= works only on the run events route
    assert server.get(f"/api/v1/datasets?token={dave.token}").status_code == 401
    assert server.get(f"/api/v1/runs/nope/events?token={dave.token}").status_code == 404
    assert server.get("/api/v1/runs/nope/events?token=flz_wrong").status_code == 401
    assert server.delete(f"/api/v1/auth/tokens/{script_id}", headers=dave.headers).status_code == 204
    assert server.get("/api/v1/workflows", headers=script).status_code == 401
    assert server.delete(f"/api/v1/auth/tokens/{script_id}", headers=dave.headers).status_code == 404


def test_admin_manages_users(server: TestClient, make_person: Callable[..., Person]) -> None:
    root = make_person("root", admin=True)
    erin = make_person("erin")
    assert server.get("/api/v1/users", headers=erin.headers).status_code == 403
    assert (
        server.post("/api/v1/users", json={"name": "x", "password": PASSWORD}, headers=erin.headers).status_code == 403
    )
    names = [u["name"] for u in server.get("/api/v1/users", headers=root.headers).json()]
    assert {"root", "erin"} <= set(names)
    made = server.post("/api/v1/users", json={"name": "frank", "password": PASSWORD}, headers=root.headers)
    assert made.status_code == 201 and made.json()["is_admin"] is False
    again = server.post("/api/v1/users", json={"name": "frank", "password": PASSWORD}, headers=root.headers)
    assert again.status_code == 409
    weak = server.post("/api/v1/users", json={"name": "gina", "password": "short"}, headers=root.headers)
    assert weak.status_code == 422
    off = server.patch(f"/api/v1/users/{erin.id}", json={"disabled": True}, headers=root.headers)
    assert off.status_code == 200 and off.json()["disabled"] is True
    assert server.get("/api/v1/workflows", headers=erin.headers).status_code == 401  # tokens revoked
    assert server.post("/api/v1/auth/token", json={"username": "erin", "password": PASSWORD}).status_code == 401
    assert server.patch("/api/v1/users/nobody", json={"disabled": True}, headers=root.headers).status_code == 404
    assert server.patch(f"/api/v1/users/{root.id}", json={"disabled": True}, headers=root.headers).status_code == 409
    on = server.patch(f"/api/v1/users/{erin.id}", json={"disabled": False}, headers=root.headers)
    assert on.status_code == 200
    erin_token = login(server, "erin")
    reset = server.patch(f"/api/v1/users/{erin.id}", json={"password": "a new password"}, headers=root.headers)
    assert reset.status_code == 200
    assert server.get("/api/v1/workflows", headers={"Authorization": f"Bearer {erin_token}"}).status_code == 401
    assert login(server, "erin", "a new password")


def test_single_user_mode_needs_no_login(database_url: str, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "h", data_dir=tmp_path / "d", database_url=database_url, seed_samples=False)
    with TestClient(create_app(settings)) as client:
        me = client.get("/api/v1/auth/me")
        assert me.status_code == 200 and me.json()["name"] == "local" and me.json()["auth"] is False
        assert client.get("/api/v1/workflows").status_code == 200
        # the local account has no password: it cannot be logged into, even on a server with auth on
        response = client.post("/api/v1/auth/token", json={"username": "local", "password": "anything-long"})
        assert response.status_code == 401
        assert auth_of(client).find("local") is not None


def test_cli_user_create(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'users.db'}"
    made = subprocess.run(
        [FLOWZA, "user", "create", "ann", "--admin", "--database-url", url],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    assert "created admin 'ann'" in made.stdout
    for args, needle in [
        (["ann", "--password", PASSWORD], "already exists"),
        (["ben", "--password", "short"], "at least 8"),
        (["../x", "--password", PASSWORD], "not allowed"),
    ]:
        failed = subprocess.run(
            [FLOWZA, "user", "create", *args, "--database-url", url], capture_output=True, text=True, timeout=120
        )
        assert failed.returncode == 2 and needle in failed.stderr, failed.stderr
    token = subprocess.run(
        [FLOWZA, "user", "token", "ann", "--database-url", url], capture_output=True, text=True, timeout=120
    )
    assert token.returncode == 0 and token.stdout.startswith("flz_")
    settings = Settings(home=tmp_path / "h", data_dir=tmp_path / "d", database_url=url, seed_samples=False, auth=True)
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {token.stdout.strip()}"}
        assert client.get("/api/v1/auth/me", headers=headers).json()["is_admin"] is True
        assert login(client, "ann")


def test_serve_refuses_public_address_without_auth() -> None:
    done = subprocess.run(
        [FLOWZA, "serve", "--host", "0.0.0.0"], capture_output=True, text=True, timeout=60, env={"PATH": ""}
    )
    assert done.returncode == 2 and "without authentication" in done.stderr and "--auth" in done.stderr


def test_access_log_redacts_query_tokens() -> None:
    import logging

    from flowza.api.security import RedactTokens

    args = ("127.0.0.1:5", "GET", "/api/v1/runs/r/events?token=flz_secret&after=2", "1.1", 200)
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d', args, None)
    assert RedactTokens().filter(record)
    assert "flz_secret" not in record.getMessage() and "token=[redacted]&after=2" in record.getMessage()


def test_serve_exposure_rules(tmp_path: Path) -> None:
    from flowza.auth.service import AuthService
    from flowza.commands.serve import exposure_problem, startup_notice
    from flowza.db.session import make_engine, make_session_factory

    url = f"sqlite:///{tmp_path / 's.db'}"
    for host in ("127.0.0.1", "::1", "localhost"):
        assert exposure_problem(Settings(host=host, database_url=url)) is None
    for host in ("0.0.0.0", "::", "192.0.2.10", "example.org", "127.0.0.1.example.org", ""):
        assert "without authentication" in (exposure_problem(Settings(host=host, database_url=url)) or "")
        assert exposure_problem(Settings(host=host, database_url=url, auth=True)) is None
    assert "Single-user mode" in startup_notice(Settings(database_url=url))
    assert "no account can log in yet" in startup_notice(Settings(database_url=url, auth=True))
    engine = make_engine(url)
    AuthService(make_session_factory(engine)).create_user("ops", PASSWORD, admin=True)
    engine.dispose()
    assert "no account" not in startup_notice(Settings(database_url=url, auth=True))


def test_password_guessing_is_throttled(server: TestClient, make_person: Callable[..., Person]) -> None:
    make_person("gail")
    make_person("hank")
    for _ in range(5):
        wrong = server.post("/api/v1/auth/token", json={"username": "gail", "password": "guess-guess"})
        assert wrong.status_code == 401
    blocked = server.post("/api/v1/auth/token", json={"username": "GAIL", "password": PASSWORD})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert "too many failed logins" in blocked.json()["detail"]
    assert login(server, "hank")  # other names are not affected


def test_blank_passwords_are_refused_naming_the_field(server: TestClient, make_person: Callable[..., Person]) -> None:
    root = make_person("root", admin=True)
    for password in (" " * 8, " " * 40, "\t \n" * 4, "a b c d e f g  ", " seven7 "):
        made = server.post("/api/v1/users", json={"name": "gina", "password": password}, headers=root.headers)
        assert made.status_code == 422, (password, made.text)
        body = made.json()
        assert body["field"] == "password" and "password" in body["detail"]
        if password.strip():
            assert password.strip() not in made.text  # the password is never echoed
        changed = server.patch(f"/api/v1/users/{root.id}", json={"password": password}, headers=root.headers)
        assert changed.status_code == 422 and changed.json()["field"] == "password"
    assert login(server, "root")  # the old password still works
    spaced = server.post("/api/v1/users", json={"name": "gina", "password": " a b c d e f g h "}, headers=root.headers)
    assert spaced.status_code == 201, spaced.text  # spaces may be part of a password; they just do not count
    assert login(server, "gina", " a b c d e f g h ")
