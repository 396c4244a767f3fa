"""Counters behind GET /_emulator/stats: calls, errors by errcode, writes, faults, disconnects."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Stats:
    """Thread-safe counters; every /cgi-bin request counts, failed and faulted ones too."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.writes: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        # callers gone before their request body was read, per path
        self.disconnects: Counter[str] = Counter()

    def call(self, path: str) -> None:
        with self._lock:
            self.calls[path] += 1

    def error(self, errcode: int) -> None:
        with self._lock:
            self.errors[str(errcode)] += 1

    def write(self, path: str) -> None:
        with self._lock:
            self.writes[path] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def disconnect(self, path: str) -> None:
        with self._lock:
            self.disconnects[path] += 1

    def clear(self) -> None:
        with self._lock:
            for counter in (self.calls, self.errors, self.writes, self.faults, self.disconnects):
                counter.clear()

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": dict(self.calls),
                "errors": dict(self.errors),
                "writes": dict(self.writes),
                "faults": dict(self.faults),
                "disconnects": dict(self.disconnects),
            }
