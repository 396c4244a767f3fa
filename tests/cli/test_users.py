"""`wecom-contacts users …` against the emulator: every command, JSON and exit codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wecom_contacts.testing import EmulatorControl

from .conftest import Invoke

Json = Callable[..., Any]


def test_create_get_update_only_given_fields(cli: Invoke, cli_json: Json) -> None:
    dept = cli_json("departments", "create", "研发中心")["id"]
    created = cli_json(
        "users",
        "create",
        "zhangsan",
        "张三",
        "-d",
        "1",
        "-d",
        str(dept),
        "--leader-in",
        str(dept),
        "--mobile",
        "13800000001",
        "--email",
        "zhangsan@example.com",
        "--position",
        "工程师",
        "--gender",
        "male",
        "--no-invite",
    )
    assert created == {"ok": True, "userid": "zhangsan"}
    user = cli_json("users", "get", "zhangsan")
    assert user["department"] == [1, dept]
    assert user["is_leader_in_dept"] == [0, 1]
    assert (user["gender"], user["position"]) == ("1", "工程师")

    assert cli("users", "update", "zhangsan", "--position", "架构师").exit_code == 0
    user = cli_json("users", "get", "zhangsan")
    assert (user["position"], user["mobile"], user["name"]) == ("架构师", "13800000001", "张三")
    assert "架构师" in cli("users", "get", "zhangsan").stdout


def test_list_simple_and_detailed(cli: Invoke, cli_json: Json) -> None:
    cli_json("users", "create", "lisi", "李四", "--mobile", "13800000002", "--no-invite")
    detailed = cli_json("users", "list", "1")
    assert [(u["userid"], u["mobile"]) for u in detailed] == [("lisi", "13800000002")]
    simple = cli_json("users", "list", "--simple", "--fetch-child")
    assert simple[0]["userid"] == "lisi" and "mobile" not in simple[0]
    assert "李四" in cli("users", "list").stdout


def test_enable_disable_and_delete(cli: Invoke, cli_json: Json) -> None:
    for n in (1, 2, 3):
        cli_json("users", "create", f"u{n}", f"U{n}", "--mobile", f"1390000000{n}", "--no-invite")
    assert cli_json("users", "disable", "u1") == {"ok": True, "userid": "u1"}
    assert cli_json("users", "get", "u1")["enable"] == 0
    assert cli("users", "enable", "u1").exit_code == 0
    assert cli_json("users", "get", "u1")["enable"] == 1

    assert cli("users", "delete", "u1").exit_code == 0
    assert cli_json("users", "delete", "u2", "u3") == {"ok": True, "userids": ["u2", "u3"]}
    assert cli_json("users", "list") == []


def test_find_by_mobile_and_email(cli: Invoke, cli_json: Json) -> None:
    cli_json(
        "users",
        "create",
        "wangwu",
        "王五",
        "--mobile",
        "13800000003",
        "--email",
        "wangwu@example.com",
        "--no-invite",
    )
    assert cli("users", "find", "--mobile", "13800000003").stdout.strip() == "wangwu"
    found = cli_json("users", "find", "--email", "wangwu@example.com", "--personal")
    assert found == {"userid": "wangwu"}
    both = cli("users", "find", "--mobile", "1", "--email", "a@b.c")
    assert both.exit_code == 2 and "exactly one" in both.stderr


def test_openid_round_trip(cli: Invoke, cli_json: Json, wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.seed(
        {
            "users": [
                {
                    "userid": "zhaoliu",
                    "name": "赵六",
                    "department": [1],
                    "mobile": "13800000004",
                    "status": 1,
                },
            ]
        }
    )
    openid = cli("users", "to-openid", "zhaoliu").stdout.strip()
    assert openid
    assert cli_json("users", "to-userid", openid) == {"openid": openid, "userid": "zhaoliu"}


def test_invite_lists_what_was_refused(cli: Invoke, cli_json: Json) -> None:
    cli_json("users", "create", "sunqi", "孙七", "--mobile", "13800000005", "--no-invite")
    result = cli_json("users", "invite", "--user", "sunqi", "--user", "ghost")
    assert result.get("invaliduser") == ["ghost"]
    assert cli("users", "invite").exit_code == 2


def test_unknown_user_exits_1_and_names_the_errcode(cli: Invoke) -> None:
    result = cli("users", "get", "nobody")
    assert result.exit_code == 1
    assert "errcode 60111" in result.stderr
    assert "Hint:" in result.stderr


def test_leader_flag_outside_the_departments_is_a_usage_error(cli: Invoke) -> None:
    result = cli("users", "create", "x", "X", "-d", "1", "--leader-in", "2", "--mobile", "1")
    assert result.exit_code == 2
    assert "--leader-in" in result.stderr
