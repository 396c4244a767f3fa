"""A caller that gives up while a delay fault holds its call is counted, not logged as a crash."""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from wecom_contacts.emulator import EmulatorServer

from .support import Api, Control


def test_a_caller_gone_before_its_body_was_read_is_counted_quietly(
    emulator: EmulatorServer, api: Api, control: Control, caplog: pytest.LogCaptureFixture
) -> None:
    token = api.token
    control.fault(path="/cgi-bin/department/create", delay=0.4)
    with caplog.at_level(logging.DEBUG), pytest.raises(httpx.TimeoutException):
        httpx.post(f"{emulator.base_url}/cgi-bin/department/create",
                   params={"access_token": token}, json={"name": "x", "parentid": 1},
                   timeout=0.1)
    deadline = time.monotonic() + 5
    while not control.get("stats")["disconnects"]:
        assert time.monotonic() < deadline, "the disconnect was not counted"
        time.sleep(0.02)
    assert control.get("stats")["disconnects"] == {"/cgi-bin/department/create": 1}
    assert [r for r in caplog.records if r.exc_info] == []
    assert [d["name"] for d in api.ok("GET", "department/list")["department"]] == ["总部"]
