"""make_plan: managed subtree, freed names and mobiles, leader ordering."""

from __future__ import annotations

import pytest

from wecom_contacts.sync import (
    LiveDepartment,
    LiveDirectory,
    PlanError,
    PlanOptions,
    make_plan,
)

from .conftest import desired, live


def _people(n: int, dept: int = 2) -> list[dict[str, object]]:
    return [{"userid": f"p{i}", "name": f"P{i}", "department": [dept], "mobile": f"139{i:08d}"}
            for i in range(n)]


SUBTREE_LIVE = dict(
    departments=[(2, "研发中心", 1), (3, "后端组", 2), (4, "市场部", 1)],
    users=[
        {"userid": "dev", "name": "Dev", "department": [3], "mobile": "1"},
        {"userid": "both", "name": "Both", "department": [3, 4], "mobile": "2"},
        {"userid": "mkt", "name": "Mkt", "department": [4], "mobile": "3"},
    ],
)


def test_subtree_plan_leaves_everything_outside_alone() -> None:
    current = live(**SUBTREE_LIVE)  # type: ignore[arg-type]
    text = """
departments:
  - path: 总部/研发中心/前端组
users:
  - {userid: fe, name: FE, departments: [总部/研发中心/前端组, 总部/市场部], mobile: "9"}
"""
    options = PlanOptions(subtree="总部/研发中心", allow_deletes=True)
    plan = make_plan(desired(text), current, options)
    got = [(s.op, s.target, s.params) for s in plan.steps]
    assert got[0][:2] == ("department.create", "总部/研发中心/前端组")
    assert got[1][:2] == ("user.create", "fe")
    assert got[1][2]["department"] == [{"$ref": plan.steps[0].id}]  # 市场部 is outside
    assert got[2] == ("user.update", "both",
                      {"userid": "both", "department": [4], "order": [0],
                       "is_leader_in_dept": [0]})
    assert got[3][:2] == ("user.delete", "dev")
    assert got[4][:2] == ("department.delete", "总部/研发中心/后端组")
    assert len(got) == 5  # mkt, 市场部 and 研发中心 itself are outside or the anchor


def test_subtree_by_id_and_unknown_subtree() -> None:
    current = live(**SUBTREE_LIVE)  # type: ignore[arg-type]
    text = "departments: [{path: 总部/研发中心/后端组}]\nusers: []\n"
    plan = make_plan(desired(text), current, PlanOptions(subtree=2, allow_deletes=True))
    assert [s.target for s in plan.steps] == ["both", "dev"]
    with pytest.raises(Exception, match="subtree '总部/无此部门' is not in the live directory"):
        make_plan(desired(text), current, PlanOptions(subtree="总部/无此部门"))


def test_a_name_wanted_by_another_department_is_freed_first() -> None:
    current = live([(2, "研发中心", 1), (4, "市场部", 1)])
    text = "departments:\n  - {path: 总部/市场部, previous_path: 总部/研发中心}\n"
    plan = make_plan(desired(text), current, PlanOptions(allow_deletes=True))
    vacate, rename, delete = plan.steps
    assert (vacate.op, vacate.params) == ("department.update", {"id": 4, "name": "市场部~4"})
    assert (rename.params, rename.depends_on) == ({"id": 2, "name": "市场部"}, (vacate.id,))
    assert (delete.op, delete.params) == ("department.delete", {"id": 4})


def test_swapping_two_department_names_uses_a_temporary_name() -> None:
    current = live([(2, "甲", 1), (3, "乙", 1)])
    text = "departments:\n  - {path: 总部/乙, id: 2}\n  - {path: 总部/甲, id: 3}\n"
    plan = make_plan(desired(text), current)
    assert [s.params for s in plan.steps] == [
        {"id": 3, "name": "乙~3"}, {"id": 2, "name": "甲~2"},
        {"id": 2, "name": "乙"}, {"id": 3, "name": "甲"},
    ]


def test_a_leaver_is_deleted_early_when_a_joiner_needs_its_mobile() -> None:
    old = {"userid": "old", "name": "O", "department": [2], "mobile": "13800000001"}
    current = live([(2, "部", 1)], [old, *_people(20)])
    keep = "".join(f"  - {{userid: p{i}, name: P{i}, departments: [总部/部]}}\n"
                   for i in range(20))
    text = (f"users:\n{keep}  - {{userid: new, name: N, departments: [总部/部], "
            f"mobile: '13800000001'}}\n")
    plan = make_plan(desired(text), current, PlanOptions(allow_deletes=True))
    delete, create = plan.steps
    assert (delete.op, create.op) == ("user.delete", "user.create")
    assert delete.id in create.depends_on


def test_direct_leaders_created_in_the_same_plan_are_created_first() -> None:
    text = """
users:
  - {userid: staff, name: S, departments: [1], email: s@example.com, direct_leader: [boss]}
  - {userid: boss, name: B, departments: [1], email: b@example.com}
  - {userid: x, name: X, departments: [1], email: x@example.com, direct_leader: [y]}
  - {userid: y, name: Y, departments: [1], email: y@example.com, direct_leader: [x]}
"""
    plan = make_plan(desired(text), live([]))
    assert [(s.op, s.target) for s in plan.steps] == [
        ("user.create", "boss"), ("user.create", "staff"),
        ("user.create", "y"), ("user.create", "x"),
        ("user.update", "y"),  # a cycle is closed by one later update
    ]
    assert "direct_leader" not in plan.steps[2].params
    assert plan.steps[3].params["direct_leader"] == ["y"]
    assert plan.steps[4].params == {"userid": "y", "direct_leader": ["x"]}


def test_two_tags_swapping_names_park_one_under_a_temporary_name() -> None:
    current = live([], [], [(1, "甲", [], []), (2, "乙", [], [])])
    text = "tags:\n  - {name: 乙, id: 1}\n  - {name: 甲, id: 2}\n"
    plan = make_plan(desired(text), current)
    got = [(s.op, s.params) for s in plan.steps]
    assert got[0][0] == "tag.update" and got[0][1]["name"].endswith("~2")  # 乙 parked
    assert ("tag.update", {"id": 1, "name": "乙"}) in got[1:]
    assert ("tag.update", {"id": 2, "name": "甲"}) in got[1:]


def test_a_tag_renamed_to_the_name_of_a_deleted_one_waits_for_the_deletion() -> None:
    current = live([], [], [(1, "值班", [], []), (2, "旧", [], [])])
    plan = make_plan(desired("tags:\n  - {name: 值班, id: 2}\n"), current,
                     PlanOptions(allow_deletes=True))
    delete, rename = plan.steps
    assert (delete.op, delete.params) == ("tag.delete", {"id": 1})
    assert (rename.op, rename.params) == ("tag.update", {"id": 2, "name": "值班"})
    assert delete.id in rename.depends_on


def test_an_english_name_taken_from_a_sibling_is_cleared_on_it_first() -> None:
    current = LiveDirectory.from_records([
        LiveDepartment(1, "总部", 0), LiveDepartment(2, "甲", 1, 0, "Alpha"),
        LiveDepartment(3, "乙", 1, 0, "Beta")])
    text = ("departments:\n  - {path: 总部}\n  - {path: 总部/甲, name_en: Beta}\n"
            "  - {path: 总部/乙, name_en: Gamma}\n")
    plan = make_plan(desired(text), current)
    first = plan.steps[0]
    assert (first.op, first.params) == ("department.update", {"id": 3, "name_en": ""})
    assert first.id in next(s for s in plan.steps if s.params.get("id") == 2).depends_on


def test_an_update_that_would_leave_no_mobile_nor_email_is_a_plan_problem() -> None:
    current = live([(2, "部", 1)], [{"userid": "a", "name": "A", "department": [2],
                                      "mobile": "13800000001"}])
    with pytest.raises(PlanError, match=r"neither mobile nor e-mail.*60129"):
        make_plan(desired("users:\n  - {userid: a, name: A, mobile: ''}\n"), current)
