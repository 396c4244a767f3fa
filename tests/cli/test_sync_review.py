"""`sync plan` as a reviewer reads it, caps at apply time, and an idempotent re-apply."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from wecom_contacts.testing import EmulatorControl

from ._schema_check import violations
from .conftest import Invoke

Json = Callable[..., Any]
SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "plan-review-v1.schema.json"

LIVE = {
    "departments": [{"id": 2, "name": "研发中心", "parentid": 1},
                    {"id": 3, "name": "市场部", "parentid": 1},
                    {"id": 4, "name": "旧部门", "parentid": 1}],
    "users": [
        {"userid": "zhangsan", "name": "张三", "department": [2, 3], "main_department": 2,
         "mobile": "13800000001", "gender": "1"},
        {"userid": "leaver", "name": "离职者", "department": [4], "mobile": "13800000009"},
        {"userid": "mover", "name": "调岗者", "department": [2], "mobile": "13800000003"},
    ],
}

DESIRED = """\
departments:
- path: 总部
- path: 总部/研发中心
- path: 总部/市场部
users:
- {userid: zhangsan, name: 张三, mobile: '13800000001', gender: 女,
   departments: [总部/研发中心, 总部/市场部], main_department: 总部/市场部}
- {userid: mover, name: 调岗者, mobile: '13800000003', departments: [总部/市场部]}
- {userid: newbie, name: 新人, mobile: '13800000009', position: 工程师,
   departments: [总部/研发中心]}
"""


@pytest.fixture
def org(tmp_path: Path, wecom_emulator: EmulatorControl) -> Path:
    wecom_emulator.seed(LIVE)
    path = tmp_path / "org.yaml"
    path.write_text(DESIRED, encoding="utf-8")
    return path


def test_plan_shows_summary_then_risky_changes_by_name_with_human_values(
    cli: Invoke, org: Path
) -> None:
    result = cli("sync", "plan", str(org))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Plan: 5 change(s) — 1 create, 1 update, 1 move, 0 disable, 2 delete")
    assert "总部/研发中心: 1 create, 1 update" in out
    risky = out.split("Risky changes (4)")[1].split("\n\n")[0]
    assert "- delete member 离职者 (leaver)" in risky
    assert "member delete, mobile hand-off" in risky
    assert "+ create member 新人 (newbie)" in risky and "[mobile hand-off]" in risky
    assert "[main department change]" in risky
    assert "gender (性别): 男 (male) → 女 (female)" in risky
    assert "main_department (主部门): 总部/研发中心 → 总部/市场部" in risky
    assert "- delete department 总部/旧部门   [department delete]" in risky
    moved = out.split("Members to move (1):")[1]
    assert "> move member 调岗者 (mover)" in moved
    assert "departments (部门): 总部/研发中心 → 总部/市场部" in moved
    assert out.index("Plan:") < out.index("Risky changes") < out.index("Members to move")


def test_detail_shows_every_field_of_a_new_member(cli: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    path.write_text("users:\n- {userid: a1, name: 甲, mobile: '13900000001', position: 经理,"
                    " gender: 男, departments: [总部]}\n", encoding="utf-8")
    brief = cli("sync", "plan", str(path))
    detail = cli("sync", "plan", str(path), "--detail")
    assert "position (职务)" not in brief.stdout and "departments (部门): 总部" in brief.stdout
    assert "position (职务): 经理" in detail.stdout
    assert "gender (性别): 男 (male)" in detail.stdout
    assert "mobile (手机): 13900000001" in detail.stdout


def test_plan_json_review_follows_the_documented_schema(cli_json: Json, org: Path) -> None:
    planned = cli_json("sync", "plan", str(org))
    review = planned["review"]
    assert violations(review, json.loads(SCHEMA.read_text(encoding="utf-8"))) == []
    assert review["summary"]["by_kind"] == {"create": 1, "update": 1, "move": 1, "disable": 0,
                                            "delete": 2}
    assert review["summary"]["api_calls"] == planned["changes"] == len(planned["steps"])
    titles = {i["title"]: i["risks"] for i in review["risky"]}
    assert titles["离职者 (leaver)"] == ["member delete", "mobile hand-off"]
    assert planned["caps"]["capped"] is False


def test_the_schema_checker_reports_a_broken_review() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    found = violations({"format": "wecom-contacts-review", "version": 2}, schema)
    assert "/version: 2 != 1" in found and ": missing 'summary'" in found


def test_a_capped_plan_is_shown_and_apply_refuses_it_naming_the_cap_and_flag(
    cli: Invoke, cli_json: Json, org: Path, tmp_path: Path, wecom_emulator: EmulatorControl
) -> None:
    shown = cli("sync", "plan", str(org), "--max-deletes", "0", "-o", str(tmp_path / "p.json"))
    assert shown.exit_code == 0, shown.output
    assert "caps: the plan may not be applied: 1 member deletes exceed the cap of 0" in (
        shown.stdout)
    refused = cli("sync", "apply", str(tmp_path / "p.json"), "--yes")
    assert refused.exit_code == 4
    assert "--allow-deletes" in refused.stderr and "--max-deletes 1" in refused.stderr
    users = {u["userid"] for u in wecom_emulator.directory()["users"]}
    assert users == {"zhangsan", "leaver", "mover"}  # nothing applied
    applied = cli("sync", "apply", str(tmp_path / "p.json"), "--yes", "--max-deletes", "1")
    assert applied.exit_code == 0, applied.output
    assert {u["userid"] for u in wecom_emulator.directory()["users"]} == {
        "zhangsan", "mover", "newbie"}


def test_a_saved_plan_still_refuses_other_plan_options(cli: Invoke, org: Path,
                                                       tmp_path: Path) -> None:
    cli("sync", "plan", str(org), "-o", str(tmp_path / "p.json"))
    result = cli("sync", "apply", str(tmp_path / "p.json"), "--yes", "--protect", "x")
    assert result.exit_code == 2
    assert "only the cap settings may be given with it" in result.stderr


def test_applying_a_fully_applied_plan_again_says_so_and_exits_0(
    cli: Invoke, org: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "p.json"
    cli("sync", "plan", str(org), "-o", str(saved))
    first = cli("sync", "apply", str(saved), "--yes")
    assert first.exit_code == 0, first.output
    assert "~ update member 张三 (zhangsan)" in first.stdout  # the saved plan keeps names
    again = cli("sync", "apply", str(saved), "--yes")
    assert again.exit_code == 0, again.output
    assert again.stdout.strip().startswith("Already applied: all 5 steps of this plan are done")
    as_json = cli("--json", "sync", "apply", str(saved), "--yes", "--resume")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)["already_applied"] is True


def test_plan_files_holding_members_data_are_private(cli: Invoke, org: Path,
                                                     tmp_path: Path) -> None:
    cli("sync", "plan", str(org), "-o", str(tmp_path / "p.json"),
        "--html", str(tmp_path / "p.html"))
    assert (tmp_path / "p.json").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "p.html").stat().st_mode & 0o777 == 0o600


def test_plan_shows_its_long_steps_on_a_terminal(cli: Invoke, org: Path) -> None:
    terminal = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"}
    shown = cli("sync", "plan", str(org), env=terminal)
    assert shown.exit_code == 0, shown.output
    for step in ("reading org.yaml", "reading the live directory",
                 "planning 3 members against 3"):
        assert step in shown.stderr
    reading = shown.stderr.split("reading the live directory")[-1].split("\n")[0]
    assert "4/4" in reading  # the members of the root and 3 departments read
    quiet = cli("sync", "plan", str(org))
    assert "reading the live directory" not in quiet.stderr


def test_apply_shows_the_reviewers_plan_with_names_before_applying(
    cli: Invoke, org: Path, wecom_emulator: EmulatorControl
) -> None:
    applied = cli("sync", "apply", str(org), "--yes")
    assert applied.exit_code == 0, applied.output
    shown = applied.stdout.split("steps done")[0]
    assert "~ update member 张三 (zhangsan)" in shown
    assert "> move member 调岗者 (mover)" in shown
    assert "- delete member 离职者 (leaver)" in shown
    assert {u["userid"] for u in wecom_emulator.directory()["users"]} == {
        "zhangsan", "mover", "newbie"}
