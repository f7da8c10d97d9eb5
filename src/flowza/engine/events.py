"""Run and node events: the one stream behind the CLI progress, the SSE endpoint and the UI badges."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

EventType = Literal[
    "run_started",
    "node_started",
    "node_progress",
    "node_succeeded",
    "node_cached",
    "node_failed",
    "node_skipped",
    "node_cancelled",
    "run_finished",
]


@dataclass(frozen=True)
class Event:
    type: EventType
    node_id: str | None = None
    status: str | None = None
    seconds: float | None = None
    error: str | None = None
    message: str | None = None
    progress: float | None = None
    time: float = field(default_factory=time.time)
    data: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


EventSink = Callable[[Event], None]


def ignore(_: Event) -> None:
    return None
