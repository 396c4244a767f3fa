"""Resuming an apply whose import job was cut off: the job's rows are looked up, not resent."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from wecom_contacts import Client
from wecom_contacts.sync import ImportJobRunner, Plan, apply_plan, make_plan, read_live
from wecom_contacts.sync.apply.journal import Journal
from wecom_contacts.testing import EmulatorControl

from .test_bulk import calls, company

RUNNER = ImportJobRunner(threshold=50, poll_interval=0.05)
APPLY_SCRIPT = """
import sys
from pathlib import Path
from wecom_contacts import Client
from wecom_contacts.sync import ImportJobRunner, Plan, apply_plan
base_url, corp_id, secret, plan_path, journal = sys.argv[1:]
plan = Plan.from_json(Path(plan_path).read_text(encoding="utf-8"))
with Client(corp_id, secret, base_url=base_url) as client:
    apply_plan(client, plan, journal, bulk=ImportJobRunner(threshold=50, poll_interval=0.05))
"""


def journal_rows(journal: Path, sql: str) -> list[tuple[object, ...]]:
    if not journal.exists():
        return []
    conn = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5)
    try:
        return list(conn.execute(sql))
    except sqlite3.OperationalError:  # tables not created yet
        return []
    finally:
        conn.close()


def test_kill_9_while_the_job_runs_then_resume_waits_for_that_job_and_sends_nothing(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    org = company(300)
    plan = make_plan(org, read_live(wecom_client))
    plan_path, journal = tmp_path / "plan.json", tmp_path / "apply.journal"
    plan_path.write_text(plan.to_json(), encoding="utf-8")
    wecom_emulator.configure(job_auto_advance=False)  # the job stays in flight
    proc = subprocess.Popen(
        [sys.executable, "-c", APPLY_SCRIPT, wecom_emulator.base_url, wecom_emulator.corp_id,
         wecom_emulator.secret, str(plan_path), str(journal)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not journal_rows(journal, "SELECT job_id FROM jobs") and proc.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    states = Counter(s for (s,) in journal_rows(journal, "SELECT status FROM steps"))
    assert states == {"done": len(plan.steps) - 300, "running": 300}
    assert calls(wecom_emulator, "batch/syncuser") == 1

    # the job finishes while the resumed apply waits for it
    finisher = threading.Timer(0.5, wecom_emulator.advance_jobs)
    finisher.start()
    report = apply_plan(wecom_client, Plan.from_json(plan_path.read_text("utf-8")), journal,
                        resume=True, bulk=RUNNER)
    finisher.join()

    assert report.ok, report.summary()
    assert (report.reconciled, report.sent, report.jobs) == (300, 0, 0)
    assert calls(wecom_emulator, "batch/syncuser") == 1
    assert calls(wecom_emulator, "user/create") == 0
    assert make_plan(org, read_live(wecom_client)).steps == []


def test_a_job_the_journal_never_heard_of_is_reconciled_against_the_live_members(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org = company(120)
    plan = make_plan(org, read_live(wecom_client))
    journal = tmp_path / "apply.journal"
    wecom_emulator.configure(job_auto_advance=False)

    def killed(self: Journal, job_id: str, step_ids: list[int]) -> None:
        raise KeyboardInterrupt  # the process dies after WeCom took the job, before the journal

    with monkeypatch.context() as patch:
        patch.setattr(Journal, "record_job", killed)
        with pytest.raises(KeyboardInterrupt):
            apply_plan(wecom_client, plan, journal, bulk=RUNNER)
    assert len(wecom_emulator.advance_jobs()) == 1
    wecom_client.users.delete("u0042")  # someone removes one of the new members meanwhile

    report = apply_plan(wecom_client, plan, journal, resume=True, bulk=RUNNER)
    assert report.ok, report.summary()
    assert (report.reconciled, report.sent, report.jobs) == (119, 1, 0)
    assert calls(wecom_emulator, "batch/syncuser") == 1
    assert calls(wecom_emulator, "user/create") == 1  # only u0042, which was not found
    assert make_plan(org, read_live(wecom_client)).steps == []


def test_a_job_refused_as_a_whole_fails_its_steps_and_resume_sends_them_as_a_job_again(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    org = company(120)
    plan = make_plan(org, read_live(wecom_client))
    journal = tmp_path / "apply.journal"
    wecom_emulator.fault("/cgi-bin/batch/syncuser", errcode=302005)
    report = apply_plan(wecom_client, plan, journal, bulk=RUNNER)
    assert report.failed == 120 and {f.errcode for f in report.failures} == {302005}

    again = apply_plan(wecom_client, plan, journal, resume=True, bulk=RUNNER)
    assert again.ok, again.summary()
    assert (again.jobs, again.job_rows, again.reconciled) == (1, 120, 0)
    assert calls(wecom_emulator, "user/create") == 0
    assert make_plan(org, read_live(wecom_client)).steps == []
