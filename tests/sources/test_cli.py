"""`source preview` and `sync plan` / `sync apply` on the examples, against the emulator."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import json_of as _json
from wecom_contacts.testing import EmulatorControl

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "hr-export"


def test_preview_shows_counts_members_and_problems_without_calling_wecom(run: Any) -> None:
    summary = _json(run("--json", "source", "preview", str(EXAMPLES / "hr-export.mapping.yaml")))
    assert summary["counts"] == {"records": 10, "members": 7, "leavers": 1, "dropped": 2,
                                 "filtered": 0, "departments": 8, "tags": 2}
    first = summary["members"][0]
    assert (first["row"], first["userid"], first["mobile"]) == (
        "hr-export.csv, row 2", "chen.jianguo", "13910000001")
    assert summary["problems"] == []
    human = run("source", "preview", str(EXAMPLES / "roster.mapping.yaml"))
    assert human.exit_code == 0, human.output
    assert "roster.xlsx [在职人员]: 7 records, 6 members, 1 leavers" in human.stdout
    assert "示例科技/研发中心/平台研发部/基础架构组" in human.stdout


def test_preview_shows_what_department_records_give_and_the_tags(run: Any) -> None:
    mapping = str(EXAMPLES / "hr-export-departments.mapping.yaml")
    summary = _json(run("--json", "source", "preview", mapping))
    details = {d["path"]: d for d in summary["department_details"]}
    assert details["示例科技/研发中心"] == {"path": "示例科技/研发中心", "order": 800,
                                           "leaders": ["li.xiaomei"]}
    assert "示例科技/研发中心/移动研发部" not in details  # nothing beyond its path
    assert summary["tags"] is None  # the mapping does not manage tags
    human = run("source", "preview", mapping)
    assert "示例科技/研发中心 (order 800, leaders li.xiaomei)" in human.stdout.replace("\n", "")
    # tags left alone are said so, not counted as none (which would read as "delete them")
    assert "tags: not managed (the plan leaves every tag as it is)" in human.stdout
    assert "0 tags" not in human.stdout.replace("\n", " ")
    tagged = _json(run("--json", "source", "preview", str(EXAMPLES / "hr-export.mapping.yaml")))
    assert {t["name"]: t["members"] for t in tagged["tags"]} == {"技术委员会": 2, "管理层": 2}


def test_preview_lists_every_row_problem_and_exits_2(run: Any, tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "hr-export.mapping.yaml", tmp_path / "m.yaml")
    text = (EXAMPLES / "hr-export.csv").read_bytes().decode("gb18030")
    text = text.replace("139-1000-0002", "139-1000").replace(",女,13910000006", ",W,13910000006")
    (tmp_path / "hr-export.csv").write_bytes(text.encode("gb18030"))
    result = run("source", "preview", str(tmp_path / "m.yaml"))
    assert result.exit_code == 2
    assert "error: hr-export.csv, row 3, column 手机号码: '139-1000' is not" in result.stdout
    assert "error: hr-export.csv, row 7, column 性别: 'W' is not a gender" in result.stdout
    assert "2 row problem(s)" in result.stderr


@pytest.mark.parametrize("mapping", ["hr-export.mapping.yaml", "roster.mapping.yaml"])
def test_sync_plan_and_apply_from_a_mapping_then_nothing_is_left(run: Any, mapping: str) -> None:
    source = str(EXAMPLES / mapping)
    plan = _json(run("--json", "sync", "plan", source))
    ops = [s["op"] for s in plan["steps"]]
    assert ops.count("department.create") == 7
    assert ops.count("user.create") == (8 if mapping.startswith("hr") else 6)
    applied = run("--json", "sync", "apply", source, "--yes")
    assert applied.exit_code == 0, applied.output
    again = _json(run("--json", "sync", "plan", source))
    assert again["changes"] == 0, again["steps"]


def test_sync_plan_refuses_a_source_with_a_bad_row_and_sends_nothing(
        run: Any, tmp_path: Path, wecom_emulator: EmulatorControl) -> None:
    shutil.copy(EXAMPLES / "hr-export.mapping.yaml", tmp_path / "m.yaml")
    text = (EXAMPLES / "hr-export.csv").read_bytes().decode("gb18030")
    (tmp_path / "hr-export.csv").write_bytes(text.replace("139-1000-0002", "x").encode("gb18030"))
    result = run("sync", "apply", str(tmp_path / "m.yaml"), "--yes")
    assert result.exit_code == 2
    assert "hr-export.csv, row 3, column 手机号码: 'x' is not a mobile number" in result.stderr
    listed = _json(run("--json", "departments", "list"))
    assert len(listed) == 1  # only the root: nothing was created


def test_export_through_the_mapping_reads_back_as_the_same_directory(
        run: Any, tmp_path: Path) -> None:
    source = str(EXAMPLES / "hr-export.mapping.yaml")
    assert run("sync", "apply", source, "--yes").exit_code == 0
    exported = tmp_path / "out.csv"
    wrote = run("export", "--mapping", source, "-o", str(exported))
    assert wrote.exit_code == 0, wrote.output
    assert exported.stat().st_mode & 0o777 == 0o600  # members' personal data
    text = exported.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("电子邮箱,姓名,性别,手机号码,职位,所属部门")
    assert "孙磊" in text and ",离职" in text  # the disabled leaver, as a leaver row
    again = _json(run("--json", "sync", "plan", str(exported), "--mapping", source))
    assert again["changes"] == 0, again["steps"]


def test_export_through_an_xlsx_mapping_writes_a_workbook(run: Any, tmp_path: Path) -> None:
    source = str(EXAMPLES / "roster.mapping.yaml")
    assert run("sync", "apply", source, "--yes").exit_code == 0
    exported = tmp_path / "roster-out.xlsx"
    assert run("export", "--mapping", source, "-o", str(exported)).exit_code == 0
    again = _json(run("--json", "sync", "plan", str(exported), "--mapping", source))
    assert again["changes"] == 0, again["steps"]


def test_the_department_list_example_creates_the_tree_orders_and_heads(
        run: Any, wecom_emulator: EmulatorControl) -> None:
    source = str(EXAMPLES / "hr-export-departments.mapping.yaml")
    summary = _json(run("--json", "source", "preview", source))
    assert summary["problems"] == []
    assert summary["counts"]["department records"] == 11
    assert "示例科技/法务部" in summary["departments"]
    assert not any("旧项目组" in d for d in summary["departments"])  # 撤销: dropped
    applied = run("--json", "sync", "apply", source, "--yes")
    assert applied.exit_code == 0, applied.output
    departments = {d["name"]: d for d in wecom_emulator.directory()["departments"]}
    assert departments["法务部"]["order"] == 500 and departments["研发中心"]["order"] == 800
    assert _json(run("--json", "users", "get", "li.xiaomei"))["is_leader_in_dept"] == [1]
    assert _json(run("--json", "users", "get", "liu.yang"))["is_leader_in_dept"] == [0]
    again = _json(run("--json", "sync", "plan", source))
    assert again["changes"] == 0, again["steps"]
