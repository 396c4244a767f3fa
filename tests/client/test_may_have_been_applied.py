"""`may_have_been_applied` on every failure: true exactly when the call could have taken effect."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wecom_contacts import (
    ApiError,
    AsyncClient,
    BadResponse,
    Client,
    Conflict,
    ConnectError,
    ConnectionDropped,
    NotFound,
    RequestTimeout,
    RetryPolicy,
    WeComError,
)
from wecom_contacts.cli import app
from wecom_contacts.errors import error_for
from wecom_contacts.testing import EmulatorControl

FAST = RetryPolicy(max_attempts=3, total_timeout=10, base_delay=0.01, rate_limit_delay=0.01)
CREATE = "/cgi-bin/department/create"


def _names(emu: EmulatorControl) -> list[str]:
    return [d["name"] for d in emu.directory()["departments"]]


def _client(emu: EmulatorControl) -> Client:
    return Client(emu.corp_id, emu.secret, base_url=emu.base_url, retry=FAST)


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_5xx_after_a_committed_create_says_it_may_have_been_applied(
    wecom_emulator: EmulatorControl, status: int
) -> None:
    wecom_emulator.fault(CREATE, count=1, after="after_handler", http_status=status)
    with _client(wecom_emulator) as client, pytest.raises(BadResponse) as info:
        client.departments.create("Committed", 1)
    assert info.value.may_have_been_applied is True
    assert _names(wecom_emulator).count("Committed") == 1  # it was applied, and only once


async def test_the_async_client_says_the_same_after_a_committed_create(
    wecom_emulator: EmulatorControl,
) -> None:
    wecom_emulator.fault(CREATE, count=1, after="after_handler", http_status=500)
    emu = wecom_emulator
    async with AsyncClient(emu.corp_id, emu.secret, base_url=emu.base_url, retry=FAST) as client:
        with pytest.raises(BadResponse) as info:
            await client.departments.create("Committed", 1)
    assert info.value.may_have_been_applied is True


def test_503s_until_the_attempts_run_out_say_nothing_was_applied(
    wecom_emulator: EmulatorControl,
) -> None:
    wecom_emulator.fault(CREATE, count=10, http_status=503)
    with _client(wecom_emulator) as client, pytest.raises(BadResponse) as info:
        client.departments.create("Never", 1)
    assert info.value.status_code == 503
    assert info.value.may_have_been_applied is False
    assert "Never" not in _names(wecom_emulator)


def test_a_resent_create_that_finds_itself_may_have_been_applied(
    wecom_emulator: EmulatorControl,
) -> None:
    # WeCom answered "busy" (-1) although it created the department; the resend conflicts.
    wecom_emulator.fault(CREATE, count=1, after="after_handler", errcode=-1)
    with _client(wecom_emulator) as client:
        with pytest.raises(Conflict) as info:
            client.departments.create("Twice", 1, id=77)
        with pytest.raises(NotFound) as missing:
            client.departments.get(999_999)
    assert info.value.resent and info.value.may_have_been_applied is True
    assert missing.value.may_have_been_applied is False  # a plain answer: nothing happened


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ConnectError("refused", endpoint="user/create"), False),
        (RequestTimeout("no answer", endpoint="user/create"), True),
        (ConnectionDropped("closed", endpoint="user/create"), True),
        (BadResponse("x", status_code=500, endpoint="user/create"), True),
        (BadResponse("x", status_code=200, endpoint="user/create"), True),
        (BadResponse("x", status_code=503, endpoint="user/create"), False),
        (BadResponse("x", status_code=429, endpoint="user/create"), False),
        (BadResponse("x", status_code=404, endpoint="user/create"), False),
        (error_for(60102, "exists", endpoint="user/create", resent=True), True),
        (error_for(60102, "exists", endpoint="user/create"), False),
        (error_for(40058, "bad arg", endpoint="user/create", resent=True), False),
        (WeComError("anything else"), False),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, WeComError) else str(v),
)
def test_every_error_kind_carries_may_have_been_applied(
    error: WeComError, expected: bool
) -> None:
    assert error.may_have_been_applied is expected


def test_the_flag_survives_pickling_a_resent_conflict() -> None:
    error = error_for(60102, "exists", endpoint="user/create", resent=True)
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, ApiError) and copy.may_have_been_applied is True


def test_the_cli_says_a_5xx_after_a_create_may_have_been_applied(
    wecom_emulator: EmulatorControl, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WECOM_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("WECOM_PROFILES_FILE", str(tmp_path / "profiles.toml"))
    emu = wecom_emulator
    emu.fault(CREATE, count=1, after="after_handler", http_status=502)
    result = CliRunner().invoke(app, [
        "--base-url", emu.base_url, "--corp-id", emu.corp_id, "--secret", emu.secret,
        "--json", "departments", "create", "Committed",
    ])
    error = json.loads(result.stderr)["error"]
    assert error["may_have_been_applied"] is True
    assert "look before you retry" in error["hint"]
