"""The request pipeline against the real emulator: tokens, retries, faults, secrecy."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from wecom_contacts import (
    AsyncClient,
    BadResponse,
    Busy,
    Client,
    ConnectionDropped,
    NotFound,
    RateLimited,
    RequestTimeout,
    RetryPolicy,
    SQLiteTokenStore,
    TokenFetchError,
)
from wecom_contacts.testing import EmulatorControl

FAST = RetryPolicy(max_attempts=4, total_timeout=10, base_delay=0.01, rate_limit_delay=0.01)
GETTOKEN = "/cgi-bin/gettoken"
CREATE = "/cgi-bin/department/create"
SIMPLELIST = "/cgi-bin/department/simplelist"


def _client(emu: EmulatorControl, **kw: object) -> Client:
    kw.setdefault("retry", FAST)
    return Client(emu.corp_id, emu.secret, base_url=emu.base_url, **kw)  # type: ignore[arg-type]


def _aclient(emu: EmulatorControl, **kw: object) -> AsyncClient:
    kw.setdefault("retry", FAST)
    return AsyncClient(emu.corp_id, emu.secret, base_url=emu.base_url, **kw)  # type: ignore[arg-type]


# The emulator counts a call when it arrives, so a call that timed out on a busy machine and
# was retried would count twice: these tests give calls all the time they need (no timeout
# can fire, so nothing is retried) and count only gettoken, the behaviour they pin.
PATIENT = {"timeout": 300.0}


def test_200_threads_on_a_cold_cache_fetch_one_token(wecom_emulator: EmulatorControl) -> None:
    with _client(wecom_emulator, **PATIENT) as client, \
            ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(lambda _: client.departments.simple_list(), range(200)))
    assert len(results) == 200 and all(r[0].id == 1 for r in results)
    assert wecom_emulator.calls(GETTOKEN) == 1


async def test_200_tasks_on_a_cold_cache_fetch_one_token(wecom_emulator: EmulatorControl) -> None:
    async with _aclient(wecom_emulator, **PATIENT) as client:
        results = await asyncio.gather(*(client.departments.simple_list() for _ in range(200)))
    assert all(r[0].id == 1 for r in results)
    assert wecom_emulator.calls(GETTOKEN) == 1


def test_revoked_token_recovers_with_one_refresh(wecom_emulator: EmulatorControl) -> None:
    with _client(wecom_emulator) as client:
        client.departments.simple_list()
        wecom_emulator.revoke_tokens()
        with ThreadPoolExecutor(max_workers=20) as pool:
            list(pool.map(lambda _: client.departments.simple_list(), range(20)))
    assert wecom_emulator.calls(GETTOKEN) == 2


async def test_revoked_token_recovers_async(wecom_emulator: EmulatorControl) -> None:
    async with _aclient(wecom_emulator) as client:
        await client.departments.simple_list()
        wecom_emulator.revoke_tokens()
        await asyncio.gather(*(client.departments.simple_list() for _ in range(20)))
    assert wecom_emulator.calls(GETTOKEN) == 2


@pytest.mark.parametrize("errcode", [-1, 45009, 45033])
def test_transient_errcodes_are_retried_until_success(
    wecom_emulator: EmulatorControl, errcode: int
) -> None:
    wecom_emulator.fault(CREATE, count=2, errcode=errcode)
    with _client(wecom_emulator) as client:
        dept_id = client.departments.create("Retried", 1)
        assert client.departments.get(dept_id).name == "Retried"
    assert wecom_emulator.calls(CREATE) == 3


def test_retries_stop_at_max_attempts(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.fault(SIMPLELIST, count=10, errcode=45009)
    with _client(wecom_emulator) as client, pytest.raises(RateLimited):
        client.departments.simple_list()
    assert wecom_emulator.calls(SIMPLELIST) == FAST.max_attempts


def test_busy_after_last_attempt_is_raised_as_busy(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.fault(SIMPLELIST, count=10, errcode=-1)
    with _client(wecom_emulator) as client, pytest.raises(Busy):
        client.departments.simple_list()


def test_not_found_is_not_retried(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.fault("/cgi-bin/department/get", count=3, errcode=60003)
    with _client(wecom_emulator) as client, pytest.raises(NotFound):
        client.departments.get(1)
    assert wecom_emulator.calls("/cgi-bin/department/get") == 1


def test_dropped_connection_on_create_is_not_resent(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.fault(CREATE, count=1, drop=True, after="after_handler")
    with _client(wecom_emulator) as client, pytest.raises(ConnectionDropped) as info:
        client.departments.create("Applied once", 1)
    assert info.value.may_have_been_applied
    assert wecom_emulator.calls(CREATE) == 1
    names = [d["name"] for d in wecom_emulator.directory()["departments"]]
    assert names.count("Applied once") == 1


async def test_dropped_connection_on_create_is_not_resent_async(
    wecom_emulator: EmulatorControl,
) -> None:
    wecom_emulator.fault(CREATE, count=1, drop=True, after="after_handler")
    async with _aclient(wecom_emulator) as client:
        with pytest.raises(ConnectionDropped):
            await client.departments.create("Applied once", 1)
    assert wecom_emulator.calls(CREATE) == 1


def test_dropped_connection_on_a_read_is_retried(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.fault(SIMPLELIST, count=1, drop=True)
    with _client(wecom_emulator) as client:
        assert client.departments.simple_list()[0].id == 1
    assert wecom_emulator.calls(SIMPLELIST) == 2


def test_timeout_on_create_is_not_resent(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.fault(CREATE, count=1, delay=1.0)
    with _client(wecom_emulator, timeout=0.3) as client, pytest.raises(RequestTimeout):
        client.departments.create("Slow", 1)
    assert wecom_emulator.calls(CREATE) == 1


def test_server_error_on_a_read_is_retried_but_not_on_create(
    wecom_emulator: EmulatorControl,
) -> None:
    wecom_emulator.fault(SIMPLELIST, count=1, http_status=500)
    wecom_emulator.fault(CREATE, count=1, http_status=500)
    with _client(wecom_emulator) as client:
        assert client.departments.simple_list()
        with pytest.raises(BadResponse) as info:
            client.departments.create("Maybe", 1)
    assert info.value.status_code == 500
    assert wecom_emulator.calls(SIMPLELIST) == 2
    assert wecom_emulator.calls(CREATE) == 1


def test_service_unavailable_is_retried_even_on_create(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.fault(CREATE, count=1, http_status=503)
    with _client(wecom_emulator) as client:
        client.departments.create("After 503", 1)
    assert wecom_emulator.calls(CREATE) == 2


def test_wrong_secret_raises_token_fetch_error_without_the_secret(
    wecom_emulator: EmulatorControl,
) -> None:
    secret = "definitely-wrong-secret-value"
    with Client(wecom_emulator.corp_id, secret, base_url=wecom_emulator.base_url) as client:
        with pytest.raises(TokenFetchError) as info:
            client.departments.simple_list()
    assert info.value.errcode == 40001
    assert secret not in str(info.value) and secret not in repr(info.value)


def test_secret_and_token_never_in_repr_logs_or_errors(
    wecom_emulator: EmulatorControl, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wecom_emulator.fault(SIMPLELIST, count=1, errcode=-1)
    with _client(wecom_emulator) as client:
        client.departments.simple_list()
        token = client.access_token()
        wecom_emulator.revoke_tokens()
        with pytest.raises(NotFound) as info:
            client.departments.get(777)
        texts = [repr(client), str(info.value), repr(info.value), caplog.text,
                 repr(client.token_store), repr(client.token_store.get(
                     next(iter(client.token_store._tokens))))]  # type: ignore[attr-defined]
    assert "retrying" in caplog.text and "fetching a token" in caplog.text
    for text in texts:
        assert wecom_emulator.secret not in text
        assert token not in text


def test_user_supplied_httpx_client_is_used_and_left_open(
    wecom_emulator: EmulatorControl,
) -> None:
    seen: list[str] = []
    http = httpx.Client(event_hooks={"request": [lambda r: seen.append(r.url.path)]})
    with _client(wecom_emulator, http_client=http) as client:
        client.departments.simple_list()
    assert seen == [GETTOKEN, SIMPLELIST]
    assert not http.is_closed
    http.close()


async def test_user_supplied_httpx_async_client(wecom_emulator: EmulatorControl) -> None:
    async with httpx.AsyncClient() as http:
        async with _aclient(wecom_emulator, http_client=http) as client:
            assert (await client.departments.simple_list())[0].id == 1
        assert not http.is_closed


def test_from_env_reads_wecom_variables(wecom_emulator: EmulatorControl) -> None:
    env = {"WECOM_CORP_ID": wecom_emulator.corp_id, "WECOM_SECRET": wecom_emulator.secret,
           "WECOM_BASE_URL": wecom_emulator.base_url}
    with Client.from_env(env) as client:
        assert client.departments.get(1).id == 1
    with pytest.raises(ValueError, match="WECOM_SECRET"):
        Client.from_env({"WECOM_CORP_ID": "x"})


def test_rate_limiter_hook_is_asked_before_every_call(wecom_emulator: EmulatorControl) -> None:
    asked: list[str] = []

    class Recorder:
        def acquire(self, path: str) -> None:
            asked.append(path)

        async def aacquire(self, path: str) -> None:
            asked.append(path)

    with _client(wecom_emulator, rate_limiter=Recorder()) as client:
        client.departments.simple_list()
        client.departments.get(1)
    assert asked == ["department/simplelist", "department/get"]


_WORKER = textwrap.dedent(
    """
    import sys
    from concurrent.futures import ThreadPoolExecutor
    from wecom_contacts import Client, SQLiteTokenStore
    base, corp, secret, path = sys.argv[1:5]
    store = SQLiteTokenStore(path)
    with Client(corp, secret, base_url=base, token_store=store) as c:
        with ThreadPoolExecutor(20) as pool:
            list(pool.map(lambda _: c.departments.simple_list(), range(40)))
    """
)


def test_two_processes_sharing_sqlite_store_fetch_one_token(
    wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    path = tmp_path / "tokens.sqlite"
    SQLiteTokenStore(path)  # create the schema before the race
    args = [sys.executable, "-c", _WORKER, wecom_emulator.base_url, wecom_emulator.corp_id,
            wecom_emulator.secret, str(path)]
    procs = [subprocess.Popen(args) for _ in range(2)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    assert wecom_emulator.calls(GETTOKEN) == 1
    assert wecom_emulator.calls(SIMPLELIST) == 80
