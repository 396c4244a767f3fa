"""Desired-state files: every error names the file and the line, row/column or JSON pointer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wecom_contacts.sync import DesiredStateError, load_desired, parse_desired


def yaml_error(text: str) -> DesiredStateError:
    with pytest.raises(DesiredStateError) as err:
        parse_desired(text, "yaml", source="org.yaml")
    return err.value


def test_yaml_unknown_field_names_its_line_and_field() -> None:
    err = yaml_error("users:\n  - userid: a\n    name: A\n    moblie: '1'\n")
    assert str(err).startswith("org.yaml, line 4: unknown field 'moblie'")
    assert err.field == "moblie"


def test_yaml_bad_value_names_the_line_of_the_field() -> None:
    err = yaml_error("users:\n  - {userid: a, name: A, departments: [1]}\n"
                     "  - userid: b\n    name: B\n    departments:\n      - 总部/x\n"
                     "      - {department: 1, leader: maybe}\n")
    assert str(err) == "org.yaml, line 7: leader must be true or false, not 'maybe'"


def test_yaml_invalid_userid_and_duplicate_userid() -> None:
    assert "line 2" in str(yaml_error("users:\n  - {userid: 张三, name: A}\n"))
    err = yaml_error("users:\n  - {userid: Ab, name: A}\n  - {userid: aB, name: B}\n")
    assert str(err) == "org.yaml, line 3: userid 'aB' is listed twice"


def test_yaml_department_name_with_a_forbidden_character() -> None:
    err = yaml_error("departments:\n  - path: 总部\n  - path: '总部/研发:中心'\n")
    assert str(err).startswith("org.yaml, line 3: department name '研发:中心' contains")


def test_yaml_department_paths_must_share_the_root() -> None:
    err = yaml_error("departments:\n  - path: 总部/甲\n  - path: 公司/乙\n")
    assert "line 3" in str(err) and "must start with the root department '总部'" in str(err)


def test_a_department_deeper_than_wecom_allows_is_refused_before_any_plan() -> None:
    fifteen = "/".join(["总部", *(f"L{i}" for i in range(2, 16))])
    assert parse_desired(f"departments:\n  - path: {fifteen}\n", "yaml", source="org.yaml")
    err = yaml_error(f"departments:\n  - path: 总部\n  - path: {fifteen}/L16\n")
    assert str(err).startswith("org.yaml, line 3: department path ")
    assert str(err).endswith("is 16 levels deep; WeCom allows 15 (the root is level 1)")
    err = yaml_error(f"users:\n  - {{userid: a, name: A, departments: [{fifteen}/L16]}}\n")
    assert "line 2" in str(err) and "16 levels deep" in str(err)


def test_yaml_duplicate_key_is_refused_with_its_line() -> None:
    err = yaml_error("users:\n  - userid: a\n    name: A\n    name: B\n")
    assert str(err) == "org.yaml, line 4: the key 'name' appears twice in one mapping"


def test_yaml_syntax_error_names_line_and_column() -> None:
    err = yaml_error("users:\n  - {userid: a, name: A\n")
    assert str(err).startswith("org.yaml, line 3, column 1: invalid YAML")


def test_escaped_slash_is_part_of_a_department_name() -> None:
    doc = parse_desired("departments:\n  - path: '总部/A\\/B 项目组'\n", "yaml")
    assert doc.departments is not None
    assert doc.departments[-1].path == ("总部", "A/B 项目组")


def test_json_error_names_the_pointer_and_the_line() -> None:
    text = '{\n "users": [\n  {"userid": "a", "name": "A"},\n  {"userid": "b",\n' \
           '   "name": "B", "gender": "x"}\n ]\n}\n'
    with pytest.raises(DesiredStateError) as err:
        parse_desired(text, "json", source="org.json")
    assert str(err.value).startswith("org.json, /users/1/gender (line 5): gender must be")


def test_json_syntax_error_names_line_and_column() -> None:
    with pytest.raises(DesiredStateError, match=r"org.json, line 2, column 13: invalid JSON"):
        parse_desired('{"users": [\n  {"userid" "a"}]}', "json", source="org.json")


MEMBERS = ("姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,别名,地址,座机,禁用\n"
           "张三,zhangsan,13800000001,,2;3,工程师,男,1;0,5;0,,,,0\n"
           "李四,lisi,,lisi@example.com,2,,女,,,,,,1\n")
DEPARTMENTS = "部门名称,部门ID,父部门ID,排序\n总部,1,0,\n研发中心,2,1,10\n后端组,3,2,\n"


def test_member_csv_maps_the_template_columns() -> None:
    doc = parse_desired(MEMBERS.encode("utf-8-sig"), "csv", source="m.csv")
    assert doc.departments is None and doc.tags is None
    assert doc.users is not None
    zhang, li = doc.users
    assert zhang.fields == {"name": "张三", "mobile": "13800000001", "position": "工程师",
                            "gender": "1", "enable": True}
    assert [(m.department, m.leader, m.order) for m in zhang.departments or []] == [
        (2, True, 5), (3, False, 0)]
    assert li.fields["enable"] is False and li.fields["gender"] == "2"


def test_department_csv_builds_paths_from_parent_ids() -> None:
    doc = parse_desired(DEPARTMENTS, "csv", source="d.csv")
    assert doc.departments is not None
    assert [(d.path, d.id, d.order) for d in doc.departments] == [
        (("总部",), 1, None), (("总部", "研发中心"), 2, 10),
        (("总部", "研发中心", "后端组"), 3, None)]


def test_member_csv_error_names_row_and_column_with_the_template_checks() -> None:
    bad = MEMBERS.replace("1;0,5;0", "1;0;1,5;0")
    with pytest.raises(DesiredStateError) as err:
        parse_desired(bad, "csv", source="m.csv")
    assert str(err.value) == ("m.csv, row 2, column 是否部门内领导: 3 values for 2 departments "
                              "(separate with ;)")
    assert err.value.field == "leader"
    bad_userid = re.escape("m.csv, row 3, column 帐号: 'li si': only letters")
    with pytest.raises(DesiredStateError, match=bad_userid):
        parse_desired(MEMBERS.replace(",lisi,", ",li si,"), "csv", source="m.csv")
    unknown = re.escape("m.csv, row 1, column 3: unknown column '手机'")
    with pytest.raises(DesiredStateError, match=unknown):
        parse_desired(MEMBERS.replace("手机号", "手机"), "csv", source="m.csv")


def test_department_csv_error_names_row_and_column() -> None:
    message = "d.csv, row 4, column 父部门ID: parent 9 is neither the root (1) nor a department"
    with pytest.raises(DesiredStateError, match=re.escape(message)):
        parse_desired(DEPARTMENTS.replace("后端组,3,2", "后端组,3,9"), "csv", source="d.csv")


def test_gbk_csv_from_excel_is_read() -> None:
    doc = parse_desired(MEMBERS.encode("gbk"), "csv")
    assert doc.users is not None and doc.users[0].fields["name"] == "张三"


def test_load_desired_merges_the_department_and_member_files(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text(DEPARTMENTS, encoding="utf-8")
    (tmp_path / "m.csv").write_text(MEMBERS, encoding="utf-8")
    doc = load_desired(tmp_path / "d.csv", tmp_path / "m.csv")
    assert doc.departments is not None and doc.users is not None
    with pytest.raises(DesiredStateError, match="users section is given by both"):
        load_desired(tmp_path / "m.csv", tmp_path / "m.csv")
    with pytest.raises(DesiredStateError, match="cannot tell the format"):
        load_desired(tmp_path / "org.txt")


def test_examples_parse() -> None:
    root = Path(__file__).resolve().parents[2] / "examples"
    for name in ("org.yaml", "org-v2.yaml"):
        doc = load_desired(root / name)
        assert doc.users is not None and 180 <= len(doc.users) <= 220
        assert doc.departments is not None and len(doc.departments) >= 19


def test_a_parent_listed_after_its_child_keeps_its_fields_and_comes_first() -> None:
    doc = parse_desired("departments:\n  - path: 总部/甲/乙\n  - {path: 总部/甲, name_en: A}\n",
                        "yaml")
    assert doc.departments is not None
    assert [(d.path, d.name_en) for d in doc.departments] == [
        (("总部",), None), (("总部", "甲"), "A"), (("总部", "甲", "乙"), None)]
