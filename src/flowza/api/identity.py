"""Who is asking: the account the auth gate found for this request (set on the ASGI scope's state)."""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

from fastapi import Request

from flowza.auth.service import Account

ACCOUNT_KEY = "flowza_account"
TOKEN_KEY = "flowza_token"

# Routes anyone may call, auth on or off.
PUBLIC_PATHS = {"/api/v1/health", "/api/v1/auth/token", "/api/v1/openapi.json"}
# The one route that also takes the token as ?token= (a browser's EventSource cannot send headers).
QUERY_TOKEN_PATH = re.compile(r"^/api/v1/runs/[^/]+/events$")


def set_account(scope: MutableMapping[str, Any], account: Account, token: str) -> None:
    state = scope.setdefault("state", {})
    state[ACCOUNT_KEY] = account
    state[TOKEN_KEY] = token


def account_of(request: Request) -> Account | None:
    found = request.scope.get("state", {}).get(ACCOUNT_KEY)
    return found if isinstance(found, Account) else None


def token_of(request: Request) -> str | None:
    found = request.scope.get("state", {}).get(TOKEN_KEY)
    return found if isinstance(found, str) else None


def authenticated_id(request: Request, auth_on: bool, local_user_id: str) -> str | None:
    """The requesting user's id: the token's account with auth on, the local user without; None: no one."""
    if not auth_on:
        return local_user_id
    account = account_of(request)
    return account.id if account is not None else None
