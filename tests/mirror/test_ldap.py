"""The LDAP target against a real slapd: OU tree, inetOrgPerson members, groupOfNames tags,
leavers disabled or moved, the journal resuming a cut-off run."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import ldap3  # type: ignore[import-untyped]  # (no stubs installed)
import pytest

from wecom_contacts import Client
from wecom_contacts.mirror import DeletionCap, TargetError, mirror_sync
from wecom_contacts.mirror.ldap_map import LDAPMapping
from wecom_contacts.mirror.ldap_target import LDAPTarget
from wecom_contacts.testing import EmulatorControl

from ..servers.slapd import SlapdServer
from .conftest import COMPANY

pytestmark = pytest.mark.ldap


@pytest.fixture
def company(wecom_emulator: EmulatorControl) -> EmulatorControl:
    wecom_emulator.seed(COMPANY)
    return wecom_emulator


def target(server: SlapdServer, tmp_path: Path, **options: Any) -> LDAPTarget:
    return LDAPTarget(server.url, base_dn=server.base_dn, bind_dn=server.bind_dn,
                      password=server.password, journal=tmp_path / "ldap.journal", **options)


def entries(server: SlapdServer, search_filter: str, *attrs: str) -> dict[str, dict[str, Any]]:
    with server.connection() as conn:
        conn.search(server.base_dn, search_filter, ldap3.SUBTREE, attributes=list(attrs))
        return {e.entry_dn: {a: e[a].values for a in attrs} for e in conn.entries}


def test_full_pass_builds_the_ou_tree_people_and_groups(
    wecom_client: Client, company: EmulatorControl, ldap_server: SlapdServer, tmp_path: Path
) -> None:
    tgt = target(ldap_server, tmp_path)
    mirror_sync(wecom_client, tgt)
    tgt.close()
    base = ldap_server.base_dn
    people = entries(ldap_server, "(objectClass=inetOrgPerson)", "cn", "mobile", "mail",
                     "departmentNumber", "employeeType")
    assert people[f"uid=zhangsan,ou=研发中心,ou=总部,{base}"] == {
        "cn": ["张三"], "mobile": ["13800000001"], "mail": ["zhangsan@example.com"],
        "departmentNumber": ["2", "4"], "employeeType": ["active"]}
    assert f"uid=lisi,ou=后端组,ou=研发中心,ou=总部,{base}" in people
    assert len(people) == 12
    groups = entries(ldap_server, "(objectClass=groupOfNames)", "member")
    assert sorted(groups[f"cn=值班,ou=tags,{base}"]["member"]) == sorted([
        f"uid=zhangsan,ou=研发中心,ou=总部,{base}",
        f"uid=lisi,ou=后端组,ou=研发中心,ou=总部,{base}", f"ou=市场部,ou=总部,{base}"])
    assert stat.S_IMODE((tmp_path / "ldap.journal").stat().st_mode) == 0o600


def test_second_pass_changes_only_what_changed(
    wecom_client: Client, company: EmulatorControl, ldap_server: SlapdServer, tmp_path: Path
) -> None:
    tgt = target(ldap_server, tmp_path)
    mirror_sync(wecom_client, tgt)
    assert tgt.journal.pending() == []
    wecom_client.departments.update(4, name="服务端组")
    wecom_client.users.update("wangwu", position="总监")
    report = mirror_sync(wecom_client, tgt)
    assert report.diff.counts()["departments"]["changed"] == 1
    base = ldap_server.base_dn
    people = entries(ldap_server, "(uid=lisi)", "cn")
    assert list(people) == [f"uid=lisi,ou=服务端组,ou=研发中心,ou=总部,{base}"]
    assert entries(ldap_server, "(uid=wangwu)", "title") == {
        f"uid=wangwu,ou=市场部,ou=总部,{base}": {"title": ["总监"]}}
    # nothing left to do: a third pass plans no LDAP operation
    assert len(mirror_sync(wecom_client, tgt).diff) == 0
    assert tgt.journal.pending() == []
    tgt.close()


@pytest.mark.parametrize(("leavers", "where"), [("disable", "ou=市场部,ou=总部"),
                                                 ("move", "ou=former")])
def test_leavers_are_kept_disabled_never_deleted(
    wecom_client: Client, company: EmulatorControl, ldap_server: SlapdServer, tmp_path: Path,
    leavers: str, where: str
) -> None:
    tgt = target(ldap_server, tmp_path, leavers=leavers)
    mirror_sync(wecom_client, tgt)
    wecom_client.users.delete("wangwu")
    mirror_sync(wecom_client, tgt)
    tgt.close()
    assert entries(ldap_server, "(uid=wangwu)", "employeeType") == {
        f"uid=wangwu,{where},{ldap_server.base_dn}": {"employeeType": ["disabled"]}}


def test_entries_not_made_by_the_mirror_are_left_alone(
    wecom_client: Client, company: EmulatorControl, ldap_server: SlapdServer, tmp_path: Path
) -> None:
    base = ldap_server.base_dn
    ldap_server.add_ldif(f"dn: ou=services,{base}\nobjectClass: organizationalUnit\n"
                         f"ou: services\n\ndn: uid=jenkins,ou=services,{base}\n"
                         "objectClass: inetOrgPerson\nuid: jenkins\ncn: jenkins\nsn: bot\n")
    tgt = target(ldap_server, tmp_path)
    mirror_sync(wecom_client, tgt)
    tgt.close()
    assert entries(ldap_server, "(uid=jenkins)", "sn") == {
        f"uid=jenkins,ou=services,{base}": {"sn": ["bot"]}}


def test_a_run_cut_off_half_way_is_finished_by_the_next(
    wecom_client: Client, company: EmulatorControl, ldap_server: SlapdServer, tmp_path: Path
) -> None:
    base = ldap_server.base_dn
    tgt = target(ldap_server, tmp_path)
    mirror_sync(wecom_client, tgt)
    # an entry someone put under a department makes its removal fail mid-run
    wecom_client.users.update("lisi", department=[2])
    wecom_client.users.update("wujiu", department=[2])
    wecom_client.users.update("lin", department=[2])
    wecom_client.users.update("zhangsan", department=[2], is_leader_in_dept=[1])
    wecom_client.departments.delete(4)
    ldap_server.add_ldif(f"dn: cn=printer,ou=后端组,ou=研发中心,ou=总部,{base}\n"
                         "objectClass: device\ncn: printer\n")
    with pytest.raises(TargetError, match=r"kept in .*the next run resumes"):
        mirror_sync(wecom_client, tgt, cap=DeletionCap(allow_deletes=True))
    pending = tgt.journal.pending()
    assert [op["op"] for _seq, op in pending] == ["delete"]
    assert list(entries(ldap_server, "(uid=lisi)", "cn")) == [
        f"uid=lisi,ou=研发中心,ou=总部,{base}"]  # the moves before it were done
    tgt.close()
    with ldap_server.connection() as conn:
        conn.delete(f"cn=printer,ou=后端组,ou=研发中心,ou=总部,{base}")
    again = target(ldap_server, tmp_path)  # opening the target resumes the journal
    assert again.journal.pending() == []
    again.close()
    assert entries(ldap_server, "(ou=后端组)", "ou") == {}


def test_mapping_and_dn_template_are_configurable(
    wecom_client: Client, company: EmulatorControl, ldap_server: SlapdServer, tmp_path: Path
) -> None:
    mapping = LDAPMapping(dn_template="uid={userid},{base}",
                          attributes={"cn": "name", "sn": "userid", "title": "position",
                                      "ou": "department_names"})
    tgt = target(ldap_server, tmp_path, mapping=mapping)
    mirror_sync(wecom_client, tgt)
    tgt.close()
    found = entries(ldap_server, "(uid=zhangsan)", "sn", "ou", "title", "mobile")
    assert found == {f"uid=zhangsan,{ldap_server.base_dn}": {
        "sn": ["zhangsan"], "ou": ["研发中心", "后端组"], "title": ["架构师"], "mobile": []}}


def test_bad_mapping_says_which_field() -> None:
    with pytest.raises(ValueError, match=r"unknown member field\(s\) \['phone'\]"):
        LDAPMapping(attributes={"cn": "name", "sn": "name", "mobile": "phone"})
