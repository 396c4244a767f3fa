"""The long-running mode of `sync run --every`: intervals with jitter, one run at a time,
and a clean stop on SIGTERM / SIGINT between runs (never in the middle of one)."""

from __future__ import annotations

import random
import re
import signal
import threading
from collections.abc import Callable
from types import FrameType

__all__ = ["Schedule", "parse_interval"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")


def parse_interval(text: str) -> float:
    """``"90"``, ``"30s"``, ``"15m"``, ``"1h30m"``, ``"1d"`` → seconds (at least 1)."""
    value = text.strip().lower()
    try:
        seconds = float(value)
    except ValueError:
        parts = _PART.findall(value)
        if not parts or "".join(n + u for n, u in parts) != value:
            raise ValueError(f"{text!r} is not an interval (e.g. 30s, 15m, 1h30m, 1d)") from None
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds < 1:
        raise ValueError(f"{text!r}: the interval must be at least 1 second")
    return seconds


class Schedule:
    """Call ``run`` now, then every ``interval`` seconds plus up to ``jitter`` more (so that
    many hosts started together do not all call WeCom at once), until stopped."""

    def __init__(self, interval: float, jitter: float, *,
                 rng: random.Random | None = None) -> None:
        self.interval, self.jitter = interval, jitter
        self._rng = rng or random.Random()
        self._stop = threading.Event()

    def stop(self, *_: object) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def next_delay(self) -> float:
        return self.interval + self._rng.uniform(0, self.jitter)

    def loop(self, run: Callable[[], object], *, max_runs: int | None = None) -> int:
        """Run until stopped (or ``max_runs``); returns the number of runs made."""
        made = 0
        while not self._stop.is_set():
            run()
            made += 1
            if max_runs is not None and made >= max_runs:
                break
            self._stop.wait(self.next_delay())
        return made

    def handle_signals(self) -> Callable[[], None]:
        """Stop after the current run on SIGTERM/SIGINT; returns a function that restores
        the previous handlers."""
        def handler(signum: int, frame: FrameType | None) -> None:
            self.stop()

        previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}

        def restore() -> None:
            for sig, old in previous.items():
                signal.signal(sig, old)

        return restore
