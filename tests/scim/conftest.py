"""SCIM fixtures: the SCIM app on uvicorn (its own thread and loop, a free loopback port),
calling the emulator over real HTTP; an httpx client with the bearer token."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from wecom_contacts import AsyncClient
from wecom_contacts.scim import IdMap, MemoryIdMap, ScimConfig, create_app
from wecom_contacts.testing import EmulatorControl

TOKEN = "scim-test-token-0123456789"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

SEED = {
    "departments": [
        {"id": 2, "name": "研发中心", "parentid": 1},
        {"id": 3, "name": "后端", "parentid": 2},
        {"id": 4, "name": "销售部", "parentid": 1},
    ],
    "users": [
        {"userid": "lead", "name": "王经理", "department": [2], "email": "lead@example.com"},
    ],
}


class UvicornThread:
    """``with UvicornThread(app) as url:`` — lifespan on, stopped on exit."""

    def __init__(self, app: Any) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        config = uvicorn.Config(app, lifespan="on", log_config=None, access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._sock]}, daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the SCIM server did not start")
            time.sleep(0.01)
        return self.url

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()


ScimFactory = Callable[..., httpx.Client]


@pytest.fixture
def scim_factory(wecom_emulator: EmulatorControl) -> Iterator[ScimFactory]:
    """``scim_factory(config=..., id_map=...)`` → an httpx client on a fresh SCIM server."""
    servers: list[UvicornThread] = []
    clients: list[httpx.Client] = []

    def make(*, config: ScimConfig | None = None, id_map: IdMap | None = None,
             token: str = TOKEN) -> httpx.Client:
        def client() -> AsyncClient:
            return AsyncClient(wecom_emulator.corp_id, wecom_emulator.secret,
                               base_url=wecom_emulator.base_url)

        app = create_app(client, tokens=[TOKEN, "second-token-abcdefghij"], config=config,
                         id_map=id_map if id_map is not None else MemoryIdMap())
        server = UvicornThread(app)
        url = server.__enter__()
        servers.append(server)
        http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                            timeout=30)
        clients.append(http)
        return http

    yield make
    for http in clients:
        http.close()
    for server in servers:
        server.__exit__()


@pytest.fixture
def scim(scim_factory: ScimFactory) -> httpx.Client:
    return scim_factory()


@pytest.fixture
def seeded(wecom_emulator: EmulatorControl) -> EmulatorControl:
    wecom_emulator.seed(SEED)
    return wecom_emulator


def user_doc(user_name: str = "alice", **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schemas": [CORE, ENTERPRISE],
        "userName": user_name,
        "displayName": "Alice Zhang",
        "emails": [{"value": f"{user_name}@example.com", "type": "work", "primary": True}],
        "active": True,
    }
    doc.update(extra)
    return doc


def member(control: EmulatorControl, userid: str) -> dict[str, Any] | None:
    """The member as the emulator holds it (its own export, not the SCIM answer)."""
    return next((u for u in control.directory()["users"] if u["userid"] == userid), None)


@pytest.fixture
def id_map_file(tmp_path: Path) -> Path:
    return tmp_path / "ids.sqlite"
