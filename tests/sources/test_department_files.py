"""Department records from files: a CSV file of their own beside the members' CSV, a sheet of
their own in the members' workbook; the same tree, keys and problems as from a database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]  # (no stubs installed)
import pytest

from wecom_contacts.sources import SourceError, SourceResult, read_source

MEMBERS = "工号,姓名,邮箱,部门编号\n1001,陈建国,chen@example.com,D1\n" \
          "1002,李娜,li@example.com,D2\n1003,王强,wang@example.com,D3\n"
DEPARTMENTS = "部门编号,上级部门编号,部门名称,排序\nD1,,示例科技,\nD2,D1,研发中心,300\n" \
              "D3,D2,平台研发部,\nD4,D1,法务部,100\n"
MAPPING = """\
input:
  type: csv
  path: members.csv
  departments: {path: departments.csv}
members:
  userid: {template: "E{工号}"}
  name: 姓名
  email: 邮箱
  department: {key: 部门编号}
departments:
  records: {key: 部门编号, parent: 上级部门编号, name: 部门名称, order: 排序}
"""


def _write(tmp_path: Path, departments: str = DEPARTMENTS, mapping: str = MAPPING) -> Path:
    (tmp_path / "members.csv").write_text(MEMBERS, encoding="utf-8")
    # as HR tools save it: GB18030 with a BOM, semicolons
    (tmp_path / "departments.csv").write_bytes(
        "\ufeff".encode("gb18030") + departments.replace(",", ";").encode("gb18030"))
    (tmp_path / "m.yaml").write_text(mapping, encoding="utf-8")
    return tmp_path / "m.yaml"


def test_a_departments_csv_gives_the_tree_its_order_and_the_members_keys(
        tmp_path: Path) -> None:
    result = read_source(_write(tmp_path))
    assert result.errors == []
    assert {"/".join(d.path): d.order for d in result.directory.departments or ()} == {
        "示例科技": None, "示例科技/研发中心": 300, "示例科技/研发中心/平台研发部": None,
        "示例科技/法务部": 100}
    assert {u.userid: [m.department for m in u.departments or ()]
            for u in result.directory.users or ()} == {
        "E1001": ["示例科技"], "E1002": ["示例科技/研发中心"],
        "E1003": ["示例科技/研发中心/平台研发部"]}
    assert result.fingerprint is not None
    assert result.fingerprint.counts == {"departments": 4, "members": 3}
    origins = {"/".join(d.path): d.origin for d in result.directory.departments or ()}
    assert origins["示例科技/法务部"] == "departments.csv, row 5"


def test_a_changed_departments_file_changes_the_fingerprint(tmp_path: Path) -> None:
    first = read_source(_write(tmp_path)).fingerprint
    second = read_source(_write(tmp_path, DEPARTMENTS.replace("法务部", "法务合规部"))).fingerprint
    assert first is not None and second is not None and first.sha256 != second.sha256


def test_a_bad_departments_row_names_the_file_row_and_column(tmp_path: Path) -> None:
    result = read_source(_write(tmp_path, DEPARTMENTS.replace("D3,D2,", "D3,D9,")))
    assert [str(p) for p in result.errors] == [
        "departments.csv, row 4, column 上级部门编号: no department record has the parent key "
        "'D9'",
        "members.csv, row 4, column 部门编号: the department record with the key 'D3' has a "
        "problem (see its row)"]


def test_records_without_a_departments_input_name_the_mapping_line(tmp_path: Path) -> None:
    path = _write(tmp_path, mapping=MAPPING.replace("  departments: {path: departments.csv}\n",
                                                    ""))
    with pytest.raises(SourceError, match="has no department records") as err:
        read_source(path)
    assert err.value.where == "m.yaml, line 10"  # departments.records


def test_a_department_sheet_in_the_members_workbook(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    members = book.active
    members.title = "花名册"
    for row in MEMBERS.splitlines():
        members.append(row.split(","))
    sheet = book.create_sheet("部门")
    sheet.append(["说明：部门表"])  # a title line above the header
    for row in DEPARTMENTS.splitlines():
        cells: Sequence[object] = row.split(",")
        sheet.append([int(c) if isinstance(c, str) and c.isdigit() else c for c in cells])
    book.save(tmp_path / "roster.xlsx")
    (tmp_path / "m.yaml").write_text(MAPPING.replace(
        "  type: csv\n  path: members.csv\n  departments: {path: departments.csv}\n",
        "  type: xlsx\n  path: roster.xlsx\n  sheet: 花名册\n"
        "  departments: {sheet: 部门, header_row: 2}\n"), encoding="utf-8")
    result = read_source(tmp_path / "m.yaml")
    assert result.errors == []
    assert {"/".join(d.path): d.order for d in result.directory.departments or ()}[
        "示例科技/研发中心"] == 300  # a number cell reads as its text, then as the order
    origins = {"/".join(d.path): d.origin for d in result.directory.departments or ()}
    assert origins["示例科技/法务部"] == "roster.xlsx [部门], row 6"


def test_member_paths_under_another_root_than_the_records_are_named_once(
        tmp_path: Path) -> None:
    members = "工号,姓名,邮箱,部门\n1001,陈建国,c@example.com,别的公司/研发中心\n" \
              "1002,李娜,l@example.com,别的公司/市场部\n"
    path = _write(tmp_path, mapping=MAPPING.replace("department: {key: 部门编号}",
                                                    "department: {path: 部门}"))
    (tmp_path / "members.csv").write_text(members, encoding="utf-8")
    result = read_source(path)
    assert [str(p) for p in result.errors] == [
        "members.csv, row 2, column 部门: department '别的公司/研发中心' does not start with the "
        "root '示例科技' of the department records"]


def test_dropped_records_are_left_out_and_whoever_names_them_is_told(tmp_path: Path) -> None:
    departments = "部门编号,上级部门编号,部门名称,排序,状态\nD1,,示例科技,,正常\n" \
                  "D2,D1,研发中心,300,正常\nD3,D2,平台研发部,,撤销\nD4,D1,法务部,100,正常\n" \
                  "D5,D3,基础架构组,,正常\n"
    path = _write(tmp_path, departments, MAPPING.replace(
        "order: 排序}", "order: 排序,\n            drop: [{column: 状态, equals: 撤销}]}"))
    result = read_source(path)
    assert sorted("/".join(d.path) for d in result.directory.departments or ()) == [
        "示例科技", "示例科技/法务部", "示例科技/研发中心"]
    assert [str(p) for p in result.errors] == [
        "departments.csv, row 6, column 上级部门编号: the parent 'D3' is left out "
        "(departments.records.drop)",
        "members.csv, row 4, column 部门编号: the department record with the key 'D3' is left "
        "out (departments.records.drop)"]
    assert result.counts["department records"] == 5


def test_sync_creates_the_empty_department_and_export_asks_where_the_records_go(
        run: Any, tmp_path: Path) -> None:
    mapping = _write(tmp_path)
    applied = run("--json", "sync", "apply", str(mapping), "--yes")
    assert applied.exit_code == 0, applied.output
    names = {d["name"]: d for d in json.loads(run("--json", "departments", "list").stdout)}
    assert names["法务部"]["order"] == 100 and names["研发中心"]["order"] == 300
    again = json.loads(run("--json", "sync", "plan", str(mapping)).stdout)
    assert again["changes"] == 0, again["steps"]
    exported = run("export", "--mapping", str(mapping), "-o", str(tmp_path / "out.csv"))
    assert exported.exit_code == 2
    assert "m.yaml, line 11" in exported.stderr  # departments.records
    assert "give --departments-output FILE" in exported.stderr
    assert not (tmp_path / "out.csv").exists()


def test_with_the_wecom_id_in_a_column_a_department_renamed_in_hr_is_renamed(
        run: Any, tmp_path: Path) -> None:
    mapping = _write(tmp_path)
    assert run("sync", "apply", str(mapping), "--yes").exit_code == 0
    ids = {d["name"]: d["id"] for d in json.loads(run("--json", "departments", "list").stdout)}
    # HR keeps WeCom's ids beside its own keys, then renames 研发中心
    renamed = "部门编号,上级部门编号,部门名称,排序,企微ID\n" + "".join(
        f"{key},{parent},{new},{order},{ids[old]}\n" for key, parent, old, new, order in [
            ("D1", "", "示例科技", "示例科技", ""), ("D2", "D1", "研发中心", "技术中心", "300"),
            ("D3", "D2", "平台研发部", "平台研发部", ""), ("D4", "D1", "法务部", "法务部", "100")])
    mapping = _write(tmp_path, renamed, MAPPING.replace("order: 排序}", "order: 排序, id: 企微ID}"))
    plan = json.loads(run("--json", "sync", "plan", str(mapping)).stdout)
    assert [(s["op"], s.get("params", {}).get("name")) for s in plan["steps"]] == [
        ("department.update", "技术中心")], plan["steps"]
    assert run("sync", "apply", str(mapping), "--yes").exit_code == 0
    after = {d["name"]: d["id"] for d in json.loads(run("--json", "departments", "list").stdout)}
    assert after["技术中心"] == ids["研发中心"]


def _read_with_ids(tmp_path: Path, departments: str) -> SourceResult:
    """The departments file read with its 企微ID column as the WeCom id."""
    return read_source(_write(tmp_path, departments, MAPPING.replace("order: 排序}",
                                                                     "id: 企微ID}")))


def test_a_bad_wecom_id_column_names_the_row(tmp_path: Path) -> None:
    departments = "部门编号,上级部门编号,部门名称,企微ID\nD1,,示例科技,1\nD2,D1,研发中心,x\n" \
                  "D3,D2,平台研发部,7\nD4,D1,法务部,7\n"
    result = _read_with_ids(tmp_path, departments)
    assert [str(p) for p in result.errors] == [
        "departments.csv, row 3, column 企微ID: department id 'x' is not a whole number from 1",
        "departments.csv, row 5, column 企微ID: department id 7 is given twice (first at "
        "departments.csv, row 4)"]


def test_an_empty_departments_file_is_an_error_not_a_tree_to_delete(tmp_path: Path) -> None:
    result = read_source(_write(tmp_path, "部门编号,上级部门编号,部门名称,排序\n"))
    assert str(result.errors[0]) == (
        "m.yaml, line 11: the source gave no department records (is the departments file, "
        "sheet, query or search the right one?)")
    with pytest.raises(SourceError):
        result.raise_for_problems()


def test_department_heads_from_the_records_lead_in_their_departments(
        run: Any, tmp_path: Path) -> None:
    departments = "部门编号,上级部门编号,部门名称,负责人\nD1,,示例科技,1001\n" \
                  "D2,D1,研发中心,\"1002;1003\"\nD3,D2,平台研发部,1009\nD4,D1,法务部,\n"
    mapping = _write(tmp_path, departments, MAPPING.replace(
        "order: 排序}", "leaders: 负责人, leaders_match: 工号}"))
    result = read_source(mapping)
    assert result.errors == []
    leads = {u.userid: [(m.department, m.leader) for m in u.departments or ()]
             for u in result.directory.users or ()}
    assert leads == {"E1001": [("示例科技", True)], "E1002": [("示例科技/研发中心", True)],
                     "E1003": [("示例科技/研发中心/平台研发部", False)]}
    assert [str(p) for p in result.problems] == [
        "departments.csv, row 3, column 负责人: department head 'E1003' is not in "
        "'示例科技/研发中心' (WeCom marks a leader only in the member's own departments); left "
        "out",
        "departments.csv, row 4, column 负责人: department head '1009' is not among the members "
        "(no row has 工号 '1009'); left out"]
    assert run("sync", "apply", str(mapping), "--yes").exit_code == 0
    for userid, leads_there in (("E1002", [1]), ("E1003", [0])):
        user = json.loads(run("--json", "users", "get", userid).stdout)
        assert user["is_leader_in_dept"] == leads_there
    again = json.loads(run("--json", "sync", "plan", str(mapping)).stdout)
    assert again["changes"] == 0, again["steps"]


def test_heads_named_by_userid_without_leaders_match(tmp_path: Path) -> None:
    departments = "部门编号,上级部门编号,部门名称,负责人\nD1,,示例科技,e1001\n" \
                  "D2,D1,研发中心,\nD3,D2,平台研发部,\n"
    result = read_source(_write(tmp_path, departments, MAPPING.replace(
        "order: 排序}", "leaders: 负责人}")))
    assert result.problems == []
    assert [m.leader for u in result.directory.users or () if u.userid == "E1001"
            for m in u.departments or ()] == [True]  # userids compare case-insensitively


def test_a_record_given_twice_names_no_heads(tmp_path: Path) -> None:
    departments = "路径,负责人\n示例科技,\n示例科技/研发中心,\n示例科技/研发中心/平台研发部,\n" \
                  "示例科技/研发中心,1002\n"
    mapping = MAPPING.replace("department: {key: 部门编号}", "department: {path: 部门}").replace(
        "records: {key: 部门编号, parent: 上级部门编号, name: 部门名称, order: 排序}",
        "records: {path: 路径, leaders: 负责人, leaders_match: 工号}")
    path = _write(tmp_path, departments, mapping)
    (tmp_path / "members.csv").write_text(
        "工号,姓名,邮箱,部门\n1002,李娜,li@example.com,示例科技/研发中心\n", encoding="utf-8")
    result = read_source(path)
    assert [str(p) for p in result.errors] == [
        "departments.csv, row 5, column 路径: department '示例科技/研发中心' is given twice "
        "(first at departments.csv, row 3)"]
    assert [m.leader for u in result.directory.users or () for m in u.departments or ()] == \
        [False]


def test_the_id_of_a_record_that_was_not_placed_is_not_taken(tmp_path: Path) -> None:
    departments = "部门编号,上级部门编号,部门名称,企微ID\nD1,,示例科技,1\nD2,D1,研发中心,5\n" \
                  "D9,D1,研发中心,7\nD3,D2,平台研发部,7\n"
    result = _read_with_ids(tmp_path, departments)
    assert [str(p) for p in result.errors] == [
        "departments.csv, row 4, column 部门名称: department '示例科技/研发中心' is given twice "
        "(first at departments.csv, row 3)"]
    ids = {"/".join(d.path): d.id for d in result.directory.departments or ()}
    assert ids["示例科技/研发中心/平台研发部"] == 7


def test_a_record_deeper_than_wecom_allows_names_its_row(tmp_path: Path) -> None:
    rows = [("D1", "", "示例科技")] + [(f"D{i}", f"D{i - 1}", f"第{i}层") for i in range(2, 17)]
    departments = "部门编号,上级部门编号,部门名称\n" + "".join(f"{k},{p},{n}\n" for k, p, n in rows)
    path = _write(tmp_path, departments, MAPPING.replace(", order: 排序}", "}"))
    (tmp_path / "members.csv").write_text(
        "工号,姓名,邮箱,部门编号\n1001,陈建国,c@example.com,D15\n", encoding="utf-8")
    result = read_source(path)
    assert [p.where for p in result.errors] == ["departments.csv, row 17, column 部门名称"]
    assert "16 levels deep; WeCom allows 15" in result.errors[0].message
    assert max(len(d.path) for d in result.directory.departments or ()) == 15


def test_a_missing_departments_file_or_sheet_names_the_input_line(tmp_path: Path) -> None:
    path = _write(tmp_path)
    (tmp_path / "departments.csv").unlink()
    with pytest.raises(SourceError, match=r"cannot read .*departments\.csv") as err:
        read_source(path)
    assert err.value.where == "m.yaml, line 4"  # input.departments
    book = openpyxl.Workbook()
    book.active.title = "花名册"
    for row in MEMBERS.splitlines():
        book.active.append(row.split(","))
    book.save(tmp_path / "roster.xlsx")
    path.write_text(MAPPING.replace(
        "  type: csv\n  path: members.csv\n  departments: {path: departments.csv}\n",
        "  type: xlsx\n  path: roster.xlsx\n  departments: {sheet: 部门}\n"), encoding="utf-8")
    with pytest.raises(SourceError, match=r"no sheet '部门' \(sheets: 花名册\)") as err:
        read_source(path)
    assert err.value.where == "m.yaml, line 4"


@pytest.mark.parametrize(("change", "message"), [
    (("departments:\n  records:", "departments:\n  manage: false\n  records:"),
     "records need manage: true"),
    (("order: 排序}", "order: 排序, leaders_match: 工号}"), "leaders_match goes with leaders"),
    (("records: {key: 部门编号, parent: 上级部门编号, name: 部门名称, order: 排序}",
      "records: {path: 部门名称, parent: 上级部门编号}"), "parent and name go with key"),
], ids=["not-managed", "match-without-leaders", "parent-with-path"])
def test_mapping_mistakes_in_records_name_the_line(tmp_path: Path, change: tuple[str, str],
                                                   message: str) -> None:
    path = _write(tmp_path, mapping=MAPPING.replace(*change))
    with pytest.raises(SourceError, match=message) as err:
        read_source(path)
    assert err.value.where.startswith("m.yaml, line ")
