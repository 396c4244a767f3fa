"""batch/replaceparty: the file becomes the department tree; its checks and per-row actions."""

from __future__ import annotations

import pytest

from .jobs_support import DEPARTMENT_HEADER, csv_file, run
from .support import Api, Control, make_department, make_user


def tree(api: Api) -> dict[int, tuple[str, int, int]]:
    return {d["id"]: (d["name"], d["parentid"], d["order"])
            for d in api.ok("GET", "department/list")["department"]}


def test_replaceparty_creates_moves_renames_reorders_and_deletes(
    api: Api, control: Control
) -> None:
    control.seed(departments=[
        {"id": 2, "name": "研发", "parentid": 1, "order": 5},
        {"id": 3, "name": "测试", "parentid": 1, "order": 1},
        {"id": 4, "name": "旧部门", "parentid": 1},
    ])
    result = run(api, control, "batch/replaceparty", csv_file(
        DEPARTMENT_HEADER,
        "总公司,1,0,",
        "研发中心,2,1,",      # renamed, order kept (empty)
        "测试,3,2,9",         # moved under 2, order changed
        "新部门,5,1,3",       # created
    ))
    assert result["errcode"] == 0 and result["type"] == "replace_party", result
    actions = {r["partyid"]: r["action"] for r in result["result"]}
    assert actions == {1: 2, 2: 2, 3: 4 | 8, 5: 1}
    assert all(r["errcode"] == 0 for r in result["result"])
    assert tree(api) == {1: ("总公司", 0, 0), 2: ("研发中心", 1, 5), 3: ("测试", 2, 9),
                         5: ("新部门", 1, 3)}


def test_rows_are_applied_parents_first_whatever_the_file_order(
    api: Api, control: Control
) -> None:
    result = run(api, control, "batch/replaceparty", csv_file(
        DEPARTMENT_HEADER, "孙,4,3,", "子,3,2,", "父,2,1,"))
    assert [r["partyid"] for r in result["result"]] == [2, 3, 4]
    assert tree(api)[4] == ("孙", 3, 0)


def test_a_left_out_department_with_members_stays_until_emptied(
    api: Api, control: Control
) -> None:
    dept = make_department(api, "有人")
    make_user(api, "a", [dept])
    run(api, control, "batch/replaceparty", csv_file(DEPARTMENT_HEADER, "新,9,1,"))
    assert dept in tree(api)
    run(api, control, "batch/syncuser", csv_file("姓名,帐号,所在部门", "A,a,9"))
    assert dept not in tree(api) and 9 in tree(api)


@pytest.mark.parametrize(("lines", "errcode"), [
    (["A,2,1,", "B,2,1,"], 302006),            # an id twice
    (["A,2,1,", "A,3,1,"], 302007),            # two siblings with one name
    (["A,2,5,"], 302004),                      # parent not in the file
    (["A,2,3,", "B,3,2,"], 302004),            # a loop
    (["A,x,1,"], 302004),                      # an id that is not a number
    ([",2,1,"], 302004),                       # an empty name
])
def test_a_file_that_is_no_tree_fails_the_job(
    api: Api, control: Control, lines: list[str], errcode: int
) -> None:
    make_department(api, "留下")
    result = run(api, control, "batch/replaceparty", csv_file(DEPARTMENT_HEADER, *lines))
    assert result["errcode"] == errcode
    assert [name for name, _, _ in tree(api).values()] == ["总部", "留下"]


def test_a_header_without_the_required_columns_is_40092(api: Api, control: Control) -> None:
    assert run(api, control, "batch/replaceparty",
               csv_file("部门名称,排序", "A,1"))["errcode"] == 40092


def test_a_row_the_rules_refuse_gets_its_errcode(api: Api, control: Control) -> None:
    result = run(api, control, "batch/replaceparty", csv_file(
        DEPARTMENT_HEADER, "ok,2,1,", "bad:name,3,1,"))
    codes = {r["partyid"]: r["errcode"] for r in result["result"]}
    assert codes == {2: 0, 3: 60009}
    assert 3 not in tree(api)
