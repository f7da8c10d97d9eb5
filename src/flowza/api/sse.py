"""Server-Sent Events for a run: replay the stored events after `Last-Event-ID`, then follow live ones.

Events are read from the database (not from memory), so the stream works the same whoever wrote
them: this process's inline executor or a worker elsewhere. The stream ends after `run_finished`.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from flowza.api.state import ServerState
from flowza.db.repositories import ACTIVE_RUN_STATUSES, Runs

POLL_SECONDS = 0.2
KEEPALIVE_SECONDS = 15.0


def format_event(seq: int, event_type: str, payload: dict[str, Any]) -> str:
    return f"id: {seq}\nevent: {event_type}\ndata: {json.dumps(payload, separators=(',', ':'))}\n\n"


def _fetch(state: ServerState, run_id: str, after: int) -> tuple[list[tuple[int, str, dict[str, Any]]], str | None]:
    with state.sessions() as session:
        runs = Runs(session)
        events = [(e.seq, e.type, e.payload) for e in runs.events_after(run_id, after)]
        return events, runs.status(run_id)


async def run_events(state: ServerState, request: Request, run_id: str, after: int) -> AsyncIterator[str]:
    last_sent = time.monotonic()
    finished_polls = 0
    while True:
        events, status = await run_in_threadpool(_fetch, state, run_id, after)
        for seq, event_type, payload in events:
            yield format_event(seq, event_type, payload)
            after = seq
            last_sent = time.monotonic()
            if event_type == "run_finished":
                return
        if not events and status not in ACTIVE_RUN_STATUSES:
            finished_polls += 1  # finished, but its final event not visible yet: give it a moment
            if finished_polls > 10:
                return
        if await request.is_disconnected():
            return
        if time.monotonic() - last_sent > KEEPALIVE_SECONDS:
            yield ": keep-alive\n\n"
            last_sent = time.monotonic()
        await anyio.sleep(POLL_SECONDS)
