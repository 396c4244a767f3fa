"""The fault matrix: every injected fault ends in its documented outcome, sync and async.

Documented outcomes (docs/client.md, "Retries"): transient errcodes, 503 and connection
failures before sending are retried for every call; failures that may have been applied
(timeouts, drops, other 5xx) are retried for idempotent calls only, and a create that hits one
raises with ``may_have_been_applied`` instead of being resent. In every row, no create is applied
twice and no acknowledged write is lost: the emulator's own records are the judge.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal

from wecom_contacts import (
    AsyncClient,
    BadResponse,
    Client,
    ConnectionDropped,
    NotFound,
    RequestTimeout,
    RetryPolicy,
    WeComError,
)
from wecom_contacts.testing import EmulatorControl

from ..conftest import _Blocking

FAST = RetryPolicy(max_attempts=4, total_timeout=10, base_delay=0.01, rate_limit_delay=0.01)
CREATE = "/cgi-bin/department/create"
READ = "/cgi-bin/department/simplelist"


@pytest.fixture(params=["sync", "async"])
def fast_api(request: pytest.FixtureRequest, wecom_emulator: EmulatorControl) -> Iterator[Any]:
    kw: dict[str, Any] = {"base_url": wecom_emulator.base_url, "retry": FAST, "timeout": 0.5}
    args = (wecom_emulator.corp_id, wecom_emulator.secret)
    if request.param == "sync":
        with Client(*args, **kw) as client:
            yield client
        return
    with start_blocking_portal() as portal:
        aclient = AsyncClient(*args, **kw)
        try:
            yield _Blocking(aclient, portal)
        finally:
            portal.call(aclient.aclose)


def _copies(emu: EmulatorControl, name: str) -> int:
    return [d["name"] for d in emu.directory()["departments"]].count(name)


# (fault, when it fires relative to the handler) -> outcome of a create
CREATE_ROWS: list[tuple[dict[str, Any], str, str | type[WeComError]]] = [
    ({"errcode": -1}, "before_handler", "retried"),
    ({"errcode": 45009}, "before_handler", "retried"),
    ({"errcode": 45033}, "before_handler", "retried"),
    ({"http_status": 503}, "before_handler", "retried"),
    ({"http_status": 500}, "before_handler", BadResponse),
    ({"http_status": 502}, "after_handler", BadResponse),
    ({"delay": 1.5}, "before_handler", RequestTimeout),
    ({"drop": True}, "before_handler", ConnectionDropped),
    ({"drop": True}, "after_handler", ConnectionDropped),
]


@pytest.mark.parametrize(("fault", "when", "outcome"), CREATE_ROWS,
                         ids=[f"{next(iter(f))}-{w}" for f, w, _ in CREATE_ROWS])
def test_create_under_fault(fast_api: Any, wecom_emulator: EmulatorControl,
                            fault: dict[str, Any], when: str, outcome: Any) -> None:
    wecom_emulator.fault(CREATE, count=1, after=when, **fault)
    if outcome == "retried":
        dept_id = fast_api.departments.create("Matrix", 1)
        assert fast_api.departments.get(dept_id).name == "Matrix"
        assert wecom_emulator.calls(CREATE) == 2
        assert _copies(wecom_emulator, "Matrix") == 1  # acknowledged and applied once
        return
    with pytest.raises(outcome) as info:
        fast_api.departments.create("Matrix", 1)
    assert info.value.may_have_been_applied is True
    assert wecom_emulator.calls(CREATE) == 1  # never resent blindly
    applied = _copies(wecom_emulator, "Matrix")
    if "delay" in fault:
        # The client gave up first; whether the late request was carried out is unknowable
        # to it (here the emulator finds the client gone), but it is never carried out twice.
        assert applied <= 1
    else:
        assert applied == (1 if when == "after_handler" else 0)


READ_ROWS: list[dict[str, Any]] = [
    {"errcode": -1}, {"errcode": 45009}, {"errcode": 45033}, {"http_status": 500},
    {"http_status": 502}, {"http_status": 503}, {"delay": 1.5}, {"drop": True}]


@pytest.mark.parametrize("fault", READ_ROWS, ids=[f"{k}={v}" for r in READ_ROWS
                                                  for k, v in r.items()])
def test_read_under_fault_is_retried_to_success(fast_api: Any, wecom_emulator: EmulatorControl,
                                                fault: dict[str, Any]) -> None:
    wecom_emulator.fault(READ, count=2, **fault)
    assert [r.id for r in fast_api.departments.simple_list()] == [1]
    assert wecom_emulator.calls(READ) == 3


def test_non_retryable_errcode_is_raised_at_once(fast_api: Any,
                                                 wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.fault(READ, count=3, errcode=60003)
    with pytest.raises(NotFound):
        fast_api.departments.simple_list()
    assert wecom_emulator.calls(READ) == 1


def test_persistent_fault_gives_up_after_max_attempts(fast_api: Any,
                                                      wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.fault(READ, count=50, http_status=500)
    with pytest.raises(BadResponse):
        fast_api.departments.simple_list()
    assert wecom_emulator.calls(READ) == FAST.max_attempts


async def test_token_revoked_while_100_calls_are_in_flight(
    wecom_emulator: EmulatorControl,
) -> None:
    async with AsyncClient(wecom_emulator.corp_id, wecom_emulator.secret,
                           base_url=wecom_emulator.base_url, retry=FAST) as client:
        await client.departments.simple_list()
        # Slow the reads down so that the revocation lands while they are in flight.
        wecom_emulator.fault(READ, count=100, delay=0.3)
        calls = [asyncio.create_task(client.departments.simple_list()) for _ in range(100)]
        await asyncio.sleep(0.1)
        await asyncio.to_thread(wecom_emulator.revoke_tokens)
        results = await asyncio.gather(*calls, return_exceptions=True)
    errors = [r for r in results if isinstance(r, WeComError)]
    assert errors == []
    assert wecom_emulator.calls("/cgi-bin/gettoken") <= 2


def test_writes_acknowledged_under_mixed_faults_are_all_present_once(
    fast_api: Any, wecom_emulator: EmulatorControl
) -> None:
    for i, fault in enumerate([{"errcode": -1}, {"errcode": 45009}, {"http_status": 503}]):
        wecom_emulator.fault(CREATE, count=1, **fault)
        fast_api.departments.create(f"Mixed {i}", 1)
    names = [d["name"] for d in wecom_emulator.directory()["departments"]]
    assert sorted(n for n in names if n.startswith("Mixed")) == ["Mixed 0", "Mixed 1", "Mixed 2"]
