"""The inline executor: a thread pool inside the server process (the zero-service default)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flowza.runs.executor import CancelSignal

log = logging.getLogger(__name__)

SHUTDOWN_REASON = "the server shut down while this run was in progress; start the run again"

Work = Callable[[str, CancelSignal], None]


class InlineExecutor:
    name = "inline"

    def __init__(self, work: Work, workers: int) -> None:
        self._work = work
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flowza-run")
        self._signals: dict[str, CancelSignal] = {}
        self._lock = threading.Lock()

    def submit(self, run_id: str) -> None:
        signal = CancelSignal()
        with self._lock:
            self._signals[run_id] = signal
        self._pool.submit(self._run, run_id, signal)

    def _run(self, run_id: str, signal: CancelSignal) -> None:
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
        self._pool.shutdown(wait=True)
