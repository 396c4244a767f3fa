"""The pytest plugin explains itself (`pytest --fixtures`), and the example project passes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "pytest-project"


def test_pytest_fixtures_shows_each_fixture_with_its_docstring(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures", "-p", "no:asyncio")
    text = result.stdout.str()
    expected = {
        "wecom_emulator_server": "The running emulator",
        "wecom_emulator": "The emulator's control API",
        "wecom_callbacks": "The emulator's callbacks, decrypted into typed events",
        "wecom_client": "A ``Client`` with the contacts-sync secret",
        "wecom_async_client": "An ``AsyncClient`` like ``wecom_client``",
    }
    for name, first_words in expected.items():
        heading = next(
            (i for i, line in enumerate(text.splitlines()) if line.startswith(f"{name} ")), None
        )
        assert heading is not None, f"{name} not listed:\n{text}"
        assert first_words in text.splitlines()[heading + 1], name
    assert "no docstring available" not in text.split("wecom_contacts")[-1]


def test_the_example_project_passes_as_a_user_would_run_it(tmp_path: Path) -> None:
    project = tmp_path / "my-sync-tests"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__"))
    # A user's environment: wecom-contacts and pytest, no pytest-asyncio.
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:asyncio", "-p", "no:randomly"],
        cwd=project, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout
