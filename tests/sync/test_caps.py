"""Deletion caps: a capped plan is still made; the caps say which, the numbers, the flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from wecom_contacts import Client
from wecom_contacts.sync import (
    CapLimits,
    DeletionCapError,
    Plan,
    PlanOptions,
    apply_plan,
    evaluate_caps,
    make_plan,
    read_live,
)
from wecom_contacts.testing import EmulatorControl

from .conftest import desired, live


def _people(n: int, dept: int = 2) -> list[dict[str, object]]:
    return [{"userid": f"p{i}", "name": f"P{i}", "department": [dept], "mobile": f"139{i:08d}"}
            for i in range(n)]


def _keeping(n: int) -> str:
    keep = "".join(f"  - {{userid: p{i}, name: P{i}, departments: [总部/销售部]}}\n"
                   for i in range(n))
    return f"departments: [{{path: 总部/销售部}}]\nusers:\n{keep}"


def test_a_small_company_may_delete_up_to_the_floor() -> None:
    # 5 of 30 members is 17 %, over the ratio, but under the absolute floor of 10
    plan = make_plan(desired(_keeping(25)), live([(2, "销售部", 1)], _people(30)))
    verdict = evaluate_caps(plan)
    assert [s.op for s in plan.steps] == ["user.delete"] * 5
    assert not verdict.capped
    assert verdict.explain() == ""


def test_a_capped_plan_is_made_and_the_verdict_names_cap_numbers_and_flag() -> None:
    plan = make_plan(desired(_keeping(60)), live([(2, "销售部", 1)], _people(100)))
    assert len(plan.steps) == 40  # made, not refused
    verdict = evaluate_caps(plan)
    assert verdict.capped
    breach = verdict.breaches[0]
    assert (breach.counter, breach.count, breach.base, breach.limit) == (
        "member deletes", 40, 100, 10)
    message = verdict.explain()
    assert "40 member deletes exceed the cap of 10" in message
    assert "10% of the 100 members in scope" in message
    assert "--allow-deletes" in message and "--max-deletes 40" in message


def test_above_the_floor_the_ratio_decides() -> None:
    plan = make_plan(desired(_keeping(900)), live([(2, "销售部", 1)], _people(1000)))
    assert not evaluate_caps(plan).capped  # 100 of 1000 = 10 %
    tighter = evaluate_caps(plan, CapLimits(floor=10, ratio=0.05))
    assert tighter.capped and tighter.breaches[0].limit == 50


def test_disables_and_department_deletes_are_counted_apart() -> None:
    departments = [(2, "销售部", 1)] + [(10 + n, f"旧{n}", 1) for n in range(12)]
    current = live(departments, _people(30))
    plan = make_plan(desired(_keeping(10)), current,
                     PlanOptions(disable_instead_of_delete=True))
    verdict = evaluate_caps(plan)
    counted = {c.counter: c.count for c in verdict.checks}
    assert counted == {"member deletes": 0, "member disables": 20,
                       "department deletes": 12, "tag deletes": 0}
    assert sorted(c.counter for c in verdict.breaches) == [
        "department deletes", "member disables"]


def test_lifted_caps_report_the_breach_but_allow_it() -> None:
    plan = make_plan(desired(_keeping(60)), live([(2, "销售部", 1)], _people(100)),
                     PlanOptions(allow_deletes=True))
    verdict = evaluate_caps(plan)
    assert not verdict.capped and verdict.breaches
    assert "allowed by --allow-deletes" in verdict.explain()


def test_the_sizes_of_the_scope_travel_with_a_saved_plan() -> None:
    plan = make_plan(desired(_keeping(60)), live([(2, "销售部", 1)], _people(100)))
    again = Plan.from_json(plan.to_json())
    assert again.sizes == {"members": 100, "departments": 1, "tags": 0}
    assert evaluate_caps(again).to_dict() == evaluate_caps(plan).to_dict()


def test_apply_refuses_a_capped_plan_and_changes_nothing(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    wecom_emulator.seed({"departments": [{"id": 2, "name": "销售部", "parentid": 1}],
                         "users": _people(12)})
    plan = make_plan(desired("users:\n  - {userid: p0, name: P0, departments: [总部/销售部]}\n"),
                     read_live(wecom_client))
    with pytest.raises(DeletionCapError, match="11 member deletes exceed the cap of 10"):
        apply_plan(wecom_client, plan, tmp_path / "j")
    assert len(wecom_client.users.simple_list(1, fetch_child=True)) == 12
    report = apply_plan(wecom_client, plan, tmp_path / "j2", caps=CapLimits(lifted=True))
    assert report.ok
    assert [u.userid for u in wecom_client.users.simple_list(1, fetch_child=True)] == ["p0"]
