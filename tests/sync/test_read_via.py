"""Sync on an IP that WeCom refuses detail reads to (48009): export jobs instead of lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from wecom_contacts import Client, PermissionDenied
from wecom_contacts.sync import (
    ImportJobRunner,
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
from .test_apply import EXAMPLES, SMALL, desired_facts, directory_facts
from .test_bulk import company

DETAIL_READS = ("/cgi-bin/department/list", "/cgi-bin/department/get", "/cgi-bin/user/list",
                "/cgi-bin/user/get")


def refuse_detail_reads(emulator: EmulatorControl) -> None:
    emulator.configure(block_new_ip_detail_reads=True)


def served_detail_reads(emulator: EmulatorControl) -> int:
    """Detail reads WeCom answered so far (calls minus the 48009 refusals)."""
    stats = emulator.stats()
    calls = sum(int(stats["calls"].get(path, 0)) for path in DETAIL_READS)
    return calls - int(stats["errors"].get("48009", 0))


def test_auto_reads_the_same_directory_through_export_jobs_after_one_refusal(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    plan_and_apply(wecom_client, load_desired(EXAMPLES / "org.yaml"), tmp_path / "j.sqlite")
    by_lists = read_live(wecom_client, via="lists")
    refuse_detail_reads(wecom_emulator)
    before = wecom_emulator.stats()["calls"]
    assert read_live(wecom_client) == by_lists
    calls = wecom_emulator.stats()["calls"]
    assert calls["/cgi-bin/department/list"] - before["/cgi-bin/department/list"] == 1
    assert calls["/cgi-bin/user/list"] == before["/cgi-bin/user/list"]  # not even tried
    assert calls["/cgi-bin/export/department"] == calls["/cgi-bin/export/user"] == 1
    assert read_live(wecom_client, via="export") == by_lists


def test_lists_only_raises_the_refusal_with_its_hint(
    wecom_client: Client, wecom_emulator: EmulatorControl
) -> None:
    refuse_detail_reads(wecom_emulator)
    with pytest.raises(PermissionDenied) as err:
        read_live(wecom_client, via="lists")
    assert err.value.errcode == 48009 and "export jobs" in str(err.value)
    with pytest.raises(ValueError, match="via must be one of auto, lists, export"):
        read_live(wecom_client, via="list")  # type: ignore[arg-type]


def test_plan_apply_drift_check_and_export_work_without_detail_reads(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    refuse_detail_reads(wecom_emulator)
    org = load_desired(EXAMPLES / "org.yaml")
    plan = make_plan(org, read_live(wecom_client))
    report = apply_plan(wecom_client, plan, tmp_path / "j.sqlite")  # with its drift check
    assert report.ok, report.summary()
    assert directory_facts(wecom_emulator.directory()) == desired_facts(org)
    exported = parse_desired(export_directory(wecom_client, "yaml"), "yaml")
    assert make_plan(exported, read_live(wecom_client)).steps == []
    assert make_plan(org, read_live(wecom_client)).steps == []
    assert served_detail_reads(wecom_emulator) == 0


def test_lost_answers_are_reconciled_through_export_jobs(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    refuse_detail_reads(wecom_emulator)
    plan = make_plan(desired(SMALL), read_live(wecom_client))
    wecom_emulator.fault("/cgi-bin/department/create", drop=True, after="after_handler")
    wecom_emulator.fault("/cgi-bin/user/create", drop=True, after="after_handler")
    report = apply_plan(wecom_client, plan, tmp_path / "j.sqlite")
    assert report.ok and report.reconciled == 2, report.summary()
    counts = plan.counts()
    writes = wecom_emulator.stats()["writes"]  # applied once each: reconciled, not resent
    assert writes["/cgi-bin/department/create"] == counts["department.create"]
    assert writes["/cgi-bin/user/create"] == counts["user.create"]
    assert make_plan(desired(SMALL), read_live(wecom_client)).steps == []
    assert served_detail_reads(wecom_emulator) == 0


def test_update_rows_of_an_import_job_take_live_values_from_one_export(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    org = company(60)
    runner = ImportJobRunner(threshold=10)
    plan_and_apply(wecom_client, org, tmp_path / "1.journal", bulk=runner)
    refuse_detail_reads(wecom_emulator)
    exports = wecom_emulator.stats()["calls"].get("/cgi-bin/export/user", 0)
    served = served_detail_reads(wecom_emulator)
    assert org.users is not None
    for user in org.users[:40]:
        user.fields["position"] = "新职位"
    _, report = plan_and_apply(wecom_client, org, tmp_path / "2.journal", bulk=runner)
    assert report.ok and (report.jobs, report.job_rows) == (1, 40), report.summary()
    # one export for the plan's read, one for the job's update rows
    assert wecom_emulator.stats()["calls"]["/cgi-bin/export/user"] - exports == 2
    assert make_plan(org, read_live(wecom_client)).steps == []
    assert served_detail_reads(wecom_emulator) == served
