"""The import-job path of apply: big runs of member steps as one batch/syncuser job."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from wecom_contacts import Client
from wecom_contacts.sync import (
    DesiredDirectory,
    ImportJobRunner,
    PlanOptions,
    apply_plan,
    export_directory,
    make_plan,
    parse_desired,
    plan_and_apply,
    read_live,
)
from wecom_contacts.templates import MEMBER_HEADER
from wecom_contacts.testing import EmulatorControl

from .conftest import desired
from .test_apply import desired_facts, directory_facts


def company_yaml(users: int, extra: dict[int, str] | None = None) -> str:
    """``users`` members in six departments; ``extra`` adds YAML keys to some of them."""
    paths = ["总部/研发中心", "总部/研发中心/平台组", "总部/研发中心/数据组", "总部/市场部",
             "总部/市场部/品牌组", "总部/销售部"]
    lines = ["departments:", "  - path: 总部", *(f"  - path: {p}" for p in paths), "users:"]
    for u in range(users):
        dept = paths[u % len(paths)]
        member = f"{{department: {dept}, leader: true}}" if u < len(paths) else dept
        lines.append(
            f"  - {{userid: u{u:04d}, name: 员工{u}, departments: [{member}], "
            f"mobile: '139{u:08d}', email: u{u:04d}@example.com, position: 职位{u % 7}, "
            f"gender: {'male' if u % 2 else 'female'}, alias: A{u}, telephone: 021-{u:07d}"
            f"{(extra or {}).get(u, '')}}}"
        )
    return "\n".join(lines) + "\n"


def company(users: int, extra: dict[int, str] | None = None) -> DesiredDirectory:
    return desired(company_yaml(users, extra))


def calls(emulator: EmulatorControl, name: str) -> int:
    return int(emulator.stats()["calls"].get(f"/cgi-bin/{name}", 0))


def test_initial_import_of_1200_members_is_one_job_and_ends_exactly_as_desired(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    org = company(1200)
    _, report = plan_and_apply(wecom_client, org, tmp_path / "apply.journal")
    assert report.ok, report.summary()
    assert (report.jobs, report.job_rows) == (1, 1200)
    assert calls(wecom_emulator, "batch/syncuser") == 1
    assert calls(wecom_emulator, "user/create") == 0
    assert directory_facts(wecom_emulator.directory()) == desired_facts(org)
    live = read_live(wecom_client)
    assert make_plan(org, live).steps == []
    exported = parse_desired(export_directory(wecom_client, "yaml"), "yaml")
    assert make_plan(exported, live).steps == []


def test_fields_the_template_cannot_express_stay_single_calls(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    org = company(40, {
        3: ", direct_leader: [u0000]",
        4: ", main_department: 总部/市场部/品牌组",
        5: ", external_position: 总监",
        6: ", extattr: {attrs: [{type: 1, name: 主页, web: {url: 'https://a.example', "
           "title: 主页}}]}",
    })
    plan = make_plan(org, read_live(wecom_client))
    runner = ImportJobRunner(threshold=10)
    (group,) = runner.groups(plan)
    singles = {s.target for s in plan.steps if s.op == "user.create" and s.id not in group}
    assert singles == {"u0003", "u0004", "u0005", "u0006"}
    report = apply_plan(wecom_client, plan, tmp_path / "1.journal", bulk=runner)
    assert report.ok, report.summary()
    assert calls(wecom_emulator, "batch/syncuser") == 1
    assert calls(wecom_emulator, "user/create") == 4

    # a cleared field cannot be written as an empty cell (that keeps the value): one call
    assert org.users is not None
    for user in org.users[10:30]:
        user.fields["position"] = "新职位"
    org.users[0].fields["alias"] = ""
    _, report = plan_and_apply(wecom_client, org, tmp_path / "2.journal", bulk=runner)
    assert report.ok and (report.jobs, report.job_rows) == (1, 20)
    assert calls(wecom_emulator, "user/update") == 1
    assert make_plan(org, read_live(wecom_client)).steps == []


def test_text_custom_attributes_travel_as_custom_columns_of_the_job(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    attrs = {u: f", extattr: {{attrs: [{{type: 0, name: 工号, text: {{value: E{u:03d}}}}}]}}"
             for u in range(0, 40, 2)}
    org = company(40, attrs)
    runner = ImportJobRunner(threshold=10)
    _, report = plan_and_apply(wecom_client, org, tmp_path / "1.journal", bulk=runner)
    assert report.ok and (report.jobs, report.job_rows) == (1, 40)
    assert calls(wecom_emulator, "user/create") == 0
    by_id = {u["userid"]: u for u in wecom_emulator.directory()["users"]}
    assert by_id["u0004"]["extattr"]["attrs"] == [
        {"type": 0, "name": "工号", "text": {"value": "E004"}}]
    assert not by_id["u0005"].get("extattr", {}).get("attrs")
    assert make_plan(org, read_live(wecom_client)).steps == []

    # changed attributes of existing members: update rows, other attributes kept
    wecom_client.users.update("u0002", extattr={"attrs": [
        {"type": 0, "name": "爱好", "text": {"value": "围棋"}}]})
    assert org.users is not None
    for user in org.users[:30:2]:
        user.fields["extattr"] = {"attrs": [{"type": 0, "name": "工号", "text": {"value": "X"}}]}
    _, report = plan_and_apply(wecom_client, org, tmp_path / "2.journal", bulk=runner)
    assert report.ok and (report.jobs, report.job_rows) == (1, 15)
    assert calls(wecom_emulator, "user/update") == 1  # the one made above
    (u2,) = [u for u in wecom_emulator.directory()["users"] if u["userid"] == "u0002"]
    attrs_of = {a["name"]: a["text"]["value"] for a in u2["extattr"]["attrs"]}
    assert attrs_of == {"工号": "X", "爱好": "围棋"}
    assert make_plan(org, read_live(wecom_client)).steps == []


def test_a_row_the_job_refuses_fails_only_its_own_step_with_its_errcode(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    wecom_client.users.create("holder", name="占用者", department=[1], mobile="13900000007")
    org = company(30)
    plan = make_plan(org, read_live(wecom_client), PlanOptions(protected_users={"holder"}))
    report = apply_plan(wecom_client, plan, tmp_path / "apply.journal",
                        bulk=ImportJobRunner(threshold=10))
    assert (report.jobs, report.failed, report.done) == (1, 1, len(plan.steps) - 1)
    (failure,) = report.failures
    assert (failure.op, failure.target, failure.errcode) == ("user.create", "u0007", 60104)
    assert failure.meaning
    assert calls(wecom_emulator, "user/create") == 1  # only the holder, made above
    assert [s.target for s in make_plan(org, read_live(wecom_client),
                                        PlanOptions(protected_users={"holder"})).steps] == ["u0007"]


def test_an_update_row_repeats_the_live_values_of_the_fields_it_does_not_change(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    org = company(30)
    plan_and_apply(wecom_client, org, tmp_path / "1.journal", bulk=None)
    assert org.users is not None
    for user in org.users[:20]:
        user.fields["position"] = "新职位"
    uploads: list[bytes] = []
    real_upload = wecom_client.media.upload

    def keep(data: bytes, filename: str, **kwargs: Any) -> str:
        uploads.append(data)
        return real_upload(data, filename, **kwargs)

    monkeypatch.setattr(wecom_client.media, "upload", keep)
    _, report = plan_and_apply(wecom_client, org, tmp_path / "2.journal",
                               bulk=ImportJobRunner(threshold=10))
    assert report.ok and report.job_rows == 20
    assert calls(wecom_emulator, "user/update") == 0
    (data,) = uploads
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert len(rows) == 20
    # whether WeCom reads an empty cell as "keep" or "clear", nothing else changes: only
    # 地址 (empty in WeCom too) and the note column are empty
    filled = [c for c in MEMBER_HEADER if c != "地址" and not c.startswith("禁用项")]
    for row in rows:
        assert row["职位"] == "新职位"
        assert all(row[column] for column in filled), list(row.items())
    assert make_plan(org, read_live(wecom_client)).steps == []
