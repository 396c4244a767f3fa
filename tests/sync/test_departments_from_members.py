"""A members-only desired state whose department tree is the union of the members' paths
(`departments: from-members`, `with_departments_from_members`), planned against the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from wecom_contacts import Client
from wecom_contacts.sync import (
    DesiredStateError,
    PlanError,
    PlanOptions,
    apply_sources,
    load_desired,
    make_plan,
    parse_desired,
    plan_from_files,
    with_departments_from_members,
)

from .conftest import live

MEMBERS_ONLY = """\
departments: from-members
users:
- userid: zhangsan
  name: 张三
  mobile: '13800000001'
  departments: [总部/研发中心/平台组]
- userid: lisi
  name: 李四
  mobile: '13800000002'
  departments: [总部/销售部]
"""


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WECOM_STATE_DIR", str(tmp_path / "state"))
    return tmp_path


def test_the_tree_is_every_members_path_with_its_ancestors() -> None:
    doc = parse_desired(MEMBERS_ONLY, "yaml", source="org.yaml")
    assert doc.departments is not None
    assert [d.path for d in doc.departments] == [
        ("总部",), ("总部", "研发中心"), ("总部", "销售部"), ("总部", "研发中心", "平台组")]


def test_missing_departments_are_created_and_a_second_plan_is_empty(
    wecom_client: Client, state_dir: Path
) -> None:
    org = state_dir / "org.yaml"
    org.write_text(MEMBERS_ONLY, encoding="utf-8")
    done = apply_sources(wecom_client, [org])
    assert done.report is not None and done.report.ok
    names = {d.name for d in wecom_client.departments.list()}
    assert {"研发中心", "平台组", "销售部"} <= names
    placed = wecom_client.users.get("zhangsan").department
    platform = next(d.id for d in wecom_client.departments.list() if d.name == "平台组")
    assert placed == [platform]
    assert plan_from_files(wecom_client, [org]).is_empty


def test_a_department_no_member_names_is_deleted_once_empty(
    wecom_client: Client, state_dir: Path
) -> None:
    wecom_client.departments.create(name="旧部门", parent_id=1)
    org = state_dir / "org.yaml"
    org.write_text(MEMBERS_ONLY, encoding="utf-8")
    plan = plan_from_files(wecom_client, [org], PlanOptions(allow_deletes=True))
    assert ("department.delete", "总部/旧部门") in {(s.op, s.target) for s in plan.steps}


def test_without_the_key_a_members_only_file_leaves_departments_alone(
    wecom_client: Client, state_dir: Path
) -> None:
    wecom_client.departments.create(name="研发中心", parent_id=1)
    wecom_client.departments.create(name="旧部门", parent_id=1)
    org = state_dir / "org.yaml"
    org.write_text("users:\n- userid: zhangsan\n  name: 张三\n  mobile: '13800000001'\n"
                   "  departments: [总部/研发中心]\n", encoding="utf-8")
    plan = plan_from_files(wecom_client, [org], PlanOptions(allow_deletes=True))
    assert [s.op for s in plan.steps] == ["user.create"]


def test_the_member_csv_takes_the_tree_from_its_paths(
    wecom_client: Client, state_dir: Path
) -> None:
    members = state_dir / "members.csv"
    members.write_text("姓名,帐号,手机号,所在部门\n张三,zhangsan,13800000001,总部/研发中心/平台组\n",
                       encoding="utf-8-sig")
    desired = with_departments_from_members(load_desired(members))
    assert desired.departments is not None
    assert [d.path[-1] for d in desired.departments] == ["总部", "研发中心", "平台组"]
    plan = plan_from_files(wecom_client, [members],
                           load=lambda *p: with_departments_from_members(load_desired(*p)))
    creates = [s.target for s in plan.steps if s.op == "department.create"]
    assert creates == ["总部/研发中心", "总部/研发中心/平台组"]


def test_a_member_naming_a_department_by_id_is_refused_with_its_line() -> None:
    text = MEMBERS_ONLY.replace("[总部/销售部]", "[2]")
    with pytest.raises(DesiredStateError, match=r"org.yaml, line 7: user lisi names "
                                                r"department #2 by id"):
        parse_desired(text, "yaml", source="org.yaml")


def test_derived_and_written_departments_together_are_refused() -> None:
    doc = parse_desired("departments: [{path: 总部}]\nusers: []\n", "yaml", source="org.yaml")
    with pytest.raises(DesiredStateError, match="has a departments section of its own"):
        with_departments_from_members(doc)


@pytest.mark.parametrize(("text", "message"), [
    ("departments: from-members\n", "departments: from-members needs a users section"),
    ("departments: from-member\nusers: []\n", "departments must be a list, or 'from-members'"),
])
def test_a_wrong_departments_value_names_the_key(text: str, message: str) -> None:
    with pytest.raises(DesiredStateError, match=message) as caught:
        parse_desired(text, "yaml", source="org.yaml")
    assert caught.value.where.startswith("org.yaml, line 1")


def test_a_tag_naming_a_department_no_member_is_in_says_the_tree_is_derived() -> None:
    text = MEMBERS_ONLY + "tags:\n- {name: 财务, departments: [总部/财务部]}\n"
    with pytest.raises(PlanError) as info:
        make_plan(parse_desired(text, "yaml", source="org.yaml"), live([]))
    assert "department 总部/财务部 is not in the departments section (the departments are " \
        "derived from the members' paths, and no member is in this one" in str(info.value)
    own = text.replace("departments: from-members\n", "departments:\n- path: 总部/研发中心/平台组\n"
                       "- path: 总部/销售部\n")
    with pytest.raises(PlanError) as info:
        make_plan(parse_desired(own, "yaml", source="org.yaml"), live([]))
    assert "derived" not in str(info.value)
