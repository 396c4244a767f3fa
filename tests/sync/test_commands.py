"""The one-call-per-command functions (plan_from_files, apply_sources, apply_status) on files."""

from __future__ import annotations

from pathlib import Path

import pytest

from wecom_contacts import Client
from wecom_contacts.sync import (
    ApplyInterrupted,
    Plan,
    PlanOptions,
    ProgressEvent,
    SyncError,
    apply_sources,
    apply_status,
    plan_from_files,
)

ORG = """
departments:
  - path: 总部
  - path: 总部/研发中心
users:
  - userid: zhangsan
    name: 张三
    mobile: "13800000001"
    departments: [总部/研发中心]
  - userid: lisi
    name: 李四
    mobile: "13800000002"
    departments: [总部/研发中心]
"""


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("WECOM_STATE_DIR", str(tmp_path / "state"))
    path = tmp_path / "org.yaml"
    path.write_text(ORG, encoding="utf-8")
    return path


def target(client: Client) -> str:
    return f"{client.corp_id}@{client.base_url}"


def test_apply_sources_plans_applies_and_status_finds_the_same_journal(
    wecom_client: Client, org: Path
) -> None:
    done = apply_sources(wecom_client, [org])
    assert done.report is not None and done.report.ok and done.report.done == len(done.plan.steps)
    state = apply_status([org], target=target(wecom_client))
    assert Path(state.path) == done.journal and state.finished
    assert plan_from_files(wecom_client, [org]).is_empty


def test_a_saved_plan_is_applied_with_its_own_journal_and_refuses_options(
    wecom_client: Client, org: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    saved.write_text(plan_from_files(wecom_client, [org]).to_json(), encoding="utf-8")
    with pytest.raises(SyncError, match="a saved plan keeps its own"):
        apply_sources(wecom_client, [saved], options=PlanOptions(allow_deletes=True))
    done = apply_sources(wecom_client, [saved])
    assert done.report is not None and done.report.ok
    assert Path(apply_status([saved], target="elsewhere").path) == done.journal  # plan-keyed


def test_a_declined_confirmation_applies_nothing(wecom_client: Client, org: Path) -> None:
    shown: list[Plan] = []

    def decline(plan: Plan) -> bool:
        shown.append(plan)
        return False

    done = apply_sources(wecom_client, [org], confirm=decline)
    assert done.report is None and shown == [done.plan]
    assert not plan_from_files(wecom_client, [org]).is_empty
    with pytest.raises(SyncError, match="no apply journal"):
        apply_status([org], target=target(wecom_client))


def test_resume_needs_an_earlier_apply(wecom_client: Client, org: Path) -> None:
    with pytest.raises(SyncError, match="nothing to resume"):
        apply_sources(wecom_client, [org], resume=True)


def test_ctrl_c_names_the_journal_and_resume_finishes(wecom_client: Client, org: Path) -> None:
    def stop_after_one(event: ProgressEvent) -> None:
        if event.completed == 1:
            raise KeyboardInterrupt

    with pytest.raises(ApplyInterrupted) as stopped:
        apply_sources(wecom_client, [org], progress=stop_after_one, bulk=None)
    assert not apply_status([org], target=target(wecom_client)).finished
    resumed = apply_sources(wecom_client, [org], resume=True, bulk=None)
    assert resumed.journal == stopped.value.journal
    assert resumed.report is not None and resumed.report.ok and resumed.report.already_done == 1
