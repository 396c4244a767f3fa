"""Session fixtures for the real servers: ``slapd_server`` and ``postgres_server`` (one of each per
test process). Without the binaries the tests that use them skip, unless ``WECOM_REQUIRE_LDAP`` /
``WECOM_REQUIRE_POSTGRES`` is set (as in CI), where a missing server fails the run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._common import missing
from .postgres import PostgresServer, postgres_bindir, start_postgres
from .slapd import SlapdServer, slapd_binary, start_slapd


@pytest.fixture(scope="session")
def slapd_server() -> Iterator[SlapdServer]:
    """A running slapd with an empty ``dc=example,dc=com``; tests call ``.clear()`` as they need."""
    binary = slapd_binary()
    if binary is None:
        missing("slapd", "WECOM_REQUIRE_LDAP")
        raise AssertionError  # unreachable: missing() skips or fails
    server = start_slapd(binary)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ldap_server(slapd_server: SlapdServer) -> SlapdServer:
    """The session's slapd, emptied before the test."""
    slapd_server.clear()
    return slapd_server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running PostgreSQL cluster; ``.new_database()`` gives each test its own database."""
    bindir = postgres_bindir()
    if bindir is None:
        missing("PostgreSQL (initdb, pg_ctl)", "WECOM_REQUIRE_POSTGRES")
        raise AssertionError  # unreachable: missing() skips or fails
    server = start_postgres(bindir)
    try:
        yield server
    finally:
        server.stop()
