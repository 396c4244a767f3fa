"""Shared fixtures: ``api`` runs a contract test once with Client and once with AsyncClient."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from wecom_contacts import AsyncClient, Client
from wecom_contacts.testing import EmulatorControl

# Real slapd and PostgreSQL, started once per test process when a test asks for them.
from .servers.plugin import ldap_server, postgres_server, slapd_server  # noqa: F401


class _Blocking:
    """Makes an async object callable from sync test code through a blocking portal."""

    def __init__(self, target: Any, portal: BlockingPortal) -> None:
        self._target = target
        self._portal = portal

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if callable(value):
            return lambda *a, **kw: self._portal.call(functools.partial(value, *a, **kw))
        if hasattr(value, "_pipeline"):
            return _Blocking(value, self._portal)
        return value


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, wecom_emulator: EmulatorControl) -> Iterator[Any]:
    """A client against the emulator; the async one is driven through a portal."""
    args = (wecom_emulator.corp_id, wecom_emulator.secret)
    if request.param == "sync":
        with Client(*args, base_url=wecom_emulator.base_url) as client:
            yield client
        return
    with start_blocking_portal() as portal:
        aclient = AsyncClient(*args, base_url=wecom_emulator.base_url)
        try:
            yield _Blocking(aclient, portal)
        finally:
            portal.call(aclient.aclose)
