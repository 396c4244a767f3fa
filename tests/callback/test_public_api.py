"""The public surface: __all__, optional dependencies, and the command-line receiver."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

import wecom_contacts.callback as callback

from .support import CORP_ID, KEY, TOKEN, sample, signed_get, signed_post


def test_all_lists_exactly_the_public_names() -> None:
    # "@…" names come from pytest's assertion rewriting of this plugin-bearing package.
    public = {name for name in dir(callback) if not name.startswith(("_", "@"))}
    modules = {"asgi", "crypto", "errors", "events", "parsing", "replay", "safexml", "wsgi"}
    assert sorted(callback.__all__) == callback.__all__
    assert set(callback.__all__) == (public - modules - {"annotations", "TYPE_CHECKING", "Any"})
    for name in callback.__all__:
        assert getattr(callback, name) is not None


def test_the_design_names_are_public() -> None:
    for name in ("CallbackCrypto", "parse_event", "make_asgi_app", "make_wsgi_app",
                 "CreateUserEvent", "UpdateUserEvent", "DeleteUserEvent", "CreatePartyEvent",
                 "UpdatePartyEvent", "DeletePartyEvent", "UpdateTagEvent",
                 "BatchJobResultEvent", "UnknownEvent", "DedupStore", "MemoryDedupStore"):
        assert name in callback.__all__


def test_importing_the_package_does_not_need_starlette() -> None:
    code = ("import sys, wecom_contacts.callback as c; c.make_wsgi_app; "
            "assert 'starlette' not in sys.modules, 'starlette imported'; "
            "c.make_asgi_app; assert 'starlette' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.fixture
def cli_receiver() -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {**os.environ, "WECOM_CALLBACK_TOKEN": TOKEN, "WECOM_CALLBACK_AES_KEY": KEY,
           "WECOM_CORP_ID": CORP_ID}
    process = subprocess.Popen(
        [sys.executable, "-m", "wecom_contacts.callback", "--port", "0"],
        stdout=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert process.stdout is not None
        yield process, process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(10)
        if process.stdout is not None:
            process.stdout.close()


def test_the_command_line_receiver_prints_events_as_json_lines(
    cli_receiver: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = cli_receiver
    assert url.startswith("http://127.0.0.1:")
    with httpx.Client(timeout=10) as client:
        assert client.get(url, params=signed_get("hello")).text == "hello"
        signed = signed_post(sample("delete_user")[0])
        assert client.post(url, params=signed.params, content=signed.body).status_code == 200
    assert process.stdout is not None
    line = json.loads(process.stdout.readline())
    assert line["type"] == "DeleteUserEvent" and line["raw"]["UserID"] == "zhangsan"


def test_the_command_line_receiver_demands_its_secrets() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WECOM_")}
    result = subprocess.run([sys.executable, "-m", "wecom_contacts.callback"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--token" in result.stderr
