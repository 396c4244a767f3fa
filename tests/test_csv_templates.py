"""The import templates: exact header and formats, round trips, and errors naming row and column."""

from __future__ import annotations

from typing import Any

import pytest

from wecom_contacts.templates import (
    DEPARTMENT_HEADER,
    MEMBER_HEADER,
    DepartmentRow,
    MemberRow,
    RowError,
    TemplateError,
    as_utf8,
    read_departments,
    read_members,
    write_departments,
    write_members,
)

ZHANGSAN = {
    "userid": "zhangsan", "name": "张三", "department": [1, 2], "mobile": "+86 13800000000",
    "email": "zhangsan@example.com", "position": "产品经理", "gender": "1",
    "is_leader_in_dept": [1, 0], "order": [10, 20], "alias": "jack", "address": "广州市",
    "telephone": "020-123456", "enable": False,
}


def _errors(exc: pytest.ExceptionInfo[TemplateError]) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in exc.value.errors}


def test_member_file_has_the_template_header_in_order_utf8_and_lf() -> None:
    data = write_members([ZHANGSAN])
    lines = data.decode("utf-8").split("\n")
    assert lines[0] == ",".join(MEMBER_HEADER)
    assert lines[0] == ("姓名,帐号,手机号,邮箱,所在部门,职位,性别,是否部门内领导,排序,别名,地址,"
                        "座机,禁用,禁用项说明：(0-启用;1-禁用)")
    assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")


def test_member_cells_use_semicolon_lists_gender_words_and_disable_flag() -> None:
    line = write_members([ZHANGSAN]).decode().split("\n")[1]
    assert line == ("张三,zhangsan,+86 13800000000,zhangsan@example.com,1;2,产品经理,男,1;0,"
                    "10;20,jack,广州市,020-123456,1,")


def test_bom_is_written_only_when_asked() -> None:
    assert write_members([ZHANGSAN], bom=True).startswith(b"\xef\xbb\xbf")
    assert read_members(write_members([ZHANGSAN], bom=True))[0].userid == "zhangsan"


def test_member_rows_round_trip_through_the_file() -> None:
    rows = [MemberRow(**ZHANGSAN, extattr={"爱好": "旅游"}),  # type: ignore[arg-type]
            MemberRow("lisi", "李四", [3], email="lisi@example.com", enable=True)]
    assert read_members(write_members(rows)) == rows


def test_custom_attributes_become_columns_after_the_template() -> None:
    data = write_members([{**ZHANGSAN, "extattr": {"爱好": "旅游"}},
                          {"userid": "b", "name": "B", "department": [1], "mobile": "139",
                           "extattr": {"工号": "007"}}])
    header = data.decode().split("\n")[0].split(",")
    assert header[len(MEMBER_HEADER):] == ["爱好", "工号"]


def test_reader_accepts_newer_spellings_and_api_gender_values() -> None:
    text = "姓名,账号,手机号,所在部门,职务,性别\n王五,wangwu,13900000000,1,经理,2\n"
    (row,) = read_members(text.encode())
    assert (row.userid, row.position, row.gender) == ("wangwu", "经理", "2")


def test_one_leader_or_order_value_applies_to_every_department() -> None:
    text = "姓名,帐号,手机号,所在部门,是否部门内领导,排序\nA,a,139,1;2;3,1,5\n"
    (row,) = read_members(text)
    assert row.is_leader_in_dept == [1, 1, 1] and row.order == [5, 5, 5]


def test_every_bad_member_cell_is_named_by_row_and_column() -> None:
    rows: list[dict[str, Any]] = [
        ZHANGSAN,
        {"userid": "bad id", "name": "X", "department": [1], "mobile": "139"},
        {"userid": "c", "name": "", "department": [], "email": "not-an-email"},
        {"userid": "d", "name": "D", "department": [1, 2], "mobile": "abc",
         "is_leader_in_dept": [1, 0, 1]},
    ]
    with pytest.raises(TemplateError) as info:
        write_members(rows)
    assert _errors(info) == {
        (3, "帐号"), (4, "姓名"), (4, "所在部门"), (4, "邮箱"), (5, "手机号"),
        (5, "是否部门内领导"),
    }
    assert "row 3 (bad id), column 帐号" in str(info.value)


def test_a_row_without_mobile_or_email_is_refused() -> None:
    with pytest.raises(TemplateError) as info:
        write_members([{"userid": "a", "name": "A", "department": [1]}])
    assert _errors(info) == {(2, "手机号")}


def test_duplicate_userids_ignore_case_and_name_the_later_row() -> None:
    rows = [ZHANGSAN, {**ZHANGSAN, "userid": "ZhangSan", "mobile": "139", "email": None}]
    with pytest.raises(TemplateError) as info:
        write_members(rows)
    assert _errors(info) == {(3, "帐号")}
    assert "already on row 2" in str(info.value)


def test_duplicate_mobile_in_one_file_is_refused() -> None:
    with pytest.raises(TemplateError) as info:
        write_members([ZHANGSAN, {**ZHANGSAN, "userid": "other", "email": None}])
    assert _errors(info) == {(3, "手机号")}


def test_unknown_field_and_wrong_types_are_reported() -> None:
    with pytest.raises(TemplateError) as info:
        write_members([{**ZHANGSAN, "nickname": "x", "gender": "3", "department": ["a"]}])
    messages = [str(e) for e in info.value.errors]
    assert any("unknown member field 'nickname'" in m for m in messages)
    assert _errors(info) >= {(2, "性别"), (2, "所在部门")}


def test_reader_names_bad_cells_with_file_rows() -> None:
    text = ("姓名,帐号,手机号,所在部门,禁用\n"
            "A,a,139,1,0\n"
            "\n"
            "B,b,139x,1;y,2\n")
    with pytest.raises(TemplateError) as info:
        read_members(text)
    assert _errors(info) == {(4, "手机号"), (4, "所在部门"), (4, "禁用")}


def test_reader_reads_gbk_and_the_upload_is_utf8() -> None:
    text = "姓名,帐号,手机号,所在部门\n张三,zs,139,1\n"
    [row] = read_members(text.encode("gbk"))
    assert row.name == "张三"
    assert as_utf8(text.encode("gbk")) == text.encode("utf-8")
    assert as_utf8(text.encode("utf-16")) == text.encode("utf-8")
    utf8 = text.encode("utf-8-sig")
    assert as_utf8(utf8) is utf8  # sent as it is


def test_reader_refuses_a_file_with_mixed_encodings() -> None:
    mixed = "姓名,帐号,手机号,所在部门\n".encode() + "张三,zs,139,1\n".encode("gbk")
    with pytest.raises(TemplateError, match="mixes encodings"):
        read_members(mixed)


def test_reader_needs_the_required_columns() -> None:
    with pytest.raises(TemplateError) as info:
        read_members("姓名,手机号\nA,139\n")
    assert _errors(info) == {(1, "帐号"), (1, "所在部门")}


def test_empty_input_is_refused_like_wecom_refuses_an_empty_file() -> None:
    with pytest.raises(TemplateError):
        write_members([])
    with pytest.raises(TemplateError):
        read_members(",".join(MEMBER_HEADER) + "\n")


def test_member_row_from_wire_keeps_what_the_template_can_carry() -> None:
    wire = {"userid": "z", "name": "Z", "department": [2], "order": [3], "gender": "0",
            "is_leader_in_dept": [1], "enable": 1, "status": 1, "mobile": "139",
            "extattr": {"attrs": [{"type": 0, "name": "爱好", "text": {"value": "旅游"}},
                                  {"type": 1, "name": "主页", "web": {"url": "https://x"}}]}}
    row = MemberRow.from_wire(wire)
    assert row == MemberRow("z", "Z", [2], mobile="139", is_leader_in_dept=[1], order=[3],
                            enable=True, extattr={"爱好": "旅游"})


def test_department_file_has_the_template_header_and_blank_order_means_keep() -> None:
    data = write_departments([DepartmentRow("总部", 1, 0),
                              {"name": "研发", "id": 2, "parent_id": 1, "order": 5}])
    assert data.decode() == "部门名称,部门ID,父部门ID,排序\n总部,1,0,\n研发,2,1,5\n"
    assert DEPARTMENT_HEADER == ("部门名称", "部门ID", "父部门ID", "排序")


def test_department_rows_round_trip() -> None:
    rows = [DepartmentRow("研发", 2, 1, 7), DepartmentRow("后端", 3, 2)]
    assert read_departments(write_departments(rows)) == rows


def test_department_tree_errors_name_rows() -> None:
    rows = [
        DepartmentRow("A", 2, 1),
        DepartmentRow("A", 3, 1),          # sibling name clash (302007)
        DepartmentRow("B", 2, 1),          # duplicate id (302006)
        DepartmentRow("C", 4, 9),          # parent not in the file (302004)
        DepartmentRow("D", 5, 6),          # a loop (302004)
        DepartmentRow("E", 6, 5),
        DepartmentRow("F:G", 7, 1),        # forbidden character
    ]
    with pytest.raises(TemplateError) as info:
        write_departments(rows)
    assert _errors(info) == {(3, "部门名称"), (4, "部门ID"), (5, "父部门ID"), (6, "父部门ID"),
                             (7, "父部门ID"), (8, "部门名称")}


def test_only_the_root_has_parent_zero() -> None:
    with pytest.raises(TemplateError) as info:
        write_departments([DepartmentRow("X", 5, 0)])
    assert _errors(info) == {(2, "父部门ID")}


def test_department_tree_depth_is_limited_to_15_levels() -> None:
    chain = [DepartmentRow(f"L{i}", i, i - 1 if i > 2 else 1) for i in range(2, 17)]
    with pytest.raises(TemplateError) as info:
        write_departments(chain)
    assert _errors(info) == {(16, "父部门ID")}


def test_row_error_text_names_row_key_and_column() -> None:
    assert str(RowError(4, "手机号", "bad", "lisi")) == "row 4 (lisi), column 手机号: bad"
