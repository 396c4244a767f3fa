"""user/simplelist, user/list and user/list_id (cursor paging)."""

from __future__ import annotations

from typing import Any

from .support import Api, Control, make_department, make_user


def userids(rows: list[dict[str, Any]]) -> list[str]:
    return [r["userid"] for r in rows]


def test_simplelist_rows_hold_userid_name_department(api: Api) -> None:
    d = make_department(api, "研发")
    make_user(api, "u1", [1, d], name="一号")
    rows = api.ok("GET", "user/simplelist", department_id=d)["userlist"]
    assert rows == [{"userid": "u1", "name": "一号", "department": [1, d]}]


def test_members_are_listed_by_order_larger_first_then_by_creation(api: Api) -> None:
    make_user(api, "first", [1])
    make_user(api, "second", [1])
    make_user(api, "top", [1], order=[10])
    assert userids(api.ok("GET", "user/simplelist", department_id=1)["userlist"]) == [
        "top",
        "first",
        "second",
    ]


def test_fetch_child_walks_the_subtree_once_per_member(api: Api) -> None:
    a = make_department(api, "A")
    a1 = make_department(api, "A1", a)
    make_user(api, "root_only", [1])
    make_user(api, "in_a", [a])
    make_user(api, "in_both", [a, a1])
    make_user(api, "in_a1", [a1])
    direct = api.ok("GET", "user/simplelist", department_id=a)["userlist"]
    assert userids(direct) == ["in_a", "in_both"]
    deep = api.ok("GET", "user/list", department_id=a, fetch_child=1)["userlist"]
    assert userids(deep) == ["in_a", "in_both", "in_a1"]


def test_fetch_child_can_be_ignored_as_the_current_docs_say(api: Api, control: Control) -> None:
    control.config(honour_fetch_child=False)
    a = make_department(api, "A")
    make_user(api, "deep", [make_department(api, "A1", a)])
    assert api.ok("GET", "user/simplelist", department_id=a, fetch_child=1)["userlist"] == []


def test_user_list_returns_full_member_objects(api: Api) -> None:
    make_user(api, "u1", [1], mobile="13800000000", position="dev")
    row = api.ok("GET", "user/list", department_id=1)["userlist"][0]
    got = api.ok("GET", "user/get", userid="u1")
    got.pop("errcode"), got.pop("errmsg")
    assert row == got


def test_listing_an_unknown_department_is_60003(api: Api) -> None:
    assert api.get("user/simplelist", department_id=99)["errcode"] == 60003
    assert api.get("user/list", department_id=99)["errcode"] == 60003
    assert api.get("user/list")["errcode"] == 60003


def test_very_large_lists_can_be_made_to_fail_with_45029(api: Api, control: Control) -> None:
    control.config(max_list_users=1)
    make_user(api, "u1", [1])
    make_user(api, "u2", [1])
    assert api.get("user/list", department_id=1)["errcode"] == 45029


def all_pages(api: Api, limit: int) -> list[tuple[str, int]]:
    rows: list[tuple[str, int]] = []
    cursor = ""
    while True:
        page = api.ok("POST", "user/list_id", {"cursor": cursor, "limit": limit})
        rows += [(r["userid"], r["department"]) for r in page["dept_user"]]
        cursor = page["next_cursor"]
        if not cursor:
            return rows


def test_list_id_pages_through_user_department_pairs(api: Api) -> None:
    d = make_department(api, "研发")
    make_user(api, "zhangsan", [1, d])
    make_user(api, "lisi", [d])
    first = api.ok("POST", "user/list_id", {"limit": 2})
    assert first["dept_user"] == [
        {"userid": "zhangsan", "department": 1},
        {"userid": "zhangsan", "department": d},
    ]
    assert first["next_cursor"]
    second = api.ok("POST", "user/list_id", {"cursor": first["next_cursor"], "limit": 2})
    assert second["dept_user"] == [{"userid": "lisi", "department": d}]
    assert second["next_cursor"] == ""  # an empty cursor ends the paging


def test_list_id_without_limit_returns_everything(api: Api) -> None:
    for i in range(5):
        make_user(api, f"u{i}", [1])
    page = api.ok("POST", "user/list_id", {})
    assert len(page["dept_user"]) == 5 and page["next_cursor"] == ""


def test_list_id_limit_is_1_to_10000_and_foreign_cursors_are_50100(api: Api) -> None:
    assert api.post("user/list_id", {"limit": 0})["errcode"] == 40058
    assert api.post("user/list_id", {"limit": 10001})["errcode"] == 40058
    assert api.post("user/list_id", {"cursor": "not-a-cursor"})["errcode"] == 50100


def test_list_id_cursor_stays_valid_while_the_directory_changes(api: Api) -> None:
    for i in range(6):
        make_user(api, f"u{i}", [1])
    page = api.ok("POST", "user/list_id", {"limit": 3})
    seen = userids(page["dept_user"])
    api.ok("GET", "user/delete", userid="u1")  # already returned
    api.ok("GET", "user/delete", userid="u4")  # not yet returned
    make_user(api, "late", [1])
    api.ok("POST", "user/update", {"userid": "u5", "position": "moved"})
    rest = api.ok("POST", "user/list_id", {"cursor": page["next_cursor"], "limit": 3})
    seen += userids(rest["dept_user"])
    assert rest["next_cursor"] == ""
    # everyone present all along appears exactly once; the deleted one that was not yet
    # reached is gone, the newcomer shows up at the end
    assert seen == ["u0", "u1", "u2", "u3", "u5", "late"]


def test_list_id_over_many_pages_returns_each_pair_once(api: Api) -> None:
    d = make_department(api, "研发")
    for i in range(25):
        make_user(api, f"u{i:02}", [1, d] if i % 2 else [d])
    rows = all_pages(api, 4)
    assert len(rows) == len(set(rows)) == 25 + 12
