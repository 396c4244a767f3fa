"""Which steps ImportJobRunner.groups sends as one job, and where it cuts a run."""

from __future__ import annotations

from typing import Any

from wecom_contacts.sync import ImportJobRunner, Plan, Step

RUNNER = ImportJobRunner(threshold=3)
WEB = {"attrs": [{"type": 1, "name": "主页", "web": {"url": "https://a.example", "title": "T"}}]}


def create(step_id: int, **params: Any) -> Step:
    depends = params.pop("depends_on", ())
    return Step(step_id, "user.create", f"u{step_id}",
                {"userid": f"u{step_id}", "name": "N", "department": [1], "order": [0],
                 "mobile": f"1380000{step_id:04d}", **params}, depends_on=depends)


def update(step_id: int, **params: Any) -> Step:
    return Step(step_id, "user.update", f"u{step_id}", {"userid": f"u{step_id}", **params})


def groups(*steps: Step) -> list[list[int]]:
    return RUNNER.groups(Plan(list(steps), "fp"))


def test_a_run_below_the_threshold_and_a_threshold_of_0_give_no_job() -> None:
    assert groups(create(1), create(2)) == []
    plan = Plan([create(1), create(2), create(3)], "fp")
    assert ImportJobRunner(threshold=0).groups(plan) == []
    assert groups(create(1), create(2), create(3)) == [[1, 2, 3]]


def test_a_step_the_template_cannot_express_is_left_out_but_does_not_end_the_run() -> None:
    found = groups(create(1), create(2, direct_leader=["u1"], depends_on=(1,)), create(3),
                   update(4, position="P"), update(5, extattr=WEB), update(6, alias="A"))
    assert found == [[1, 3, 4, 6]]


def test_clearing_a_field_or_a_rename_is_not_expressible() -> None:
    assert groups(update(1, position=""), update(2, alias="A"), update(3, alias="B")) == []
    assert groups(update(1, new_userid="x", name="X"), create(2), create(3)) == []


def test_a_step_that_frees_a_mobile_ends_the_run_so_a_later_row_cannot_overtake_it() -> None:
    steps = [create(1), create(2), create(3), update(9, mobile="13900000001", extattr=WEB),
             update(4, alias="A"), update(5, alias="B"), update(6, alias="C")]
    assert groups(*steps) == [[1, 2, 3], [4, 5, 6]]


def test_a_row_needing_a_passed_over_step_starts_a_new_run() -> None:
    steps = [create(1), create(2), create(3), create(4, direct_leader=["u1"]),
             create(5, depends_on=(4,)), create(6), create(7)]
    assert groups(*steps) == [[1, 2, 3], [5, 6, 7]]


def test_creates_with_and_without_invitation_go_in_separate_jobs() -> None:
    steps = [create(1), create(2), create(3), create(4, to_invite=False),
             create(5, to_invite=False), create(6, to_invite=False)]
    assert groups(*steps) == [[1, 2, 3], [4, 5, 6]]


def test_other_kinds_of_steps_end_the_run() -> None:
    tag = Step(9, "tag.add_members", "t", {"id": 1, "userids": ["u1"], "department_ids": []})
    assert groups(create(1), create(2), tag, create(3), create(4)) == []


def test_text_attributes_with_a_value_are_custom_columns_and_a_cleared_one_is_not() -> None:
    def text(value: str) -> dict[str, Any]:
        return {"attrs": [{"type": 0, "name": "工号", "text": {"value": value}}]}

    found = groups(update(1, extattr=text("A1")), update(2, extattr=text("")),
                   update(3, alias="A", extattr=text("A3")), update(4, extattr=text("A4")))
    assert found == [[1, 3, 4]]
