"""pytest plugin: a real emulator on a free loopback port, and ready clients against it.

Fixtures (registered through the ``pytest11`` entry point):

- ``wecom_emulator_server`` (session): the running server.
- ``wecom_emulator``: an ``EmulatorControl``; the directory is reset before each test.
- ``wecom_client`` / ``wecom_async_client``: a ``Client`` / ``AsyncClient`` with the
  contacts-sync secret, closed after the test.
- ``wecom_callbacks``: a ``CallbackInbox`` receiving the emulator's callbacks as typed
  events (``wecom_callbacks.wait()`` → the events of every change made so far).

Markers:

- ``@pytest.mark.wecom_emulator(seed={...}, transport=..., **switches)``: after the reset,
  load a directory document and flip ``EmulatorConfig`` switches for this test (the next reset
  undoes them). ``transport="http"`` makes the fixtures' control and clients talk to the
  server over a loopback socket; the default, ``"inprocess"`` (or the ini option
  ``wecom_emulator_transport``), drives the same app without a socket (see
  ``emulator.inprocess`` and docs/emulator.md). ``base_url`` is a real server either way.
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
    import httpx

    from ..client import AsyncClient, Client
    from .inprocess import LoopThread
    from .server import EmulatorServer

TRANSPORTS = ("inprocess", "http")


@pytest.fixture(scope="session")
def wecom_emulator_server() -> Iterator[EmulatorServer]:
    """The running emulator (one per test session, a free loopback port); see ``base_url``.

    Tests usually want ``wecom_emulator`` instead, which resets the directory first.
    """
    from .server import EmulatorServer

    with EmulatorServer() as server:
        yield server


@pytest.fixture(scope="session")
def _wecom_emulator_loop() -> Iterator[LoopThread]:
    """The event loop the in-process sync clients run the emulator's app on."""
    from .inprocess import LoopThread

    with LoopThread() as loop:
        yield loop


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "wecom_emulator_transport",
        "how the wecom_emulator fixtures reach the emulator: inprocess (default) or http",
        default="inprocess",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "wecom_emulator(seed=None, transport='inprocess', **switches): seed the "
        "emulator's directory and set EmulatorConfig switches for this test; "
        "transport='http' talks to it over a loopback socket",
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


def _transport(request: pytest.FixtureRequest) -> str:
    mode = _marker_kwargs(request, "wecom_emulator").get(
        "transport", request.config.getini("wecom_emulator_transport"))
    if mode not in TRANSPORTS:
        raise pytest.UsageError(
            f"wecom_emulator transport={mode!r}: expected one of {', '.join(TRANSPORTS)}")
    return str(mode)


def _sync_http(server: EmulatorServer, request: pytest.FixtureRequest,
               **options: Any) -> httpx.Client | None:
    """An in-process httpx client for this test (None: over HTTP, the default client)."""
    if _transport(request) == "http":
        return None
    import httpx

    from .inprocess import EmulatorTransport

    assert server.app is not None
    loop: LoopThread = request.getfixturevalue("_wecom_emulator_loop")
    return httpx.Client(transport=EmulatorTransport(server.app, loop), **options)


@pytest.fixture
def wecom_emulator(
    wecom_emulator_server: EmulatorServer, request: pytest.FixtureRequest
) -> Iterator[EmulatorControl]:
    """The emulator's control API (``EmulatorControl``), on a directory reset for this test.

    ``calls(path)``, ``directory()``, ``fault(path, ...)``, ``configure(**switches)``,
    ``seed(document)``. Seed and switches per test: ``@pytest.mark.wecom_emulator(seed={...},
    block_new_ip_detail_reads=True)``; the next test's reset undoes them.
    """
    config: Any = wecom_emulator_server.config
    control = EmulatorControl(
        wecom_emulator_server.base_url, corp_id=config.corp_id, secret=config.secret,
        http_client=_sync_http(wecom_emulator_server, request, timeout=30),
    )
    control.reset()
    try:
        wanted = _marker_kwargs(request, "wecom_emulator")
        wanted.pop("transport", None)
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
    """The emulator's callbacks, decrypted into typed events (``wecom_callbacks.wait()``).

    A real receiver on a loopback port with a fresh Token and EncodingAESKey. Echo of the
    test's own API changes is on (real WeCom does not call an app back for its own changes:
    ``@pytest.mark.wecom_callbacks(echo_own_changes=False)`` models that).
    """
    with wecom_emulator.receive_callbacks(**_marker_kwargs(request, "wecom_callbacks")) as inbox:
        yield inbox


@pytest.fixture
def wecom_client(
    wecom_emulator: EmulatorControl, wecom_emulator_server: EmulatorServer,
    request: pytest.FixtureRequest,
) -> Iterator[Client]:
    """A ``Client`` with the contacts-sync secret, pointed at the emulator; closed afterwards."""
    from ..client import Client

    http = _sync_http(wecom_emulator_server, request)
    try:
        with Client(
            wecom_emulator.corp_id, wecom_emulator.secret, base_url=wecom_emulator.base_url,
            http_client=http,
        ) as client:
            yield client
    finally:
        if http is not None:
            http.close()


@pytest.fixture
async def wecom_async_client(
    wecom_emulator: EmulatorControl, wecom_emulator_server: EmulatorServer,
    request: pytest.FixtureRequest,
) -> AsyncIterator[AsyncClient]:
    """An ``AsyncClient`` like ``wecom_client`` (needs an async test: pytest-asyncio or anyio)."""
    import httpx

    from ..client import AsyncClient
    from .inprocess import AsyncEmulatorTransport

    http: httpx.AsyncClient | None = None
    if _transport(request) == "inprocess":
        assert wecom_emulator_server.app is not None
        http = httpx.AsyncClient(transport=AsyncEmulatorTransport(wecom_emulator_server.app))
    try:
        async with AsyncClient(
            wecom_emulator.corp_id, wecom_emulator.secret, base_url=wecom_emulator.base_url,
            http_client=http,
        ) as client:
            yield client
    finally:
        if http is not None:
            await http.aclose()
