"""Fixtures: a slapd of these tests' own holding the AD-shaped directory (loaded once: other
tests empty the shared ``slapd_server``), and ``ldap_input`` for input blocks reaching it over
StartTLS with the test CA and the bind password in an environment variable."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers._common import missing
from tests.servers.slapd import SlapdServer, slapd_binary, start_slapd
from wecom_contacts.sources import InputSpec

from .ad_ldif import CORP, GROUPS, AdDirectory, ad_directory

PASSWORD_ENV = "WECOM_TEST_LDAP_PASSWORD"

LdapInput = Callable[..., InputSpec]
AddLdif = Callable[[str], None]


@pytest.fixture(scope="session")
def ad_server() -> Iterator[SlapdServer]:
    """A slapd holding ``ad_directory()``; tests adding entries put them under ``ou=Extra``
    and remove them (``extra`` fixture)."""
    binary = slapd_binary()
    if binary is None:
        missing("slapd", "WECOM_REQUIRE_LDAP")
        raise AssertionError  # unreachable: missing() skips or fails
    server = start_slapd(binary)
    try:
        server.add_ldif(ad_directory().ldif)
        yield server
    finally:
        server.stop()


@pytest.fixture
def ad(ad_server: SlapdServer) -> AdDirectory:
    """The facts of the directory ``ad_server`` holds (300 users, 7 OUs, 5 nested groups)."""
    return ad_directory()


@pytest.fixture
def extra(ad_server: SlapdServer) -> Iterator[AddLdif]:
    """``extra(ldif)`` adds entries for one test; they are deleted afterwards."""
    added: list[str] = []

    def add(ldif: str) -> None:
        added.extend(line[4:] for line in ldif.splitlines() if line.startswith("dn: "))
        ad_server.add_ldif(ldif)

    yield add
    with ad_server.connection() as conn:
        for dn in sorted(added, key=lambda d: d.count(","), reverse=True):
            conn.delete(dn, controls=[("2.16.840.1.113730.3.4.2", True, None)])  # ManageDsaIT


@pytest.fixture
def ldap_input(ad_server: SlapdServer, monkeypatch: pytest.MonkeyPatch,
               tmp_path: Path) -> LdapInput:
    """``ldap_input(**overrides)`` → an InputSpec for the test slapd (StartTLS, the test CA,
    the root DN's password in an environment variable); ``None`` removes an option."""
    monkeypatch.setenv(PASSWORD_ENV, ad_server.password)

    def build(**overrides: Any) -> InputSpec:
        options: dict[str, Any] = {
            "type": "ldap", "url": ad_server.url, "ca_file": str(ad_server.ca_file),
            "bind_dn": ad_server.bind_dn, "password_env": PASSWORD_ENV,
            "members": {"base": CORP, "filter": "(objectClass=user)",
                        "attributes": ["sAMAccountName", "employeeID", "objectGUID",
                                       "displayName", "mail", "mobile", "title", "manager",
                                       "department"]},
            "groups": {"base": GROUPS},
        }
        options.update(overrides)
        options = {k: v for k, v in options.items() if v is not None}
        return InputSpec("ldap", options, base_dir=tmp_path, where="mapping.yaml",
                         locate=lambda key: f"mapping.yaml, input.{key}" if key
                         else "mapping.yaml, input")

    return build
