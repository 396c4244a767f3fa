"""Tests of the job, on the emulator the wecom-contacts pytest plugin starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from orgsync import sync_org

from wecom_contacts import Client
from wecom_contacts.callback import CreateUserEvent
from wecom_contacts.sync import DeletionCapError
from wecom_contacts.testing import CallbackInbox, EmulatorControl

ORG = Path(__file__).parent.parent / "org.yaml"


def test_the_first_run_creates_the_departments_and_members(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    sync_org(wecom_client, ORG, tmp_path / "journal")
    users = {u["userid"]: u for u in wecom_emulator.directory()["users"]}
    assert set(users) == {"zhangsan", "lisi"}
    assert wecom_emulator.calls("/cgi-bin/department/create") == 2


def test_a_second_run_changes_nothing(wecom_client: Client, tmp_path: Path) -> None:
    sync_org(wecom_client, ORG, tmp_path / "first")
    assert sync_org(wecom_client, ORG, tmp_path / "second") == {}


def test_each_new_member_is_announced_by_a_callback(
    wecom_client: Client, wecom_callbacks: CallbackInbox, tmp_path: Path
) -> None:
    sync_org(wecom_client, ORG, tmp_path / "journal")
    created = [e.user_id for e in wecom_callbacks.wait() if isinstance(e, CreateUserEvent)]
    assert sorted(created) == ["lisi", "zhangsan"]


@pytest.mark.wecom_emulator(seed={"users": [
    {"userid": f"old{i}", "name": f"老员工{i}", "department": [1], "mobile": f"1390000000{i}"}
    for i in range(6)
]})
def test_it_refuses_to_delete_more_than_five_members(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    with pytest.raises(DeletionCapError):
        sync_org(wecom_client, ORG, tmp_path / "journal")
    assert len(wecom_emulator.directory()["users"]) == 6  # nothing was deleted
