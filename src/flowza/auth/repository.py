"""SQL for accounts and tokens (the rest of the server's SQL is in flowza.db.repositories)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from flowza.db.models import ApiTokenRow, User


class Accounts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> Sequence[User]:
        return self.session.scalars(select(User).order_by(User.name)).all()

    def by_name(self, name: str) -> User | None:
        return self.session.scalar(select(User).where(User.name == name))

    def get(self, user_id: str) -> User | None:
        return self.session.get(User, user_id)

    def add(self, user: User) -> User:
        self.session.add(user)
        self.session.flush()
        return user

    def count_admins(self) -> int:
        return len(self.session.scalars(select(User.id).where(User.is_admin, ~User.disabled)).all())


class Tokens:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: ApiTokenRow) -> ApiTokenRow:
        self.session.add(row)
        self.session.flush()
        return row

    def by_hash(self, token_hash: str) -> tuple[ApiTokenRow, User] | None:
        found = self.session.execute(
            select(ApiTokenRow, User)
            .join(User, User.id == ApiTokenRow.user_id)
            .where(ApiTokenRow.token_hash == token_hash)
        ).first()
        return (found[0], found[1]) if found is not None else None

    def for_user(self, user_id: str) -> Sequence[ApiTokenRow]:
        return self.session.scalars(
            select(ApiTokenRow)
            .where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
            .order_by(ApiTokenRow.created_at.desc())
        ).all()

    def revoke(self, token_id: str, user_id: str, at: datetime) -> bool:
        result = self.session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.id == token_id, ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def revoke_all(self, user_id: str, at: datetime) -> None:
        self.session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
            .values(revoked_at=at)
            .execution_options(synchronize_session=False)
        )

    def touch(self, token_id: str, at: datetime) -> None:
        self.session.execute(
            update(ApiTokenRow)
            .where(ApiTokenRow.id == token_id)
            .values(last_used_at=at)
            .execution_options(synchronize_session=False)
        )
