"""Export through a mapping that reads department and tag records of their own: the records
are written too (files of their own, or sheets of the output workbook), keyed by WeCom's ids,
so that the export read back through the mapping plans no change."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]  # (no stubs installed)

MEMBERS = "工号,姓名,邮箱,部门编号\n1001,陈建国,chen@example.com,D1\n" \
          "1002,李娜,li@example.com,D2\n1003,王强,wang@example.com,D3\n"
DEPARTMENTS = "部门编号,上级部门编号,部门名称,排序,负责人,状态\nD1,,示例科技,,,有效\n" \
              "D2,D1,研发中心,300,1002,有效\nD3,D2,平台研发部,,,有效\nD4,D1,法务部,100,,有效\n" \
              "D5,D1,已撤销部,,,撤销\n"
TAGS = "标签名,工号\n技术委员会,1002\n技术委员会,1003\n新员工,1003\n空标签,\n"
MAPPING = """\
input:
  type: csv
  path: members.csv
  departments: {path: departments.csv}
  tags: {path: tags.csv}
members:
  userid: {template: "E{工号}"}
  name: 姓名
  email: 邮箱
  department: {key: 部门编号}
departments:
  records:
    key: 部门编号
    parent: 上级部门编号
    name: 部门名称
    order: 排序
    leaders: 负责人
    leaders_match: 工号
    drop: [{column: 状态, not_equals: 有效}]
tags:
  records: {name: 标签名, members: 工号, members_match: 工号}
"""


def _write(folder: Path, mapping: str = MAPPING) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in (("members.csv", MEMBERS), ("departments.csv", DEPARTMENTS),
                       ("tags.csv", TAGS)):
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "m.yaml").write_text(mapping, encoding="utf-8")
    return folder / "m.yaml"


def _table(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _no_changes(run: Any, *args: str) -> None:
    plan = json.loads(run("--json", "sync", "plan", *args).stdout)
    assert plan["changes"] == 0, plan["steps"]


def test_the_records_written_beside_the_members_read_back_as_no_change(
        run: Any, tmp_path: Path) -> None:
    mapping = _write(tmp_path / "hr")
    assert run("sync", "apply", str(mapping), "--yes").exit_code == 0
    out = tmp_path / "out"
    out.mkdir()
    exported = run("export", "--mapping", str(mapping), "-o", str(out / "members.csv"),
                   "--departments-output", str(out / "departments.csv"),
                   "--tags-output", str(out / "tags.csv"))
    assert exported.exit_code == 0, exported.output
    assert "department records to" in exported.stdout
    ids = {d["name"]: d["id"] for d in json.loads(run("--json", "departments", "list").stdout)}
    # WeCom keeps no HR keys: the records are keyed by WeCom's ids, the members too
    assert _table(out / "departments.csv") == [
        {"部门编号": "1", "上级部门编号": "", "部门名称": "示例科技", "排序": "", "负责人": "",
         "状态": "有效"},
        {"部门编号": str(ids["法务部"]), "上级部门编号": "1", "部门名称": "法务部", "排序": "100",
         "负责人": "", "状态": "有效"},
        {"部门编号": str(ids["研发中心"]), "上级部门编号": "1", "部门名称": "研发中心",
         "排序": "300", "负责人": "1002", "状态": "有效"},
        {"部门编号": str(ids["平台研发部"]), "上级部门编号": str(ids["研发中心"]),
         "部门名称": "平台研发部", "排序": "", "负责人": "", "状态": "有效"}]
    assert {r["工号"]: r["部门编号"] for r in _table(out / "members.csv")} == {
        "1001": "1", "1002": str(ids["研发中心"]), "1003": str(ids["平台研发部"])}
    assert sorted((r["标签名"], r["工号"]) for r in _table(out / "tags.csv")) == [
        ("技术委员会", "1002"), ("技术委员会", "1003"), ("新员工", "1003"), ("空标签", "")]
    for name in ("members.csv", "departments.csv", "tags.csv"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name
    (out / "m.yaml").write_text(MAPPING, encoding="utf-8")  # the same mapping, over the export
    _no_changes(run, str(out / "m.yaml"))


def test_records_with_nowhere_to_go_are_refused_before_anything_is_written(
        run: Any, tmp_path: Path) -> None:
    mapping = _write(tmp_path)
    assert run("sync", "apply", str(mapping), "--yes").exit_code == 0
    exported = run("export", "--mapping", str(mapping), "-o", str(tmp_path / "out.csv"),
                   "--tags-output", str(tmp_path / "tags-out.csv"))
    assert exported.exit_code == 2
    assert "m.yaml, line 12" in exported.stderr  # departments.records
    assert "give --departments-output FILE" in exported.stderr
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "tags-out.csv").exists()
    members_only = MAPPING.split("departments:\n  records")[0].replace(
        "department: {key: 部门编号}", "department: {path: 部门编号}")
    wrong = run("export", "--mapping", str(_write(tmp_path / "b", members_only)),
                "--tags-output", str(tmp_path / "tags-out.csv"))
    assert wrong.exit_code == 2
    assert "--tags-output was given, but the mapping reads no tag records" in wrong.stderr


def test_a_record_its_drop_would_leave_out_is_refused_naming_the_condition(
        run: Any, tmp_path: Path) -> None:
    mapping = _write(tmp_path)
    assert run("sync", "apply", str(mapping), "--yes").exit_code == 0
    empty_dropped = MAPPING.replace("drop: [{column: 状态, not_equals: 有效}]",
                                    "drop: [{column: 状态, empty: true}]")
    (tmp_path / "m.yaml").write_text(empty_dropped, encoding="utf-8")
    exported = run("export", "--mapping", str(mapping), "-o", str(tmp_path / "out.csv"),
                   "--departments-output", str(tmp_path / "d.csv"),
                   "--tags-output", str(tmp_path / "t.csv"))
    assert exported.exit_code == 2
    assert "m.yaml, line 19: export cannot write the record of department 示例科技 (id 1)" \
        in exported.stderr
    assert not any((tmp_path / n).exists() for n in ("out.csv", "d.csv", "t.csv"))


def test_records_on_sheets_of_the_members_workbook_are_written_as_sheets(
        run: Any, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    assert book.active is not None
    book.remove(book.active)
    for title, text in (("花名册", MEMBERS), ("部门", DEPARTMENTS), ("标签", TAGS)):
        sheet = book.create_sheet(title)
        for line in text.splitlines():
            sheet.append(line.split(","))
    book.save(tmp_path / "roster.xlsx")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(MAPPING.replace(
        "  type: csv\n  path: members.csv\n  departments: {path: departments.csv}\n"
        "  tags: {path: tags.csv}\n",
        "  type: xlsx\n  path: roster.xlsx\n  sheet: 花名册\n  departments: {sheet: 部门}\n"
        "  tags: {sheet: 标签}\n"), encoding="utf-8")
    assert run("sync", "apply", str(mapping), "--yes").exit_code == 0
    back = tmp_path / "back.xlsx"
    exported = run("export", "--mapping", str(mapping), "-o", str(back))
    assert exported.exit_code == 0, exported.output
    written = openpyxl.load_workbook(back, read_only=True)
    assert written.sheetnames == ["花名册", "部门", "标签"]
    assert next(written["标签"].iter_rows(values_only=True)) == ("标签名", "工号")
    written.close()
    assert stat.S_IMODE(back.stat().st_mode) == 0o600
    _no_changes(run, str(back), "--mapping", str(mapping))


def test_department_records_by_path_with_a_root_leave_the_root_out(
        run: Any, tmp_path: Path) -> None:
    folder = tmp_path / "hr"
    folder.mkdir()
    (folder / "members.csv").write_text(
        "工号,姓名,部门,邮箱\n1001,陈建国,研发中心,c@example.com\n"
        "1002,李娜,研发中心/平台研发部,l@example.com\n", encoding="utf-8")
    (folder / "departments.csv").write_text("部门,英文名\n研发中心,R&D\n研发中心/平台研发部,\n"
                                            "法务部,Legal\n", encoding="utf-8")
    text = ("input: {type: csv, path: members.csv, departments: {path: departments.csv}}\n"
            "members:\n  userid: {template: \"E{工号}\"}\n  name: 姓名\n  email: 邮箱\n"
            "  department: {path: 部门, root: 示例科技}\n"
            "departments:\n  records: {path: 部门, root: 示例科技, name_en: 英文名}\n")
    (folder / "m.yaml").write_text(text, encoding="utf-8")
    applied = run("sync", "apply", str(folder / "m.yaml"), "--yes")
    assert applied.exit_code == 0, applied.output
    out = tmp_path / "out"
    out.mkdir()
    assert run("export", "--mapping", str(folder / "m.yaml"), "-o", str(out / "members.csv"),
               "--departments-output", str(out / "departments.csv")).exit_code == 0
    assert _table(out / "departments.csv") == [
        {"部门": "法务部", "英文名": "Legal"}, {"部门": "研发中心", "英文名": "R&D"},
        {"部门": "研发中心/平台研发部", "英文名": ""}]
    (out / "m.yaml").write_text(text, encoding="utf-8")
    _no_changes(run, str(out / "m.yaml"))
