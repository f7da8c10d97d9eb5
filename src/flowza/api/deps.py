"""FastAPI dependencies: the server state, a database session per request, the current user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from flowza.api.state import ServerState


def get_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.flowza
    return state


StateDep = Annotated[ServerState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    with state.sessions() as session:
        yield session


def current_user(state: StateDep) -> str:
    """The id of the user making the request: the local user until authentication (issue 8) exists."""
    return state.user_id


SessionDep = Annotated[Session, Depends(get_session)]
UserDep = Annotated[str, Depends(current_user)]
