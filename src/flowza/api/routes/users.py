"""Account management for admins: list, create, disable/enable, reset a password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from flowza.api.deps import StateDep, UserDep
from flowza.api.errors import ApiError, not_found
from flowza.api.routes.auth import AccountOut, account_out
from flowza.api.security import auth_service
from flowza.auth.passwords import MAX_LENGTH as MAX_PASSWORD
from flowza.auth.passwords import WeakPassword
from flowza.auth.service import BadUserName, UnknownUser, UserExists

router = APIRouter(prefix="/users", tags=["users"])


def require_admin(request: Request, state: StateDep, user: UserDep) -> str:
    """With auth off the local user owns the server; with auth on, only admins manage accounts."""
    if state.settings.auth:
        account = auth_service(request).get(user)
        if account is None or not account.is_admin:
            raise ApiError(403, "only an admin can manage users")
    return user


AdminDep = Annotated[str, Depends(require_admin)]


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=MAX_PASSWORD)
    is_admin: bool = False


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    disabled: bool | None = Field(default=None, description="true: cannot log in and every token is revoked")
    is_admin: bool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=MAX_PASSWORD)


@router.get("", summary="Every account (admins only)")
def list_users(request: Request, state: StateDep, _: AdminDep) -> list[AccountOut]:
    return [account_out(account, state.settings.auth) for account in auth_service(request).users()]


@router.post(
    "",
    status_code=201,
    summary="Create an account (admins only)",
    responses={403: {"description": "Not an admin"}, 409: {"description": "Name taken"}},
)
def create_user(body: NewUser, request: Request, state: StateDep, _: AdminDep) -> AccountOut:
    try:
        account = auth_service(request).create_user(body.name, body.password, body.is_admin)
    except WeakPassword as exc:
        raise ApiError(422, str(exc), field="password") from None
    except BadUserName as exc:
        raise ApiError(422, str(exc), field="name") from None
    except UserExists as exc:
        raise ApiError(409, str(exc)) from None
    return account_out(account, state.settings.auth)


@router.patch(
    "/{user_id}",
    summary="Disable/enable an account, make it admin or not, set its password (admins only)",
    responses={403: {"description": "Not an admin"}, 404: {"description": "No such user"}},
)
def change_user(user_id: str, body: UserChange, request: Request, state: StateDep, admin: AdminDep) -> AccountOut:
    if user_id == admin and (body.disabled or body.is_admin is False):
        raise ApiError(409, "you cannot disable yourself or take away your own admin role")
    try:
        account = auth_service(request).update(user_id, body.disabled, body.is_admin, body.password)
    except WeakPassword as exc:
        raise ApiError(422, str(exc), field="password") from None
    except UnknownUser:
        raise not_found(f"no user {user_id!r}") from None
    return account_out(account, state.settings.auth)
