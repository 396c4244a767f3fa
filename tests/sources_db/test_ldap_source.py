"""The LDAP source against a real slapd: records, derived fields, paging, TLS, fingerprint."""

from __future__ import annotations

import uuid

import pytest

from tests.servers.slapd import SlapdServer
from wecom_contacts.sources import Record, SourceError, open_source
from wecom_contacts.sources.ldap import LdapSource
from wecom_contacts.sources.ldap_values import dn_key

from .ad_ldif import CORP, GROUPS, AdDirectory
from .conftest import AddLdif, LdapInput

pytestmark = pytest.mark.ldap


def _read(source: object) -> dict[str, Record]:
    assert isinstance(source, LdapSource)
    return {str(r.get("sAMAccountName")): r for r in source.records("members")}


def test_every_member_is_read_with_its_attributes(ldap_input: LdapInput,
                                                  ad: AdDirectory) -> None:
    records = _read(open_source(ldap_input()))
    assert sorted(records) == sorted(u.sam for u in ad.users)
    user = ad.users[5]
    record = records[user.sam]
    assert record.where == user.dn
    assert record.get("displayName") == user.cn
    assert record.get("employeeID") == user.employee_id
    assert record.get("mobile") == user.mobile
    assert record.get("title") == user.title


def test_multi_valued_attributes_are_lists_and_single_values_text(ldap_input: LdapInput,
                                                                  ad: AdDirectory) -> None:
    records = _read(open_source(ldap_input()))
    two = next(u for u in ad.users if len(u.mails) == 2)
    one = next(u for u in ad.users if len(u.mails) == 1)
    assert sorted(records[two.sam].get("mail") or []) == sorted(two.mails)
    assert records[one.sam].get("mail") == one.mails[0]


def test_object_guid_is_rendered_as_the_canonical_guid_string(ldap_input: LdapInput,
                                                              ad: AdDirectory) -> None:
    records = _read(open_source(ldap_input()))
    for user in ad.users[:20]:
        text = records[user.sam].get("objectGUID")
        assert text == user.guid_text
        assert uuid.UUID(str(text)).bytes_le == user.guid  # AD's own byte order


def test_ou_path_is_the_ou_tree_below_the_base_top_down(ldap_input: LdapInput,
                                                        ad: AdDirectory) -> None:
    records = _read(open_source(ldap_input()))
    assert {records[u.sam].get("ou_path") for u in ad.users} == {u.ou_path for u in ad.users}
    for user in ad.users:
        assert records[user.sam].get("ou_path") == user.ou_path
    deep = next(u for u in ad.users if u.ou_path.count("/") == 3)
    assert records[deep.sam].get("ou_path") == "总部/市场部/华东区/上海"


def test_user_account_control_disabled_bit_gives_disabled(ldap_input: LdapInput,
                                                          ad: AdDirectory) -> None:
    records = _read(open_source(ldap_input()))
    for user in ad.users:
        assert records[user.sam].get("disabled") == ("true" if user.disabled else "false")
    assert any(u.disabled for u in ad.users) and not all(u.disabled for u in ad.users)


def test_manager_value_matches_the_managers_dn_field(ldap_input: LdapInput,
                                                     ad: AdDirectory) -> None:
    records = _read(open_source(ldap_input()))
    by_dn = {r.get("dn"): sam for sam, r in records.items()}
    managed = [u for u in ad.users if u.manager_dn]
    assert managed
    for user in managed:
        boss_sam = by_dn[records[user.sam].get("manager")]
        assert dn_key(ad.by_sam(boss_sam).dn) == dn_key(user.manager_dn or "")
    assert records[ad.users[0].sam].get("manager") is None


def test_groups_resolve_nesting_through_member_of(ldap_input: LdapInput,
                                                  ad: AdDirectory) -> None:
    records = _read(open_source(ldap_input()))
    for user in ad.users:
        assert records[user.sam].get("groups") == sorted(user.groups)
    backend = next(u for u in ad.users if "后端组" in u.ou_path)
    assert records[backend.sam].get("groups") == sorted(["后端", "研发", "全员"])


def test_groups_resolve_nesting_through_member_lists_and_survive_a_cycle(
        ldap_input: LdapInput, ad: AdDirectory, ad_server: SlapdServer, extra: AddLdif) -> None:
    user = ad.users[1]
    extra(f"dn: ou=Extra,{GROUPS}\nobjectClass: organizationalUnit\nou: Extra\n\n"
          f"dn: cn=环甲,ou=Extra,{GROUPS}\nobjectClass: group\ncn: 环甲\nmember: {user.dn}\n\n"
          f"dn: cn=环乙,ou=Extra,{GROUPS}\nobjectClass: group\ncn: 环乙\n"
          f"member: cn=环甲,ou=Extra,{GROUPS}\n")
    # 环甲 names 环乙 as a member only now, closing the cycle 环甲 → 环乙 → 环甲.
    with ad_server.connection() as conn:
        conn.modify(f"cn=环甲,ou=Extra,{GROUPS}",
                    {"member": [("MODIFY_ADD", [f"cn=环乙,ou=Extra,{GROUPS}"])]})
    source = open_source(ldap_input(groups={"base": GROUPS, "membership": "member"}))
    records = _read(source)
    assert records[user.sam].get("groups") == sorted(user.groups | {"环甲", "环乙"})
    assert records[ad.users[2].sam].get("groups") == sorted(ad.users[2].groups)


def test_paged_search_fetches_the_directory_in_pages(ldap_input: LdapInput,
                                                     ad: AdDirectory) -> None:
    source = open_source(ldap_input(page_size="25"))
    assert isinstance(source, LdapSource)
    records = list(source.records("members"))
    assert len(records) == len(ad.users)
    assert source.pages_fetched >= len(ad.users) // 25  # plus the group search's page


def test_ldaps_with_the_ca_file_reads(ldap_input: LdapInput, ad_server: SlapdServer,
                                      ad: AdDirectory) -> None:
    source = open_source(ldap_input(url=ad_server.ldaps_url))
    assert len(list(source.records("members"))) == len(ad.users)


@pytest.mark.parametrize("secure", ["ldaps", "starttls"])
def test_a_certificate_not_signed_by_the_ca_file_is_refused(
        ldap_input: LdapInput, ad_server: SlapdServer, secure: str) -> None:
    url = ad_server.ldaps_url if secure == "ldaps" else ad_server.url
    source = open_source(ldap_input(url=url, ca_file=None))  # the system CAs only
    with pytest.raises(SourceError, match="certificate verify failed") as err:
        list(source.records("members"))
    assert ("cannot connect to" if secure == "ldaps" else "StartTLS with") in str(err.value)


def test_fingerprint_counts_and_hashes_a_complete_read(ldap_input: LdapInput,
                                                       ad: AdDirectory, extra: AddLdif) -> None:
    source = open_source(ldap_input())
    with pytest.raises(SourceError, match="not been read completely"):
        source.fingerprint()
    list(source.records("members"))
    first = source.fingerprint()
    assert first.kind == "ldap" and first.counts == {"members": len(ad.users)}
    again = open_source(ldap_input(page_size="7"))
    list(again.records("members"))
    assert again.fingerprint() == first  # paging does not change what was read
    extra(f"dn: cn=新人,{CORP}\nobjectClass: user\ncn: 新人\nsn: 新\nsAMAccountName: x1\n")
    changed = open_source(ldap_input())
    list(changed.records("members"))
    assert changed.fingerprint().counts == {"members": len(ad.users) + 1}
    assert changed.fingerprint().sha256 != first.sha256
