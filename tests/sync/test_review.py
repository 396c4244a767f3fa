"""review_plan: one item per object, kinds, risks, human values, top-level departments."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from wecom_contacts.ops import render_review, review_plan
from wecom_contacts.ops.fingerprint import run_fingerprint
from wecom_contacts.ops.history import History
from wecom_contacts.ops.schedule import Schedule, parse_interval
from wecom_contacts.ops.values import human
from wecom_contacts.sync import Plan, PlanOptions, make_plan

from .conftest import desired, live

LIVE = live(
    [(2, "研发中心", 1), (3, "后端组", 2), (4, "市场部", 1)],
    [
        {"userid": "zhangsan", "name": "张三", "department": [3], "mobile": "13800000001"},
        {"userid": "lisi", "name": "李四", "department": [2], "email": "ls@example.com"},
        {"userid": "wangwu", "name": "王五", "department": [4], "mobile": "13800000003"},
    ],
)


def test_a_mobile_taken_from_one_member_and_given_to_another_flags_both() -> None:
    text = """
users:
  - {userid: zhangsan, name: 张三, departments: [总部/研发中心/后端组], mobile: "13900000000"}
  - {userid: lisi, name: 李四, departments: [总部/研发中心], email: ls@example.com,
     mobile: "13800000001"}
  - {userid: wangwu, name: 王五, departments: [总部/市场部], mobile: "13800000003"}
"""
    review = review_plan(make_plan(desired(text), LIVE), live=LIVE)
    risks = {i.target: i.risks for i in review.items}
    assert risks == {"zhangsan": ["mobile hand-off"], "lisi": ["mobile hand-off"]}


def test_a_disabled_leaver_is_risky_and_named_from_the_live_directory() -> None:
    text = """
users:
  - {userid: zhangsan, name: 张三, departments: [总部/研发中心/后端组], mobile: "13800000001"}
  - {userid: lisi, name: 李四, departments: [总部/研发中心], email: ls@example.com}
"""
    plan = make_plan(desired(text), LIVE, PlanOptions(disable_instead_of_delete=True))
    (item,) = review_plan(plan, live=LIVE).items
    assert (item.kind, item.title, item.top, item.risks) == (
        "disable", "王五 (wangwu)", "总部/市场部", ["member disable"])
    assert [(c.old, c.new) for c in item.changes] == [("enabled (启用)", "disabled (禁用)")]
    # without the live directory the (saved) plan itself still says who it is
    assert review_plan(Plan.from_json(plan.to_json())).items[0].title == "王五 (wangwu)"
    assert plan.names == {"wangwu": "王五"}


def test_a_new_member_with_a_later_direct_leader_is_one_create() -> None:
    text = """
users:
  - {userid: zhangsan, name: 张三, departments: [总部/研发中心/后端组], mobile: "13800000001"}
  - {userid: lisi, name: 李四, departments: [总部/研发中心], email: ls@example.com}
  - {userid: wangwu, name: 王五, departments: [总部/市场部], mobile: "13800000003"}
  - {userid: boss, name: 老板, departments: [总部], mobile: "13800000009",
     direct_leader: [newer]}
  - {userid: newer, name: 新上级, departments: [总部], mobile: "13800000008",
     direct_leader: [boss]}
"""
    plan = make_plan(desired(text), LIVE)
    review = review_plan(plan, live=LIVE)
    assert review.totals() == {"create": 2, "update": 0, "move": 0, "disable": 0, "delete": 0}
    assert review.api_calls == len(plan.steps) > 2
    boss = next(i for i in review.items if i.target == "boss")
    assert boss.ops[0] == "user.create" and len(boss.steps) >= 1


def test_department_moves_and_top_level_counts() -> None:
    text = """
departments:
  - path: 总部
  - path: 总部/市场部
  - path: 总部/市场部/后端组
    previous_path: 总部/研发中心/后端组
  - path: 总部/研发中心
users:
  - {userid: zhangsan, name: 张三, departments: [总部/市场部/后端组], mobile: "13800000001"}
  - {userid: lisi, name: 李四, departments: [总部/研发中心], email: ls@example.com}
  - {userid: wangwu, name: 王五, departments: [总部/市场部], mobile: "13800000003"}
"""
    review = review_plan(make_plan(desired(text), LIVE), live=LIVE)
    (moved,) = review.items
    assert (moved.object, moved.kind, moved.target) == ("department", "move", "总部/市场部/后端组")
    assert review.by_department() == {"总部/市场部": {"create": 0, "update": 0, "move": 1,
                                                    "disable": 0, "delete": 0}}
    assert "Departments to move (1):" in render_review(review)


def test_human_values() -> None:
    assert human("gender", "1") == "男 (male)" and human("gender", "2") == "女 (female)"
    assert human("enable", 0) == "disabled (禁用)" and human("enable", True) == "enabled (启用)"
    assert human("departments", ["总部/a", "总部/b"]) == "总部/a, 总部/b"
    assert human("mobile", "") is None and human("position", None) is None


def test_an_empty_plan_reads_as_no_changes() -> None:
    text = """
users:
  - {userid: zhangsan, name: 张三, departments: [总部/研发中心/后端组], mobile: "13800000001"}
  - {userid: lisi, name: 李四, departments: [总部/研发中心], email: ls@example.com}
  - {userid: wangwu, name: 王五, departments: [总部/市场部], mobile: "13800000003"}
"""
    review = review_plan(make_plan(desired(text), LIVE))
    assert render_review(review).startswith("No changes")
    assert review.to_dict()["summary"]["items"] == 0


@pytest.mark.parametrize(("text", "seconds"), [
    ("90", 90.0), ("30s", 30.0), ("15m", 900.0), ("1h30m", 5400.0), ("1d", 86400.0)])
def test_intervals(text: str, seconds: float) -> None:
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "15x", "m", "0", "0.5s", "1h 30m"])
def test_bad_intervals_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="interval"):
        parse_interval(text)


def test_the_schedule_waits_the_interval_plus_at_most_the_jitter() -> None:
    schedule = Schedule(60, 10, rng=random.Random(7))
    delays = [schedule.next_delay() for _ in range(200)]
    assert all(60 <= d <= 70 for d in delays) and max(delays) - min(delays) > 5
    runs: list[int] = []
    stopper = Schedule(3600, 0)

    def run_and_stop() -> None:
        runs.append(1)
        stopper.stop()

    assert stopper.loop(run_and_stop) == 1  # stop: no sleep


def test_history_keeps_runs_latest_first_and_finds_the_last_success(tmp_path: Path) -> None:
    path = tmp_path / "h" / "history.sqlite"
    with History(path) as past:
        one = past.start("org.yaml", members=3, sha256="a" * 64, now=1000.0)
        past.finish(one, "applied", 0, counts={"create": 3}, now=1001.0)
        two = past.start("org.yaml", now=2000.0)
        past.finish(two, "failed", 2, message="bad file", now=2001.0)
        assert [r.outcome for r in past.runs()] == ["failed", "applied"]
        last = past.last_success("org.yaml")
        assert last is not None and (last.id, last.source_members) == (one, 3)
        assert past.runs()[1].to_dict()["started_at"] == "1970-01-01T00:16:40Z"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_the_source_fingerprint_counts_members_and_hashes_the_bytes(tmp_path: Path) -> None:
    file = tmp_path / "org.yaml"
    text = "users:\n  - {userid: a, name: A, departments: [总部], mobile: '1'}\n"
    file.write_text(text, encoding="utf-8")
    first = run_fingerprint([file], desired(text))
    file.write_text(text + "\n", encoding="utf-8")
    second = run_fingerprint([file], desired(text))
    assert first.members == second.members == 1
    assert first.sha256 != second.sha256 and len(first.sha256) == 64
