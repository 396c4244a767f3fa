"""Frequency limits (45009), the concurrency cap (45033) and debug mode."""

from __future__ import annotations

import threading
import time

import httpx

from .support import Api, Control


def test_calls_over_a_window_are_45009_for_that_api_until_the_window_passes(
    api: Api, control: Control
) -> None:
    control.config(rate_limits=[{"seconds": 60, "limit": 3}])
    for _ in range(3):
        assert api.get("department/list")["errcode"] == 0
    assert api.get("department/list")["errcode"] == 45009
    assert api.get("department/simplelist")["errcode"] == 0  # counted per API
    control.post("clock", {"advance": 59})
    assert api.get("department/list")["errcode"] == 45009  # blocked for the whole window
    control.post("clock", {"advance": 2})
    assert api.get("department/list")["errcode"] == 0


def test_default_limits_let_thousands_of_calls_a_minute_through(api: Api) -> None:
    codes = {api.get("department/simplelist")["errcode"] for _ in range(1500)}
    assert codes == {0}


def test_debug_mode_is_limited_to_5_calls_a_minute(api: Api) -> None:
    codes = [api.get("department/list", debug=1)["errcode"] for _ in range(6)]
    assert codes == [0, 0, 0, 0, 0, 45009]


def test_concurrent_calls_over_the_cap_are_45033(api: Api, control: Control) -> None:
    control.config(concurrency_limit=1)
    control.fault(path="/cgi-bin/department/list", delay=1.0)
    token = api.token
    results: list[int] = []

    def slow_call() -> None:
        with httpx.Client(base_url=str(api.http.base_url)) as other:
            r = other.get("/cgi-bin/department/list", params={"access_token": token})
            results.append(r.json()["errcode"])

    worker = threading.Thread(target=slow_call)
    worker.start()
    deadline = time.monotonic() + 5
    while not control.get("stats")["faults"] and time.monotonic() < deadline:
        time.sleep(0.01)  # until the slow call is in flight
    assert api.get("department/list")["errcode"] == 45033
    worker.join()
    assert results == [0]
    assert api.get("department/list")["errcode"] == 0
