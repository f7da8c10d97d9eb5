"""Slowing password guessing: after a few failed logins for one user name, refuse more for a while."""

from __future__ import annotations

import threading
import time
from collections import deque

MAX_FAILURES = 5
WINDOW_SECONDS = 60.0
MAX_TRACKED = 10_000


class LoginThrottle:
    """In-memory, per server process: at most MAX_FAILURES failed logins per name in WINDOW_SECONDS."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, name: str) -> float:
        """Seconds until `name` may try again; 0 when it may now."""
        now = time.monotonic()
        with self._lock:
            recent = self._recent(name.lower(), now)
            if len(recent) < self.max_failures:
                return 0.0
            return max(0.0, recent[0] + self.window - now)

    def failed(self, name: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._failures) >= MAX_TRACKED:
                self._failures.clear()  # bounded memory under a flood of made-up names
            self._recent(name.lower(), now).append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name.lower(), None)

    def _recent(self, key: str, now: float) -> deque[float]:
        recent = self._failures.setdefault(key, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        return recent
