"""Desired-state CSV and CSV export use the import templates' own reader and writer."""

from __future__ import annotations

import pytest

from wecom_contacts.sync import DesiredStateError, LiveDirectory, dump_directory, parse_desired
from wecom_contacts.templates import (
    DEPARTMENT_HEADER,
    MEMBER_HEADER,
    read_departments,
    read_members,
)

from .test_sources import MEMBERS


def test_the_export_is_a_file_the_import_job_accepts(small_live: LiveDirectory) -> None:
    members = dump_directory(small_live, "csv-members")
    assert members.splitlines()[0] == ",".join(MEMBER_HEADER)
    rows = {r.userid: r for r in read_members(members)}
    assert (rows["lisi"].department, rows["lisi"].is_leader_in_dept) == ([2], [1])
    assert rows["zhangsan"].position == "工程师" and rows["zhangsan"].enable is True
    departments = dump_directory(small_live, "csv-departments")
    assert departments.splitlines()[0] == ",".join(DEPARTMENT_HEADER)
    assert {(d.id, d.parent_id) for d in read_departments(departments)} == {
        (1, 0), (2, 1), (3, 2), (4, 1)}


def test_the_other_spellings_the_template_reads_are_read_too() -> None:
    text = MEMBERS.replace("帐号", "账号").replace("职位", "职务")
    assert [r.position for r in read_members(text)] == ["工程师", None]
    doc = parse_desired(text, "csv", source="m.csv")
    assert doc.users is not None and doc.users[0].fields["position"] == "工程师"


def test_a_row_the_import_job_would_refuse_is_refused_with_its_row() -> None:
    no_contact = MEMBERS.replace(",lisi@example.com,", ",,")
    with pytest.raises(DesiredStateError, match=r"m\.csv, row 3, column 手机号: a mobile"):
        parse_desired(no_contact, "csv", source="m.csv")
    bad_path = MEMBERS.replace(",2;3,", ",总部/研发:中心;3,")
    with pytest.raises(DesiredStateError, match=r"row 2, column 所在部门: department name "):
        parse_desired(bad_path, "csv", source="m.csv")


def test_departments_may_be_named_by_path_beside_ids() -> None:
    doc = parse_desired(MEMBERS.replace(",2;3,", ",总部/研发中心;3,"), "csv", source="m.csv")
    assert doc.users is not None
    assert [m.department for m in doc.users[0].departments or []] == ["总部/研发中心", 3]


def test_several_problems_name_the_first_and_count_the_rest() -> None:
    bad = MEMBERS.replace(",男,", ",男性,").replace(",1\n", ",2\n")
    with pytest.raises(DesiredStateError) as err:
        parse_desired(bad, "csv", source="m.csv")
    assert str(err.value) == ("m.csv, row 2, column 性别: '男性' is not 男 or 女 "
                              "(and 1 more problem(s))")
