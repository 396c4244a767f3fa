"""RedisRateLimiter: the window arithmetic, pacing, per-path budgets, a fleet, outages."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from wecom_contacts import RateLimiter
from wecom_contacts.redis import RedisRateLimiter, StoreUnavailable
from wecom_contacts.redis.ratelimit import plan_cells

pytestmark = [pytest.mark.redis, pytest.mark.xdist_group("redis")]

PATH = "department/simplelist"


# -- arithmetic (no Redis) --


def test_pacing_leaves_room_for_the_burst_so_no_minute_exceeds_the_limit() -> None:
    (cell,) = plan_cells(600, None, burst_seconds=1.0)
    assert cell.interval_us == pytest.approx(60e6 / 590)  # 10 in the burst, 590 paced
    assert cell.tolerance_us == pytest.approx(9 * 60e6 / 590)


def test_the_hour_cell_exists_only_where_the_hour_limit_can_bind() -> None:
    assert len(plan_cells(600, 150_000, 1.0)) == 1  # 600 × 60 = 36,000 < 150,000
    minute, hour = plan_cells(10_000, 150_000, 1.0)
    assert (minute.suffix, hour.suffix) == ("min", "hour")
    assert hour.interval_us == pytest.approx(3600e6 / 140_000)


def test_burst_is_at_least_one_call_and_below_the_limit() -> None:
    (strict,) = plan_cells(600, None, burst_seconds=0)
    assert strict.tolerance_us == 0
    (huge,) = plan_cells(600, None, burst_seconds=3600)
    assert huge.interval_us == pytest.approx(60e6)  # burst 599, one paced call per minute


@pytest.mark.parametrize("per_minute", [0, 1, -5])
def test_a_limit_below_two_per_minute_is_refused(per_minute: int) -> None:
    with pytest.raises(ValueError, match="per_minute"):
        plan_cells(per_minute, None, 1.0)


def test_bad_settings_are_refused_when_the_limiter_is_built() -> None:
    with pytest.raises(ValueError, match="corp_id"):
        RedisRateLimiter.from_url("redis://127.0.0.1:1/0", corp_id="")
    with pytest.raises(ValueError, match="on_unavailable"):
        RedisRateLimiter.from_url("redis://127.0.0.1:1/0", corp_id="ww", on_unavailable="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="per_minute"):
        RedisRateLimiter.from_url("redis://127.0.0.1:1/0", corp_id="ww", limits={"user/get": 1})


# -- against Redis --


@pytest.fixture
def limiter(redis_url: str) -> Iterator[RedisRateLimiter]:
    lim = RedisRateLimiter.from_url(redis_url, corp_id="ww-a", per_minute=600)
    try:
        yield lim
    finally:
        lim.close()


def timed(fn: object, n: int) -> float:
    assert callable(fn)
    started = time.monotonic()
    for _ in range(n):
        fn()
    return time.monotonic() - started


def test_limiter_satisfies_the_rate_limiter_protocol(limiter: RedisRateLimiter) -> None:
    assert isinstance(limiter, RateLimiter)


def booked_waits(lim: RedisRateLimiter, path: str, n: int) -> list[float]:
    """Book n calls back to back without sleeping; the seconds each was told to wait.

    The waits are what the limiter decides; whether the machine is busy only changes when
    the bookings are asked for, and a booking within the burst is never told to wait.
    """
    return [lim._reserve(path) for _ in range(n)]


def test_a_burst_goes_at_once_then_calls_are_paced_to_the_limit(
    limiter: RedisRateLimiter, redis_url: str
) -> None:
    interval = 60 / 590  # 600/min: a burst of 10, then 590 paced
    assert booked_waits(limiter, PATH, 10) == [0.0] * 10
    # The limiter books paced calls from the start of the burst, so the pace is measured
    # from there: a slow burst leaves less to wait, never less in total.
    fresh = RedisRateLimiter.from_url(redis_url, corp_id="ww-paced", per_minute=600)
    try:
        total = timed(lambda: fresh.acquire(PATH), 16)
    finally:
        fresh.close()
    assert total >= 6 * interval * 0.97  # 6 × 60/590 s ≈ 0.61 s at the least


def test_paths_and_corps_have_budgets_of_their_own(
    limiter: RedisRateLimiter, redis_url: str
) -> None:
    other_corp = RedisRateLimiter.from_url(redis_url, corp_id="ww-b", per_minute=600)
    try:
        booked_waits(limiter, PATH, 10)  # the burst of PATH for ww-a is spent
        assert booked_waits(limiter, "user/get", 10) == [0.0] * 10
        assert booked_waits(other_corp, PATH, 10) == [0.0] * 10
    finally:
        other_corp.close()


def test_spellings_of_one_path_share_one_budget(redis_url: str) -> None:
    # 2/min: a burst of 1, then one call a minute; the second spelling must wait for it.
    lim = RedisRateLimiter.from_url(redis_url, corp_id="ww-spell", per_minute=2)
    try:
        assert booked_waits(lim, "user/get", 1) == [0.0]
        assert booked_waits(lim, "/cgi-bin/user/get?userid=x", 1)[0] > 30
    finally:
        lim.close()


def test_a_path_limit_overrides_the_default(redis_url: str) -> None:
    lim = RedisRateLimiter.from_url(
        redis_url, corp_id="ww-a", per_minute=600, limits={"/cgi-bin/user/list": 2}
    )
    try:
        assert lim.limit_for("user/list") == 2 and lim.limit_for(PATH) == 600
        first, second = booked_waits(lim, "user/list", 2)  # burst of 1, then 60 s
        assert first == 0.0 and second > 30
        assert booked_waits(lim, PATH, 10) == [0.0] * 10  # the default path is untouched
    finally:
        lim.close()


async def test_the_hour_limit_holds_calls_back_once_its_burst_is_spent(redis_url: str) -> None:
    # 6,000/min would allow far more; the hour allows a burst of 120, then one per 30 s.
    lim = RedisRateLimiter.from_url(redis_url, corp_id="ww-a", per_minute=6000, per_hour=240)
    try:
        for _ in range(120):
            await asyncio.wait_for(lim.aacquire(PATH), 1)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(lim.aacquire(PATH), 1)
    finally:
        await lim.aclose()


async def test_aacquire_waits_without_blocking_the_loop(redis_url: str) -> None:
    lim = RedisRateLimiter.from_url(redis_url, corp_id="ww-a", per_minute=120,
                                    burst_seconds=0)
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    tick = asyncio.create_task(ticker())
    try:
        started = time.monotonic()
        await lim.aacquire(PATH)
        before = ticks
        await lim.aacquire(PATH)  # waits 60/119 s
        assert time.monotonic() - started > 0.45
        # The loop ran during the wait (a blocking sleep would allow no tick at all). How
        # many ticks fit depends on the machine's load, so only "some" is asserted.
        assert ticks - before >= 2
    finally:
        tick.cancel()
        await lim.aclose()


def test_four_processes_together_stay_under_the_shared_limit(
    redis_url: str, fleet: Callable[[list[list[str]]], Any]
) -> None:
    per_minute, seconds = 600, 4.0
    modes = ["sync", "sync", "async", "async"]
    workers = fleet([["limit", redis_url, repr(seconds), str(per_minute), m] for m in modes])
    start = workers.go()
    results = workers.results()
    assert all(r["on_time"] for r in results), "a worker was released late; the measure is void"
    stamps = sorted(s for r in results for s in r["stamps"])
    burst = per_minute // 60
    allowed = burst + (per_minute - burst) / 60 * seconds  # 10 + 590/min × 4 s ≈ 49.3
    print(f"fleet: {len(stamps)} calls in {seconds}s = {len(stamps) / seconds:.1f}/s "
          f"(bound {allowed:.1f}); after the burst "
          f"{sum(s >= start + 1 for s in stamps) / (seconds - 1):.2f}/s; "
          f"limit {per_minute}/min = {per_minute / 60:.1f}/s")
    assert len(stamps) <= allowed + 1
    assert len(stamps) >= 0.85 * allowed  # and the fleet did use its budget
    assert all(r["stamps"] for r in results)  # every process got a share
    # After the burst, no second holds more than the paced rate (plus one for rounding).
    for second in range(1, int(seconds)):
        in_second = [s for s in stamps if start + second <= s < start + second + 1]
        assert len(in_second) <= (per_minute - burst) / 60 + 1


# -- Redis unavailable --


def test_fail_open_lets_calls_through_with_one_warning(
    dead_redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    lim = RedisRateLimiter.from_url(dead_redis_url, corp_id="ww-a", per_minute=6000)
    try:
        with caplog.at_level(logging.WARNING, logger="wecom_contacts.redis"):
            assert timed(lambda: lim.acquire(PATH), 20) < 3
        warnings = [r for r in caplog.records if "failing open" in r.getMessage()]
        assert len(warnings) == 1
        assert "hunter2" not in caplog.text and "127.0.0.1" in caplog.text
    finally:
        lim.close()


async def test_fail_open_also_serves_async_callers(dead_redis_url: str) -> None:
    lim = RedisRateLimiter.from_url(dead_redis_url, corp_id="ww-a", per_minute=6000)
    try:
        for _ in range(5):
            await asyncio.wait_for(lim.aacquire(PATH), 3)
    finally:
        await lim.aclose()


def test_fail_open_still_holds_each_process_to_the_limit(dead_redis_url: str) -> None:
    lim = RedisRateLimiter.from_url(dead_redis_url, corp_id="ww-a", per_minute=120)
    try:
        lim.acquire(PATH)  # the outage is noticed here
        assert timed(lambda: lim.acquire(PATH), 3) > 0.9  # 2/s locally, burst 2
    finally:
        lim.close()


def test_fail_closed_raises_store_unavailable(dead_redis_url: str) -> None:
    lim = RedisRateLimiter.from_url(dead_redis_url, corp_id="ww-a", on_unavailable="closed")
    try:
        with pytest.raises(StoreUnavailable, match="booking a call to department/simplelist"):
            lim.acquire(PATH)
        with pytest.raises(StoreUnavailable):
            lim.acquire(PATH)  # every call asks Redis again
    finally:
        lim.close()
