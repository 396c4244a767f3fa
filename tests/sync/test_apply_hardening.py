"""apply_plan under hostile conditions: a 5xx after a committed write, a second apply of the
same journal, a permissive umask."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from wecom_contacts import Client
from wecom_contacts._runlock import RunLockedError
from wecom_contacts.sync import apply_plan, make_plan, read_live
from wecom_contacts.testing import EmulatorControl

from .conftest import desired

SMALL = """
departments: [{path: 总部}, {path: 总部/新部门}]
users:
  - {userid: inside, name: 甲, departments: [总部/新部门], mobile: "13800000001"}
  - {userid: root.user, name: 乙, departments: [总部], mobile: "13800000002"}
"""


@pytest.mark.parametrize("path", ["/cgi-bin/user/create", "/cgi-bin/department/create"])
@pytest.mark.parametrize("status", [500, 502])
def test_a_write_answered_with_a_5xx_after_it_was_applied_is_reconciled_not_failed(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path, path: str,
    status: int,
) -> None:
    plan = make_plan(desired(SMALL), read_live(wecom_client))
    wecom_emulator.fault(path, http_status=status, after="after_handler")
    report = apply_plan(wecom_client, plan, tmp_path / "apply.journal")
    assert report.ok and report.reconciled == 1 and report.failures == []
    assert wecom_emulator.stats()["writes"][path] == (2 if path.endswith("user/create") else 1)
    users = sorted(u["userid"] for u in wecom_emulator.directory()["users"])
    assert "inside" in users and "root.user" in users


HOLD = textwrap.dedent("""
    import sys, time
    from wecom_contacts._runlock import journal_lock
    journal_lock(sys.argv[1], what="corp other").acquire()
    print("held", flush=True)
    time.sleep(600)
""")


@pytest.fixture
def held_journal(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    journal = tmp_path / "apply.journal"
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(journal)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield journal, proc.pid
    finally:
        proc.kill()
        proc.wait(30)
        assert proc.stdout is not None
        proc.stdout.close()


def test_apply_plan_refuses_a_journal_another_process_is_applying_and_sends_nothing(
    wecom_client: Client, wecom_emulator: EmulatorControl, held_journal: tuple[Path, int],
) -> None:
    journal, pid = held_journal
    plan = make_plan(desired(SMALL), read_live(wecom_client))
    calls = wecom_emulator.stats()["calls"]
    with pytest.raises(RunLockedError, match=f"process {pid} on .*corp other"):
        apply_plan(wecom_client, plan, journal, check=False)
    assert wecom_emulator.stats()["calls"] == calls
    assert not journal.exists()


def test_the_journal_and_its_side_files_are_private_whatever_the_umask(
    wecom_client: Client, tmp_path: Path,
) -> None:
    plan = make_plan(desired(SMALL), read_live(wecom_client))
    old = os.umask(0)
    try:
        apply_plan(wecom_client, plan, tmp_path / "state" / "apply.journal")
    finally:
        os.umask(old)
    made = sorted((tmp_path / "state").iterdir())
    assert {p.name for p in made} >= {"apply.journal", "apply.journal.lock"}
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in made} == \
        {p.name: "0o600" for p in made}
    assert oct((tmp_path / "state").stat().st_mode & 0o777) == "0o700"
