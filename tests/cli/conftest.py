"""CLI test fixtures: run `wecom-contacts` in-process against the real emulator."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from wecom_contacts.cli import app
from wecom_contacts.testing import EmulatorControl

Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No WECOM_* variable or profile file of the machine leaks into a test."""
    for name in ("WECOM_BASE_URL", "WECOM_CORP_ID", "WECOM_SECRET", "WECOM_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    profiles = tmp_path / "profiles.toml"
    monkeypatch.setenv("WECOM_PROFILES_FILE", str(profiles))
    monkeypatch.setenv("WECOM_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("COLUMNS", "200")
    return profiles


@pytest.fixture
def connection(wecom_emulator: EmulatorControl) -> list[str]:
    """The global flags that point the CLI at the test emulator."""
    return [
        "--base-url",
        wecom_emulator.base_url,
        "--corp-id",
        wecom_emulator.corp_id,
        "--secret",
        wecom_emulator.secret,
    ]


@pytest.fixture
def cli(connection: list[str]) -> Iterator[Invoke]:
    """``cli("departments", "list")`` runs the command against the emulator."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, [*connection, *args], input=input, env=env)

    yield invoke


@pytest.fixture
def cli_json(cli: Invoke) -> Callable[..., Any]:
    """Run a command with --json, assert it succeeded, and return the parsed stdout."""

    def invoke(*args: str) -> Any:
        result = cli("--json", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke
