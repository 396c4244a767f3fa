"""--verbose / --debug / WECOM_LOG_LEVEL show each request, never a secret; shell completion."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from wecom_contacts.cli import app
from wecom_contacts.testing import EmulatorControl


def _run(emulator: EmulatorControl, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # A real process: the handler writes to the real stderr, as a user sees it.
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WECOM_")}
    environ.update(WECOM_BASE_URL=emulator.base_url, WECOM_CORP_ID=emulator.corp_id,
                   WECOM_SECRET=emulator.secret, WECOM_PROFILES_FILE=os.devnull, **env)
    return subprocess.run(
        [sys.executable, "-m", "wecom_contacts.cli", *args],
        capture_output=True, text=True, env=environ, timeout=120,
    )


def _tokens(emulator: EmulatorControl) -> list[str]:
    import httpx

    response = httpx.get(f"{emulator.base_url}/cgi-bin/gettoken",
                         params={"corpid": emulator.corp_id, "corpsecret": emulator.secret})
    return [response.json()["access_token"]]


def test_verbose_logs_each_request_with_path_errcode_and_time(
    wecom_emulator: EmulatorControl,
) -> None:
    done = _run(wecom_emulator, "--verbose", "departments", "list")
    assert done.returncode == 0, done.stderr
    assert re.search(r"INFO  wecom_contacts\.http: GET department/list -> errcode 0, \d+ ms",
                     done.stderr), done.stderr
    assert done.stdout.strip()  # the command's output is untouched on stdout
    assert "wecom_contacts.http" not in done.stdout


def test_verbose_logs_the_errcode_and_the_retry_number(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.fault("/cgi-bin/department/list", count=1, errcode=-1)
    done = _run(wecom_emulator, "-v", "departments", "list")
    assert done.returncode == 0, done.stderr
    assert "GET department/list -> errcode -1, " in done.stderr
    assert "GET department/list -> errcode 0, retry 1, " in done.stderr


def test_debug_never_prints_the_secret_or_the_token(wecom_emulator: EmulatorControl) -> None:
    done = _run(wecom_emulator, "--debug", "users", "list", "1")
    assert done.returncode == 0, done.stderr
    assert "fetching a token" in done.stderr
    assert "HTTP Request: GET" in done.stderr  # httpx's own lines are on at --debug
    assert "access_token=***" in done.stderr
    assert "corpsecret=***" in done.stderr
    assert wecom_emulator.secret not in done.stderr
    assert not re.search(r"(access_token|corpsecret)=(?!\*\*\*)", done.stderr)
    # the token in use is one the emulator hands out for this secret: it is nowhere either
    for token in _tokens(wecom_emulator):
        assert token not in done.stderr


def test_wecom_log_level_turns_the_request_lines_on(wecom_emulator: EmulatorControl) -> None:
    done = _run(wecom_emulator, "departments", "list", WECOM_LOG_LEVEL="info")
    assert "GET department/list -> errcode 0" in done.stderr
    quiet = _run(wecom_emulator, "departments", "list")
    assert "wecom_contacts.http" not in quiet.stderr


def test_a_bad_wecom_log_level_is_a_usage_error(wecom_emulator: EmulatorControl) -> None:
    done = _run(wecom_emulator, "departments", "list", WECOM_LOG_LEVEL="loud")
    assert done.returncode == 2
    assert "WECOM_LOG_LEVEL='loud': expected one of DEBUG, INFO, WARNING, ERROR" in done.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_a_script_for_the_shell(shell: str) -> None:
    result = CliRunner().invoke(app, ["--show-completion", shell])
    assert result.exit_code == 0, result.output
    assert "_WECOM_CONTACTS_COMPLETE" in result.stdout


def test_help_offers_install_completion() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "--install-completion" in result.stdout
    assert "--verbose" in result.stdout and "--debug" in result.stdout
