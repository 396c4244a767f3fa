"""`sync plan|apply --departments-from-members`: WeCom's member CSV with department paths and
no departments file, against the emulator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import Invoke

MEMBERS = "姓名,帐号,手机号,所在部门\n张三,zhangsan,13800000001,总部/研发中心/平台组\n" \
          "李四,lisi,13800000002,总部/销售部\n"


def test_the_flag_creates_the_paths_the_member_csv_names_and_applies(
    cli: Invoke, cli_json: Callable[..., Any], tmp_path: Path
) -> None:
    members = tmp_path / "members.csv"
    members.write_text(MEMBERS, encoding="gb18030")
    without = cli("sync", "plan", str(members))
    assert without.exit_code != 0 and "总部/研发中心/平台组 does not exist" in without.output
    plan = cli_json("sync", "plan", str(members), "--departments-from-members")
    creates = [s["target"] for s in plan["steps"] if s["op"] == "department.create"]
    assert creates == ["总部/研发中心", "总部/销售部", "总部/研发中心/平台组"]
    done = cli_json("sync", "apply", str(members), "--departments-from-members", "--yes")
    assert done["ok"] is True
    again = cli_json("sync", "plan", str(members), "--departments-from-members")
    assert again["changes"] == 0


def test_the_flag_with_a_departments_section_is_refused_naming_the_file(
    cli: Invoke, tmp_path: Path
) -> None:
    org = tmp_path / "org.yaml"
    org.write_text("departments: [{path: 总部}]\nusers: []\n", encoding="utf-8")
    result = cli("sync", "plan", str(org), "--departments-from-members")
    assert result.exit_code == 2
    assert "org.yaml: the departments are derived from the members" in result.output
