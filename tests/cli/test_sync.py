"""`sync plan`, `sync apply` and `export` against the emulator: JSON, prompts, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wecom_contacts.cli import sync as sync_cli
from wecom_contacts.sync import apply_plan
from wecom_contacts.sync import commands as sync_commands
from wecom_contacts.testing import EmulatorControl

from .conftest import Invoke

Json = Callable[..., Any]

ORG = """\
version: 1
departments:
- path: 总部
- path: 总部/研发中心
  name_en: R&D
- path: 总部/研发中心/平台组
users:
- userid: zhangsan
  name: 张三
  mobile: '13800000001'
  departments:
  - department: 总部/研发中心
    leader: true
- userid: lisi
  name: 李四
  mobile: '13800000002'
  departments: [总部/研发中心/平台组]
tags:
- name: 值班
  users: [lisi]
"""


@pytest.fixture
def org(tmp_path: Path) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(ORG, encoding="utf-8")
    return path


def test_plan_json_counts_changes_and_saves_the_plan(
    cli: Invoke, cli_json: Json, org: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    plan = cli_json("sync", "plan", str(org), "-o", str(saved))
    assert plan["changes"] == len(plan["steps"]) > 0
    assert {s["op"] for s in plan["steps"]} >= {"department.create", "user.create"}
    assert json.loads(saved.read_text())["steps"] == plan["steps"]

    human = cli("sync", "plan", str(org))
    assert human.exit_code == 0
    assert "+ create department 总部/研发中心" in human.stdout and "Plan:" in human.stdout


def test_apply_saved_plan_then_nothing_left_to_do(
    cli: Invoke, cli_json: Json, org: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    assert cli("sync", "plan", str(org), "-o", str(saved)).exit_code == 0
    applied = cli("sync", "apply", str(saved))  # not a terminal: no question asked
    assert applied.exit_code == 0, applied.output
    assert "steps done" in applied.stdout
    assert cli_json("users", "get", "lisi")["name"] == "李四"
    assert cli_json("sync", "plan", str(org))["changes"] == 0


def test_apply_desired_file_with_json_reports_the_outcome(cli_json: Json, org: Path) -> None:
    report = cli_json("sync", "apply", str(org), "--yes")
    assert report["ok"] is True
    assert report["changes"] == report["done"] == report["total"] > 0
    again = cli_json("sync", "apply", str(org))
    assert again == {"changes": 0, "ok": True}


@pytest.mark.parametrize(("threshold", "jobs", "creates"), [("2", 1, 0), ("0", 0, 2)])
def test_bulk_threshold_sends_member_runs_as_an_import_job_and_0_turns_it_off(
    cli_json: Json, org: Path, wecom_emulator: EmulatorControl,
    threshold: str, jobs: int, creates: int,
) -> None:
    report = cli_json("sync", "apply", str(org), "--bulk-threshold", threshold)
    assert report["ok"] is True and report["jobs"] == jobs
    assert wecom_emulator.calls("/cgi-bin/user/create") == creates
    assert wecom_emulator.calls("/cgi-bin/batch/syncuser") == jobs
    assert cli_json("sync", "plan", str(org))["changes"] == 0


def test_terminal_asks_and_a_no_applies_nothing(
    cli: Invoke, cli_json: Json, org: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_cli, "_interactive", lambda: True)
    declined = cli("sync", "apply", str(org), input="n\n")
    assert declined.exit_code == 4
    assert "Apply these changes?" in declined.stderr
    assert cli_json("users", "list") == []

    accepted = cli("sync", "apply", str(org), input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert len(cli_json("users", "list", "--fetch-child")) == 2


def test_yes_never_asks_even_on_a_terminal(
    cli: Invoke, org: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync_cli, "_interactive", lambda: True)
    result = cli("sync", "apply", str(org), "--yes")
    assert result.exit_code == 0
    assert "Apply these changes?" not in result.output


def test_drift_since_the_plan_exits_4(cli: Invoke, org: Path, tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    assert cli("sync", "plan", str(org), "-o", str(saved)).exit_code == 0
    assert cli("departments", "create", "外包").exit_code == 0
    result = cli("sync", "apply", str(saved), "--yes")
    assert result.exit_code == 4
    assert "changed since this plan" in result.stderr


def test_invalid_desired_file_is_a_usage_error_that_says_where(cli: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nusers:\n- userid: x\n  name: X\n  mobile: [1, 2]\n")
    result = cli("sync", "plan", str(bad))
    assert result.exit_code == 2
    assert "bad.yaml" in result.stderr


def test_failed_steps_exit_5_and_resume_finishes(
    cli: Invoke, cli_json: Json, org: Path, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.fault("/cgi-bin/user/create", count=1, errcode=60104)
    failed = cli("sync", "apply", str(org), "--yes")
    assert failed.exit_code == 5
    assert "errcode 60104" in failed.stdout
    assert "--resume" in failed.stderr

    resumed = cli("--json", "sync", "apply", str(org), "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.stdout)["ok"] is True
    assert cli_json("sync", "plan", str(org))["changes"] == 0


def test_export_round_trips_through_plan(
    cli: Invoke, cli_json: Json, org: Path, tmp_path: Path
) -> None:
    cli_json("sync", "apply", str(org))
    out = tmp_path / "live.yaml"
    summary = cli_json("export", "-o", str(out))
    assert summary["format"] == "yaml" and out.exists()
    assert cli_json("sync", "plan", str(out))["changes"] == 0

    as_json = cli("export", "--format", "json")
    assert {u["userid"] for u in json.loads(as_json.stdout)["users"]} == {"zhangsan", "lisi"}
    csv = cli("export", "-f", "csv")
    assert csv.exit_code == 0 and "zhangsan" in csv.stdout


def test_ctrl_c_during_apply_exits_130_and_resume_finishes(
    cli: Invoke, cli_json: Json, org: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_apply = apply_plan  # the one sync_commands imported and calls

    def interrupted_after_two_steps(*args: Any, **kwargs: Any) -> Any:
        def progress(event: Any) -> None:
            if event.completed == 2:
                raise KeyboardInterrupt

        return real_apply(*args, **{**kwargs, "progress": progress})

    monkeypatch.setattr(sync_commands, "apply_plan", interrupted_after_two_steps)
    stopped = cli("sync", "apply", str(org), "--yes")
    assert stopped.exit_code == 130
    assert "--resume" in stopped.stderr

    monkeypatch.setattr(sync_commands, "apply_plan", real_apply)
    resumed = cli_json("sync", "apply", str(org), "--resume")
    assert resumed["ok"] is True and resumed["already_done"] == 2
    assert cli_json("sync", "plan", str(org))["changes"] == 0


def test_status_reads_the_journal_of_an_apply_without_calling_wecom(
    cli: Invoke, org: Path, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    nothing = cli("sync", "status", str(org))
    assert nothing.exit_code == 2 and "no apply journal" in nothing.stderr
    wecom_emulator.fault("/cgi-bin/user/create", count=1, errcode=60104)
    assert cli("sync", "apply", str(org), "--yes").exit_code == 5
    calls = sum(wecom_emulator.stats()["calls"].values())
    unfinished = cli("sync", "status", str(org))
    assert unfinished.exit_code == 5, unfinished.output
    assert "of 6 steps done" in unfinished.stdout
    assert ("  failed   #3 user.create zhangsan: errcode 60104 (mobile already used by another "
            "member)\n") in unfinished.stdout
    as_json = json.loads(cli("--json", "sync", "status", str(org)).stdout)
    assert as_json["finished"] is False and as_json["counts"]["failed"] == 1
    assert sum(wecom_emulator.stats()["calls"].values()) == calls  # no call to WeCom
    assert cli("sync", "apply", str(org), "--resume").exit_code == 0
    done = cli("--json", "sync", "status", str(org))
    assert done.exit_code == 0 and json.loads(done.stdout)["finished"] is True
    journal = json.loads(done.stdout)["journal"]
    assert cli("sync", "status", "--journal", journal).exit_code == 0
    garbage = tmp_path / "x.journal"
    garbage.write_text("not sqlite")
    bad = cli("sync", "status", "--journal", str(garbage))
    assert bad.exit_code == 4 and "not an apply journal" in bad.stderr
