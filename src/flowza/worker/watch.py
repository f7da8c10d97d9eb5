"""The watchdog beside a run on a worker: heartbeat, cancel requests, the time limit, and the hard stop.

Every tick it refreshes the run's heartbeat with one conditional UPDATE that also returns the
cancel flag. A cancel (or the time limit) first sets the engine's cancel event, which stops the run
between nodes or at a node's next cooperative check. A node that does not return within `grace`
seconds (busy inside a library call) is stopped for real: the watchdog writes the run's final
state itself and ends the worker's child process, which Celery replaces. A worker that finds the
run is no longer its attempt (the reaper re-queued it) also ends its child, so it never writes
over the new attempt.

The watchdog owns a plain thread running `_watch` rather than being a `threading.Thread`: a subclass
shares its attribute namespace with Thread's internals (a method named `_stop` once replaced the one
`Thread.join()` calls, and every task ended in a TypeError).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from flowza.db.session import transaction
from flowza.runs.executor import CancelSignal
from flowza.worker.leases import Leases, write_final

log = logging.getLogger(__name__)

CANCELLED_HARD = "cancelled: the node in progress did not stop by itself, so its worker process was stopped"
TIMEOUT_REASON = "the run took longer than FLOWZA_RUN_TIMEOUT ({seconds:g} s) and was stopped"
EXIT_STOPPED = 0  # the child ends on purpose; Celery replaces it


def hard_exit(code: int) -> None:
    logging.shutdown()
    os._exit(code)


class Watchdog:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        run_id: str,
        attempt: int,
        worker: str,
        signal: CancelSignal,
        *,
        tick: float,
        timeout: float,
        grace: float,
        exit_process: Callable[[int], None] = hard_exit,
    ) -> None:
        self.sessions = sessions
        self.run_id = run_id
        self.attempt = attempt
        self.worker = worker
        self.signal = signal
        self.tick = tick
        self.timeout = timeout
        self.grace = grace
        self.exit_process = exit_process
        self.done = threading.Event()
        self.stop_since: float | None = None
        self.final: tuple[str, str] | None = None
        self._thread = threading.Thread(target=self._watch, name=f"flowza-watch-{run_id[:8]}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def finish(self) -> None:
        """The run ended by itself: stop watching (after the current tick)."""
        self.done.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def _watch(self) -> None:
        deadline = time.monotonic() + self.timeout
        while not self.done.wait(self.tick):
            try:
                with transaction(self.sessions) as session:
                    cancel = Leases(session).beat(self.run_id, self.attempt, self.worker)
            except SQLAlchemyError as exc:  # the database blinked: try again next tick
                log.warning("heartbeat of run %s failed: %s", self.run_id, exc)
                continue
            if self.done.is_set():
                return
            if cancel is None:  # the run is no longer an active run of our attempt
                if self._superseded():
                    log.error("run %s attempt %d was taken over; ending this worker process", self.run_id, self.attempt)
                    self.exit_process(EXIT_STOPPED)
                return  # else our own run just finished it
            if cancel and self.final is None:
                self._ask_to_stop("cancelled", CANCELLED_HARD, None)
            elif time.monotonic() > deadline and self.final is None:
                reason = TIMEOUT_REASON.format(seconds=self.timeout)
                self._ask_to_stop("failed", reason, reason)
            if self.stop_since is not None and time.monotonic() - self.stop_since > self.grace:
                self._hard_stop()
                return

    def _superseded(self) -> bool:
        try:
            with self.sessions() as session:
                return Leases(session).superseded(self.run_id, self.attempt, self.worker)
        except SQLAlchemyError:
            return False

    def _ask_to_stop(self, status: str, error: str, reason: str | None) -> None:
        self.final = (status, error)
        self.stop_since = time.monotonic()
        if reason is None:
            self.signal.set()
        else:
            self.signal.stop(reason)

    def _hard_stop(self) -> None:
        assert self.final is not None
        status, error = self.final
        for _ in range(3):  # the engine may append an event at the same moment: take the next number
            try:
                with transaction(self.sessions) as session:
                    leases = Leases(session)
                    if leases.holds(self.run_id, self.attempt, self.worker):
                        node_status = "cancelled" if status == "cancelled" else "failed"
                        write_final(session, self.run_id, status, error, node_status)
                break
            except IntegrityError:
                continue
            except SQLAlchemyError as exc:
                log.error("could not record the end of run %s: %s", self.run_id, exc)
                break
        log.warning("run %s %s; ending this worker process", self.run_id, status)
        self.exit_process(EXIT_STOPPED)
