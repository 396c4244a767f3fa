"""Full passes into a real SQLite file: read the emulator whole, write only what changed."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from wecom_contacts import Client, WeComError
from wecom_contacts.mirror import (
    DeletionCap,
    IncompleteReadError,
    MirrorDeletionCapError,
    mirror_sync,
    open_target,
    render_diff,
)
from wecom_contacts.mirror.sql_target import SQLTarget
from wecom_contacts.testing import EmulatorControl

from .conftest import COMPANY, rows


@pytest.fixture
def company(wecom_emulator: EmulatorControl) -> EmulatorControl:
    wecom_emulator.seed(COMPANY)
    return wecom_emulator


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mirror.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty target: a SQLite file, or a database on the real PostgreSQL."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    server = request.getfixturevalue("postgres_server")
    url = make_url(server.new_database("mirror")).set(password=server.password)
    return url.render_as_string(hide_password=False)


def test_first_pass_copies_departments_members_memberships_and_tags(
    wecom_client: Client, company: EmulatorControl, sql_url: str
) -> None:
    url = sql_url
    target = open_target(url)
    report = mirror_sync(wecom_client, target)
    target.close()
    assert report.applied and report.diff.counts()["members"]["added"] == 12
    assert rows(url, "select id, name, parent_id from departments order by id") == [
        (1, "总部", 0), (2, "研发中心", 1), (3, "市场部", 1), (4, "后端组", 2)]
    assert rows(url, "select name, mobile, email, position from members where userid='zhangsan'"
                ) == [("张三", "13800000001", "zhangsan@example.com", "架构师")]
    assert rows(url, "select department_id, is_leader from member_departments "
                     "where userid='zhangsan' order by position") == [(2, 1), (4, 0)]
    assert rows(url, "select userid from members where mobile = :m", m="13800000002") == [
        ("lisi",)]
    assert rows(url, "select t.name, m.member_type, m.member_id from tags t join tag_members m "
                     "on m.tag_id = t.id order by 2, 3") == [
        ("值班", "department", "3"), ("值班", "user", "lisi"), ("值班", "user", "zhangsan")]


def test_new_sqlite_file_is_private(wecom_client: Client, company: EmulatorControl,
                                    tmp_path: Path) -> None:
    target = open_target(sqlite_url(tmp_path))
    mirror_sync(wecom_client, target)
    files = sorted(p.name for p in tmp_path.iterdir())
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    target.close()
    assert "mirror.db-wal" in files  # WAL mode: its side files hold member data too
    assert modes == dict.fromkeys(files, 0o600)


def test_second_pass_writes_only_the_changed_member(
    wecom_client: Client, company: EmulatorControl, sql_url: str
) -> None:
    url = sql_url
    target = open_target(url)
    mirror_sync(wecom_client, target)
    before = dict(rows(url, "select userid, updated_at from members"))
    wecom_client.users.update("lisi", position="DBA", department=[4, 3])
    report = mirror_sync(wecom_client, target)
    target.close()
    assert report.diff.counts() == {
        "departments": {"added": 0, "changed": 0, "removed": 0},
        "members": {"added": 0, "changed": 1, "removed": 0},
        "tags": {"added": 0, "changed": 0, "removed": 0}}
    after = dict(rows(url, "select userid, updated_at from members"))
    assert [u for u in after if after[u] != before[u]] == ["lisi"]
    assert rows(url, "select department_id from member_departments where userid='lisi' "
                     "order by position") == [(4,), (3,)]
    again = open_target(url)
    assert len(mirror_sync(wecom_client, again).diff) == 0
    again.close()


def test_removed_member_and_tag_are_deleted_within_the_cap(
    wecom_client: Client, company: EmulatorControl, sql_url: str
) -> None:
    url = sql_url
    target = open_target(url)
    mirror_sync(wecom_client, target)
    wecom_client.users.delete("wujiu")
    wecom_client.tags.remove_members(1, userids=["lisi"])
    mirror_sync(wecom_client, target)
    target.close()
    assert rows(url, "select count(*) from members where userid='wujiu'") == [(0,)]
    assert rows(url, "select count(*) from member_departments where userid='wujiu'") == [(0,)]
    assert rows(url, "select member_id from tag_members where member_type='user'") == [
        ("zhangsan",)]


def test_deletions_over_the_cap_write_nothing_until_allowed(
    wecom_client: Client, company: EmulatorControl, sql_url: str
) -> None:
    url = sql_url
    target = open_target(url)
    mirror_sync(wecom_client, target)
    wecom_client.users.batch_delete(["he", "gao", "lin"])
    wecom_client.users.update("sunqi", position="前台")
    with pytest.raises(MirrorDeletionCapError) as err:
        mirror_sync(wecom_client, target)
    assert err.value.deletions == 3 and "--allow-deletes" in str(err.value)
    assert rows(url, "select count(*) from members") == [(12,)]
    assert rows(url, "select position from members where userid='sunqi'") == [(None,)]
    mirror_sync(wecom_client, target, cap=DeletionCap(allow_deletes=True))
    target.close()
    assert rows(url, "select count(*) from members") == [(9,)]


def test_dry_run_prints_the_diff_and_writes_nothing(
    wecom_client: Client, company: EmulatorControl, sql_url: str
) -> None:
    url = sql_url
    target = open_target(url)
    mirror_sync(wecom_client, target)
    wecom_client.users.update("zhangsan", mobile="13900000000")
    wecom_client.departments.create("测试部", 1, id=9)
    report = mirror_sync(wecom_client, target, dry_run=True)
    target.close()
    text = render_diff(report.diff)
    assert "+ department 9 '测试部' (parent 1)" in text
    assert "~ member zhangsan: mobile: '13800000001' → '13900000000'" in text
    assert not report.applied
    assert rows(url, "select mobile from members where userid='zhangsan'") == [("13800000001",)]
    assert rows(url, "select count(*) from departments where id=9") == [(0,)]


@pytest.mark.wecom_emulator(block_new_ip_detail_reads=True)
def test_refused_detail_reads_go_through_export_jobs(
    wecom_client: Client, company: EmulatorControl, sql_url: str
) -> None:
    url = sql_url
    target = open_target(url)
    mirror_sync(wecom_client, target)
    target.close()
    assert company.calls("/cgi-bin/export/user") == 1
    assert rows(url, "select count(*) from members") == [(12,)]
    assert rows(url, "select mobile from members where userid='lisi'") == [("13800000002",)]


def test_a_failed_export_job_deletes_nothing(
    wecom_client: Client, company: EmulatorControl, sql_url: str
) -> None:
    url = sql_url
    target = open_target(url)
    mirror_sync(wecom_client, target)
    company.configure(block_new_ip_detail_reads=True)
    company.fault("/cgi-bin/export/get_result", errcode=-1, count=100)
    with pytest.raises(WeComError):
        mirror_sync(wecom_client, target, cap=DeletionCap(allow_deletes=True))
    target.close()
    assert rows(url, "select count(*) from members") == [(12,)]


def test_member_in_a_department_the_read_missed_is_refused(
    wecom_client: Client, company: EmulatorControl, tmp_path: Path
) -> None:
    from wecom_contacts.mirror import snapshot_from_live
    from wecom_contacts.sync import read_live

    live = read_live(wecom_client)
    del live.departments[4]
    with pytest.raises(IncompleteReadError) as err:
        snapshot_from_live(live)
    assert "member 'lisi' is in department(s) [4]" in str(err.value)


def test_newer_schema_is_refused_and_v1_is_migrated(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from wecom_contacts.mirror import SchemaError

    url = sqlite_url(tmp_path)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        # a version-1 mirror, as the toolkit created it before updated_at existed
        conn.execute(sa.text("create table departments (id bigint primary key, name text not "
                             "null, name_en text, parent_id bigint not null, sort_order bigint "
                             "not null)"))
        conn.execute(sa.text("create table members (userid varchar(64) primary key, name text "
                             "not null, alias text, mobile varchar(64), email varchar(255), "
                             "biz_mail varchar(255), position text, gender varchar(8), "
                             "telephone varchar(64), address text, external_position text, "
                             "enable boolean not null, activated boolean not null, "
                             "main_department bigint, direct_leader text, extattr text, "
                             "external_profile text)"))
        conn.execute(sa.text("create table member_departments (userid varchar(64), "
                             "department_id bigint, position integer not null, is_leader "
                             "boolean not null, sort_order bigint not null, "
                             "primary key (userid, department_id))"))
        conn.execute(sa.text("create table tags (id bigint primary key, name text not null)"))
        conn.execute(sa.text("create table tag_members (tag_id bigint, member_type "
                             "varchar(16), member_id varchar(64), primary key (tag_id, "
                             "member_type, member_id))"))
        conn.execute(sa.text("create table sync_state (key varchar(64) primary key, value "
                             "text not null)"))
        conn.execute(sa.text("insert into sync_state values ('schema_version', '1')"))
        conn.execute(sa.text("insert into members (userid, name, enable, activated) values "
                             "('kept', '留下', 1, 0)"))
    target = SQLTarget(url)
    assert target.found_version == 1 and target.get_state("schema_version") == "2"
    assert target.member("kept") is not None
    target.close()
    with engine.begin() as conn:
        conn.execute(sa.text("update sync_state set value='99' where key='schema_version'"))
    engine.dispose()
    with pytest.raises(SchemaError, match="schema version 99, newer"):
        SQLTarget(url)
