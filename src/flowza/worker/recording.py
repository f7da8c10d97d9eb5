"""The worker's run recorder: the server's RunRecorder, fenced by the attempt this worker holds.

A worker that lost its run (the reaper gave it to another attempt because its heartbeat went
stale) must not write the run's final state over the new attempt's: `finish` and `abort` check
the lease first.

Test hook, off unless set: FLOWZA_TEST_NODE_DELAY="node_id=seconds[,node_id=seconds]" makes the
worker sleep that long after it records `node_started` for that node, i.e. while the node is in
progress, without checking for cancellation (like a node busy inside a library call). The worker
tests use it to kill or cancel a run in the middle of a node; nothing else sets it.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from flowza.engine.cache import Cache
from flowza.engine.events import Event
from flowza.engine.executor import RunResult
from flowza.runs.recorder import RunRecorder
from flowza.worker.leases import Leases

log = logging.getLogger(__name__)

DELAY_VARIABLE = "FLOWZA_TEST_NODE_DELAY"


def node_delays(value: str | None = None) -> dict[str, float]:
    raw = os.environ.get(DELAY_VARIABLE, "") if value is None else value
    delays: dict[str, float] = {}
    for part in raw.split(","):
        node_id, _, seconds = part.strip().partition("=")
        if node_id and seconds:
            delays[node_id] = float(seconds)
    return delays


class LeasedRecorder(RunRecorder):
    def __init__(self, sessions: sessionmaker[Session], run_id: str, attempt: int, worker: str) -> None:
        super().__init__(sessions, run_id)
        self.attempt = attempt
        self.worker = worker
        self.delays = node_delays()

    def holds(self) -> bool:
        with self.sessions() as session:
            held = Leases(session).holds(self.run_id, self.attempt, self.worker)
        if not held:
            log.warning("run %s attempt %d is no longer ours; not writing its end", self.run_id, self.attempt)
        return held

    def __call__(self, event: Event) -> None:
        super().__call__(event)
        if event.type == "node_started" and event.node_id in self.delays:
            time.sleep(self.delays[event.node_id])

    def finish(self, result: RunResult, cache: Cache | None, error: str | None = None) -> None:
        if self.holds():
            super().finish(result, cache, error)

    def abort(self, status: str, error: str, node_status: str = "skipped") -> None:
        if self.holds():
            super().abort(status, error, node_status)


def factory(attempt: int, worker: str) -> Any:
    def make(sessions: sessionmaker[Session], run_id: str) -> RunRecorder:
        return LeasedRecorder(sessions, run_id, attempt, worker)

    return make
