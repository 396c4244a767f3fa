"""Mobiles and e-mails handed from one member to another: release steps, swaps, chains,
activated members' mobiles, duplicates in the desired state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wecom_contacts import Client
from wecom_contacts.sync import (
    DesiredStateError,
    PlanError,
    PlanOptions,
    apply_plan,
    make_plan,
    read_live,
)
from wecom_contacts.testing import EmulatorControl

from .conftest import desired, live


def _user(userid: str, **fields: Any) -> dict[str, Any]:
    return {"userid": userid, "name": userid.upper(), "department": [2], **fields}


def _doc(*users: str) -> str:
    return "users:\n" + "".join(f"  - {{userid: {u}, name: {u.upper()}, departments: [总部/部], "
                                f"{rest}}}\n" for u, rest in (x.split(" ", 1) for x in users))


def test_two_members_swapping_emails_release_them_before_either_update() -> None:
    current = live([(2, "部", 1)], [
        _user("a", mobile="13800000001", email="a@example.com"),
        _user("b", mobile="13800000002", email="b@example.com"),
    ])
    plan = make_plan(desired(_doc("a email: b@example.com", "b email: a@example.com")), current)
    got = [(s.op, s.target, s.params) for s in plan.steps]
    assert got == [
        ("user.update", "b", {"userid": "b", "email": ""}),
        ("user.update", "a", {"userid": "a", "email": ""}),
        ("user.update", "a", {"userid": "a", "email": "b@example.com"}),
        ("user.update", "b", {"userid": "b", "email": "a@example.com"}),
    ]
    release_b, release_a, update_a, update_b = plan.steps
    assert release_b.id in update_a.depends_on and release_a.id in update_b.depends_on
    assert release_b.note == "frees its email for a"


def test_a_chain_of_mobiles_needs_one_release_per_holder_whatever_the_order() -> None:
    current = live([(2, "部", 1)], [
        _user("a", mobile="13800000001", email="a@example.com"),
        _user("b", mobile="13800000002", email="b@example.com"),
        _user("c", mobile="13800000003", email="c@example.com"),
    ])
    # a takes b's, b takes c's, c gets a new one: the desired file lists them in any order
    text = _doc("c mobile: '13900000000'", "a mobile: '+86 138-0000-0002'",
                "b mobile: '13800000003'")
    plan = make_plan(desired(text), current)
    releases = [(s.target, s.params) for s in plan.steps if s.note.startswith("frees")]
    assert releases == [("b", {"userid": "b", "mobile": ""}), ("c", {"userid": "c", "mobile": ""})]
    updates = [s.target for s in plan.steps if not s.note]
    assert sorted(updates) == ["a", "b", "c"]


def test_a_release_that_would_leave_no_contact_sets_the_new_value_when_it_is_free() -> None:
    current = live([(2, "部", 1)], [_user("a", mobile="13800000001"),
                                    _user("b", mobile="13800000002")])
    plan = make_plan(desired(_doc("a mobile: '13800000002'", "b mobile: '13900000000'")), current)
    release = plan.steps[0]
    assert (release.target, release.params) == ("b", {"userid": "b", "mobile": "13900000000"})
    assert plan.steps[1].params == {"userid": "a", "mobile": "13800000002"}
    assert release.id in plan.steps[1].depends_on


def test_a_mobile_swap_between_members_without_email_is_refused_with_advice() -> None:
    current = live([(2, "部", 1)], [_user("a", mobile="13800000001"),
                                    _user("b", mobile="13800000002")])
    with pytest.raises(PlanError) as err:
        make_plan(desired(_doc("a mobile: '13800000002'", "b mobile: '13800000001'")), current)
    assert "neither mobile nor e-mail" in str(err.value)
    assert "two runs" in str(err.value)


def test_a_disabled_leaver_releases_the_mobile_a_joiner_takes() -> None:
    current = live([(2, "部", 1)], [_user("old", mobile="13800000001", email="o@example.com"),
                                    *[_user(f"p{i}", mobile=f"1370000000{i}") for i in range(9)]])
    keep = "".join(f"  - {{userid: p{i}, name: P{i}, departments: [总部/部]}}\n" for i in range(9))
    text = f"users:\n{keep}  - {{userid: new, name: N, departments: [总部/部], " \
           "mobile: '13800000001'}\n"
    plan = make_plan(desired(text), current, PlanOptions(disable_instead_of_delete=True))
    assert [(s.op, s.target) for s in plan.steps] == [
        ("user.update", "old"), ("user.create", "new"), ("user.disable", "old")]
    assert plan.steps[0].params == {"userid": "old", "mobile": ""}
    assert plan.steps[0].id in plan.steps[1].depends_on


def test_an_activated_members_mobile_is_left_alone_with_a_warning() -> None:
    current = live([(2, "部", 1)], [_user("a", mobile="13800000001", status=1),
                                    _user("b", mobile="13800000002", status=4)])
    plan = make_plan(desired(_doc("a mobile: '13900000001'", "b mobile: '13900000002'")), current)
    assert [(s.target, s.params) for s in plan.steps] == [
        ("b", {"userid": "b", "mobile": "13900000002"})]
    assert any("activated member(s) differs" in w and "(a)" in w for w in plan.warnings)


def test_a_value_held_by_a_member_the_plan_does_not_change_is_a_warning() -> None:
    current = live([(2, "部", 1)], [_user("boss", mobile="13800000001", email="x@example.com"),
                                    _user("a", mobile="13800000002")])
    options = PlanOptions(protected_users=("boss",))
    plan = make_plan(desired(_doc("a email: x@example.com")), current, options)
    assert [s.target for s in plan.steps] == ["a"]
    assert any("held by boss, whom this plan does not manage" in w and "60106" in w
               for w in plan.warnings)


def test_the_same_mobile_for_two_users_is_refused_naming_the_line() -> None:
    text = _doc("a mobile: '13800000001'", "b mobile: '+86 138 0000 0001'")
    with pytest.raises(DesiredStateError) as err:
        desired(text)
    message = str(err.value)
    assert message.startswith("test.yaml, line 3: mobile '+86 138 0000 0001'")
    assert "also given to user 'a'" in message


def test_swaps_and_chains_apply_against_the_emulator_and_converge(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    wecom_emulator.seed({
        "departments": [{"id": 2, "name": "部", "parentid": 1}],
        "users": [_user("a", mobile="13800000001", email="a@example.com"),
                  _user("b", mobile="13800000002", email="b@example.com"),
                  _user("c", mobile="13800000003", email="c@example.com"),
                  _user("d", mobile="13800000004")],
    })
    text = _doc("a mobile: '13800000002', email: c@example.com",
                "b mobile: '13800000003', email: a@example.com",
                "c mobile: '13800000009', email: b@example.com", "d mobile: '13800000001'")
    want = desired(text)
    plan = make_plan(want, read_live(wecom_client))
    report = apply_plan(wecom_client, plan, tmp_path / "j.sqlite")
    assert report.ok, report.summary()
    users = {u["userid"]: (u.get("mobile"), u.get("email") or None)
             for u in wecom_emulator.directory()["users"]}
    assert users == {"a": ("13800000002", "c@example.com"), "b": ("13800000003", "a@example.com"),
                     "c": ("13800000009", "b@example.com"), "d": ("13800000001", None)}
    assert make_plan(want, read_live(wecom_client)).steps == []


def test_a_biz_mail_is_never_released_since_it_may_change_only_once() -> None:
    current = live([(2, "部", 1)], [
        _user("a", mobile="13800000001", biz_mail="a@corp.example.com"),
        _user("b", mobile="13800000002", biz_mail="b@corp.example.com"),
    ])
    plan = make_plan(desired(_doc("a biz_mail: b@corp.example.com",
                                  "b biz_mail: x@corp.example.com")), current)
    assert [s.note for s in plan.steps] == ["", ""]  # two plain updates, no release
    assert any("held by b, and WeCom lets a biz_mail change at most once (60144)" in w
               for w in plan.warnings)
