"""The CLI in process against the emulator, with settings isolated in the test's folder: shared
by the tests that drive whole sync jobs through `wecom-contacts` (sources, LDAP / SQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from wecom_contacts.cli import app
from wecom_contacts.testing import EmulatorControl


@pytest.fixture
def run(wecom_emulator: EmulatorControl, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``run(*args)``: `wecom-contacts *args` against the emulator; returns the Result."""
    for name in ("WECOM_BASE_URL", "WECOM_CORP_ID", "WECOM_SECRET", "WECOM_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WECOM_PROFILES_FILE", str(tmp_path / "profiles.toml"))
    monkeypatch.setenv("WECOM_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("COLUMNS", "200")
    flags = ["--base-url", wecom_emulator.base_url, "--corp-id", wecom_emulator.corp_id,
             "--secret", wecom_emulator.secret]
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, [*flags, *args])

    yield invoke


def json_of(result: Result) -> Any:
    """The JSON a successful `--json` command printed."""
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
