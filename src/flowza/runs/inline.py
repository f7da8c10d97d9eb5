"""The inline executor: worker threads inside the server process (the zero-service default)."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from flowza.runs.executor import CancelSignal

log = logging.getLogger(__name__)

SHUTDOWN_REASON = "the server shut down while this run was in progress; start the run again"
SHUTDOWN_GRACE_SECONDS = 10.0

Work = Callable[[str, CancelSignal], None]
Abandon = Callable[[str, str], None]


class InlineExecutor:
    """Runs `work(run_id, signal)` on `workers` daemon threads.

    Daemon threads, because a scikit-learn fit cannot be interrupted: at shutdown every run is asked
    to stop, those still going after a grace period are recorded as failed (`on_abandon`) and the
    process exits without waiting for them.
    """

    name = "inline"

    def __init__(
        self, work: Work, workers: int, on_abandon: Abandon | None = None, grace_seconds: float = SHUTDOWN_GRACE_SECONDS
    ) -> None:
        self._work = work
        self._on_abandon = on_abandon
        self.grace_seconds = grace_seconds
        self._queue: queue.SimpleQueue[tuple[str, CancelSignal] | None] = queue.SimpleQueue()
        self._signals: dict[str, CancelSignal] = {}
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._loop, name=f"flowza-run-{index}", daemon=True) for index in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, run_id: str) -> None:
        signal = CancelSignal()
        with self._lock:
            self._signals[run_id] = signal
        self._queue.put((run_id, signal))

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            run_id, signal = item
            try:
                self._work(run_id, signal)
            except Exception:  # one broken run must never take the worker thread down
                log.exception("run %s failed outside the engine", run_id)
            finally:
                with self._lock:
                    self._signals.pop(run_id, None)

    def cancel(self, run_id: str) -> None:
        with self._lock:
            signal = self._signals.get(run_id)
        if signal is not None:
            signal.set()

    def active(self) -> int:
        with self._lock:
            return len(self._signals)

    def shutdown(self) -> None:
        with self._lock:
            signals = list(self._signals.values())
        for signal in signals:
            signal.stop(SHUTDOWN_REASON)
        for _ in self._threads:
            self._queue.put(None)  # after the queued runs, which end at once: their signal is set
        deadline = time.monotonic() + self.grace_seconds
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            abandoned = list(self._signals)
        for run_id in abandoned:
            log.warning("run %s still running at shutdown; recorded as failed", run_id)
            if self._on_abandon is not None:
                try:
                    self._on_abandon(run_id, SHUTDOWN_REASON)
                except Exception:  # the database may be gone too: the next start recovers the run
                    log.exception("could not record run %s as failed", run_id)
