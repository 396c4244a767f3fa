"""Sliding-window counters that block for the length of the window that overflowed."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable, Sequence

from ..config import RateWindow


class Limiter:
    """Per-key sliding windows (limits.md: "block duration equals the window exceeded")."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: dict[tuple[Hashable, float], deque[float]] = {}
        self._blocked_until: dict[Hashable, float] = {}

    def blocked(self, key: Hashable, now: float) -> bool:
        with self._lock:
            return self._blocked_until.get(key, 0.0) > now

    def hit(self, key: Hashable, windows: Sequence[RateWindow], now: float) -> bool:
        """Count one event; False when the key is blocked or this event overflows a window."""
        with self._lock:
            if self._blocked_until.get(key, 0.0) > now:
                return False
            allowed = True
            for window in windows:
                events = self._events.setdefault((key, window.seconds), deque())
                while events and events[0] <= now - window.seconds:
                    events.popleft()
                events.append(now)
                if len(events) > window.limit:
                    allowed = False
                    until = now + window.seconds
                    self._blocked_until[key] = max(self._blocked_until.get(key, 0.0), until)
            return allowed

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
            self._blocked_until.clear()
