"""Processes sharing one Redis through the real client and the emulator: one token for all."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from wecom_contacts import Client
from wecom_contacts.redis import RedisRateLimiter
from wecom_contacts.testing import EmulatorControl
from wecom_contacts.tokens import RedisTokenStore

pytestmark = [pytest.mark.redis, pytest.mark.xdist_group("redis")]

StartFleet = Callable[[list[list[str]]], Any]
MODES = ["sync", "sync", "async", "async"]  # two Client processes, two AsyncClient ones


def fleet_argv(redis_url: str, emu: EmulatorControl, rounds: int) -> list[list[str]]:
    return [
        ["tokens", redis_url, emu.base_url, emu.corp_id, emu.secret, str(rounds), "50", mode]
        for mode in MODES
    ]


def test_four_processes_of_fifty_concurrent_calls_on_a_cold_cache_fetch_one_token(
    redis_url: str, wecom_emulator: EmulatorControl, fleet: StartFleet
) -> None:
    workers = fleet(fleet_argv(redis_url, wecom_emulator, rounds=1))
    workers.go()
    results = workers.results()
    assert all(r["on_time"] for r in results), "a worker was released late; the race is void"
    assert [r["errors"] for r in results] == [[]] * 4
    assert sum(r["ok"] for r in results) == 200
    assert wecom_emulator.calls("/cgi-bin/department/simplelist") == 200
    assert wecom_emulator.calls("/cgi-bin/gettoken") == 1


def test_a_revoked_token_is_refreshed_once_for_the_whole_fleet(
    redis_url: str, wecom_emulator: EmulatorControl, fleet: StartFleet
) -> None:
    workers = fleet(fleet_argv(redis_url, wecom_emulator, rounds=2))
    workers.go()
    workers.ready()  # round one is over everywhere; each process has the token cached
    assert wecom_emulator.calls("/cgi-bin/gettoken") == 1
    wecom_emulator.revoke_tokens()  # now all 200 calls of round two carry a refused token
    workers.release()
    results = workers.results()
    assert all(r["on_time"] for r in results)
    assert [r["errors"] for r in results] == [[]] * 4
    assert sum(r["ok"] for r in results) == 400
    assert wecom_emulator.calls("/cgi-bin/gettoken") == 2
def test_the_public_constructor_serves_a_client_with_a_shared_limiter(
    redis_url: str, wecom_emulator: EmulatorControl
) -> None:
    store = RedisTokenStore.from_url(redis_url)
    limiter = RedisRateLimiter.from_url(redis_url, corp_id=wecom_emulator.corp_id,
                                        per_minute=120)
    try:
        with Client(wecom_emulator.corp_id, wecom_emulator.secret,
                    base_url=wecom_emulator.base_url, token_store=store,
                    rate_limiter=limiter) as client:
            started = time.monotonic()
            for _ in range(3):  # burst of 2, then one per 60/118 s
                client.departments.simple_list()
            assert time.monotonic() - started > 0.45
        assert wecom_emulator.calls("/cgi-bin/department/simplelist") == 3
    finally:
        store.close()
        limiter.close()
