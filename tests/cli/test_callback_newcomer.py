"""The newcomer's callback path: keygen, pointing the emulator at a receiver, the printed note.

The whole walkthrough (serve, callback, a change, the event) runs in tests/docs against
docs/callbacks.md; these pin the single commands' output and refusals.
"""

from __future__ import annotations

import re

import httpx
from typer.testing import CliRunner

from wecom_contacts.callback import CallbackCrypto
from wecom_contacts.cli import app
from wecom_contacts.testing import EmulatorControl

from .conftest import Invoke


def test_keygen_prints_a_token_and_a_valid_key_as_env_lines() -> None:
    result = CliRunner().invoke(app, ["callback", "keygen"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "WECOM_CALLBACK_TOKEN", "WECOM_CALLBACK_AES_KEY",
    ]
    token, key = (line.split("=", 1)[1] for line in lines)
    assert re.fullmatch(r"[A-Za-z0-9]{32}", token)
    CallbackCrypto(token, key, receive_id="ww1")  # refuses a malformed key


def test_keygen_gives_new_values_each_time() -> None:
    first = CliRunner().invoke(app, ["callback", "keygen"]).stdout
    assert CliRunner().invoke(app, ["callback", "keygen"]).stdout != first


def test_emulator_callback_configures_the_receiver_with_echo_on(
    cli: Invoke, wecom_emulator: EmulatorControl
) -> None:
    key = "k" * 43
    result = cli("emulator", "callback", "http://127.0.0.1:9/x", "--token", "t", "--aes-key", key)
    assert result.exit_code == 0, result.output
    assert "now sends its callbacks to http://127.0.0.1:9/x" in result.stdout
    assert "Real WeCom does not call an app back" in result.stderr
    active = httpx.get(f"{wecom_emulator.base_url}/_emulator/callbacks").json()["callbacks"]
    assert [(cb["url"], cb["echo_own_changes"]) for cb in active] == [
        ("http://127.0.0.1:9/x", True)
    ]


def test_emulator_callback_refuses_a_malformed_key_in_one_line(cli: Invoke) -> None:
    result = cli("emulator", "callback", "http://127.0.0.1:9/", "--token", "t", "--aes-key", "k")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: POST /_emulator/callback refused:")


def test_emulator_callback_defaults_to_the_local_receiver_port(
    cli: Invoke,
) -> None:
    result = cli("emulator", "callback", "--token", "t", "--aes-key", "k" * 43,
                 "--no-echo-own-changes", env={"WECOM_CALLBACK_PORT": "8123"})
    assert result.exit_code == 0, result.output
    assert "to http://127.0.0.1:8123/" in result.stdout
    assert "Real WeCom" not in result.stderr


def test_emulator_callback_without_keys_says_how_to_make_them(cli: Invoke) -> None:
    result = cli("emulator", "callback", "http://127.0.0.1:9/")
    assert result.exit_code == 2
    assert "wecom-contacts callback keygen" in result.stderr


def test_emulator_commands_refuse_the_real_wecom_url() -> None:
    result = CliRunner().invoke(app, ["emulator", "flush"])
    assert result.exit_code == 2
    assert "point --base-url (or WECOM_BASE_URL) at the emulator" in result.stderr
