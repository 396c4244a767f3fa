"""Global settings (flags > env > profile) and the exit codes of every kind of failure."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import typer
from typer.testing import CliRunner

from wecom_contacts.cli import app
from wecom_contacts.cli._errors import EXIT_INTERRUPTED, ErrorMappingGroup
from wecom_contacts.testing import EmulatorControl

from .conftest import Invoke

runner = CliRunner()


def _profile(path: Path, name: str = "default", **values: str) -> None:
    body = "\n".join(f'{key} = "{value}"' for key, value in values.items())
    with path.open("a", encoding="utf-8") as f:
        f.write(f"[{name}]\n{body}\n\n")


def _settings(emu: EmulatorControl) -> dict[str, str]:
    return {"base_url": emu.base_url, "corp_id": emu.corp_id, "secret": emu.secret}


def test_profile_file_supplies_the_settings(
    wecom_emulator: EmulatorControl, isolated_settings: Path
) -> None:
    _profile(isolated_settings, **_settings(wecom_emulator))
    isolated_settings.chmod(0o644)
    result = runner.invoke(app, ["--json", "departments", "list"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["id"] == 1
    assert "chmod 600" in result.stderr  # a secret others can read is pointed out

    isolated_settings.chmod(0o600)
    assert runner.invoke(app, ["tags", "list"]).stderr == ""


def test_named_profile_from_flag_or_env(
    wecom_emulator: EmulatorControl, isolated_settings: Path
) -> None:
    _profile(isolated_settings, "emu", **_settings(wecom_emulator))
    assert runner.invoke(app, ["--profile", "emu", "tags", "list"]).exit_code == 0
    assert runner.invoke(app, ["tags", "list"], env={"WECOM_PROFILE": "emu"}).exit_code == 0
    missing = runner.invoke(app, ["--profile", "nope", "tags", "list"])
    assert missing.exit_code == 2
    assert "nope" in missing.stderr


def test_env_beats_profile_and_flags_beat_env(
    wecom_emulator: EmulatorControl, isolated_settings: Path
) -> None:
    _profile(isolated_settings, **{**_settings(wecom_emulator), "secret": "wrong-in-profile"})
    env = {"WECOM_SECRET": wecom_emulator.secret, "WECOM_BASE_URL": "http://127.0.0.1:9"}
    ok = runner.invoke(app, ["--base-url", wecom_emulator.base_url, "tags", "list"], env=env)
    assert ok.exit_code == 0, ok.output


def test_wrong_secret_exits_1_and_never_prints_the_secret(
    wecom_emulator: EmulatorControl,
) -> None:
    secret = "s3cr3t-value-never-shown"
    args = ["--base-url", wecom_emulator.base_url, "--corp-id", wecom_emulator.corp_id]
    result = runner.invoke(app, [*args, "--secret", secret, "departments", "list"])
    assert result.exit_code == 1
    assert "errcode" in result.stderr and "Hint:" in result.stderr
    assert secret not in result.output


def test_missing_credentials_is_a_usage_error() -> None:
    result = runner.invoke(app, ["departments", "list"])
    assert result.exit_code == 2
    assert "--corp-id" in result.stderr and "--secret" in result.stderr


def test_bad_option_is_a_usage_error(cli: Invoke) -> None:
    assert cli("departments", "get", "not-a-number").exit_code == 2
    assert cli("departments", "frobnicate").exit_code == 2


def test_unreachable_server_exits_3_with_a_hint() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = ["--base-url", f"http://127.0.0.1:{port}", "--corp-id", "ww1", "--secret", "x"]
    result = runner.invoke(app, [*args, "--json", "tags", "list"])
    assert result.exit_code == 3
    error = json.loads(result.stderr)["error"]
    assert error["type"] == "ConnectError" and "--base-url" in error["hint"]


def test_interrupt_exits_130() -> None:
    demo = typer.Typer(cls=ErrorMappingGroup)

    @demo.command()
    def slow() -> None:
        raise KeyboardInterrupt

    @demo.command()
    def other() -> None:
        """Keeps the app a group."""

    assert runner.invoke(demo, ["slow"]).exit_code == EXIT_INTERRUPTED
