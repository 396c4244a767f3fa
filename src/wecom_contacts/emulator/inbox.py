"""What the emulator receives as the far end of a notice: group-robot webhook posts and
application messages (message/send), kept in memory until reset, shown by the control API."""

from __future__ import annotations

import copy
import threading
from typing import Any

__all__ = ["Inbox"]


class Inbox:
    """Registered robot keys (key → name) and every message received, oldest first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._robots: dict[str, str] = {}
        self._messages: list[dict[str, Any]] = []

    def add_robot(self, key: str, name: str) -> None:
        with self._lock:
            self._robots[key] = name

    def robot(self, key: str) -> str | None:
        """The name of the robot whose webhook key this is (None: no such robot)."""
        with self._lock:
            return self._robots.get(key)

    def record(self, message: dict[str, Any]) -> None:
        with self._lock:
            self._messages.append(copy.deepcopy(message))

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._messages)

    def clear_messages(self) -> None:
        with self._lock:
            self._messages.clear()

    def reset(self) -> None:
        with self._lock:
            self._robots.clear()
            self._messages.clear()
