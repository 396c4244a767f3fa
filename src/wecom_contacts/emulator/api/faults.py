"""Injected faults for the next N matching /cgi-bin calls (POST /_emulator/faults)."""

from __future__ import annotations

import fnmatch
import itertools
import threading
from dataclasses import dataclass
from typing import Any, Literal

FaultKind = Literal["errcode", "http_status", "delay", "drop"]
KINDS: tuple[FaultKind, ...] = ("errcode", "http_status", "delay", "drop")


@dataclass
class Fault:
    """One fault: `path` is an exact path or an fnmatch glob (`*` also crosses `/`)."""

    id: int
    path: str
    remaining: int
    kind: FaultKind
    value: float  # errcode, HTTP status or delay seconds; 0 for drop
    after_handler: bool
    errmsg: str | None = None
    body: str | None = None

    def matches(self, path: str) -> bool:
        if any(ch in self.path for ch in "*?["):
            return fnmatch.fnmatchcase(path, self.path)
        return path == self.path

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "path": self.path,
            "count": self.remaining,
            "after": "after_handler" if self.after_handler else "before_handler",
        }
        out[self.kind] = (
            True
            if self.kind == "drop"
            else (self.value if self.kind == "delay" else int(self.value))
        )
        if self.errmsg is not None:
            out["errmsg"] = self.errmsg
        if self.body is not None:
            out["body"] = self.body
        return out


def parse_fault(data: Any, fault_id: int) -> Fault:
    """Validate a fault document; raises ValueError with what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("a fault is a JSON object")
    known = {"path", "count", "after", "errmsg", "body", *KINDS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown fault fields: {unknown}")
    path = data.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError('"path" must be a path such as "/cgi-bin/user/create" or a glob')
    count = data.get("count", 1)
    if type(count) is not int or count < 1:
        raise ValueError('"count" must be a positive integer')
    kinds = [k for k in KINDS if k in data]
    if len(kinds) != 1:
        raise ValueError(f"give exactly one of {list(KINDS)}")
    kind = kinds[0]
    raw = data[kind]
    value: float
    if kind == "drop":
        if raw is not True:
            raise ValueError('"drop" must be true')
        value = 0
    elif kind == "delay":
        if type(raw) not in (int, float) or raw < 0:
            raise ValueError('"delay" must be a number of seconds >= 0')
        value = float(raw)
    elif kind == "http_status":
        if type(raw) is not int or not 100 <= raw <= 599:
            raise ValueError('"http_status" must be an HTTP status code')
        value = raw
    else:
        if type(raw) is not int or raw == 0:
            raise ValueError('"errcode" must be a non-zero integer')
        value = raw
    after = data.get("after", "before_handler")
    if after not in ("before_handler", "after_handler"):
        raise ValueError('"after" must be "before_handler" or "after_handler"')
    errmsg, body = data.get("errmsg"), data.get("body")
    if errmsg is not None and not isinstance(errmsg, str):
        raise ValueError('"errmsg" must be a string')
    if body is not None and not isinstance(body, str):
        raise ValueError('"body" must be a string')
    return Fault(fault_id, path, count, kind, value, after == "after_handler", errmsg, body)


class Faults:
    """Registered faults, consumed first-registered-first for each matching call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, data: Any) -> Fault:
        with self._lock:
            fault = parse_fault(data, next(self._ids))
            self._faults.append(fault)
            return fault

    def take(self, path: str) -> Fault | None:
        """The first fault matching path, with one use consumed."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
            return None

    def clear(self) -> int:
        with self._lock:
            n = len(self._faults)
            self._faults.clear()
            return n

    def to_json(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.to_json() for f in self._faults]
