"""`wecom-contacts tags …` against the emulator: every command, partial success and JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import Invoke


def _member(cli_json: Callable[..., Any], userid: str) -> None:
    cli_json(
        "users",
        "create",
        userid,
        userid.title(),
        "--mobile",
        f"1380000{len(userid):04d}",
        "--no-invite",
    )


def test_create_list_get_update_delete(cli: Invoke, cli_json: Callable[..., Any]) -> None:
    tagid = cli_json("tags", "create", "内推官", "--id", "17")["tagid"]
    assert tagid == 17
    assert {"tagid": 17, "tagname": "内推官"} in cli_json("tags", "list")

    assert cli_json("tags", "update", "17", "面试官") == {"ok": True, "tagid": 17}
    assert cli_json("tags", "get", "17")["tagname"] == "面试官"
    assert "面试官" in cli("tags", "list").stdout

    assert cli("tags", "delete", "17").exit_code == 0
    assert cli_json("tags", "list") == []


def test_add_and_remove_members(cli: Invoke, cli_json: Callable[..., Any]) -> None:
    _member(cli_json, "zhangsan")
    tagid = cli_json("tags", "create", "值班")["tagid"]

    added = cli_json("tags", "add", str(tagid), "--user", "zhangsan", "--department", "1")
    assert not added.get("invalidlist") and not added.get("invalidparty")
    members = cli_json("tags", "get", str(tagid))
    assert [u["userid"] for u in members["userlist"]] == ["zhangsan"]
    assert members["partylist"] == [1]
    shown = cli("tags", "get", str(tagid))
    assert "zhangsan" in shown.stdout

    removed = cli("tags", "remove", str(tagid), "--user", "zhangsan", "--user", "nobody")
    assert removed.exit_code == 0
    assert "nobody" in removed.stdout
    assert cli_json("tags", "get", str(tagid))["userlist"] == []


def test_add_without_members_is_a_usage_error(cli: Invoke) -> None:
    result = cli("tags", "add", "1")
    assert result.exit_code == 2
    assert "--user" in result.stderr


def test_unknown_tag_exits_1(cli: Invoke) -> None:
    result = cli("tags", "get", "999")
    assert result.exit_code == 1
    assert "errcode" in result.stderr
