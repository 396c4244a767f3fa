"""make_plan: ordering, matching (moves, renames), only changed fields, empty when equal."""

from __future__ import annotations

import pytest

from wecom_contacts.sync import LiveDirectory, PlanError, PlanOptions, make_plan

from .conftest import SMALL_DESIRED, desired, live

ALL_DELETES = PlanOptions(allow_deletes=True)


def ops(plan: object) -> list[tuple[str, str]]:
    return [(s.op, s.target) for s in plan.steps]  # type: ignore[attr-defined]


def test_equal_desired_and_live_gives_an_empty_plan(small_live: LiveDirectory) -> None:
    plan = make_plan(desired(SMALL_DESIRED), small_live)
    assert plan.steps == []
    assert plan.fingerprint.startswith("sha256:")


def test_departments_are_created_top_down_and_users_join_them_by_reference() -> None:
    plan = make_plan(desired("""
users:
  - {userid: u1, name: U, departments: [总部/甲/乙/丙], mobile: "13800000009"}
departments:
  - path: 总部/甲/乙/丙
"""), live([]))
    assert ops(plan) == [
        ("department.create", "总部/甲"),
        ("department.create", "总部/甲/乙"),
        ("department.create", "总部/甲/乙/丙"),
        ("user.create", "u1"),
    ]
    first, second, third, user = plan.steps
    assert first.params == {"name": "甲", "parent_id": 1}
    assert second.params["parent_id"] == {"$ref": first.id}
    assert second.depends_on == (first.id,)
    assert user.params["department"] == [{"$ref": third.id}]
    assert user.depends_on == (third.id,)


def test_departments_are_deleted_bottom_up_after_their_members_are_deleted() -> None:
    current = live([(2, "旧中心", 1), (3, "旧组", 2)],
                   [{"userid": "old", "name": "Old", "department": [3], "mobile": "1"}])
    plan = make_plan(desired("departments: [{path: 总部}]\nusers: []\n"), current, ALL_DELETES)
    assert ops(plan) == [
        ("user.delete", "old"),
        ("department.delete", "总部/旧中心/旧组"),
        ("department.delete", "总部/旧中心"),
    ]
    delete_user, delete_child, delete_parent = plan.steps
    assert delete_user.id in delete_child.depends_on
    assert delete_child.id in delete_parent.depends_on


def test_update_sends_only_the_changed_fields(small_live: LiveDirectory) -> None:
    text = SMALL_DESIRED.replace("position: 工程师", "position: 高级工程师")
    plan = make_plan(desired(text), small_live)
    assert [s.params for s in plan.steps] == [{"userid": "zhangsan", "position": "高级工程师"}]
    assert plan.steps[0].changes == {"position": ("工程师", "高级工程师")}


def test_fields_left_out_of_the_desired_state_are_not_changed(small_live: LiveDirectory) -> None:
    text = SMALL_DESIRED.replace(', mobile: "13800000001",\n     position: 工程师', "")
    assert make_plan(desired(text), small_live).steps == []


def test_moving_a_user_sends_the_department_arrays_and_shows_paths(
    small_live: LiveDirectory,
) -> None:
    text = SMALL_DESIRED.replace("departments: [总部/研发中心/后端组]",
                                 "departments: [总部/市场部]")
    (step,) = make_plan(desired(text), small_live).steps
    assert step.params == {"userid": "zhangsan", "department": [4], "order": [0]}
    assert step.changes["departments"] == (["总部/研发中心/后端组"], ["总部/市场部"])


def test_department_rename_is_detected_through_previous_path(
    small_live: LiveDirectory,
) -> None:
    text = SMALL_DESIRED.replace("- path: 总部/研发中心\n",
                                 "- {path: 总部/技术中心, previous_path: 总部/研发中心}\n")
    text = text.replace("总部/研发中心", "总部/技术中心").replace(
        "previous_path: 总部/技术中心", "previous_path: 总部/研发中心")
    (step,) = make_plan(desired(text), small_live).steps
    assert (step.op, step.params) == ("department.update", {"id": 2, "name": "技术中心"})


def test_department_move_keeps_its_id_and_members(small_live: LiveDirectory) -> None:
    text = SMALL_DESIRED.replace("总部/研发中心/后端组", "总部/市场部/后端组").replace(
        "- path: 总部/市场部/后端组",
        "- {path: 总部/市场部/后端组, previous_path: 总部/研发中心/后端组}")
    (step,) = make_plan(desired(text), small_live).steps
    assert step.op == "department.update"
    assert step.params == {"id": 3, "parent_id": 4}
    assert step.changes["parent"] == ("总部/研发中心", "总部/市场部")


def test_department_is_matched_by_id_whatever_its_path(small_live: LiveDirectory) -> None:
    text = SMALL_DESIRED.replace("- path: 总部/研发中心/后端组",
                                 "- {path: 总部/市场部/服务端, id: 3}")
    text = text.replace("[总部/研发中心/后端组]", "[3]")
    (step,) = make_plan(desired(text), small_live).steps
    assert step.params == {"id": 3, "name": "服务端", "parent_id": 4}


def test_renamed_userid_is_one_update_with_new_userid(small_live: LiveDirectory) -> None:
    text = SMALL_DESIRED.replace("userid: zhangsan,",
                                 "userid: san.zhang, previous_userid: zhangsan,")
    plan = make_plan(desired(text), small_live)
    assert [(s.op, s.params) for s in plan.steps] == [
        ("user.update", {"userid": "zhangsan", "new_userid": "san.zhang"}),
    ]


def test_previous_userid_is_ignored_once_the_rename_is_done(small_live: LiveDirectory) -> None:
    text = SMALL_DESIRED.replace("userid: lisi\n", "userid: LISI\n    previous_userid: li.si\n")
    assert make_plan(desired(text), small_live).steps == []


def test_renames_run_before_creates_that_name_the_new_userid(small_live: LiveDirectory) -> None:
    text = SMALL_DESIRED.replace("userid: lisi\n", "userid: si.li\n    previous_userid: lisi\n")
    text = text.replace("users: [lisi]", "users: [si.li]") + (
        "  - {name: 新标签, users: [si.li, newbie]}\n")
    text = text.replace("users:\n", "users:\n  - {userid: newbie, name: N, departments: "
                        "[总部/市场部], email: n@example.com, direct_leader: [si.li]}\n", 1)
    plan = make_plan(desired(text), small_live)
    assert ops(plan) == [
        ("user.update", "si.li"), ("user.create", "newbie"),
        ("tag.create", "新标签"), ("tag.add_members", "新标签"),
    ]
    rename, create, _, add = plan.steps
    assert rename.id in create.depends_on
    assert {rename.id, create.id} <= set(add.depends_on)


def test_protected_users_are_never_changed_or_deleted(small_live: LiveDirectory) -> None:
    text = SMALL_DESIRED.replace("position: 工程师", "position: 经理")
    text = text.replace("  - {userid: wangwu, name: 王五, departments: [总部/市场部], email: "
                        "ww@example.com}\n", "")
    options = PlanOptions(protected_users={"ZhangSan", "wangwu"}, allow_deletes=True)
    assert make_plan(desired(text), small_live, options).steps == []


def test_department_holding_a_protected_user_is_kept_with_a_warning(
    small_live: LiveDirectory,
) -> None:
    text = SMALL_DESIRED.replace("  - path: 总部/市场部\n", "").replace(
        "  - {userid: wangwu, name: 王五, departments: [总部/市场部], email: ww@example.com}\n", "")
    plan = make_plan(desired(text), small_live, PlanOptions(protected_users={"wangwu"}))
    assert plan.steps == []
    assert "总部/市场部 is not in the desired state but is kept" in plan.warnings[0]
    assert "wangwu" in plan.warnings[0]


def test_disable_instead_of_delete_disables_the_user_and_keeps_the_department(
    small_live: LiveDirectory,
) -> None:
    text = SMALL_DESIRED.replace("  - path: 总部/市场部\n", "").replace(
        "  - {userid: wangwu, name: 王五, departments: [总部/市场部], email: ww@example.com}\n", "")
    plan = make_plan(desired(text), small_live, PlanOptions(disable_instead_of_delete=True))
    assert [(s.op, s.params) for s in plan.steps] == [("user.disable", {"userid": "wangwu"})]
    assert any("总部/市场部" in w for w in plan.warnings)


def test_sections_left_out_of_the_desired_state_are_not_managed(
    small_live: LiveDirectory,
) -> None:
    plan = make_plan(desired("departments: [{path: 总部}, {path: 总部/研发中心}]"), small_live)
    assert ops(plan) == []  # users and tags unmanaged: nobody moves, so nothing can go
    assert len(plan.warnings) == 2


def test_root_is_renamed_only_when_it_is_listed_itself(small_live: LiveDirectory) -> None:
    text = SMALL_DESIRED.replace("总部", "集团")
    (step,) = make_plan(desired(text), small_live).steps
    assert step.params == {"id": 1, "name": "集团"}
    implied = text.replace("  - path: 集团\n", "")
    assert make_plan(desired(implied), small_live).steps == []


def test_unknown_department_reference_names_the_file_line() -> None:
    text = "departments: [{path: 总部}]\nusers:\n  - {userid: a, name: A, mobile: '1',\n" \
           "     departments: [总部/不存在]}\n"
    with pytest.raises(PlanError) as err:
        make_plan(desired(text), live([]))
    assert "test.yaml, line 3: user a: department 总部/不存在 is not in the departments" \
        in str(err.value)


def test_a_new_user_needs_a_mobile_or_an_email() -> None:
    text = "users:\n  - {userid: a, name: A, departments: [1]}\n"
    with pytest.raises(PlanError, match="needs a mobile or an email"):
        make_plan(desired(text), live([]))


def test_tags_missing_from_the_desired_state_are_deleted(small_live: LiveDirectory) -> None:
    text = SMALL_DESIRED.replace("  - {name: 经理, users: [lisi]}\n", "  - {name: 新, id: 9}\n")
    assert [(s.op, s.params) for s in make_plan(desired(text), small_live, ALL_DELETES).steps] \
        == [("tag.create", {"name": "新", "id": 9}), ("tag.delete", {"id": 1})]


def test_tag_member_changes_are_split_into_calls_of_1000_users() -> None:
    userids = [f"user{i}" for i in range(2500)]
    current = live([], [{"userid": u, "name": u, "department": [1], "mobile": str(i)}
                        for i, u in enumerate(userids)], [(5, "全员", [], [])])
    text = "tags:\n  - {name: 全员, users: [" + ", ".join(userids) + "]}\n"
    plan = make_plan(desired(text), current)
    assert [len(s.params["userids"]) for s in plan.steps] == [1000, 1000, 500]
    assert {s.op for s in plan.steps} == {"tag.add_members"}


def _tag_case(tag_users: str, users: str) -> list[tuple[str, object]]:
    current = live([], [{"userid": u, "name": u, "department": [1], "mobile": f"1380000000{i}"}
                        for i, u in enumerate(["Ann", "bob", "cat"])],
                   [(5, "全员", ["Ann", "bob", "cat"], [])])
    text = f"users:\n{users}tags:\n  - {{name: 全员, users: [{tag_users}]}}\n"
    return [(s.op, s.params.get("userids")) for s in make_plan(desired(text), current,
                                                                 ALL_DELETES).steps]


def test_kept_tag_members_in_any_spelling_give_no_tag_step() -> None:
    users = "".join(f"  - {{userid: {u}, name: {u}, departments: [1], "
                    f"mobile: '1380000000{i}'}}\n" for i, u in enumerate(["Ann", "bob", "cat"]))
    assert _tag_case("Ann, bob, cat", users) == []
    assert _tag_case("ann, Ann, BOB, cat", users) == []  # the same members, other spellings
    assert _tag_case("Ann, cat", users) == [("tag.remove_members", ["bob"])]


def test_a_renamed_tag_member_leaves_under_the_old_userid_and_joins_under_the_new() -> None:
    users = ("  - {userid: Ann, name: Ann, departments: [1], mobile: '13800000000'}\n"
             "  - {userid: bob2, previous_userid: bob, name: bob, departments: [1], "
             "mobile: '13800000001'}\n"
             "  - {userid: cat, name: cat, departments: [1], mobile: '13800000002'}\n")
    steps = _tag_case("Ann, bob2, cat", users)
    assert ("user.update", None) in steps
    assert [s for s in steps if s[0].startswith("tag.")] == []  # WeCom keeps its tags


def test_a_tag_naming_a_user_missing_from_the_users_section_is_a_plan_error(
    small_live: LiveDirectory,
) -> None:
    text = SMALL_DESIRED.replace(
        "  - {userid: wangwu, name: 王五, departments: [总部/市场部], email: ww@example.com}\n",
        "").replace("users: [lisi]", "users: [lisi, wangwu]")
    with pytest.raises(PlanError, match="tag 经理: user wangwu is not in the users section"):
        make_plan(desired(text), small_live, ALL_DELETES)


def test_an_empty_string_in_the_file_equals_a_field_wecom_left_empty(
    small_live: LiveDirectory,
) -> None:
    text = SMALL_DESIRED.replace('mobile: "13800000002"', "mobile: '13800000002'\n    alias: ''")
    assert make_plan(desired(text), small_live).steps == []
