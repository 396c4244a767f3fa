"""The mirror service in-process: the emulator's real callbacks into a real receiver on a
loopback port, a real SQLite target, the queue and the reconcile."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from wecom_contacts import Client
from wecom_contacts._background import BackgroundServer
from wecom_contacts.callback import CallbackCrypto
from wecom_contacts.mirror import Target, open_target
from wecom_contacts.mirror.app import make_mirror_app
from wecom_contacts.mirror.queue import EventQueue
from wecom_contacts.mirror.service import MirrorService
from wecom_contacts.testing import EmulatorControl

from .conftest import COMPANY, callback_keys, rows, wait_for


class Running:
    def __init__(self, service: MirrorService, url: str) -> None:
        self.service = service
        self.url = url


@contextmanager
def serving(client: Client, emulator: EmulatorControl, target: Target, queue: Path,
            **options: Any) -> Iterator[MirrorService]:
    """A mirrored company, its callbacks pointed at the mirror's receiver on a free port."""
    service = MirrorService(client, target, EventQueue(queue), reconcile_interval=3600,
                            retry_interval=0.1)
    service.reconcile()
    token, key = callback_keys()
    app = make_mirror_app(service, CallbackCrypto(token, key, receive_id=emulator.corp_id),
                          run_loop=False)
    with BackgroundServer(app) as server:
        emulator.configure_callback(f"{server.url}/wecom", token, key, echo_own_changes=True,
                                    retry_interval=0.1, **options)
        try:
            yield service
        finally:
            service.stop()
            emulator.remove_callback()
            service.queue.close()
            target.close()


@pytest.fixture
def running(request: pytest.FixtureRequest, wecom_client: Client,
            wecom_emulator: EmulatorControl, tmp_path: Path) -> Iterator[Running]:
    """Seeded company mirrored into SQLite, served."""
    wecom_emulator.seed(COMPANY)
    url = f"sqlite:///{tmp_path / 'mirror.db'}?timeout=0.2"
    with serving(wecom_client, wecom_emulator, open_target(url), tmp_path / "queue.sqlite",
                 **getattr(request, "param", {})) as service:
        yield Running(service, url)


def test_member_events_are_applied_to_rows(running: Running, wecom_client: Client,
                                           wecom_emulator: EmulatorControl) -> None:
    url = running.url
    wecom_client.users.create("newbie", "新人", department=[3], mobile="13900000001")
    wecom_emulator.flush_callbacks()
    assert rows(url, "select name, mobile from members where userid='newbie'") == [
        ("新人", "13900000001")]
    wecom_client.users.update("newbie", position="实习生", department=[3, 4])
    wecom_client.tags.add_members(1, userids=["newbie"])
    wecom_emulator.flush_callbacks()
    assert rows(url, "select position from members where userid='newbie'") == [("实习生",)]
    assert rows(url, "select department_id from member_departments where userid='newbie' "
                     "order by position") == [(3,), (4,)]
    assert ("newbie",) in rows(url, "select member_id from tag_members where tag_id=1")
    wecom_client.users.delete("newbie")
    wecom_emulator.flush_callbacks()
    assert rows(url, "select count(*) from members where userid='newbie'") == [(0,)]
    assert ("newbie",) not in rows(url, "select member_id from tag_members where tag_id=1")
    assert running.service.status.pending == 0


def test_department_events_are_applied_to_rows(running: Running, wecom_client: Client,
                                               wecom_emulator: EmulatorControl) -> None:
    wecom_client.departments.create("前端组", 2, id=7)
    wecom_client.departments.update(7, name="大前端", parent_id=1)
    wecom_emulator.flush_callbacks()
    assert rows(running.url, "select name, parent_id from departments where id=7") == [
        ("大前端", 1)]
    wecom_client.departments.delete(7)
    wecom_emulator.flush_callbacks()
    assert rows(running.url, "select count(*) from departments where id=7") == [(0,)]


@pytest.mark.parametrize("running", [{"minimal_fields": True}], indirect=True)
def test_minimal_events_read_the_rest_from_wecom(running: Running, wecom_client: Client,
                                                 wecom_emulator: EmulatorControl) -> None:
    wecom_client.users.create("newbie", "新人", department=[3], email="n@example.com")
    wecom_emulator.flush_callbacks()
    assert rows(running.url, "select name, email from members where userid='newbie'") == [
        ("新人", "n@example.com")]


def test_events_wait_while_the_target_is_locked_and_are_applied_in_order_after(
    running: Running, wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    holder = sqlite3.connect(tmp_path / "mirror.db", isolation_level=None)
    holder.execute("begin exclusive")  # another writer holds the database: the target is "down"
    try:
        wecom_client.users.update("lisi", position="一")
        wecom_client.users.update("lisi", position="二")
        wecom_emulator.flush_callbacks()
        assert [d["outcome"] for d in wecom_emulator.callbacks()][-2:] == ["delivered"] * 2
        assert len(running.service.queue) == 2
        assert "lisi" in (running.service.status.last_error or "")
    finally:
        holder.execute("rollback")
        holder.close()
    running.service.start()
    wait_for(lambda: running.service.status.pending == 0, what="the queue to drain")
    assert rows(running.url, "select position from members where userid='lisi'") == [("二",)]
    assert running.service.status.retried_ok == 2


def test_queue_file_is_private(running: Running, tmp_path: Path) -> None:
    assert stat.S_IMODE((tmp_path / "queue.sqlite").stat().st_mode) == 0o600


def test_reconcile_repairs_what_no_event_told_and_reports_it(
    running: Running, wecom_client: Client, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.remove_callback()  # the mirror misses what follows
    wecom_client.users.update("wangwu", alias="老王")
    wecom_client.tags.create("新标签", id=5)
    drift = running.service.reconcile()
    assert drift is not None
    assert drift["members"] == {"added": 0, "changed": 1, "removed": 0}
    assert drift["tags"] == {"added": 1, "changed": 0, "removed": 0}
    assert rows(running.url, "select alias from members where userid='wangwu'") == [("老王",)]
    assert running.service.target.get_state("last_reconcile_drift") is not None


@pytest.mark.parametrize("running", [{"minimal_fields": True}], indirect=True)
def test_event_whose_read_is_refused_waits_for_the_reconcile(
    running: Running, wecom_client: Client, wecom_emulator: EmulatorControl
) -> None:
    wecom_emulator.configure(block_new_ip_detail_reads=True)
    wecom_client.users.create("newbie", "新人", department=[3], mobile="13900000002")
    wecom_emulator.flush_callbacks()
    assert len(running.service.queue) == 1  # user/get refused (48009): kept, not guessed
    running.service.start()  # the refusal asked for an early reconcile (through export jobs)
    wait_for(lambda: running.service.status.covered_by_reconcile == 1,
             what="the reconcile to cover the event")
    assert rows(running.url, "select name, mobile from members where userid='newbie'") == [
        ("新人", "13900000002")]
    assert len(running.service.queue) == 0


NO_DRIFT = {"added": 0, "changed": 0, "removed": 0}


def test_rows_built_from_events_equal_what_a_full_read_gives(
    running: Running, wecom_client: Client, wecom_emulator: EmulatorControl
) -> None:
    wecom_client.users.create(
        "rich", "全字段", department=[2, 3], is_leader_in_dept=[0, 1], mobile="13900000009",
        email="rich@example.com", position="经理", gender="2", alias="Rich",
        telephone="010-1234", address="北京", main_department=3, direct_leader=["zhangsan"],
        extattr={"attrs": [{"type": 0, "name": "工号", "text": {"value": "A001"}},
                           {"type": 1, "name": "主页", "web": {"url": "https://example.com",
                                                              "title": "主页"}}]})
    wecom_client.users.update("lisi", department=[4, 2], position="组长", alias="")
    wecom_client.departments.create("新部门", 3, id=8, order=3)
    wecom_client.departments.update(8, name="更新部门")
    wecom_client.tags.add_members(1, userids=["rich"], department_ids=[8])
    wecom_emulator.flush_callbacks()
    drift = running.service.reconcile()
    assert drift == {"departments": NO_DRIFT, "members": NO_DRIFT, "tags": NO_DRIFT}


@pytest.mark.postgres
def test_events_reach_a_postgresql_target(wecom_client: Client, wecom_emulator: EmulatorControl,
                                          tmp_path: Path, postgres_server: Any) -> None:
    from sqlalchemy.engine import make_url

    wecom_emulator.seed(COMPANY)
    url = make_url(postgres_server.new_database("serve")).set(
        password=postgres_server.password).render_as_string(hide_password=False)
    with serving(wecom_client, wecom_emulator, open_target(url), tmp_path / "q.sqlite"):
        wecom_client.users.create("pg", "数据库", department=[2], mobile="13900000010")
        wecom_client.users.update("zhangsan", department=[2])
        wecom_emulator.flush_callbacks()
        assert rows(url, "select name from members where userid='pg'") == [("数据库",)]
        assert rows(url, "select department_id from member_departments "
                         "where userid='zhangsan'") == [(2,)]


@pytest.mark.ldap
def test_events_reach_an_ldap_target(wecom_client: Client, wecom_emulator: EmulatorControl,
                                     tmp_path: Path, ldap_server: Any) -> None:
    import ldap3  # type: ignore[import-untyped]  # (no stubs installed)

    from wecom_contacts.mirror.ldap_target import LDAPTarget

    wecom_emulator.seed(COMPANY)
    target = LDAPTarget(ldap_server.url, base_dn=ldap_server.base_dn,
                        bind_dn=ldap_server.bind_dn, password=ldap_server.password,
                        journal=tmp_path / "ldap.journal")
    base = ldap_server.base_dn

    def people() -> dict[str, list[str]]:
        with ldap_server.connection() as conn:
            conn.search(base, "(objectClass=inetOrgPerson)", ldap3.SUBTREE,
                        attributes=["employeeType"])
            return {e.entry_dn: e["employeeType"].values for e in conn.entries}

    with serving(wecom_client, wecom_emulator, target, tmp_path / "q.sqlite"):
        wecom_client.users.create("ldapnew", "目录", department=[3], mobile="13900000011")
        wecom_emulator.flush_callbacks()
        assert people()[f"uid=ldapnew,ou=市场部,ou=总部,{base}"] == ["active"]
        wecom_client.users.delete("ldapnew")
        wecom_emulator.flush_callbacks()
        assert people()[f"uid=ldapnew,ou=市场部,ou=总部,{base}"] == ["disabled"]
