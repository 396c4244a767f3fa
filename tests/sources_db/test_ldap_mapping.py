"""The 300-entry AD-shaped directory through a mapping file: departments from the OU tree or an
attribute, leavers from userAccountControl, leaders from manager DNs, tags from nested groups;
then planned and applied to the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers.slapd import SlapdServer
from wecom_contacts import Client
from wecom_contacts.sources import read_source
from wecom_contacts.sync import apply_plan, make_plan, read_live
from wecom_contacts.testing import EmulatorControl

from .ad_ldif import CORP, GROUPS, TREE, AdDirectory, AdUser, _user_ldif
from .conftest import PASSWORD_ENV, AddLdif

pytestmark = pytest.mark.ldap

MAPPING = """\
input:
  type: ldap
  url: {url}
  ca_file: {ca}
  bind_dn: {bind_dn}
  password_env: {env}
  page_size: 40
  members:
    base: {corp}
    attributes: [sAMAccountName, objectGUID, displayName, mail, mobile, title, manager,
                 department]
  groups:
    base: {groups}
members:
  userid: {{column: objectGUID}}
  name: displayName
  email: {{column: mail, transforms: [{{python: "steps.py:first"}}]}}
  mobile: mobile
  position: title
  department: {department}
  direct_leader: {{column: manager, match: dn}}
  tags: {{column: groups}}
  leavers: {{when: [{{column: disabled, equals: "true"}}], action: disable}}
"""


@pytest.fixture
def mapping(ad_server: SlapdServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(PASSWORD_ENV, ad_server.password)
    (tmp_path / "steps.py").write_text(
        "def first(value, record):\n    return value[0] if isinstance(value, list) else value\n",
        encoding="utf-8")
    return tmp_path / "ad.yaml"


def _write(mapping: Path, ad_server: SlapdServer, department: str) -> Path:
    mapping.write_text(MAPPING.format(url=ad_server.url, ca=ad_server.ca_file,
                                      bind_dn=ad_server.bind_dn, env=PASSWORD_ENV, corp=CORP,
                                      groups=GROUPS, department=department), encoding="utf-8")
    return mapping


def test_the_directory_maps_to_members_departments_leaders_and_tags(
        mapping: Path, ad_server: SlapdServer, ad: AdDirectory) -> None:
    result = read_source(_write(mapping, ad_server, "{path: ou_path}"))
    assert result.errors == []
    users = {u.userid: u for u in result.directory.users or ()}
    assert set(users) == {u.guid_text for u in ad.users}
    for person in ad.users:
        user = users[person.guid_text]
        assert [str(m.department) for m in user.departments or ()] == [person.ou_path]
        assert (user.fields.get("enable") is False) == person.disabled
        if person.manager_dn:
            boss = next(b for b in ad.users if b.dn.lower() == person.manager_dn.replace(
                ", ", ",").lower())
            assert user.direct_leader == [boss.guid_text]
    assert sorted("/".join(d.path) for d in result.directory.departments or ()) == sorted(
        {"总部", *(p for u in ad.users for p in _prefixes(u.ou_path))})
    tags = {t.name: set(t.users or ()) for t in result.directory.tags or ()}
    assert tags["全员"] == {u.guid_text for u in ad.users}  # every group nests into 全员
    assert tags["研发"] == {u.guid_text for u in ad.users if "研发" in u.groups}
    assert result.fingerprint is not None
    assert result.fingerprint.counts == {"members": len(ad.users)}


def _prefixes(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def test_departments_can_come_from_an_attribute(mapping: Path, ad_server: SlapdServer,
                                                ad: AdDirectory) -> None:
    result = read_source(_write(mapping, ad_server, "{path: department, root: 总部}"))
    assert result.errors == []
    users = {u.userid: u for u in result.directory.users or ()}
    for person in ad.users[:50]:
        leaf = person.ou_path.rsplit("/", 1)[-1]
        assert [str(m.department) for m in users[person.guid_text].departments or ()] == \
            [f"总部/{leaf}"]  # the attribute holds the leaf's name only


def test_the_directory_is_applied_to_wecom_and_converges(
        mapping: Path, ad_server: SlapdServer, ad: AdDirectory, wecom_client: Client,
        wecom_emulator: EmulatorControl, tmp_path: Path) -> None:
    desired = read_source(_write(mapping, ad_server, "{path: ou_path}"))
    desired.raise_for_problems()
    plan = make_plan(desired.directory, read_live(wecom_client))
    report = apply_plan(wecom_client, plan, tmp_path / "apply.journal")
    assert report.ok, report.summary()
    live = {u["userid"]: u for u in wecom_emulator.directory()["users"]}
    assert len(live) == len(ad.users)
    for person in ad.users:
        assert live[person.guid_text]["enable"] == (0 if person.disabled else 1)
        assert live[person.guid_text]["name"] == person.cn
    again = read_source(mapping)
    assert make_plan(again.directory, read_live(wecom_client)).steps == []


@pytest.mark.parametrize("records", [
    "{key: dn, parent: parent_dn, name: ou_name, order: description}",
    "{path: ou_path, order: description}"], ids=["by-key", "by-path"])
def test_the_ou_tree_gives_department_records_with_empty_ous_and_their_order(
        mapping: Path, ad_server: SlapdServer, ad: AdDirectory, extra: AddLdif,
        records: str) -> None:
    extra(f"dn: ou=法务部,ou=总部,{CORP}\nobjectClass: organizationalUnit\nou: 法务部\n"
          "description: 300\n")  # no one works there yet
    text = _write(mapping, ad_server, "{path: ou_path}").read_text(encoding="utf-8")
    text = text.replace("  groups:\n", f"  departments: {{base: \"{CORP}\", "
                        "attributes: [description]}\n  groups:\n")
    mapping.write_text(text + f"departments:\n  records: {records}\n", encoding="utf-8")
    result = read_source(mapping)
    assert result.errors == []
    orders = {"/".join(d.path): d.order for d in result.directory.departments or ()}
    assert sorted(orders) == sorted([*TREE, "总部/法务部"])
    assert orders["总部/法务部"] == 300 and orders["总部/研发中心"] is None
    assert result.counts["department records"] == len(TREE) + 1
    assert result.fingerprint is not None
    assert result.fingerprint.counts == {"departments": len(TREE) + 1, "members": len(ad.users)}
    bare = read_source(mapping, fingerprint=False)  # as a plan reads it: no digests
    assert bare.fingerprint is None and bare.counts == result.counts


def test_an_ous_head_named_by_a_dn_attribute_leads_in_it(
        mapping: Path, ad_server: SlapdServer, extra: AddLdif) -> None:
    ou = f"ou=法务部,ou=总部,{CORP}"
    lawyer = AdUser(dn=f"cn=律师甲,{ou}", cn="律师甲", sam="lawyer", employee_id="90001",
                    guid=bytes(range(16)), ou_path="总部/法务部", disabled=False,
                    manager_dn=None, mails=["lawyer@example.com"], mobile=None, title="律师")
    # the head's DN spelt as AD tools write it: matched against dn whatever the case
    extra(f"dn: {ou}\nobjectClass: organizationalUnit\nou: 法务部\n"
          f"seeAlso: CN=律师甲, OU=法务部, OU=总部, {CORP.upper()}\n")
    extra(_user_ldif(lawyer))
    text = _write(mapping, ad_server, "{path: ou_path}").read_text(encoding="utf-8")
    text = text.replace("  groups:\n", f"  departments: {{base: \"{CORP}\", "
                        "attributes: [seeAlso]}\n  groups:\n")
    mapping.write_text(text + "departments:\n  records: {path: ou_path, leaders: seeAlso, "
                       "leaders_match: dn}\n", encoding="utf-8")
    result = read_source(mapping)
    assert result.problems == []
    head = next(u for u in result.directory.users or () if u.fields.get("name") == "律师甲")
    assert [(m.department, m.leader) for m in head.departments or ()] == [("总部/法务部", True)]
