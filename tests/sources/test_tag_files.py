"""Tag records of their own (``tags.records``): a CSV of (tag, member) pairs beside the members'
CSV, a sheet of their own in the members' workbook; members named by employee number or
userid, merged with the members' tag column, every bad record named by its row and column."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]  # (no stubs installed)
import pytest

from wecom_contacts.sources import SourceError, SourceResult, read_source

MEMBERS = ("工号,姓名,标签,部门,邮箱\n1001,陈建国,,总经办,chen@example.com\n"
           "1002,李娜,管理层,研发中心,li@example.com\n1003,王强,,研发中心,wang@example.com\n")
TAGS = "标签名,工号\n技术委员会,1002\n技术委员会,1003\n新员工,1003\n管理层,1001\n"
MAPPING = """\
input:
  type: csv
  path: members.csv
  tags: {path: tags.csv}
members:
  userid: {template: "E{工号}"}
  name: 姓名
  email: 邮箱
  department: {path: 部门, root: 示例科技}
tags:
  records: {name: 标签名, members: 工号, members_match: 工号}
"""


def _write(tmp_path: Path, tags: str = TAGS, mapping: str = MAPPING) -> Path:
    (tmp_path / "members.csv").write_text(MEMBERS, encoding="utf-8")
    # as HR tools save it: GB18030 with a BOM
    (tmp_path / "tags.csv").write_bytes("\ufeff".encode("gb18030") + tags.encode("gb18030"))
    (tmp_path / "m.yaml").write_text(mapping, encoding="utf-8")
    return tmp_path / "m.yaml"


def _tags(result: SourceResult) -> dict[str, list[str]]:
    return {t.name: t.users or [] for t in result.directory.tags or ()}


def _problems(result: SourceResult) -> list[str]:
    return [str(p) for p in result.problems]


def test_pairs_of_tag_and_employee_number_give_each_tag_its_members(tmp_path: Path) -> None:
    result = read_source(_write(tmp_path))
    assert result.problems == []
    assert _tags(result) == {"技术委员会": ["E1002", "E1003"], "新员工": ["E1003"],
                             "管理层": ["E1001"]}
    assert result.counts["tag records"] == 4 and result.counts["tags"] == 3
    assert result.fingerprint is not None
    assert result.fingerprint.counts == {"members": 3, "tags": 4}
    assert {t.name: t.origin for t in result.directory.tags or ()}["新员工"] == "tags.csv, row 4"


def test_several_members_in_one_cell_by_userid_and_a_tag_with_none(tmp_path: Path) -> None:
    mapping = MAPPING.replace("{name: 标签名, members: 工号, members_match: 工号}",
                              "{name: 标签名, members: 成员, separator: '|'}")
    result = read_source(_write(tmp_path, "标签名,成员\n技术委员会,E1002| e1003 |E1002\n"
                                          "空标签,\n", mapping))
    assert result.problems == []
    # userids match whatever their case; a member named twice is in the tag once
    assert _tags(result) == {"技术委员会": ["E1002", "E1003"], "空标签": []}


def test_the_records_and_the_members_tag_column_are_one_tag_section(tmp_path: Path) -> None:
    mapping = MAPPING.replace("  name: 姓名\n", "  name: 姓名\n  tags: {column: 标签}\n")
    result = read_source(_write(tmp_path, mapping=mapping))
    assert result.problems == []
    # 管理层 from both: 陈建国 by the records, 李娜 by her row's column
    assert _tags(result) == {"技术委员会": ["E1002", "E1003"], "新员工": ["E1003"],
                             "管理层": ["E1001", "E1002"]}


def test_a_member_no_row_gives_is_a_warning_and_left_out(tmp_path: Path) -> None:
    result = read_source(_write(tmp_path, TAGS + "技术委员会,1009\n"))
    assert result.errors == []
    assert _problems(result) == [
        "tags.csv, row 6, column 工号: tag member '1009' is not among the members (no row has "
        "工号 '1009'); left out"]
    assert _tags(result)["技术委员会"] == ["E1002", "E1003"]


def test_every_bad_record_is_named_by_its_row_and_column(tmp_path: Path) -> None:
    tags = ("标签名,工号,企微ID\n技术委员会,1002,7\n,1003,\n" + "长" * 33 + ",1003,\n"
            "技术委员会,1003,8\n新员工,1003,七\n管理层,1001,7\n")
    mapping = MAPPING.replace("members_match: 工号}", "members_match: 工号, id: 企微ID}")
    result = read_source(_write(tmp_path, tags, mapping))
    assert _problems(result) == [
        "tags.csv, row 3, column 标签名: the tag name is empty",
        f"tags.csv, row 4, column 标签名: tag name {'长' * 33!r} must be 1-32 characters, not 33",
        "tags.csv, row 5, column 企微ID: tag '技术委员会' is given the id 8 here and 7 before",
        "tags.csv, row 6, column 企微ID: tag id '七' is not a whole number from 0",
        "tags.csv, row 7, column 企微ID: tag id 7 is given to '管理层' here and to '技术委员会' "
        "before"]
    with pytest.raises(SourceError, match=r"^tags.csv, row 3, column 标签名: the tag name is "
                                          r"empty \(and 4 more problem"):
        result.raise_for_problems()


def test_drop_leaves_records_out_and_ids_are_kept(tmp_path: Path) -> None:
    tags = "标签名,工号,企微ID,状态\n技术委员会,1002,7,\n旧项目组,1003,9,已解散\n"
    mapping = MAPPING.replace(
        "members_match: 工号}",
        "members_match: 工号, id: 企微ID,\n            drop: [{column: 状态, equals: 已解散}]}")
    result = read_source(_write(tmp_path, tags, mapping))
    assert result.problems == []
    assert [(t.name, t.id, t.users) for t in result.directory.tags or ()] == [
        ("技术委员会", 7, ["E1002"])]
    assert result.counts["tag records"] == 2


def test_mapping_mistakes_name_the_mapping_line(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"^m.yaml, line 11: column '标签' is not in "
                                          r"the tag records \(did you mean '标签名'"):
        read_source(_write(tmp_path, mapping=MAPPING.replace("name: 标签名", "name: 标签")))
    without = MAPPING.replace("  tags: {path: tags.csv}\n", "")
    with pytest.raises(SourceError, match=r"^m.yaml, line 10: members.csv has no tag records"):
        read_source(_write(tmp_path, mapping=without))
    with pytest.raises(SourceError, match=r"m.yaml, line 11.*members_match goes with members"):
        read_source(_write(tmp_path, mapping=MAPPING.replace("members: 工号, ", "")))


def test_a_tags_file_with_no_records_is_an_error(tmp_path: Path) -> None:
    result = read_source(_write(tmp_path, "标签名,工号\n"))
    assert _problems(result) == ["m.yaml, line 11: the source gave no tag records (is the tags "
                                 "file, sheet or query the right one?)"]


def test_a_tag_sheet_in_the_members_workbook(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    staff = book.active
    assert staff is not None
    staff.title = "花名册"
    for row in [["工号", "姓名", "部门", "邮箱"], [1001, "陈建国", "总经办", "chen@example.com"],
                [1002, "李娜", "研发中心", "li@example.com"]]:
        staff.append(row)
    groups = book.create_sheet("标签")
    for row in [["标签名", "工号"], ["技术委员会", 1002], ["管理层", 1001]]:
        groups.append(row)
    book.save(tmp_path / "roster.xlsx")
    mapping = MAPPING.replace("type: csv\n  path: members.csv\n  tags: {path: tags.csv}",
                              "type: xlsx\n  path: roster.xlsx\n  sheet: 花名册\n"
                              "  tags: {sheet: 标签}")
    (tmp_path / "m.yaml").write_text(mapping, encoding="utf-8")
    result = read_source(tmp_path / "m.yaml")
    assert result.problems == []
    assert _tags(result) == {"技术委员会": ["E1002"], "管理层": ["E1001"]}
    assert [t.origin for t in result.directory.tags or ()] == ["roster.xlsx [标签], row 2",
                                                          "roster.xlsx [标签], row 3"]


def test_preview_lists_the_tags_with_their_member_counts(run: Any, tmp_path: Path) -> None:
    shown = run("source", "preview", str(_write(tmp_path)))
    assert shown.exit_code == 0, shown.output
    assert "tags: 技术委员会 (2 member(s)), 新员工 (1 member(s)), 管理层 (1 member(s))" \
        in shown.stdout.replace("\n", "")


def test_sync_applies_the_tags_and_export_asks_where_the_records_go(
        run: Any, tmp_path: Path) -> None:
    mapping = _write(tmp_path)
    applied = run("--json", "sync", "apply", str(mapping), "--yes")
    assert applied.exit_code == 0, applied.output
    tags = {t["tagname"]: t["tagid"] for t in json.loads(run("--json", "tags", "list").stdout)}
    assert sorted(tags) == ["技术委员会", "新员工", "管理层"]
    members = json.loads(run("--json", "tags", "get", str(tags["技术委员会"])).stdout)
    assert sorted(u["userid"] for u in members["userlist"]) == ["E1002", "E1003"]
    again = json.loads(run("--json", "sync", "plan", str(mapping)).stdout)
    assert again["changes"] == 0, again["steps"]
    exported = run("export", "--mapping", str(mapping), "-o", str(tmp_path / "out.csv"))
    assert exported.exit_code == 2
    assert "m.yaml, line 11" in exported.stderr and "give --tags-output FILE" in exported.stderr
    assert not (tmp_path / "out.csv").exists()
