"""An HR export through a mapping → the desired directory: fields, filters, leavers, links."""

from __future__ import annotations

from pathlib import Path

import pytest

from wecom_contacts.sources import SourceError, SourceResult
from wecom_contacts.sync import DesiredUser, Membership

from .conftest import HR_MAPPING, HR_ROWS, Reader


def _users(result: SourceResult) -> dict[str, DesiredUser]:
    users = result.directory.users
    assert users is not None
    return {u.userid: u for u in users}


def _memberships(user: DesiredUser) -> list[Membership]:
    assert user.departments is not None
    return user.departments


def test_mapping_turns_hr_columns_into_members(hr: Reader) -> None:
    result = hr()
    assert result.errors == []
    zhang = _users(result)["E1001"]
    assert zhang.fields["name"] == "张三"
    assert zhang.fields["mobile"] == "13800000001"
    assert zhang.fields["gender"] == "1"
    assert zhang.fields["extattr"] == {
        "attrs": [{"type": 0, "name": "入职日期", "text": {"value": "2020-01-01"}}]}
    assert [m.department for m in _memberships(zhang)] == ["总部/研发中心/平台研发部"]
    assert zhang.origin == "hr.csv, row 2"


def test_contractors_are_dropped_and_leavers_disabled(hr: Reader) -> None:
    result = hr()
    users = _users(result)
    assert "E1004" not in users  # 外包
    assert users["E1003"].fields["enable"] is False  # 离职, action: disable
    assert users["E1001"].fields.get("enable") is None  # not managed for the others
    assert result.counts == {"records": 4, "members": 2, "leavers": 1, "dropped": 1,
                             "filtered": 0, "departments": 4, "tags": 2}


def test_leavers_to_delete_are_left_out(hr: Reader) -> None:
    result = hr(mapping=HR_MAPPING.replace("action: disable", "action: delete"))
    assert sorted(_users(result)) == ["E1001", "E1002"]


def test_only_keeps_matching_rows(hr: Reader) -> None:
    mapping = HR_MAPPING.replace("  leavers: {when: [{column: 状态, equals: 离职}], "
                                 "action: disable}\n", "")
    result = hr(mapping=mapping)
    assert sorted(_users(result)) == ["E1001", "E1002"]
    assert result.counts["filtered"] == 1


def test_department_tree_is_the_union_of_member_paths(hr: Reader) -> None:
    departments = hr().directory.departments
    assert departments is not None
    assert [d.path for d in departments] == [
        ("总部",), ("总部", "研发中心"), ("总部", "市场部"), ("总部", "研发中心", "平台研发部")]
    assert departments[0].origin == "implied"  # the root is never renamed after a path


def test_departments_not_managed_when_asked(hr: Reader) -> None:
    result = hr(mapping=HR_MAPPING + "departments: {manage: false}\n")
    assert result.directory.departments is None


def test_department_levels_and_separator(hr: Reader) -> None:
    mapping = HR_MAPPING.replace("department: {path: 部门, root: 总部}",
                                 "department: {levels: [一级, 二级], root: 总部}")
    header = "工号,姓名,一级,二级,手机,状态"
    mapping = "\n".join(line for line in mapping.splitlines()
                        if not any(k in line for k in ("性别", "邮箱", "标签", "入职", "直属",
                                                        "外包", "离职")))
    result = hr(["1,甲,研发中心,平台部,13800000001,在职", "2,乙,市场部,,13800000002,在职",
                 "3,丙,,平台部,13800000003,在职"], mapping, header=header)
    users = _users(result)
    assert _memberships(users["E1"])[0].department == "总部/研发中心/平台部"
    assert _memberships(users["E2"])[0].department == "总部/市场部"
    assert [str(p) for p in result.errors] == [
        "hr.csv, row 4, column 一级/二级: level 一级 is empty but a deeper level is not"]


def test_path_separator_is_configurable(hr: Reader) -> None:
    mapping = HR_MAPPING.replace("department: {path: 部门, root: 总部}",
                                 "department: {path: 部门, separator: '-', root: 总部}")
    rows = [r.replace("研发中心/平台研发部", "研发中心-平台研发部") for r in HR_ROWS]
    users = _users(hr(rows, mapping))
    assert _memberships(users["E1002"])[0].department == "总部/研发中心/平台研发部"


def test_direct_leader_is_found_by_the_managers_employee_number(hr: Reader) -> None:
    users = _users(hr())
    assert users["E1002"].direct_leader == ["E1001"]
    assert users["E1001"].direct_leader is None  # empty cell: not managed


def test_unknown_manager_is_a_warning_naming_the_row(hr: Reader) -> None:
    rows = [*HR_ROWS[:1], HR_ROWS[1].replace(",1001,", ",9999,")]
    result = hr(rows)
    assert result.errors == []
    assert [str(p) for p in result.problems] == [
        "hr.csv, row 3, column 直属上级工号: direct leader '9999' is not among the members "
        "(no row has 工号 '9999'); left out"]
    assert _users(result)["E1002"].direct_leader is None


def test_tags_come_from_a_list_column(hr: Reader) -> None:
    directory_tags = hr().directory.tags
    assert directory_tags is not None
    tags = {t.name: t.users for t in directory_tags}
    assert tags == {"技术委员会": ["E1001", "E1002"], "党员": ["E1001"]}


def test_a_bad_cell_names_the_row_and_column(hr: Reader) -> None:
    rows = [HR_ROWS[0], HR_ROWS[1].replace("138-0000-0002", "138-0000"),
            HR_ROWS[2].replace(",男,", ",未知,")]
    result = hr(rows)
    assert [str(p) for p in result.errors] == [
        "hr.csv, row 3, column 手机: '138-0000' is not a mainland mobile number (11 digits "
        "starting with 1); write others with their +country code",
        "hr.csv, row 4, column 性别: '未知' is not a gender (男/女, male/female, M/F, 1/2)",
    ]
    with pytest.raises(SourceError) as info:
        result.raise_for_problems()
    assert str(info.value).startswith("hr.csv, row 3, column 手机: '138-0000' is not")
    assert "(and 1 more problem(s)" in str(info.value)


def test_two_rows_with_one_mobile_are_both_named(hr: Reader) -> None:
    rows = [HR_ROWS[0], HR_ROWS[1].replace("138-0000-0002", "13800000001")]
    [error] = hr(rows).errors
    assert str(error) == ("hr.csv, row 3, column 手机: mobile '13800000001' is also given to "
                          "'E1001' (hr.csv, row 2); no two members may share it")


def test_duplicate_userids_are_refused(hr: Reader) -> None:
    rows = [HR_ROWS[0], HR_ROWS[1].replace("1002,李四", "1001,李四").replace(",1001,", ",,")]
    errors = [str(p) for p in hr(rows).errors]
    assert errors[0] == "hr.csv, row 3, column 工号: userid 'E1001' is also given by " \
                        "hr.csv, row 2"


def test_invalid_userid_from_a_template_names_the_column(hr: Reader) -> None:
    mapping = HR_MAPPING.replace('userid: {template: "E{工号}"}', "userid: 姓名")
    errors = [str(p) for p in hr(HR_ROWS[:1], mapping).errors]
    assert errors[0].startswith("hr.csv, row 2, column 姓名: '张三' is not a valid userid")


def test_a_column_the_file_lacks_names_the_mapping_line(hr: Reader) -> None:
    with pytest.raises(SourceError) as info:
        hr(mapping=HR_MAPPING.replace("email: 邮箱", "email: 电子邮箱"))
    assert str(info.value).startswith("hr.yaml, line 7: column '电子邮箱' is not in hr.csv "
                                      "(did you mean '邮箱'?")


def test_userid_from_the_email_local_part(hr: Reader) -> None:
    mapping = HR_MAPPING.replace('userid: {template: "E{工号}"}',
                                 "userid: {column: 邮箱, transforms: [email_local_part, lower]}")
    assert sorted(_users(hr(mapping=mapping))) == ["lisi", "wangwu", "zhangsan"]


def test_template_with_inline_transforms(hr: Reader) -> None:
    mapping = HR_MAPPING.replace('userid: {template: "E{工号}"}',
                                 'userid: {template: "{邮箱|email_local_part|upper}.{工号}"}')
    assert "ZHANGSAN.1001" in _users(hr(mapping=mapping))


def test_enum_map_and_default(hr: Reader) -> None:
    mapping = HR_MAPPING.replace("  email: 邮箱\n", "  email: 邮箱\n  position: {column: 用工类型, "
                                 "transforms: [{map: {正式: 员工}, default: 其他}]}\n")
    users = _users(hr(mapping=mapping))
    assert users["E1001"].fields["position"] == "员工"


def test_enum_map_refuses_unknown_values(hr: Reader) -> None:
    mapping = HR_MAPPING.replace("  email: 邮箱\n", "  email: 邮箱\n  position: {column: 状态, "
                                 "transforms: [{map: {在职: 在岗}}]}\n")
    [error] = hr(mapping=mapping).errors
    assert str(error) == "hr.csv, row 4, column 状态: '离职' is not in the map (known: '在职')"


def test_empty_cells_keep_or_clear(hr: Reader) -> None:
    rows = [HR_ROWS[0].replace("zhangsan@example.com", "")]
    assert "email" not in _users(hr(rows))["E1001"].fields
    cleared = hr(rows, HR_MAPPING + "").directory  # default: keep
    assert cleared.users is not None
    assert "email" not in cleared.users[0].fields
    mapping = HR_MAPPING.replace("members:\n", "members:\n  empty: clear\n")
    assert _users(hr(rows, mapping))["E1001"].fields["email"] == ""


def test_an_empty_cell_is_not_managed_even_with_transforms(hr: Reader) -> None:
    rows = [HR_ROWS[0].replace(",男,", ",,").replace("+86 138 0000 0001", "\u3000")]
    result = hr(rows)
    assert result.errors == []
    fields = _users(result)["E1001"].fields
    assert "gender" not in fields and "mobile" not in fields
    mapping = HR_MAPPING.replace("transforms: [gender]}", "transforms: [gender], default: 女}")
    assert _users(hr(rows, mapping))["E1001"].fields["gender"] == "2"


def test_a_plug_in_sees_an_empty_cell_as_none(hr: Reader, tmp_path: Path) -> None:
    (tmp_path / "hr_rules.py").write_text(
        "def title(value, record):\n"
        "    return '（无）' if value is None else value\n", encoding="utf-8")
    mapping = HR_MAPPING.replace("  email: 邮箱\n", "  email: 邮箱\n  position: {column: 标签, "
                                 "transforms: [{python: 'hr_rules.py:title'}]}\n")
    users = _users(hr(mapping=mapping))
    assert users["E1002"].fields["position"] == "技术委员会"
    assert users["E1001"].fields["position"] == "技术委员会;党员"
    rows = [HR_ROWS[0].replace("技术委员会;党员", "")]
    assert _users(hr(rows, mapping))["E1001"].fields["position"] == "（无）"


def test_python_plug_in_transform(hr: Reader, tmp_path: Path) -> None:
    (tmp_path / "hr_rules.py").write_text(
        "def title(value, record):\n"
        "    if record['用工类型'] == '外包':\n"
        "        raise ValueError('contractors have no title')\n"
        "    return value + '（' + record['状态'] + '）'\n", encoding="utf-8")
    mapping = HR_MAPPING.replace("  email: 邮箱\n", "  email: 邮箱\n  position: {column: 姓名, "
                                 "transforms: [{python: 'hr_rules.py:title'}]}\n")
    assert _users(hr(mapping=mapping))["E1001"].fields["position"] == "张三（在职）"


def test_missing_plug_in_names_the_mapping_line(hr: Reader) -> None:
    mapping = HR_MAPPING.replace("  email: 邮箱\n", "  email: 邮箱\n  position: {column: 姓名, "
                                 "transforms: [{python: 'no_such_module_x:title'}]}\n")
    with pytest.raises(SourceError) as info:
        hr(mapping=mapping)
    assert str(info.value).startswith("hr.yaml, line 8: cannot import plug-in "
                                      "'no_such_module_x:title'")


def test_paths_with_different_roots_are_refused(hr: Reader) -> None:
    mapping = HR_MAPPING.replace("department: {path: 部门, root: 总部}", "department: {path: 部门}")
    errors = [str(p) for p in hr(mapping=mapping).errors]
    assert errors[0].startswith("hr.csv, row 4, column 部门: department '市场部' does not start "
                                "with the root '研发中心' of hr.csv, row 2")


def test_fingerprint_counts_every_record(hr: Reader) -> None:
    first, again = hr(), hr()
    assert first.fingerprint is not None and first.fingerprint.counts == {"members": 4}
    assert first.fingerprint == again.fingerprint
    changed = hr([*HR_ROWS[:3], HR_ROWS[3].replace("赵六", "赵七")])
    assert changed.fingerprint is not None
    assert changed.fingerprint.sha256 != first.fingerprint.sha256


def test_every_bad_row_is_named_among_many(hr: Reader) -> None:
    header = "工号,姓名,手机,状态"
    rows = [f"{n},员工{n},139{n:08d},在职" for n in range(1, 1201)]
    rows[10] = rows[10].replace("员工11", "x" * 65)
    rows[700] = rows[700].replace("员工701", "y" * 70)
    mapping = ('input: {type: csv, path: hr.csv}\nmembers:\n  userid: {template: "E{工号}"}\n'
               "  name: 姓名\n  mobile: 手机\n")
    result = hr(rows, mapping, header=header)
    assert [p.where for p in result.errors] == ["hr.csv, row 12, column 姓名",
                                                "hr.csv, row 702, column 姓名"]
    directory_users = result.directory.users
    assert directory_users is not None
    assert len(directory_users) == 1198
    assert directory_users[11].userid == "E13"  # the order of the file is kept


def test_every_bad_field_of_a_row_is_named(hr: Reader) -> None:
    rows = [HR_ROWS[0].replace("张三", "x" * 65).replace("zhangsan@example.com", "not-mail")]
    assert [str(p) for p in hr(rows).errors] == [
        "hr.csv, row 2, column 姓名: name is 65 characters long (at most 64)",
        "hr.csv, row 2, column 邮箱: email 'not-mail' is not an e-mail address",
    ]


def test_repeated_values_give_the_same_members_as_distinct_ones(hr: Reader) -> None:
    """A column's values are converted once each: a repeated department or gender word
    gives every row its own checked value, and a bad repeated value names every row."""
    rows = [f"{n},员工{n},研发中心/平台研发部,1380000{n:04d},{'男' if n % 2 else '未知'},"
            f"u{n}@example.com,在职,正式,,,2020-01-01" for n in range(1, 7)]
    result = hr(rows)
    assert [p.where for p in result.errors] == [
        f"hr.csv, row {n + 1}, column 性别" for n in (2, 4, 6)]
    users = _users(result)
    assert [users[f"E{n}"].fields["gender"] for n in (1, 3, 5)] == ["1", "1", "1"]
    assert _memberships(users["E1"])[0] is not _memberships(users["E3"])[0]


def test_department_ids_with_a_derived_tree_are_refused_per_row(hr: Reader) -> None:
    mapping = HR_MAPPING.replace("department: {path: 部门, root: 总部}", "department: {id: 工号}")
    errors = [str(p) for p in hr(mapping=mapping).errors]
    assert errors[0] == ("hr.csv, row 2, column 工号: user E1001 names department #1001 by id: "
                         "with the departments derived from the members, name each department "
                         "by its path (总部/研发中心) (or set departments.manage: false)")
    kept = hr(mapping=mapping + "departments: {manage: false}\n")
    assert kept.errors == [] and kept.directory.departments is None


def test_long_columns_of_distinct_values_read_as_short_ones(hr: Reader) -> None:
    # hundreds of distinct values are checked a column at a time; one bad or empty value
    # in the middle must still be named, or left out, as when each is read on its own
    rows = [f"{2000 + i},员工{i},研发中心,+86 139 0000 {i:04d},{'男' if i % 2 else '女'},"
            f"u{i}@example.com,在职,正式,,,2020-01-01" for i in range(300)]
    rows[150] = rows[150].replace("+86 139 0000 0150", "139-ABC")
    rows[200] = rows[200].replace("u200@example.com", "")
    rows[250] = rows[250].replace("员工250", "\u3000")
    result = hr(rows)
    assert [str(e) for e in result.errors] == [
        "hr.csv, row 152, column 手机: '139-ABC' is not a mobile number (digits, +, - and "
        "spaces only)",
        "hr.csv, row 252, column 姓名: name is empty"]
    users = _users(result)
    assert len(users) == 298
    assert users["E2007"].fields == {"name": "员工7", "mobile": "13900000007", "gender": "1",
                                     "email": "u7@example.com",
                                     "extattr": users["E2007"].fields["extattr"]}
    assert "email" not in users["E2200"].fields
