"""A kill -9 in the middle of a 2,000-step apply (one call per step): resume finishes, every
step sent once. The import-job path has its own resume tests (test_bulk_resume.py)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from wecom_contacts import Client
from wecom_contacts.sync import DesiredDirectory, Plan, apply_plan, make_plan, read_live
from wecom_contacts.testing import EmulatorControl

from .conftest import desired
from .test_apply import desired_facts, directory_facts

ENDPOINT = {
    "department.create": "/cgi-bin/department/create",
    "user.create": "/cgi-bin/user/create",
    "tag.create": "/cgi-bin/tag/create",
    "tag.add_members": "/cgi-bin/tag/addtagusers",
}

APPLY_SCRIPT = """
import sys
from pathlib import Path
from wecom_contacts import Client
from wecom_contacts.sync import Plan, apply_plan
base_url, corp_id, secret, plan_path, journal = sys.argv[1:]
plan = Plan.from_json(Path(plan_path).read_text(encoding="utf-8"))
with Client(corp_id, secret, base_url=base_url) as client:
    apply_plan(client, plan, journal, bulk=None)
"""


def big_company(departments: int = 40, users: int = 1940) -> DesiredDirectory:
    lines = ["departments:", "  - path: 总部"]
    paths = []
    for d in range(departments):
        path = f"总部/事业部{d // 8}" + (f"/小组{d}" if d % 8 else "")
        paths.append(path)
        lines.append(f"  - path: {path}")
    lines.append("users:")
    for u in range(users):
        dept = paths[u % len(paths)]
        lines.append(f"  - {{userid: u{u:04d}, name: 员工{u}, departments: [{dept}],"
                     f" mobile: '139{u:08d}', position: 职位{u % 7}}}")
    lines += ["tags:", "  - {name: 全员, users: [" + ", ".join(f"u{u:04d}" for u in range(1500))
              + "]}", f"  - {{name: 事业部, departments: [{paths[0]}]}}"]
    return desired("\n".join(lines) + "\n")


def done_count(journal: Path) -> int:
    if not journal.exists():
        return 0
    conn = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM steps WHERE status = 'done'").fetchone()[0])
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    finally:
        conn.close()


def stuck_step(journal: Path) -> bool:
    """A step has been "running" for half a second."""
    conn = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute("SELECT MIN(started_at) FROM steps WHERE status = 'running'").fetchone()
    finally:
        conn.close()
    return row[0] is not None and time.time() - row[0] > 0.5


def test_resume_after_kill_9_finishes_without_repeating_or_losing_a_step(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    company = big_company()
    plan = make_plan(company, read_live(wecom_client))
    assert 1950 <= len(plan.steps) <= 2050
    plan_path, journal = tmp_path / "plan.json", tmp_path / "apply.journal"
    plan_path.write_text(plan.to_json(), encoding="utf-8")
    stderr = (tmp_path / "stderr.txt").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-c", APPLY_SCRIPT, wecom_emulator.base_url, wecom_emulator.corp_id,
         wecom_emulator.secret, str(plan_path), str(journal)],
        stdout=subprocess.DEVNULL, stderr=stderr,
    )
    deadline = time.monotonic() + 60
    while done_count(journal) < 700 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    # the next create is carried out but its answer held back: the kill lands while the
    # step is journaled "running" and WeCom already has the member
    wecom_emulator.fault("/cgi-bin/user/create", delay=3.0, after="after_handler")
    while not stuck_step(journal) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stderr.close()
    assert proc.returncode == -signal.SIGKILL, (tmp_path / "stderr.txt").read_text()
    time.sleep(0.2)  # a request that left before the kill is finished by the server
    conn = sqlite3.connect(journal)
    states = Counter(s for (s,) in conn.execute("SELECT status FROM steps"))
    conn.close()
    assert 700 <= states["done"] < len(plan.steps)
    assert states["running"] == 1  # never more than one step in flight

    report = apply_plan(wecom_client, Plan.from_json(plan_path.read_text("utf-8")), journal,
                        resume=True, bulk=None)

    assert report.ok, report.summary()
    assert report.already_done == states["done"]
    assert report.reconciled == 1  # the running create was found done, not sent again
    writes = wecom_emulator.stats()["writes"]
    per_op = Counter(s.op for s in plan.steps)
    for op, path in ENDPOINT.items():
        assert writes.get(path, 0) == per_op[op], op
    assert sum(writes.values()) == len(plan.steps)
    assert directory_facts(wecom_emulator.directory()) == desired_facts(company)
    assert make_plan(company, read_live(wecom_client)).steps == []
