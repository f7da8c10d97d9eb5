"""The SQL of run leases: which attempt of a run a worker holds, its heartbeat, and the reaper's moves.

A run sent to Celery carries (run id, attempt). A worker may execute it only after claiming that
attempt with one conditional UPDATE, so the same message delivered twice (a redelivery after a lost
ack, a re-sent message) has one effect: the second claim finds the attempt taken and does nothing.
Every statement that changes an active run is conditional on the attempt it expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from flowza.db.models import RunRow, utcnow
from flowza.db.repositories import ACTIVE_RUN_STATUSES, Runs

CELERY = "celery"


@dataclass(frozen=True)
class Lease:
    run_id: str
    attempt: int
    status: str
    worker: str | None
    cancel_requested: bool = False


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def ago(seconds: float) -> datetime:
    return utcnow() - timedelta(seconds=seconds)


class Leases:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _update(self, *conditions: Any, **values: Any) -> int:
        statement = update(RunRow).where(*conditions).values(**values).execution_options(synchronize_session=False)
        return _rowcount(self.session.execute(statement))

    def mark_dispatched(self, run_id: str) -> None:
        self._update(RunRow.id == run_id, dispatched_at=utcnow())

    def attempt(self, run_id: str) -> int | None:
        return self.session.scalar(select(RunRow.attempt).where(RunRow.id == run_id))

    def claim(self, run_id: str, attempt: int, worker: str) -> bool:
        """Take attempt `attempt` of a queued run; False when it is taken, finished or superseded."""
        return bool(
            self._update(
                RunRow.id == run_id,
                RunRow.status == "pending",
                RunRow.attempt == attempt - 1,
                RunRow.heartbeat_at.is_(None),
                attempt=attempt,
                worker=worker,
                heartbeat_at=utcnow(),
            )
        )

    def beat(self, run_id: str, attempt: int, worker: str) -> bool | None:
        """Refresh the heartbeat of the attempt we hold: None when we lost it, else `cancel_requested`."""
        result = self.session.execute(
            update(RunRow)
            .where(*self._ours(run_id, attempt, worker), RunRow.status.in_(ACTIVE_RUN_STATUSES))
            .values(heartbeat_at=utcnow())
            .returning(RunRow.cancel_requested)
            .execution_options(synchronize_session=False)
        )
        row = result.first()
        return None if row is None else bool(row[0])

    @staticmethod
    def _ours(run_id: str, attempt: int, worker: str) -> tuple[Any, ...]:
        """A lease is (attempt, worker): the reaper clears `worker` when it takes a run back."""
        return (RunRow.id == run_id, RunRow.attempt == attempt, RunRow.worker == worker)

    def superseded(self, run_id: str, attempt: int, worker: str) -> bool:
        """True when the reaper took the run back (not when our attempt simply finished it)."""
        found = self.session.scalar(select(RunRow.id).where(*self._ours(run_id, attempt, worker)))
        return found is None

    def holds(self, run_id: str, attempt: int, worker: str) -> bool:
        found = self.session.scalar(
            select(RunRow.id).where(*self._ours(run_id, attempt, worker), RunRow.status.in_(ACTIVE_RUN_STATUSES))
        )
        return found is not None

    def stale(self, older_than: float, limit: int = 100) -> list[Lease]:
        """Claimed runs whose worker stopped beating (it died, or its machine did)."""
        rows = self.session.execute(
            select(RunRow.id, RunRow.attempt, RunRow.status, RunRow.worker, RunRow.cancel_requested)
            .where(
                RunRow.executor == CELERY,
                RunRow.status.in_(ACTIVE_RUN_STATUSES),
                RunRow.heartbeat_at.is_not(None),
                RunRow.heartbeat_at < ago(older_than),
            )
            .limit(limit)
        ).all()
        return [Lease(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows]

    def fence(self, run_id: str, attempt: int, older_than: float | None = None) -> bool:
        """Take a claimed run back from its attempt (only if it is still that attempt, and stale)."""
        conditions = [RunRow.id == run_id, RunRow.attempt == attempt, RunRow.status.in_(ACTIVE_RUN_STATUSES)]
        if older_than is not None:
            conditions.append(RunRow.heartbeat_at < ago(older_than))
        return bool(self._update(*conditions, heartbeat_at=None, worker=None))

    def requeue(self, run_id: str, attempt: int, older_than: float) -> bool:
        """A stale attempt's run back to `pending`, ready for attempt + 1."""
        return bool(
            self._update(
                RunRow.id == run_id,
                RunRow.attempt == attempt,
                RunRow.status.in_(ACTIVE_RUN_STATUSES),
                RunRow.heartbeat_at < ago(older_than),
                status="pending",
                heartbeat_at=None,
                worker=None,
                dispatched_at=utcnow(),
            )
        )

    def unsent(self, older_than: float, limit: int = 100) -> list[Lease]:
        """Queued runs nobody claimed since they were (last) sent: the broker may have lost the message."""
        rows = self.session.execute(
            select(RunRow.id, RunRow.attempt, RunRow.status, RunRow.worker)
            .where(
                RunRow.executor == CELERY,
                RunRow.status == "pending",
                RunRow.heartbeat_at.is_(None),
                or_(RunRow.dispatched_at.is_(None), RunRow.dispatched_at < ago(older_than)),
            )
            .limit(limit)
        ).all()
        return [Lease(row[0], row[1], row[2], row[3]) for row in rows]

    def redispatch(self, run_id: str, attempt: int, older_than: float) -> bool:
        return bool(
            self._update(
                RunRow.id == run_id,
                RunRow.status == "pending",
                RunRow.attempt == attempt,
                RunRow.heartbeat_at.is_(None),
                or_(RunRow.dispatched_at.is_(None), RunRow.dispatched_at < ago(older_than)),
                dispatched_at=utcnow(),
            )
        )

    def cancel_unclaimed(self, run_id: str) -> bool:
        """A queued run no worker holds is cancelled at once (a worker that gets it later does nothing)."""
        return bool(
            self._update(
                and_(RunRow.id == run_id, RunRow.status == "pending", RunRow.heartbeat_at.is_(None)),
                status="cancelled",
                error="cancelled before it started",
                finished_at=utcnow(),
            )
        )


def write_final(session: Session, run_id: str, status: str, error: str, node_status: str) -> None:
    """Close the run's open nodes, set its final status and append `run_finished` (one transaction)."""
    runs = Runs(session)
    runs.lock(run_id)  # the run's row first, as every writer of a run (no deadlock)
    runs.close_open_nodes(run_id, node_status, error)
    runs.finish(run_id, status, error)
    add_event(session, run_id, "run_finished", {"status": status, "error": error, "data": {"metrics": {}}})


def add_event(session: Session, run_id: str, event_type: str, payload: dict[str, Any]) -> None:
    """Append an event after the run's last one."""
    Runs(session).append_event(run_id, event_type, payload)
