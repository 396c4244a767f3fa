"""apply_plan against the emulator: converges, refuses drift, journals, reports failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wecom_contacts import Client
from wecom_contacts.sync import (
    DesiredDirectory,
    DriftError,
    JournalError,
    PlanOptions,
    ProgressEvent,
    apply_plan,
    export_directory,
    load_desired,
    make_plan,
    parse_desired,
    plan_and_apply,
    read_live,
)
from wecom_contacts.testing import EmulatorControl

from .conftest import desired

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def directory_facts(records: dict[str, Any]) -> dict[str, Any]:
    """The emulator's own records reduced to paths and names (no client code involved)."""
    depts = {d["id"]: d for d in records["departments"]}

    def path(dept_id: int) -> str:
        dept = depts[dept_id]
        return dept["name"] if dept["parentid"] == 0 else f"{path(dept['parentid'])}/{dept['name']}"

    return {
        "departments": sorted(path(d) for d in depts),
        "users": {u["userid"]: (u["name"], u.get("mobile") or "", sorted(
            (path(d), bool(leader)) for d, leader in zip(u["department"], u["is_leader_in_dept"],
                                                         strict=True)))
                  for u in records["users"]},
    }


def desired_facts(doc: DesiredDirectory) -> dict[str, Any]:
    assert doc.departments is not None and doc.users is not None
    return {
        "departments": sorted("/".join(d.path) for d in doc.departments),
        "users": {u.userid: (u.fields["name"], u.fields.get("mobile", ""), sorted(
            (str(m.department), m.leader) for m in u.departments or []))
                  for u in doc.users},
    }


def test_apply_then_export_then_plan_is_empty(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    org = load_desired(EXAMPLES / "org.yaml")
    plan, report = plan_and_apply(wecom_client, org, tmp_path / "apply.journal")
    assert report.ok and report.done == len(plan.steps) and report.failed == 0
    assert directory_facts(wecom_emulator.directory()) == desired_facts(org)
    assert make_plan(org, read_live(wecom_client)).steps == []
    for fmt in ("yaml", "json"):
        exported = parse_desired(export_directory(wecom_client, fmt), fmt)
        assert make_plan(exported, read_live(wecom_client)).steps == [], fmt
    (tmp_path / "d.csv").write_text(export_directory(wecom_client, "csv-departments"), "utf-8")
    (tmp_path / "m.csv").write_text(export_directory(wecom_client, "csv-members"), "utf-8")
    from_csv = load_desired(tmp_path / "d.csv", tmp_path / "m.csv")
    assert make_plan(from_csv, read_live(wecom_client)).steps == []


def test_reorganisation_converges_and_keeps_department_ids(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    plan_and_apply(wecom_client, load_desired(EXAMPLES / "org.yaml"), tmp_path / "1.journal")
    before = {d.name: d.id for d in wecom_client.departments.list()}
    v2 = load_desired(EXAMPLES / "org-v2.yaml")
    plan = make_plan(v2, read_live(wecom_client))
    counts = plan.counts()
    assert counts["user.create"] == 5 and counts["user.delete"] == 4
    assert counts["department.delete"] == 1 and counts["tag.delete"] == 1
    report = apply_plan(wecom_client, plan, tmp_path / "2.journal")
    assert report.ok, report.summary()
    after = {d.name: d.id for d in wecom_client.departments.list()}
    assert after["人工智能部"] == before["数据智能部"]  # renamed, not re-created
    assert after["用户研究部"] == before["用户研究部"]  # moved, not re-created
    assert "华北销售部" not in after
    assert directory_facts(wecom_emulator.directory()) == desired_facts(v2)
    assert make_plan(v2, read_live(wecom_client)).steps == []


def test_apply_refuses_when_the_directory_drifted(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    plan = make_plan(load_desired(EXAMPLES / "org.yaml"), read_live(wecom_client))
    wecom_client.departments.create("控制台新建", 1)  # someone changes WeCom meanwhile
    writes = wecom_emulator.stats()["writes"]
    with pytest.raises(DriftError, match="changed since this plan was made"):
        apply_plan(wecom_client, plan, tmp_path / "apply.journal")
    assert wecom_emulator.stats()["writes"] == writes
    assert not (tmp_path / "apply.journal").exists()


SMALL = """
departments: [{path: 总部}, {path: 总部/新部门}]
users:
  - {userid: inside, name: 甲, departments: [总部/新部门], mobile: "13800000001"}
  - {userid: root.user, name: 乙, departments: [总部], mobile: "13800000002"}
"""


def test_failed_step_skips_its_dependents_and_resume_finishes(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    plan = make_plan(desired(SMALL), read_live(wecom_client))
    wecom_emulator.fault("/cgi-bin/department/create", errcode=60011)
    journal = tmp_path / "apply.journal"
    report = apply_plan(wecom_client, plan, journal)
    assert (report.done, report.failed, report.skipped, report.exit_code) == (1, 1, 1, 1)
    (failure,) = report.failures
    assert (failure.op, failure.errcode) == ("department.create", 60011)
    assert failure.meaning and "errcode 60011" in report.summary()
    with pytest.raises(JournalError, match="resume=True"):
        apply_plan(wecom_client, plan, journal)
    again = apply_plan(wecom_client, plan, journal, resume=True)
    assert again.ok and again.already_done == 1 and again.sent == 2
    assert make_plan(desired(SMALL), read_live(wecom_client)).steps == []


def test_create_whose_answer_was_lost_is_reconciled_not_resent(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    plan = make_plan(desired(SMALL), read_live(wecom_client))
    wecom_emulator.fault("/cgi-bin/user/create", drop=True, after="after_handler")
    report = apply_plan(wecom_client, plan, tmp_path / "apply.journal")
    assert report.ok and report.reconciled == 1
    assert wecom_emulator.stats()["writes"]["/cgi-bin/user/create"] == 2


def test_journal_of_another_plan_is_refused(wecom_client: Client, tmp_path: Path) -> None:
    journal = tmp_path / "apply.journal"
    apply_plan(wecom_client, make_plan(desired(SMALL), read_live(wecom_client)), journal)
    other = make_plan(desired(SMALL.replace("甲", "丙")), read_live(wecom_client))
    with pytest.raises(JournalError, match="another plan"):
        apply_plan(wecom_client, other, journal)


def test_progress_and_rate_limiter_see_every_step(
    wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    class Counting:
        def __init__(self) -> None:
            self.paths: list[str] = []

        def acquire(self, path: str) -> None:
            self.paths.append(path)

        async def aacquire(self, path: str) -> None:
            self.paths.append(path)

    limiter = Counting()
    events: list[ProgressEvent] = []
    with Client(wecom_emulator.corp_id, wecom_emulator.secret,
                base_url=wecom_emulator.base_url, rate_limiter=limiter) as client:
        plan = make_plan(desired(SMALL), read_live(client))
        apply_plan(client, plan, tmp_path / "apply.journal", progress=events.append)
    assert [(e.completed, e.total, e.status) for e in events] == [
        (1, 3, "done"), (2, 3, "done"), (3, 3, "done")]
    assert limiter.paths.count("user/create") == 2
    assert limiter.paths.count("department/create") == 1


def test_bulk_runner_applies_the_groups_it_claims_and_each_step_is_journaled(
    wecom_client: Client, tmp_path: Path
) -> None:
    class OneJob:
        """Stands in for the import-job path: claims the user creates as one job."""

        def __init__(self) -> None:
            self.jobs: list[list[int]] = []

        def groups(self, plan: Any) -> list[list[int]]:
            return [[s.id for s in plan.steps if s.op == "user.create"]]

        def run(self, client: Client, steps: Any, params: Any, submitted: Any) -> list[Any]:
            self.jobs.append([s.id for s in steps])
            for p in params:
                client.users.create(**p)
            return [{} for _ in steps]

        def collect(self, client: Client, job_id: str, steps: Any, params: Any) -> list[Any]:
            return [None for _ in steps]

        def reconcile(self, client: Client, steps: Any, params: Any) -> list[Any]:
            return [None for _ in steps]

    runner = OneJob()
    plan = make_plan(desired(SMALL), read_live(wecom_client))
    journal = tmp_path / "apply.journal"
    report = apply_plan(wecom_client, plan, journal, bulk=runner)
    assert report.ok
    assert runner.jobs == [[2, 3]]
    again = apply_plan(wecom_client, plan, journal, resume=True)
    assert again.already_done == 3 and again.sent == 0


EVERY_FIELD = """
departments: [{path: 总部}, {path: 总部/甲, name_en: A, order: 5}]
users:
  - userid: a
    name: 甲
    departments: [{department: 总部/甲, order: 3, leader: true}, 总部]
    main_department: 总部
    mobile: "+86 13800000001"
    email: a@example.com
    alias: Al
    telephone: 021-1234567
    address: 上海
    external_position: 经理
    gender: female
    position: ""
    enable: false
    extattr: {attrs: [{type: 0, name: 工号, text: {value: A1}},
                      {type: 1, name: 主页, web: {url: "https://x.example.com", title: 主页}}]}
    external_profile: {external_corp_name: 云帆,
                       external_attr: [{type: 0, name: 座右铭, text: {value: hi}}]}
  - {userid: b, name: 乙, departments: [总部/甲], email: b@example.com, direct_leader: [a]}
tags:
  - {name: 甲组, users: [b], departments: [总部/甲]}
"""


def test_every_writable_field_survives_apply_and_export(
    wecom_client: Client, tmp_path: Path
) -> None:
    wanted = desired(EVERY_FIELD)
    _, report = plan_and_apply(wecom_client, wanted, tmp_path / "apply.journal")
    assert report.ok
    assert make_plan(wanted, read_live(wecom_client)).steps == []
    exported = export_directory(wecom_client, "yaml")
    assert "external_corp_name: 云帆" in exported and "enable: false" in exported
    assert make_plan(parse_desired(exported, "yaml"), read_live(wecom_client)).steps == []


def test_subtree_export_plans_empty_and_a_subtree_apply_stays_inside(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    plan_and_apply(wecom_client, load_desired(EXAMPLES / "org.yaml"), tmp_path / "1.journal")
    subtree = "总部/研发中心"
    options = PlanOptions(subtree=subtree)
    exported = parse_desired(export_directory(wecom_client, "yaml", subtree=subtree), "yaml")
    assert make_plan(exported, read_live(wecom_client, subtree=subtree), options).steps == []
    assert make_plan(exported, read_live(wecom_client), options).steps == []
    before = directory_facts(wecom_emulator.directory())
    # the whole company file minus R&D's people, applied to R&D only: nobody else changes
    org = load_desired(EXAMPLES / "org.yaml")
    assert org.users is not None
    rd_people = {u.userid for u in org.users
                 if any(str(m.department).startswith(subtree) for m in u.departments or [])}
    org.users = [u for u in org.users if u.userid not in rd_people]
    org.tags = None
    plan = make_plan(org, read_live(wecom_client),
                     PlanOptions(subtree=subtree, allow_deletes=True))
    report = apply_plan(wecom_client, plan, tmp_path / "2.journal")
    assert report.ok, report.summary()
    after = directory_facts(wecom_emulator.directory())
    assert set(before["users"]) - set(after["users"]) == rd_people - {
        u for u, (_, _, depts) in before["users"].items()
        if any(not p.startswith(subtree) for p, _ in depts)}
    assert after["departments"] == before["departments"]
