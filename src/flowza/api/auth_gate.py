"""The auth gate: with authentication on, every /api/ request but health and login needs a valid token.

It is middleware, not a per-route dependency, so a route added later is protected without anyone
remembering to protect it. The token comes as `Authorization: Bearer TOKEN`; only the run events
route (for EventSource, which cannot send headers) also takes `?token=TOKEN`.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool

from flowza.api.identity import PUBLIC_PATHS, QUERY_TOKEN_PATH, set_account
from flowza.api.limits import ASGIApp, Receive, Scope, Send, _header, _reply
from flowza.auth.service import AuthService

CHALLENGE = [(b"www-authenticate", b'Bearer realm="flowza"')]


def bearer_token(scope: Scope) -> str | None:
    header = _header(scope, b"authorization")
    if header is not None:
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return None
    if QUERY_TOKEN_PATH.match(scope["path"]):
        values = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1")).get("token")
        if values:
            return values[-1]
    return None


class AuthGate:
    def __init__(self, app: ASGIApp, auth: AuthService, enabled: bool) -> None:
        self.app = app
        self.auth = auth
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.enabled or not self._guarded(scope["path"]):
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope)
        if token is None:
            await _reply(
                send, 401, "log in first: send 'Authorization: Bearer TOKEN' (POST /api/v1/auth/token)", CHALLENGE
            )
            return
        account = await run_in_threadpool(self.auth.authenticate, token)
        if account is None:
            await _reply(send, 401, "the token is invalid, expired or revoked; log in again", CHALLENGE)
            return
        set_account(scope, account, token)
        await self.app(scope, receive, send)

    @staticmethod
    def _guarded(path: str) -> bool:
        return (path == "/api" or path.startswith("/api/")) and path.rstrip("/") not in PUBLIC_PATHS
