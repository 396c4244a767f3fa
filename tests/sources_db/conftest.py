"""Fixtures: the HR database in SQLite and PostgreSQL (``hr_db``); a slapd of these tests'
own holding the AD-shaped directory (loaded once: other tests empty the shared
``slapd_server``); ``ldap_input`` for input blocks reaching it over StartTLS with the test CA
and the bind password in an environment variable."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tests.cli_runner import run  # noqa: F401  (the `run` fixture: the CLI against the emulator)
from tests.servers._common import missing
from tests.servers.slapd import SlapdServer, slapd_binary, start_slapd
from wecom_contacts.sources import InputSpec

from .ad_ldif import CORP, GROUPS, AdDirectory, ad_directory
from .hr_sql import Employee, create_hr, members_query

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


# -- SQL -------------------------------------------------------------------------------------

DB_PASSWORD_ENV = "WECOM_TEST_DB_PASSWORD"
SqlInput = Callable[..., InputSpec]


@dataclass
class HrDatabase:
    """An HR database (``hr_sql``) and how to reach it."""

    dialect: str
    url: str  # without the password
    engine: sa.Engine  # with it: for the test's own changes
    people: list[Employee]
    spec: SqlInput  # spec(**overrides) → the input block reading it

    @property
    def query(self) -> str:
        return members_query(self.dialect)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hr_db(request: pytest.FixtureRequest, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[HrDatabase]:
    """The HR database in a SQLite file and in PostgreSQL (each test runs on both)."""
    if request.param == "sqlite":
        url = "sqlite:///hr.db"  # relative: to the mapping file's folder (tmp_path)
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'hr.db'}", poolclass=sa.NullPool)
        password: dict[str, Any] = {}
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.new_database()
        engine = sa.create_engine(make_url(url).set(password=server.password),
                                  poolclass=sa.NullPool)
        monkeypatch.setenv(DB_PASSWORD_ENV, server.password)
        password = {"password_env": DB_PASSWORD_ENV}
    people = create_hr(engine)

    def spec(**overrides: Any) -> InputSpec:
        options: dict[str, Any] = {"type": "sql", "url": url, **password,
                                   "members": {"query": members_query(request.param)}}
        options.update(overrides)
        options = {k: v for k, v in options.items() if v is not None}
        return InputSpec("sql", options, base_dir=tmp_path, where="mapping.yaml",
                         locate=lambda key: f"mapping.yaml, input.{key}" if key
                         else "mapping.yaml, input")

    try:
        yield HrDatabase(request.param, url, engine, people, spec)
    finally:
        engine.dispose()
