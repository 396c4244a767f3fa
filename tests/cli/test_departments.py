"""`wecom-contacts departments …` against the emulator: every command, JSON and exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from wecom_contacts.testing import EmulatorControl

from .conftest import Invoke


def test_create_prints_the_new_id_and_get_shows_it(
    cli: Invoke, cli_json: Callable[..., Any]
) -> None:
    created = cli_json("departments", "create", "研发中心", "--parent-id", "1", "--name-en", "R&D")
    department = cli_json("departments", "get", str(created["id"]))
    assert department["name"] == "研发中心"
    assert department["name_en"] == "R&D"
    assert department["parentid"] == 1

    human = cli("departments", "get", str(created["id"]))
    assert human.exit_code == 0
    assert "研发中心" in human.stdout


def test_list_and_tree_show_the_hierarchy(cli: Invoke, cli_json: Callable[..., Any]) -> None:
    rd = cli_json("departments", "create", "研发中心")["id"]
    cli_json("departments", "create", "平台组", "--parent", str(rd))

    listed = cli_json("departments", "list")
    assert {d["name"] for d in listed} >= {"研发中心", "平台组"}

    (root,) = cli_json("departments", "tree")
    (rd_node,) = [c for c in root["children"] if c["id"] == rd]
    assert [c["name"] for c in rd_node["children"]] == ["平台组"]

    tree = cli("departments", "tree")
    assert tree.exit_code == 0
    lines = tree.stdout.splitlines()
    assert lines.index(next(x for x in lines if "平台组" in x)) > lines.index(
        next(x for x in lines if "研发中心" in x)
    )
    table = cli("departments", "list", "--id", str(rd))
    assert "平台组" in table.stdout and "研发中心" in table.stdout


def test_update_changes_only_the_given_fields(cli_json: Callable[..., Any]) -> None:
    new = cli_json("departments", "create", "销售部", "--name-en", "Sales", "--order", "7")["id"]
    assert cli_json("departments", "update", str(new), "--name", "市场部") == {
        "ok": True,
        "id": new,
    }
    department = cli_json("departments", "get", str(new))
    assert (department["name"], department["name_en"], department["order"]) == (
        "市场部",
        "Sales",
        7,
    )


def test_delete_removes_the_department(cli: Invoke, cli_json: Callable[..., Any]) -> None:
    new = cli_json("departments", "create", "临时")["id"]
    result = cli("departments", "delete", str(new))
    assert result.exit_code == 0
    assert new not in {d["id"] for d in cli_json("departments", "list")}


def test_api_error_exits_1_with_errcode_meaning_and_hint(cli: Invoke) -> None:
    result = cli("departments", "get", "424242")
    assert result.exit_code == 1
    assert "errcode 60003" in result.stderr
    assert "Hint:" in result.stderr
    assert result.stdout == ""


def test_api_error_with_json_is_a_json_object_on_stderr(cli: Invoke) -> None:
    result = cli("--json", "departments", "delete", "1")
    assert result.exit_code == 1
    error = json.loads(result.stderr)
    assert error["exit_code"] == 1
    assert isinstance(error["error"]["errcode"], int) and error["error"]["errcode"] != 0
    assert error["error"]["meaning"] and error["error"]["hint"]


def test_command_level_json_flag_works_like_the_global_one(
    cli: Invoke, wecom_emulator: EmulatorControl
) -> None:
    result = cli("departments", "list", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["id"] == 1
