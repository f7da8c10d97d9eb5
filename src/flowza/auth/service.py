"""Accounts and tokens: create users, log in, check a bearer token, revoke, disable."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from flowza.auth.passwords import hash_password, needs_rehash, verify_password
from flowza.auth.repository import Accounts, Tokens
from flowza.auth.tokens import looks_like_token, new_token, token_hash
from flowza.db.models import ApiTokenRow, User, utcnow
from flowza.db.session import transaction

USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{0,99}$")
TOKEN_NAME_MAX = 100
TOUCH_EVERY = timedelta(minutes=5)


class BadUserName(ValueError):
    pass


class UserExists(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(f"a user named {name!r} already exists")


class BadCredentials(Exception):
    def __init__(self) -> None:
        super().__init__("wrong user name or password")


class UnknownUser(LookupError):
    pass


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    is_admin: bool
    disabled: bool
    created_at: datetime
    has_password: bool

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(
            user.id,
            user.name,
            bool(user.is_admin),
            bool(user.disabled),
            aware(user.created_at),
            user.password_hash is not None,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "is_admin": self.is_admin,
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class IssuedToken:
    id: str
    token: str
    expires_at: datetime | None


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def check_user_name(name: str) -> str:
    if not USER_NAME.match(name):
        raise BadUserName(
            f"user name {name!r} is not allowed: 1-100 letters, digits and _ . @ -, starting with a letter or digit"
        )
    return name


class AuthService:
    def __init__(self, sessions: sessionmaker[Session], token_days: float = 30) -> None:
        self.sessions = sessions
        self.token_days = token_days

    # accounts

    def create_user(self, name: str, password: str, admin: bool = False) -> Account:
        """A new account; an existing one without a password (the single-user 'local' one) is claimed."""
        check_user_name(name)
        hashed = hash_password(password)
        try:
            with transaction(self.sessions) as session:
                accounts = Accounts(session)
                user = accounts.by_name(name)
                if user is not None and user.password_hash is not None:
                    raise UserExists(name)
                if user is None:
                    user = accounts.add(User(name=name, password_hash=hashed, is_admin=admin, disabled=False))
                else:
                    user.password_hash, user.is_admin, user.disabled = hashed, admin, False
                    session.flush()
                return Account.of(user)
        except IntegrityError as exc:  # created by someone else at the same moment
            raise UserExists(name) from exc

    def users(self) -> list[Account]:
        with self.sessions() as session:
            return [Account.of(user) for user in Accounts(session).all()]

    def get(self, user_id: str) -> Account | None:
        with self.sessions() as session:
            user = Accounts(session).get(user_id)
            return Account.of(user) if user is not None else None

    def update(
        self, user_id: str, disabled: bool | None = None, admin: bool | None = None, password: str | None = None
    ) -> Account:
        hashed = hash_password(password) if password is not None else None
        with transaction(self.sessions) as session:
            user = Accounts(session).get(user_id)
            if user is None:
                raise UnknownUser(user_id)
            if disabled is not None:
                user.disabled = disabled
                if disabled:
                    Tokens(session).revoke_all(user.id, utcnow())
            if admin is not None:
                user.is_admin = admin
            if hashed is not None:  # a new password ends every session opened with the old one
                user.password_hash = hashed
                Tokens(session).revoke_all(user.id, utcnow())
            session.flush()
            return Account.of(user)

    def find(self, name: str) -> Account | None:
        with self.sessions() as session:
            user = Accounts(session).by_name(name)
            return Account.of(user) if user is not None else None

    # tokens

    def login(self, name: str, password: str) -> IssuedToken:
        """A new login token for `name`; BadCredentials for a wrong name/password or a disabled account."""
        with transaction(self.sessions) as session:
            user = Accounts(session).by_name(name) if USER_NAME.match(name) else None
            ok = verify_password(user.password_hash if user is not None else None, password)
            if user is None or not ok or user.disabled:
                raise BadCredentials()
            if user.password_hash is not None and needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            return self._issue(session, user.id, "login", self.token_days)

    def issue(self, user_id: str, name: str, days: float | None) -> IssuedToken:
        """A personal API token for scripts and the CLI; days=None never expires."""
        with transaction(self.sessions) as session:
            if Accounts(session).get(user_id) is None:
                raise UnknownUser(user_id)
            return self._issue(session, user_id, name, days)

    def _issue(self, session: Session, user_id: str, name: str, days: float | None) -> IssuedToken:
        token = new_token()
        expires = utcnow() + timedelta(days=days) if days is not None else None
        row = Tokens(session).add(
            ApiTokenRow(user_id=user_id, token_hash=token_hash(token), name=name[:TOKEN_NAME_MAX], expires_at=expires)
        )
        return IssuedToken(row.id, token, expires)

    def authenticate(self, token: str) -> Account | None:
        """The account a bearer token belongs to, if the token is valid, unexpired and unrevoked."""
        if not looks_like_token(token):
            return None
        now = utcnow()
        with self.sessions() as session:
            found = Tokens(session).by_hash(token_hash(token))
            if found is None:
                return None
            row, user = found
            if row.revoked_at is not None or user.disabled:
                return None
            if row.expires_at is not None and aware(row.expires_at) <= now:
                return None
            account = Account.of(user)
            if row.last_used_at is None or now - aware(row.last_used_at) > TOUCH_EVERY:
                Tokens(session).touch(row.id, now)
                session.commit()
            return account

    def token_id(self, token: str) -> str | None:
        with self.sessions() as session:
            found = Tokens(session).by_hash(token_hash(token))
            return found[0].id if found is not None else None

    def revoke(self, user_id: str, token_id: str) -> bool:
        with transaction(self.sessions) as session:
            return Tokens(session).revoke(token_id, user_id, utcnow())

    def tokens(self, user_id: str) -> list[ApiTokenRow]:
        with self.sessions() as session:
            return list(Tokens(session).for_user(user_id))
