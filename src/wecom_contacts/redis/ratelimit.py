"""RedisRateLimiter: one call budget per (corp, API path) shared by every process and host."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .._http.ratelimit import LocalRateLimiter
from ._base import AsyncRedis, RedisPart, Script, StoreError, SyncRedis, WarnEvery

__all__ = ["RateCell", "RedisRateLimiter", "plan_cells"]

log = logging.getLogger("wecom_contacts.redis")

# GCRA with reservations, over one cell per window (minute, and hour when it can bind).
# Every caller books the earliest instant all its cells allow and is told how long to sleep
# until then, so one round trip per call and no retry storm however many nodes queue up.
# Time is Redis's own (TIME), so hosts with skewed clocks still share one schedule.
# ARGV holds, per cell, the emission interval and the burst tolerance, in microseconds.
_RESERVE = Script(
    """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local at = now
local tats = {}
for i = 1, #KEYS do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
  if tat < now then tat = now end
  tats[i] = tat
  local earliest = tat - tonumber(ARGV[2 * i])
  if earliest > at then at = earliest end
end
for i = 1, #KEYS do
  local tat = tats[i]
  if tat < at then tat = at end
  tat = math.ceil(tat + tonumber(ARGV[2 * i - 1]))
  redis.call('SET', KEYS[i], string.format('%.0f', tat),
             'PX', math.ceil((tat - now) / 1000) + 1000)
end
return at - now
"""
)

WECOM_PER_MINUTE = 10_000
WECOM_PER_HOUR = 150_000


@dataclass(frozen=True, slots=True)
class RateCell:
    """One GCRA window: ``burst`` calls at once, then one per ``interval_us``."""

    suffix: str
    interval_us: float
    tolerance_us: float


def _cell(suffix: str, limit: int, burst: int, window_s: int) -> RateCell:
    # In any closed window, GCRA lets through at most burst + (window / interval) calls, so
    # pacing at (limit - burst) per window keeps every window at or under `limit`.
    interval = window_s * 1_000_000 / (limit - burst)
    return RateCell(suffix, interval, (burst - 1) * interval)


def plan_cells(per_minute: int, per_hour: int | None, burst_seconds: float) -> list[RateCell]:
    """The cells that hold a path to ``per_minute`` (and ``per_hour`` when that can bind)."""
    if per_minute < 2:
        raise ValueError(f"per_minute must be at least 2, not {per_minute}")
    burst = min(per_minute - 1, max(1, math.floor(per_minute * burst_seconds / 60)))
    cells = [_cell("min", per_minute, burst, 60)]
    # An hour holds 60 minute-windows; below that product the hour limit can never bind.
    if per_hour is not None and per_minute * 60 > per_hour:
        if per_hour < 2:
            raise ValueError(f"per_hour must be at least 2, not {per_hour}")
        cells.append(_cell("hour", per_hour, min(per_minute, per_hour // 2), 3600))
    return cells


def normalize_path(path: str) -> str:
    """``/cgi-bin/user/get?x=1`` and ``user/get`` name the same API."""
    return path.split("?", 1)[0].strip("/").removeprefix("cgi-bin/")


class RedisRateLimiter(RedisPart):
    """Keeps a whole fleet under WeCom's per-corp, per-API call limits.

    Any 60-second window holds at most ``per_minute`` calls to one path from all processes
    together (and any hour at most ``per_hour``): up to ``burst_seconds`` worth of calls go
    at once, the rest are paced. ``acquire`` sleeps until the call's booked slot;
    ``aacquire`` awaits it without blocking the loop.

    Keys are ``wecom:rate:{<corp_id>:<path>}:min`` (and ``:hour``): the hash tag puts all
    the cells of one path in one cluster slot, as the script that books a call needs.

    Args:
        client / async_client: redis-py clients to use (you close them), single-node,
            cluster or Sentinel; or ``from_url`` (``cluster=True`` for a Redis Cluster).
        corp_id: the corp whose budget this is (WeCom counts per corp and API).
        per_minute: default limit per path; WeCom publishes 10,000.
        per_hour: limit per path per hour (WeCom: 150,000); None to ignore.
        limits: per-minute limits for particular paths, e.g. ``{"user/list": 600}``.
        burst_seconds: how many seconds' worth of calls may go without pacing.
        on_unavailable: ``"open"`` (default): when Redis fails, log a warning, fall back to
            a per-process limiter at the same limits and retry Redis after
            ``retry_after`` seconds. ``"closed"``: raise ``StoreUnavailable``.
    """

    def __init__(
        self,
        client: SyncRedis | None = None,
        async_client: AsyncRedis | None = None,
        *,
        corp_id: str,
        url: str | None = None,
        cluster: bool = False,
        per_minute: int = WECOM_PER_MINUTE,
        per_hour: int | None = WECOM_PER_HOUR,
        limits: Mapping[str, int] | None = None,
        burst_seconds: float = 1.0,
        on_unavailable: Literal["open", "closed"] = "open",
        retry_after: float = 5.0,
        prefix: str = "",
        redis_kwargs: dict[str, Any] | None = None,
    ) -> None:
        if not corp_id:
            raise ValueError("corp_id is required: WeCom's limits are per corp")
        if on_unavailable not in ("open", "closed"):
            raise ValueError(f"on_unavailable must be 'open' or 'closed', not {on_unavailable!r}")
        super().__init__(
            client, async_client, url=url, cluster=cluster, redis_kwargs=redis_kwargs
        )
        self.corp_id = corp_id
        self.per_minute = per_minute
        self.per_hour = per_hour
        self.limits = {normalize_path(p): n for p, n in (limits or {}).items()}
        self.burst_seconds = burst_seconds
        self.on_unavailable = on_unavailable
        self.retry_after = retry_after
        self._prefix = prefix
        # Validate every configured limit now rather than on the first call to its path.
        self._cells = {
            n: plan_cells(n, per_hour, burst_seconds) for n in {per_minute, *self.limits.values()}
        }
        self._plans: dict[str, tuple[list[str], list[str]]] = {}
        self._fallbacks: dict[int, LocalRateLimiter] = {}
        self._down_until = 0.0
        self._warn = WarnEvery()

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        corp_id: str,
        cluster: bool = False,
        per_minute: int = WECOM_PER_MINUTE,
        per_hour: int | None = WECOM_PER_HOUR,
        limits: Mapping[str, int] | None = None,
        burst_seconds: float = 1.0,
        on_unavailable: Literal["open", "closed"] = "open",
        retry_after: float = 5.0,
        prefix: str = "",
        **redis_kwargs: Any,
    ) -> RedisRateLimiter:
        """A limiter on the Redis at ``url``; extra keyword arguments go to redis-py.

        With ``cluster=True``, ``url`` names any one node of a Redis Cluster.
        """
        return cls(
            url=url, cluster=cluster, corp_id=corp_id, per_minute=per_minute,
            per_hour=per_hour, limits=limits, burst_seconds=burst_seconds,
            on_unavailable=on_unavailable, retry_after=retry_after, prefix=prefix,
            redis_kwargs=redis_kwargs,
        )

    def limit_for(self, path: str) -> int:
        """The per-minute limit that applies to ``path``."""
        return self.limits.get(normalize_path(path), self.per_minute)

    def _plan(self, path: str) -> tuple[list[str], list[str]]:
        name = normalize_path(path)
        plan = self._plans.get(name)
        if plan is None:
            # The hash tag keeps all cells of one path in one cluster slot (one script call).
            base = f"{self._prefix}wecom:rate:{{{self.corp_id}:{name}}}"
            cells = self._cells[self.limit_for(name)]
            keys = [f"{base}:{c.suffix}" for c in cells]
            args = [repr(x) for c in cells for x in (c.interval_us, c.tolerance_us)]
            plan = self._plans[name] = (keys, args)
        return plan

    def _use_redis(self) -> bool:
        return time.monotonic() >= self._down_until

    def _fallback(self, path: str) -> LocalRateLimiter:
        limit = self.limit_for(path)
        fallback = self._fallbacks.get(limit)
        if fallback is None:
            fallback = self._fallbacks[limit] = LocalRateLimiter(limit)
        return fallback

    def _failed(self, exc: StoreError, path: str) -> LocalRateLimiter:
        """Apply the outage policy: raise, or hand back the per-process fallback limiter."""
        if self.on_unavailable == "closed":
            raise exc
        # Skip Redis for a while: paying a connect timeout on every call would stall the app.
        self._down_until = time.monotonic() + self.retry_after
        self._warn(
            "rate limiter failing open (per-process limits only) for %ss: %s",
            self.retry_after, exc,
        )
        return self._fallback(path)

    def _recovered(self) -> None:
        if self._down_until:
            self._down_until = 0.0
            log.warning("rate limiter: Redis at %s answers again; fleet-wide limits resumed",
                        self.where)

    def _reserve(self, path: str) -> float:
        """Book a slot for one call to ``path``; seconds to wait until it."""
        keys, args = self._plan(path)
        with self._translating(f"booking a call to {normalize_path(path)}"):
            wait = int(_RESERVE.run(self._sync(), keys, args)) / 1e6
        self._recovered()
        return wait

    async def _areserve(self, path: str) -> float:
        keys, args = self._plan(path)
        with self._translating(f"booking a call to {normalize_path(path)}"):
            client = await self._async()
            wait = int(await _RESERVE.arun(client, keys, args)) / 1e6
        self._recovered()
        return wait

    def acquire(self, path: str) -> None:
        """Block until a call to ``path`` fits the fleet's budget."""
        if not self._use_redis():
            self._fallback(path).acquire(path)
            return
        try:
            wait = self._reserve(path)
        except StoreError as exc:
            self._failed(exc, path).acquire(path)
            return
        if wait > 0:
            time.sleep(wait)

    async def aacquire(self, path: str) -> None:
        """Wait, without blocking the loop, until a call to ``path`` fits the budget."""
        if not self._use_redis():
            await self._fallback(path).aacquire(path)
            return
        try:
            wait = await self._areserve(path)
        except StoreError as exc:
            await self._failed(exc, path).aacquire(path)
            return
        if wait > 0:
            await asyncio.sleep(wait)
