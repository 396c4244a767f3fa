"""LDAP / SQL → mapping → `sync plan` → `sync apply` against the emulator, with the examples
(examples/ldap, examples/sql) on a real slapd, SQLite file and PostgreSQL; bad input exits 2
and sends nothing."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import json_of as _json
from tests.servers.postgres import PostgresServer
from tests.servers.slapd import SlapdServer
from wecom_contacts.testing import EmulatorControl

from .conftest import DB_PASSWORD_ENV, PASSWORD_ENV

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"



def _set(text: str, key: str, value: str) -> str:
    """The example mapping with one option's value replaced (the rest as shipped)."""
    changed, count = re.subn(rf"^(\s*{key}:) [^#\n]*", rf"\1 {value}  ", text, count=1,
                             flags=re.MULTILINE)
    assert count == 1, key
    return changed


@pytest.fixture
def ldap_mapping(ldap_server: SlapdServer, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Path:
    """examples/ldap loaded into slapd, its mapping pointed at it (StartTLS, the test CA)."""
    ldap_server.add_ldif((EXAMPLES / "ldap" / "corp.ldif").read_text(encoding="utf-8"))
    text = (EXAMPLES / "ldap" / "ad.mapping.yaml").read_text(encoding="utf-8")
    text = _set(text, "url", ldap_server.url)
    text = _set(text, "ca_file", str(ldap_server.ca_file))
    text = _set(text, "password_env", PASSWORD_ENV)
    monkeypatch.setenv(PASSWORD_ENV, ldap_server.password)
    path = tmp_path / "ad.mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _sqlite_mapping(tmp_path: Path, example: str = "hr.mapping.yaml") -> Path:
    with sqlite3.connect(tmp_path / "hr.db") as db:
        db.executescript((EXAMPLES / "sql" / "hr-schema.sql").read_text(encoding="utf-8"))
    db.close()
    path = tmp_path / "hr.mapping.yaml"
    path.write_text((EXAMPLES / "sql" / example).read_text(encoding="utf-8"),
                    encoding="utf-8")
    return path


def _postgres_mapping(tmp_path: Path, server: PostgresServer,
                      monkeypatch: pytest.MonkeyPatch, example: str = "hr.mapping.yaml") -> Path:
    url = server.new_database()
    with server.connect(url.rsplit("/", 1)[1]) as conn:
        conn.execute((EXAMPLES / "sql" / "hr-schema.sql").read_text(encoding="utf-8"))
    text = (EXAMPLES / "sql" / example).read_text(encoding="utf-8")
    text = _set(text, "url", url)
    text = text.replace("# password_env:", "password_env:").replace(
        "WECOM_HR_DB_PASSWORD", DB_PASSWORD_ENV)
    text = text.replace("group_concat(t.tag, ';')", "string_agg(t.tag, ';')")
    monkeypatch.setenv(DB_PASSWORD_ENV, server.password)
    path = tmp_path / "hr.mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sql_mapping(request: pytest.FixtureRequest, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> Path:
    if request.param == "sqlite":
        return _sqlite_mapping(tmp_path)
    return _postgres_mapping(tmp_path, request.getfixturevalue("postgres_server"), monkeypatch)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def sql_by_key_mapping(request: pytest.FixtureRequest, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> Path:
    """examples/sql/hr-by-key.mapping.yaml: the departments table as records of their own."""
    if request.param == "sqlite":
        return _sqlite_mapping(tmp_path, "hr-by-key.mapping.yaml")
    return _postgres_mapping(tmp_path, request.getfixturevalue("postgres_server"), monkeypatch,
                             "hr-by-key.mapping.yaml")


def _users(wecom_emulator: EmulatorControl) -> dict[str, dict[str, Any]]:
    return {u["userid"]: u for u in wecom_emulator.directory()["users"]}


def _tag_members(wecom_emulator: EmulatorControl) -> dict[str, set[str]]:
    return {t["tagname"]: set(t.get("userlist") or ())
            for t in wecom_emulator.directory()["tags"]}


def _plan_apply_converge(run: Any, mapping: Path) -> dict[str, Any]:
    plan = _json(run("--json", "sync", "plan", str(mapping)))
    applied = run("--json", "sync", "apply", str(mapping), "--yes")
    assert applied.exit_code == 0, applied.output
    again = _json(run("--json", "sync", "plan", str(mapping)))
    assert again["changes"] == 0, again["steps"]
    return dict(plan)


@pytest.mark.ldap
def test_ldap_example_plans_applies_and_converges(run: Any, ldap_mapping: Path,
                                                  wecom_emulator: EmulatorControl) -> None:
    preview = _json(run("--json", "source", "preview", str(ldap_mapping)))
    assert preview["counts"]["members"] == 6 and preview["counts"]["leavers"] == 1
    assert preview["problems"] == []
    assert preview["fingerprint"]["kind"] == "ldap"
    assert preview["fingerprint"]["counts"] == {"members": 7}
    plan = _plan_apply_converge(run, ldap_mapping)
    ops = [s["op"] for s in plan["steps"]]
    assert ops.count("user.create") == 7 and ops.count("department.create") == 4
    users = _users(wecom_emulator)
    assert set(users) == {"chen.jianguo", "li.na", "wang.qiang", "zhang.wei", "liu.yang",
                          "zhao.min", "sun.li"}
    assert users["liu.yang"]["enable"] == 0  # userAccountControl 514
    assert users["zhang.wei"]["enable"] == 1
    assert users["zhang.wei"]["direct_leader"] == ["wang.qiang"]  # from the manager DN
    assert users["wang.qiang"]["email"] == "wang.qiang@example.com"
    # 基础架构 is a member of 技术委员会: its members are tagged with both.
    tags = _tag_members(wecom_emulator)
    assert tags["技术委员会"] == {"li.na", "wang.qiang", "zhang.wei", "liu.yang"}
    assert tags["基础架构"] == {"zhang.wei", "liu.yang"}


def test_sql_example_plans_applies_and_converges(run: Any, sql_mapping: Path,
                                                 wecom_emulator: EmulatorControl) -> None:
    preview = _json(run("--json", "source", "preview", str(sql_mapping)))
    assert preview["counts"]["members"] == 6 and preview["counts"]["leavers"] == 1
    assert preview["problems"] == []
    assert preview["fingerprint"]["kind"] == "sql"
    assert preview["fingerprint"]["counts"] == {"members": 7}
    plan = _plan_apply_converge(run, sql_mapping)
    assert [s["op"] for s in plan["steps"]].count("user.create") == 7
    users = _users(wecom_emulator)
    assert users["E1005"]["enable"] == 0  # 离职
    assert users["E1004"]["direct_leader"] == ["E1003"]
    assert users["E1003"]["mobile"] == "13910000003"  # "139-1000-0003" through mobile
    assert _tag_members(wecom_emulator) == {"技术委员会": {"E1002", "E1003", "E1004"},
                                            "新员工": {"E1004", "E1007"}}


def test_sql_departments_by_key_example_plans_applies_and_converges(
        run: Any, sql_by_key_mapping: Path, wecom_emulator: EmulatorControl) -> None:
    preview = _json(run("--json", "source", "preview", str(sql_by_key_mapping)))
    assert preview["problems"] == []
    assert preview["counts"]["department records"] == 6
    assert preview["counts"]["tag records"] == 5
    assert preview["fingerprint"]["counts"] == {"departments": 6, "members": 7, "tags": 5}
    _plan_apply_converge(run, sql_by_key_mapping)
    departments = wecom_emulator.directory()["departments"]
    by_name = {d["name"]: d for d in departments}
    assert sorted(by_name) == ["基础架构组", "市场部", "平台研发部", "法务部", "研发中心",
                               "示例科技"]
    root = by_name["示例科技"]["id"]
    assert by_name["法务部"]["parentid"] == root  # created though no one works there yet
    assert (by_name["研发中心"]["order"], by_name["市场部"]["order"],
            by_name["法务部"]["order"]) == (300, 200, 100)
    infra = by_name["基础架构组"]["id"]
    users = _users(wecom_emulator)
    assert users["E1004"]["department"] == [infra]
    assert users["E1001"]["department"] == [root]
    # the (emp_no, tag) pairs, each employee number matched to its member's userid
    assert _tag_members(wecom_emulator) == {"技术委员会": {"E1002", "E1003", "E1004"},
                                            "新员工": {"E1004", "E1007"}}


def _nothing_sent(run: Any, wecom_emulator: EmulatorControl) -> None:
    assert len(_json(run("--json", "departments", "list"))) == 1  # the root only
    assert wecom_emulator.directory()["users"] == []


@pytest.mark.ldap
def test_ldap_wrong_password_exits_2_and_sends_nothing(
        run: Any, ldap_mapping: Path, wecom_emulator: EmulatorControl,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    result = run("sync", "apply", str(ldap_mapping), "--yes")
    assert result.exit_code == 2, result.output
    assert "bind as cn=admin,dc=example,dc=com" in result.stderr
    assert "invalidCredentials" in result.stderr
    _nothing_sent(run, wecom_emulator)


@pytest.mark.ldap
def test_ldap_unknown_attribute_in_the_mapping_exits_2(run: Any, ldap_mapping: Path,
                                                       wecom_emulator: EmulatorControl) -> None:
    text = ldap_mapping.read_text(encoding="utf-8").replace("  position: title",
                                                            "  position: titel")
    ldap_mapping.write_text(text, encoding="utf-8")
    result = run("sync", "plan", str(ldap_mapping))
    assert result.exit_code == 2, result.output
    assert "column 'titel' is not in" in result.stderr and "did you mean 'title'" in \
        result.stderr
    _nothing_sent(run, wecom_emulator)


@pytest.mark.ldap
def test_ldap_referral_exits_2_and_sends_nothing(run: Any, ldap_mapping: Path,
                                                 ldap_server: SlapdServer,
                                                 wecom_emulator: EmulatorControl) -> None:
    ldap_server.add_ldif("dn: ou=Branch,ou=Corp,dc=example,dc=com\nobjectClass: referral\n"
                         "objectClass: extensibleObject\nou: Branch\n"
                         "ref: ldap://branch.example.com/ou=Branch,dc=example,dc=com\n")
    result = run("sync", "apply", str(ldap_mapping), "--yes")
    assert result.exit_code == 2, result.output
    assert "referral to ldap://branch.example.com" in result.stderr
    _nothing_sent(run, wecom_emulator)


def test_sql_query_error_exits_2_and_sends_nothing(run: Any, sql_mapping: Path,
                                                   wecom_emulator: EmulatorControl) -> None:
    text = sql_mapping.read_text(encoding="utf-8").replace("e.hired_on,", "e.hire_date,")
    sql_mapping.write_text(text, encoding="utf-8")
    result = run("sync", "apply", str(sql_mapping), "--yes")
    assert result.exit_code == 2, result.output
    assert "the members query failed" in result.stderr and "hire_date" in result.stderr
    _nothing_sent(run, wecom_emulator)


def test_sql_bad_value_names_the_row_and_column_and_exits_2(
        run: Any, sql_mapping: Path, wecom_emulator: EmulatorControl) -> None:
    text = sql_mapping.read_text(encoding="utf-8").replace(
        "  email: email\n", "  email: email\n  gender: {column: title, transforms: [gender]}\n")
    sql_mapping.write_text(text, encoding="utf-8")
    result = run("sync", "apply", str(sql_mapping), "--yes")
    assert result.exit_code == 2, result.output
    assert re.search(r"members query, row \d+ \(emp_no 100\d\), column title: ", result.stderr)
    _nothing_sent(run, wecom_emulator)
