"""The fixtures' in-process transport behaves as the emulator does over HTTP: faults, timeouts,
the disconnect a slow call ends in, and the same state as the server on base_url."""

from __future__ import annotations

import httpx
import pytest

from wecom_contacts import AsyncClient, Client, ConnectionDropped, RequestTimeout, RetryPolicy
from wecom_contacts.emulator import EmulatorServer
from wecom_contacts.emulator.inprocess import AsyncEmulatorTransport, EmulatorTransport, LoopThread
from wecom_contacts.testing import EmulatorControl

FAST = RetryPolicy(max_attempts=4, total_timeout=10, base_delay=0.01, rate_limit_delay=0.01)
CREATE = "/cgi-bin/department/create"
SIMPLELIST = "/cgi-bin/department/simplelist"


def test_a_department_made_in_process_is_seen_over_http(
    wecom_client: Client, wecom_emulator: EmulatorControl
) -> None:
    new_id = wecom_client.departments.create("在进程内", 1)
    with Client(wecom_emulator.corp_id, wecom_emulator.secret,
                base_url=wecom_emulator.base_url) as over_http:
        assert over_http.departments.get(new_id).name == "在进程内"


def test_a_dropped_create_in_process_is_reported_and_not_resent(
    wecom_emulator_server: EmulatorServer, wecom_emulator: EmulatorControl,
) -> None:
    wecom_emulator.fault(CREATE, count=1, drop=True, after="after_handler")
    assert wecom_emulator_server.app is not None
    with LoopThread() as loop, httpx.Client(
        transport=EmulatorTransport(wecom_emulator_server.app, loop)
    ) as http, Client(wecom_emulator.corp_id, wecom_emulator.secret, retry=FAST,
                      base_url=wecom_emulator.base_url, http_client=http) as client:
        with pytest.raises(ConnectionDropped) as info:
            client.departments.create("Applied once", 1)
    assert info.value.may_have_been_applied
    names = [d["name"] for d in wecom_emulator.directory()["departments"]]
    assert names.count("Applied once") == 1


def test_a_dropped_read_in_process_is_retried(
    wecom_client: Client, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.fault(SIMPLELIST, count=1, drop=True)
    assert wecom_client.departments.simple_list()[0].id == 1
    assert wecom_emulator.calls(SIMPLELIST) == 2


async def test_a_slow_create_in_process_times_out_and_the_emulator_sees_the_caller_gone(
    wecom_emulator_server: EmulatorServer, wecom_emulator: EmulatorControl,
) -> None:
    wecom_emulator.fault(CREATE, count=1, delay=0.5)
    assert wecom_emulator_server.app is not None
    async with httpx.AsyncClient(
        transport=AsyncEmulatorTransport(wecom_emulator_server.app)
    ) as http:
        async with AsyncClient(wecom_emulator.corp_id, wecom_emulator.secret, timeout=0.1,
                               retry=FAST, base_url=wecom_emulator.base_url,
                               http_client=http) as client:
            with pytest.raises(RequestTimeout):
                await client.departments.create("Slow", 1)
    # closing waited for the call the client gave up on: it found nobody to answer
    assert wecom_emulator.stats()["disconnects"] == {CREATE: 1}
    assert "Slow" not in [d["name"] for d in wecom_emulator.directory()["departments"]]


async def test_the_async_fixture_client_reads_in_process(
    wecom_async_client: AsyncClient,
) -> None:
    assert (await wecom_async_client.departments.list())[0].id == 1


@pytest.mark.wecom_emulator(transport="http")
def test_transport_http_still_serves_the_fixtures(
    wecom_client: Client, wecom_emulator: EmulatorControl
) -> None:
    assert wecom_client.departments.list()[0].id == 1
    assert wecom_emulator.calls("/cgi-bin/department/list") == 1
