"""Bad LDAP input against a real slapd: each a SourceError naming the option, entry or page,
and no read that stops early passes for a complete one."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from tests.servers._common import free_port, missing
from tests.servers.slapd import SlapdServer, slapd_binary, start_slapd
from wecom_contacts.sources import SourceError, open_source

from .ad_ldif import CORP, GROUPS, ad_directory
from .conftest import PASSWORD_ENV, AddLdif, LdapInput

pytestmark = pytest.mark.ldap


def _fail(ldap_input: LdapInput, **overrides: object) -> SourceError:
    source = open_source(ldap_input(**overrides))
    with pytest.raises(SourceError) as err:
        list(source.records("members"))
    with pytest.raises(SourceError, match="not been read completely"):
        source.fingerprint()  # a failed read leaves nothing to plan from
    return err.value


def test_an_unreachable_server_names_the_url(ldap_input: LdapInput) -> None:
    url = f"ldap://127.0.0.1:{free_port()}"
    err = _fail(ldap_input, url=url)
    assert f"cannot connect to {url}" in str(err) and "refused" in str(err)
    assert err.where == "mapping.yaml, input.url"


def test_a_wrong_password_fails_the_bind_naming_the_dn(ldap_input: LdapInput,
                                                       ad_server: SlapdServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    source = open_source(ldap_input())
    with pytest.raises(SourceError, match=f"bind as {ad_server.bind_dn} .*invalidCredentials"):
        list(source.records("members"))


def test_an_unset_password_variable_is_refused_before_connecting(
        ldap_input: LdapInput, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(SourceError, match=f"{PASSWORD_ENV} .*is not set") as err:
        open_source(ldap_input())
    assert err.value.field == "password_env"


def test_a_password_written_in_the_mapping_is_refused(ldap_input: LdapInput) -> None:
    with pytest.raises(SourceError, match="environment variable") as err:
        open_source(ldap_input(password="secret"))
    assert err.value.where == "mapping.yaml, input.password"


def test_a_password_over_plain_ldap_is_refused(ldap_input: LdapInput) -> None:
    with pytest.raises(SourceError, match="never sent in clear"):
        open_source(ldap_input(tls="none"))


def test_an_unknown_attribute_is_named(ldap_input: LdapInput) -> None:
    err = _fail(ldap_input, members={"base": CORP, "attributes": ["sAMAccountName",
                                                                  "employeeNumbr"]})
    assert "unknown attribute 'employeeNumbr'" in str(err)
    assert err.field == "employeeNumbr" and err.where == "mapping.yaml, input.members"


def test_a_missing_base_dn_is_an_error_not_an_empty_directory(ldap_input: LdapInput) -> None:
    err = _fail(ldap_input, members={"base": f"ou=Gone,{CORP}",
                                            "attributes": ["cn"]})
    assert "the base DN does not exist" in str(err)


def test_a_bad_filter_is_named(ldap_input: LdapInput) -> None:
    err = _fail(ldap_input, members={"base": CORP, "filter": "(&(objectClass=user)",
                                            "attributes": ["cn"]})
    assert "the members search" in str(err)


def test_groups_without_a_groups_search_is_not_a_field(ldap_input: LdapInput) -> None:
    without = open_source(ldap_input(groups=None)).fields("members") or []
    assert "groups" not in without and "ou_path" in without
    assert "groups" in (open_source(ldap_input()).fields("members") or [])


def test_members_without_attributes_are_refused(ldap_input: LdapInput) -> None:
    with pytest.raises(SourceError, match="attributes is the list") as err:
        open_source(ldap_input(members={"base": CORP}))
    assert err.value.where == "mapping.yaml, input.members"


def test_a_referral_fails_the_whole_read(ldap_input: LdapInput, extra: AddLdif) -> None:
    extra(f"dn: ou=Branch,{CORP}\nobjectClass: referral\nobjectClass: extensibleObject\n"
          "ou: Branch\nref: ldap://branch.example.com/ou=Branch,dc=example,dc=com\n")
    err = _fail(ldap_input)
    assert "referral to ldap://branch.example.com/ou=Branch" in str(err)
    assert "not followed" in str(err)


def test_a_size_limit_hit_fails_the_whole_read(ldap_input: LdapInput) -> None:
    err = _fail(ldap_input, size_limit="100", page_size="30")
    assert "the size limit was hit" in str(err) and "partial read" in str(err)


def test_a_value_that_cannot_be_rendered_names_the_entry_and_attribute(
        ldap_input: LdapInput, extra: AddLdif) -> None:
    bad = f"cn=坏GUID,{CORP}"
    extra(f"dn: {bad}\nobjectClass: user\ncn: 坏GUID\nsn: 坏\nsAMAccountName: badguid\n"
          f"objectGUID:: {base64.b64encode(b'short').decode()}\n")
    err = _fail(ldap_input)
    assert err.where == bad and err.field == "objectGUID"
    assert "a GUID is 16 bytes" in str(err)


def test_a_group_without_a_name_names_the_group(ldap_input: LdapInput,
                                                extra: AddLdif) -> None:
    extra(f"dn: ou=Extra,{GROUPS}\nobjectClass: organizationalUnit\nou: Extra\n\n"
          f"dn: cn=无名,ou=Extra,{GROUPS}\nobjectClass: group\ncn: 无名\n")
    err = _fail(ldap_input, groups={"base": f"ou=Extra,{GROUPS}", "name": "displayName"})
    assert err.where == f"cn=无名,ou=Extra,{GROUPS}" and err.field == "displayName"


@pytest.fixture
def own_server() -> Iterator[SlapdServer]:
    """A slapd this test may stop half-way (60 users)."""
    binary = slapd_binary()
    if binary is None:
        missing("slapd", "WECOM_REQUIRE_LDAP")  # skips, or fails where CI requires slapd
        raise AssertionError  # unreachable: missing() skips or fails
    server = start_slapd(binary)
    try:
        server.add_ldif(ad_directory(60, seed=3).ldif)
        yield server
    finally:
        server.stop()


def test_a_connection_dropped_between_pages_fails_the_whole_read(
        ldap_input: LdapInput, own_server: SlapdServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, own_server.password)
    source = open_source(ldap_input(url=own_server.url, ca_file=str(own_server.ca_file),
                                    page_size="10", groups=None))
    records = source.records("members")
    first = [next(records) for _ in range(10)]  # the first page
    assert len(first) == 10
    own_server.stop()
    with pytest.raises(SourceError, match="failed at page 2 after 10 entries"):
        list(records)
    with pytest.raises(SourceError, match="not been read completely"):
        source.fingerprint()
