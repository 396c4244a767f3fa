"""pytest plugin: a real emulator on a free loopback port, and ready clients against it.

Fixtures (registered through the ``pytest11`` entry point):

- ``wecom_emulator_server`` (session): the running server.
- ``wecom_emulator``: an ``EmulatorControl``; the directory is reset before each test.
- ``wecom_client`` / ``wecom_async_client``: a ``Client`` / ``AsyncClient`` with the
  contacts-sync secret, closed after the test.

Starlette and uvicorn are imported only when a fixture is used, so installing the package
without the ``server`` extra never breaks a test run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from ..testing import EmulatorControl

if TYPE_CHECKING:
    from ..client import AsyncClient, Client
    from .server import EmulatorServer


@pytest.fixture(scope="session")
def wecom_emulator_server() -> Iterator[EmulatorServer]:
    from .server import EmulatorServer

    with EmulatorServer() as server:
        yield server


@pytest.fixture
def wecom_emulator(wecom_emulator_server: EmulatorServer) -> Iterator[EmulatorControl]:
    config: Any = wecom_emulator_server.config
    control = EmulatorControl(
        wecom_emulator_server.base_url, corp_id=config.corp_id, secret=config.secret
    )
    control.reset()
    try:
        yield control
    finally:
        control.close()


@pytest.fixture
def wecom_client(wecom_emulator: EmulatorControl) -> Iterator[Client]:
    from ..client import Client

    with Client(
        wecom_emulator.corp_id, wecom_emulator.secret, base_url=wecom_emulator.base_url
    ) as client:
        yield client


@pytest.fixture
async def wecom_async_client(wecom_emulator: EmulatorControl) -> AsyncIterator[AsyncClient]:
    from ..client import AsyncClient

    async with AsyncClient(
        wecom_emulator.corp_id, wecom_emulator.secret, base_url=wecom_emulator.base_url
    ) as client:
        yield client
