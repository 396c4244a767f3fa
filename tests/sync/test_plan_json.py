"""Plan JSON round trip, the readable diff, and the live fingerprint."""

from __future__ import annotations

import json

import pytest

from wecom_contacts.sync import (
    LiveDirectory,
    Plan,
    PlanOptions,
    SyncError,
    fingerprint,
    make_plan,
    render_plan,
    scope_for,
)

from .conftest import SMALL_DESIRED, desired, live

CHANGED = (SMALL_DESIRED.replace("position: 工程师", "position: 高级工程师")
           .replace("  - path: 总部/市场部\n", "  - path: 总部/市场部\n  - path: 总部/新部门\n")
           .replace("  - {userid: wangwu, name: 王五, departments: [总部/市场部], email: "
                    "ww@example.com}\n",
                    "  - {userid: zhaoliu, name: 赵六, departments: [总部/新部门], "
                    "email: zl@example.com}\n"))


def test_plan_json_round_trip_keeps_every_step(small_live: LiveDirectory) -> None:
    options = PlanOptions(protected_users={"Admin"}, allow_deletes=True)
    plan = make_plan(desired(CHANGED), small_live, options)
    again = Plan.from_json(plan.to_json())
    assert again.to_dict() == plan.to_dict()
    assert again.steps == plan.steps
    assert again.digest == plan.digest
    assert again.options == options
    assert json.loads(plan.to_json())["counts"] == {
        "department.create": 1, "user.create": 1, "user.update": 1, "user.delete": 1}


def test_from_json_refuses_what_is_not_a_plan() -> None:
    with pytest.raises(SyncError, match="not a plan file"):
        Plan.from_json('{"steps": []}')
    with pytest.raises(SyncError, match="version 9 is not supported"):
        Plan.from_json('{"format": "wecom-contacts-plan", "version": 9}')
    with pytest.raises(SyncError, match="not a plan file"):
        Plan.from_json("{")


def test_render_shows_creates_field_changes_and_deletes(small_live: LiveDirectory) -> None:
    text = render_plan(make_plan(desired(CHANGED), small_live, PlanOptions(allow_deletes=True)))
    lines = text.splitlines()
    assert "+ department 总部/新部门" in lines
    assert "~ user zhangsan" in lines
    assert "    position: 工程师 → 高级工程师" in lines
    assert "+ user zhaoliu (赵六)" in lines
    assert "    departments: [总部/新部门]" in lines
    assert "- user wangwu" in lines
    assert "Plan: 2 to create, 1 to change, 0 to disable, 1 to delete (4 API calls)." in lines


def test_render_of_an_empty_plan_says_so(small_live: LiveDirectory) -> None:
    text = render_plan(make_plan(desired(SMALL_DESIRED), small_live))
    assert "No changes: the live directory matches the desired state." in text


def test_fingerprint_ignores_activation_but_sees_managed_fields() -> None:
    def one(**extra: object) -> LiveDirectory:
        return live([], [{"userid": "a", "name": "A", "department": [1], "mobile": "1",
                          **extra}])

    base = one(status=4)
    scope = scope_for(base, PlanOptions())
    assert fingerprint(one(status=1, avatar="http://x/0"), scope) == fingerprint(base, scope)
    assert fingerprint(one(position="新"), scope) != fingerprint(base, scope)
    protected = scope_for(base, PlanOptions(protected_users={"a"}))
    assert fingerprint(one(position="新"), protected) == fingerprint(base, protected)
