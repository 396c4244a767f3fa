"""gettoken is retried by the same rule as every call: faults injected in the emulator."""

from __future__ import annotations

import pytest

from wecom_contacts import (
    AsyncClient,
    Client,
    DepartmentRef,
    PermissionDenied,
    RetryPolicy,
    TokenFetchError,
)
from wecom_contacts.testing import EmulatorControl

FAST = RetryPolicy(max_attempts=4, total_timeout=10, base_delay=0.01, rate_limit_delay=0.01)
GETTOKEN = "/cgi-bin/gettoken"
CREATE = "/cgi-bin/department/create"
SIMPLELIST = "/cgi-bin/department/simplelist"


def _client(emu: EmulatorControl) -> Client:
    return Client(emu.corp_id, emu.secret, base_url=emu.base_url, retry=FAST)


def test_system_busy_on_gettoken_is_retried_before_a_create(
    wecom_emulator: EmulatorControl,
) -> None:
    wecom_emulator.fault(GETTOKEN, count=1, errcode=-1)
    with _client(wecom_emulator) as client:
        new_id = client.departments.create("After a busy gettoken", 1)
    assert any(d.id == new_id for d in departments_of(wecom_emulator))


async def test_system_busy_on_gettoken_is_retried_async(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.fault(GETTOKEN, count=1, errcode=-1)
    async with AsyncClient(
        wecom_emulator.corp_id, wecom_emulator.secret, base_url=wecom_emulator.base_url,
        retry=FAST,
    ) as client:
        assert (await client.departments.simple_list())[0].id == 1


def test_a_dropped_gettoken_is_resent_even_when_the_call_is_a_create(
    wecom_emulator: EmulatorControl,
) -> None:
    # gettoken is idempotent: losing its answer never made the create unsafe to send
    wecom_emulator.fault(GETTOKEN, count=1, drop=True, after="after_handler")
    with _client(wecom_emulator) as client:
        new_id = client.departments.create("After a dropped gettoken", 1)
    assert any(d.id == new_id for d in departments_of(wecom_emulator))


def test_gettoken_busy_past_the_last_attempt_raises_token_fetch_error(
    wecom_emulator: EmulatorControl,
) -> None:
    wecom_emulator.fault(GETTOKEN, count=FAST.max_attempts, errcode=-1)
    with _client(wecom_emulator) as client, pytest.raises(TokenFetchError) as info:
        client.departments.simple_list()
    assert info.value.errcode == -1


def test_invalid_secret_on_gettoken_is_never_retried(wecom_emulator: EmulatorControl) -> None:
    # one injected 40001: a retry would get a token and the call would succeed
    wecom_emulator.fault(GETTOKEN, count=1, errcode=40001)
    with _client(wecom_emulator) as client, pytest.raises(TokenFetchError) as info:
        client.departments.simple_list()
    assert info.value.errcode == 40001


def test_40001_on_a_business_call_refreshes_the_token_and_resends_once(
    wecom_emulator: EmulatorControl,
) -> None:
    with _client(wecom_emulator) as client:
        client.departments.simple_list()
        wecom_emulator.fault(SIMPLELIST, count=1, errcode=40001)  # a secret reset, as seen
        assert client.departments.simple_list()[0].id == 1
        wecom_emulator.fault(SIMPLELIST, count=2, errcode=40001)  # still refused: not twice
        with pytest.raises(PermissionDenied) as info:
            client.departments.simple_list()
    assert info.value.errcode == 40001


def departments_of(emu: EmulatorControl) -> list[DepartmentRef]:
    with Client(emu.corp_id, emu.secret, base_url=emu.base_url) as reader:
        return list(reader.departments.simple_list())
