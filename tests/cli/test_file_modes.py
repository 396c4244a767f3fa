"""Every file the CLI writes with members' data is 0600, in 0700 directories it makes, whatever
the umask: saved plans, the apply's plan and journal, exports, an emulator database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from wecom_contacts.emulator import EmulatorConfig, EmulatorServer

from .conftest import Invoke

ORG = """\
departments: [{path: 总部}, {path: 总部/研发}]
users:
- {userid: zhangsan, name: 张三, mobile: '13800000001', departments: [总部/研发]}
"""


def mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def org(tmp_path: Path) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(ORG, encoding="utf-8")
    return path


def test_a_saved_plan_and_an_export_are_private(cli: Invoke, org: Path, tmp_path: Path) -> None:
    plan = tmp_path / "out" / "plan.json"
    assert cli("sync", "plan", str(org), "-o", str(plan)).exit_code == 0
    for fmt in ("yaml", "json"):
        exported = tmp_path / f"export.{fmt}"
        assert cli("export", "-o", str(exported)).exit_code == 0
        assert mode(exported) == "0o600"
    assert (mode(plan), mode(plan.parent)) == ("0o600", "0o700")


def test_the_apply_state_directory_plan_and_journal_are_private(
    cli: Invoke, org: Path, tmp_path: Path
) -> None:
    result = cli("--json", "sync", "apply", "--yes", str(org))
    assert result.exit_code == 0, result.stderr
    state = tmp_path / "state"
    assert mode(state) == "0o700"
    files = {p.name: mode(p) for p in state.iterdir()}
    assert any(n.endswith(".journal") for n in files)
    assert any(n.endswith(".plan.json") for n in files)
    assert set(files.values()) == {"0o600"}, files


def test_an_emulator_database_file_is_private(tmp_path: Path) -> None:
    db = tmp_path / "emu" / "directory.sqlite"
    with EmulatorServer(EmulatorConfig(db_path=str(db))):
        pass
    assert (mode(db), mode(db.parent)) == ("0o600", "0o700")
