"""Slowing password guessing, with counters in the database so every server process shares them.

Each login attempt is reserved BEFORE its password is checked, by one atomic upsert that returns
the new count, so parallel requests can never get more password checks than the limit. Two budgets:

- per (user name, client address): a few attempts a minute. An attacker elsewhere uses up only
  their own budget, so the owner, on another address, still logs in.
- per user name from every client: larger, so a guesser spreading over many addresses is still
  bounded. Only attempts that passed their client's budget count, so a single address cannot
  exhaust it, and a correct password gives its attempt back.

Why the database and not Redis: every deployment has the database (SQLite alone, PostgreSQL for
several workers or machines), while Redis exists only with the Celery executor. `INSERT … ON
CONFLICT DO UPDATE … RETURNING` is atomic on both SQLite (writers are serialised) and
PostgreSQL (the row is locked), and a login already costs an argon2 hash, far more than one upsert.

Counters are fixed windows; rows whose window has ended are deleted, so storage is bounded by the
attempts of the last window, and a name under attack is never forgotten however many other names
are tried (no eviction by count).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import case, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from flowza.db.models import LoginAttemptRow
from flowza.db.session import transaction

CLIENT_LIMIT = 5
CLIENT_WINDOW = 60.0
NAME_LIMIT = 100
NAME_WINDOW = 900.0
EVERY_CLIENT = ""  # the client column of a name's all-clients counter
CLIENT_MAX = 64
PURGE_EVERY = 60.0


@dataclass(frozen=True)
class Budget:
    limit: int
    window: float  # seconds


@dataclass(frozen=True)
class Reservation:
    """The outcome of asking to check one password: allowed, or how long to wait."""

    allowed: bool
    retry_after: float = 0.0


def name_key(name: str) -> str:
    """User names differ by case only for the database; guesses at 'Gail' and 'gail' share a budget."""
    return name.lower()[:100]


def client_key(client: str | None) -> str:
    return (client or "unknown")[:CLIENT_MAX] or "unknown"


class LoginThrottle:
    """Login budgets per (name, client) and per name, stored in the `login_attempts` table."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        per_client: Budget = Budget(CLIENT_LIMIT, CLIENT_WINDOW),
        per_name: Budget = Budget(NAME_LIMIT, NAME_WINDOW),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sessions = sessions
        self.per_client = per_client
        self.per_name = per_name
        self.clock = clock  # wall-clock seconds: comparable between machines
        self._purged_at = float("-inf")
        self._purge_lock = threading.Lock()

    def reserve(self, name: str, client: str | None) -> Reservation:
        """Count one attempt for `name` from `client`; allowed only while both budgets have room."""
        now = self.clock()
        self._purge_expired(now)
        key, address = name_key(name), client_key(client)
        with transaction(self.sessions) as session:
            count, ends = self._count(session, key, address, self.per_client, now)
            if count > self.per_client.limit:  # refused here: the name-wide budget is left alone
                return Reservation(False, max(ends - now, 1.0))
            count, ends = self._count(session, key, EVERY_CLIENT, self.per_name, now)
        if count > self.per_name.limit:
            return Reservation(False, max(ends - now, 1.0))
        return Reservation(True)

    def succeeded(self, name: str, client: str | None) -> None:
        """The right password: forget this client's failures and give back the name-wide attempt."""
        key = name_key(name)
        counters = LoginAttemptRow
        with transaction(self.sessions) as session:
            session.execute(delete(counters).where(counters.name == key, counters.client == client_key(client)))
            session.execute(
                update(counters)
                .where(counters.name == key, counters.client == EVERY_CLIENT, counters.attempts > 0)
                .values(attempts=counters.attempts - 1)
            )

    def _count(self, session: Session, name: str, client: str, budget: Budget, now: float) -> tuple[int, float]:
        """Add one attempt to a counter (starting a new window if the old one ended); its new count and end."""
        counters = LoginAttemptRow
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        expired = counters.window_ends <= now
        statement = (
            insert(counters)
            .values(name=name, client=client, attempts=1, window_ends=now + budget.window)
            .on_conflict_do_update(
                index_elements=[counters.name, counters.client],
                set_={
                    "attempts": case((expired, 1), else_=counters.attempts + 1),
                    "window_ends": case((expired, now + budget.window), else_=counters.window_ends),
                },
            )
            .returning(counters.attempts, counters.window_ends)
        )
        count, ends = session.execute(statement).one()
        return int(count), float(ends)

    def _purge_expired(self, now: float) -> None:
        """Delete counters whose window has ended (at most once a PURGE_EVERY per process)."""
        with self._purge_lock:
            if now - self._purged_at < PURGE_EVERY:
                return
            self._purged_at = now
        counters = LoginAttemptRow
        # SKIP LOCKED (PostgreSQL; SQLite has one writer at a time anyway): the purge never waits for a
        # row a login holds, so it cannot deadlock with a login's two upserts.
        expired = (
            select(counters.name, counters.client).where(counters.window_ends <= now).with_for_update(skip_locked=True)
        )
        with transaction(self.sessions) as session:
            session.execute(delete(counters).where(tuple_(counters.name, counters.client).in_(expired)))

    def tracked(self) -> int:
        """How many counters are stored (for tests and monitoring)."""
        with self.sessions() as session:
            return session.query(LoginAttemptRow).count()
