"""pytest plugin: a real emulator on a free loopback port, and ready clients against it.

Fixtures (registered through the ``pytest11`` entry point):

- ``wecom_emulator_server`` (session): the running server.
- ``wecom_emulator``: an ``EmulatorControl``; the directory is reset before each test.
- ``wecom_client`` / ``wecom_async_client``: a ``Client`` / ``AsyncClient`` with the
  contacts-sync secret, closed after the test.
- ``wecom_callbacks``: a ``CallbackInbox`` receiving the emulator's callbacks as typed
  events (``wecom_callbacks.wait()`` → the events of every change made so far).

Markers:

- ``@pytest.mark.wecom_emulator(seed={...}, **switches)``: after the reset, load a directory
  document and flip ``EmulatorConfig`` switches for this test (the next reset undoes them).
- ``@pytest.mark.wecom_callbacks(**options)``: options of the ``wecom_callbacks`` receiver's
  callback (``echo_own_changes``, ``minimal_fields``, ``secret``, ...).

Starlette and uvicorn are imported only when a fixture is used, so installing the package
without the ``server`` extra never breaks a test run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from ..testing import CallbackInbox, EmulatorControl

if TYPE_CHECKING:
    from ..client import AsyncClient, Client
    from .server import EmulatorServer


@pytest.fixture(scope="session")
def wecom_emulator_server() -> Iterator[EmulatorServer]:
    from .server import EmulatorServer

    with EmulatorServer() as server:
        yield server


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "wecom_emulator(seed=None, **switches): seed the emulator's directory and "
        "set EmulatorConfig switches for this test",
    )
    config.addinivalue_line(
        "markers", "wecom_callbacks(**options): callback options of the wecom_callbacks "
        "fixture's receiver (echo_own_changes, minimal_fields, secret, ...)",
    )


def _marker_kwargs(request: pytest.FixtureRequest, name: str) -> dict[str, Any]:
    marker = request.node.get_closest_marker(name)
    if marker is None:
        return {}
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{name} takes keyword arguments only")
    return dict(marker.kwargs)


@pytest.fixture
def wecom_emulator(
    wecom_emulator_server: EmulatorServer, request: pytest.FixtureRequest
) -> Iterator[EmulatorControl]:
    config: Any = wecom_emulator_server.config
    control = EmulatorControl(
        wecom_emulator_server.base_url, corp_id=config.corp_id, secret=config.secret
    )
    control.reset()
    try:
        wanted = _marker_kwargs(request, "wecom_emulator")
        seed = wanted.pop("seed", None)
        if wanted:
            control.configure(**wanted)
        if seed is not None:
            control.seed(seed)
        yield control
    finally:
        control.close()


@pytest.fixture
def wecom_callbacks(
    wecom_emulator: EmulatorControl, request: pytest.FixtureRequest
) -> Iterator[CallbackInbox]:
    with wecom_emulator.receive_callbacks(**_marker_kwargs(request, "wecom_callbacks")) as inbox:
        yield inbox


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
