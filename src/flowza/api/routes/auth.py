"""Login, logout, the current account and personal API tokens."""

from __future__ import annotations

import math
from datetime import datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from flowza.api.deps import StateDep, UserDep
from flowza.api.errors import ApiError, not_found
from flowza.api.identity import token_of
from flowza.api.security import auth_service
from flowza.auth.passwords import MAX_LENGTH as MAX_PASSWORD
from flowza.auth.service import Account, BadCredentials, aware
from flowza.auth.throttle import LoginThrottle
from flowza.runs.documents import iso

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime | None = Field(default=None, description="When the token stops working (None: never)")


class AccountOut(BaseModel):
    id: str
    name: str
    is_admin: bool
    disabled: bool
    created_at: datetime
    auth: bool = Field(description="Whether this server requires logging in (false: single-user mode)")


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, pattern=r"^[^\x00]+$", description="What the token is for")
    days: float | None = Field(default=None, gt=0, le=3650, description="Days until it expires (default: never)")


class TokenInfo(BaseModel):
    id: str
    name: str
    created_at: str | None
    expires_at: str | None
    last_used_at: str | None


def account_out(account: Account, auth_on: bool) -> AccountOut:
    return AccountOut(
        id=account.id,
        name=account.name,
        is_admin=account.is_admin,
        disabled=account.disabled,
        created_at=account.created_at,
        auth=auth_on,
    )


@router.post(
    "/token",
    summary="Log in: a bearer token for a user name and password (send it as 'Authorization: Bearer …')",
    response_model=TokenResponse,
    responses={
        401: {"description": "Wrong user name or password, or the account is disabled"},
        429: {
            "description": "Too many failed logins for this user name from this address (or from everywhere)",
            "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
        },
    },
)
def login(body: LoginRequest, request: Request) -> Response:
    throttle: LoginThrottle = request.app.state.flowza_login_throttle
    client = request.client.host if request.client is not None else None
    reservation = throttle.reserve(body.username, client)  # before the password is checked: atomic budget
    if not reservation.allowed:
        seconds = str(math.ceil(reservation.retry_after))
        return JSONResponse(
            {"detail": f"too many failed logins for this user name; try again in {seconds} s"},
            status_code=429,
            headers={"Retry-After": seconds},
        )
    try:
        issued = auth_service(request).login(body.username, body.password)
    except BadCredentials as exc:
        raise ApiError(401, str(exc)) from None
    throttle.succeeded(body.username, client)
    answer = TokenResponse(access_token=issued.token, expires_at=issued.expires_at)
    return JSONResponse(answer.model_dump(mode="json"))


@router.post("/logout", status_code=204, summary="Log out: revoke the token this request was sent with")
def logout(request: Request, state: StateDep, user: UserDep) -> Response:
    token = token_of(request)
    if token is not None:
        service = auth_service(request)
        token_id = service.token_id(token)
        if token_id is not None:
            service.revoke(user, token_id)
    return Response(status_code=204)


@router.get(
    "/me",
    summary="The logged-in account (401 when the server requires a login and none was sent)",
    response_model=AccountOut,
)
def me(request: Request, state: StateDep, user: UserDep) -> AccountOut:
    account = auth_service(request).get(user)
    if account is None:
        raise ApiError(401, "the account no longer exists; log in again")
    if not state.settings.auth:  # single-user mode: the local account owns the server
        account = Account(account.id, account.name, True, False, account.created_at, account.has_password)
    return account_out(account, state.settings.auth)


@router.get("/tokens", summary="Your personal API tokens (without their secret, which is shown only once)")
def list_tokens(request: Request, user: UserDep) -> list[TokenInfo]:
    return [
        TokenInfo(
            id=row.id,
            name=row.name,
            created_at=iso(row.created_at),
            expires_at=iso(aware(row.expires_at)) if row.expires_at else None,
            last_used_at=iso(row.last_used_at),
        )
        for row in auth_service(request).tokens(user)
    ]


@router.post("/tokens", status_code=201, summary="A new personal API token for scripts", response_model=TokenResponse)
def create_token(body: NewToken, request: Request, user: UserDep) -> TokenResponse:
    issued = auth_service(request).issue(user, body.name, body.days)
    return TokenResponse(access_token=issued.token, expires_at=issued.expires_at)


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke one of your tokens")
def revoke_token(token_id: str, request: Request, user: UserDep) -> Response:
    if not auth_service(request).revoke(user, token_id):
        raise not_found(f"no token {token_id!r}")
    return Response(status_code=204)
