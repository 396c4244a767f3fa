"""DN comparison, OU paths and AD's binary identifiers (pure functions)."""

from __future__ import annotations

import uuid

import pytest

from wecom_contacts.sources import SourceError
from wecom_contacts.sources.ldap_values import (
    decode_values,
    dn_key,
    ou_names,
    render_guid,
    render_sid,
)


def test_dn_key_ignores_case_and_spacing_of_types_and_values() -> None:
    assert dn_key("CN=张三, OU=研发中心 ,DC=Example,DC=com") == \
        dn_key("cn=张三,ou=研发中心,dc=example,dc=com")


def test_dn_key_reads_escaped_commas_and_hex_pairs() -> None:
    assert dn_key(r"CN=Wang\, Qiang,OU=Staff,DC=corp") == \
        dn_key(r"cn=wang\2c qiang,ou=staff,dc=corp")
    assert dn_key(r"cn=\e5\bc\a0\e4\b8\89,ou=x") == dn_key("cn=张三,ou=x")
    assert dn_key(r"CN=Wang\, Qiang,OU=Staff") != dn_key("CN=Wang,CN=Qiang,OU=Staff")


def test_a_broken_dn_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="not a valid DN"):
        dn_key("this is no dn")


def test_ou_names_are_the_ous_between_base_and_entry_top_down() -> None:
    dn = "cn=张三,cn=Users,ou=后端组,ou=研发中心,ou=Corp,dc=example,dc=com"
    assert ou_names(dn, "ou=Corp,dc=example,dc=com") == ["研发中心", "后端组"]
    assert ou_names("cn=x,ou=Corp,dc=example,dc=com", "ou=Corp,dc=example,dc=com") == []


def test_guid_is_rendered_in_ads_byte_order() -> None:
    value = uuid.UUID("6f1c2a90-1234-4000-8000-000000000001")
    assert render_guid(value.bytes_le, where="e", field="objectGUID") == str(value)
    with pytest.raises(SourceError, match="16 bytes"):
        render_guid(b"\x00" * 15, where="e", field="objectGUID")


def test_sid_is_rendered_as_ad_shows_it() -> None:
    raw = bytes([1, 5, 0, 0, 0, 0, 0, 5]) + b"".join(
        n.to_bytes(4, "little") for n in (21, 1004336348, 1177238915, 682003330, 1105))
    assert render_sid(raw, where="e", field="objectSid") == \
        "S-1-5-21-1004336348-1177238915-682003330-1105"


def test_values_are_text_lists_or_none_and_binary_text_is_refused() -> None:
    assert decode_values("mail", [], where="e") is None
    assert decode_values("mail", [b"a@x"], where="e") == "a@x"
    assert decode_values("mail", [b"a@x", b"b@x"], where="e") == ["a@x", "b@x"]
    with pytest.raises(SourceError, match="not UTF-8") as err:
        decode_values("jpegPhoto", [b"\xff\xd8\xff"], where="cn=x")
    assert err.value.where == "cn=x" and err.value.field == "jpegPhoto"
