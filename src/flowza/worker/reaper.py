"""The reaper: no run is lost or stuck, whatever happens to a worker or to the broker.

It runs as a thread in the API process and in every worker's main process; all of them may run
at once, because each move is a conditional UPDATE on the attempt it saw.

* A claimed run whose heartbeat is older than FLOWZA_HEARTBEAT_TIMEOUT lost its worker: it goes
  back to `pending` and is sent again as the next attempt, which reuses the cached outputs of the
  nodes that finished; after FLOWZA_MAX_ATTEMPTS attempts it is failed with the reason.
* A queued run no worker claimed within FLOWZA_REDISPATCH_SECONDS is sent again (the broker may
  have lost the message, e.g. Redis restarted without persistence). A duplicate is harmless: only
  one delivery can claim an attempt.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from flowza.db.session import transaction
from flowza.worker.leases import Lease, Leases, add_event, write_final

log = logging.getLogger(__name__)

GIVE_UP = (
    "the worker running this run stopped responding (no heartbeat for {timeout:g} s) on each of {attempts} "
    "attempts, so the run was given up; a node of this workflow may be crashing its worker or exhausting its memory"
)
CANCELLED = "cancelled; the worker running it stopped responding before it could stop the run itself"
REQUEUED = "the worker running attempt {attempt} stopped responding (no heartbeat for {timeout:g} s); re-queued"

Send = Callable[[str, int], None]


class Reaper:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        send: Send,
        *,
        heartbeat_timeout: float,
        max_attempts: int,
        redispatch_seconds: float,
        interval: float,
    ) -> None:
        self.sessions = sessions
        self.send = send
        self.heartbeat_timeout = heartbeat_timeout
        self.max_attempts = max_attempts
        self.redispatch_seconds = redispatch_seconds
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="flowza-reaper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except Exception:  # the database or the broker blinked: next tick
                log.exception("reaper tick failed")

    def tick(self) -> tuple[list[str], list[str], list[str]]:
        """One pass; returns the runs (re-queued, failed, re-sent)."""
        with self.sessions() as session:
            stale = Leases(session).stale(self.heartbeat_timeout)
            unsent = Leases(session).unsent(self.redispatch_seconds)
        requeued, failed = [], []
        for lease in stale:
            if lease.cancel_requested:  # nothing to resume: a person asked it to stop
                self._end(lease, "cancelled", CANCELLED)
            elif lease.attempt >= self.max_attempts:
                if self._end(lease, "failed", GIVE_UP.format(timeout=self.heartbeat_timeout, attempts=lease.attempt)):
                    failed.append(lease.run_id)
            elif self._requeue(lease):
                requeued.append(lease.run_id)
        resent = [lease.run_id for lease in unsent if self._resend(lease)]
        return requeued, failed, resent

    def _end(self, lease: Lease, status: str, reason: str) -> bool:
        try:
            with transaction(self.sessions) as session:
                if not Leases(session).fence(lease.run_id, lease.attempt, self.heartbeat_timeout):
                    return False
                write_final(session, lease.run_id, status, reason, status)
        except SQLAlchemyError as exc:
            log.warning("could not end run %s: %s", lease.run_id, exc)
            return False
        log.warning("run %s %s after attempt %d: %s", lease.run_id, status, lease.attempt, reason)
        return True

    def _requeue(self, lease: Lease) -> bool:
        message = REQUEUED.format(attempt=lease.attempt, timeout=self.heartbeat_timeout)
        with transaction(self.sessions) as session:
            if not Leases(session).requeue(lease.run_id, lease.attempt, self.heartbeat_timeout):
                return False
            add_event(session, lease.run_id, "run_requeued", {"status": "pending", "message": message})
        log.warning("run %s: %s", lease.run_id, message)
        self.send(lease.run_id, lease.attempt + 1)
        return True

    def _resend(self, lease: Lease) -> bool:
        with transaction(self.sessions) as session:
            if not Leases(session).redispatch(lease.run_id, lease.attempt, self.redispatch_seconds):
                return False
        log.info("run %s still queued; sending attempt %d again", lease.run_id, lease.attempt + 1)
        self.send(lease.run_id, lease.attempt + 1)
        return True
