"""The endpoint table is the ledger: each row has client methods, an emulator route and a test."""

from __future__ import annotations

import asyncio
import functools
import inspect
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wecom_contacts import AsyncClient, Client
from wecom_contacts._endpoints import ENDPOINTS, Endpoint

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_TESTS = ROOT / "tests" / "client"

# Rows allowed to be incomplete, each with its reason. Only batch/export/media rows may be here.
# gettoken is no resource method: the token flow calls it, access_token() is its public face.
SERVED_BY = {"tokens.fetch": "access_token"}


def _rows() -> list[Any]:
    return [pytest.param(e, id=e.path) for e in ENDPOINTS]


def _method_name(e: Endpoint) -> str:
    return SERVED_BY.get(e.client_method, e.client_method)


def _resolve(client: Any, dotted: str) -> Any:
    obj = client
    for part in dotted.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[Client, AsyncClient]]:
    sync = Client("ww-ledger", "ledger", base_url="http://127.0.0.1:9")
    asyn = AsyncClient("ww-ledger", "ledger", base_url="http://127.0.0.1:9")
    yield sync, asyn
    sync.close()
    asyncio.run(asyn.aclose())


@functools.cache
def _emulator_paths() -> frozenset[str]:
    """/cgi-bin paths the emulator serves: a route of their own, or an envelope from a catch-all.

    The emulator routes every /cgi-bin path through one ``/cgi-bin/{rest:path}`` route and
    answers 404 for paths it does not know, so ``app.routes`` alone cannot tell; each row's
    path is also asked (without a token) and counts when a WeCom envelope comes back.
    """
    import httpx

    from wecom_contacts.emulator import EmulatorConfig, create_app

    def walk(routes: Any, prefix: str) -> Iterator[str]:
        for route in routes:
            path = prefix + str(getattr(route, "path", ""))
            sub = getattr(route, "routes", None)
            if sub:
                yield from walk(sub, path)
            else:
                yield path

    async def probe(app: Any, paths: list[tuple[str, str]]) -> set[str]:
        found: set[str] = set()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
            for method, path in paths:
                answer = await http.request(method, path)
                try:
                    if answer.status_code == 200 and "errcode" in answer.json():
                        found.add(path)
                except ValueError:
                    pass
        return found

    app = create_app(EmulatorConfig())
    try:
        declared = set(walk(app.routes, ""))
        rows = [(e.method, f"/cgi-bin/{e.path}") for e in ENDPOINTS]
        served = {path for _, path in rows if path in declared}
        served |= asyncio.run(probe(app, [(m, p) for m, p in rows if p not in served]))
    finally:
        app.state.emulator.close()
    return frozenset(served)


@functools.cache
def _contract_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(CONTRACT_TESTS.glob("*.py")))


def _has_client_method(clients: tuple[Client, AsyncClient], e: Endpoint) -> bool:
    try:
        sync, asyn = (_resolve(c, _method_name(e)) for c in clients)
    except AttributeError:
        return False
    return callable(sync) and inspect.iscoroutinefunction(asyn)


def _has_contract_test(e: Endpoint, text: str) -> bool:
    return re.search(r"\." + re.escape(_method_name(e)) + r"\(", text) is not None


@pytest.mark.parametrize("row", _rows())
def test_row_has_a_sync_and_an_async_client_method(
    clients: tuple[Client, AsyncClient], row: Endpoint
) -> None:
    assert _has_client_method(clients, row), f"no Client/AsyncClient method {_method_name(row)}"


@pytest.mark.parametrize("row", _rows())
def test_row_has_an_emulator_route(row: Endpoint) -> None:
    assert f"/cgi-bin/{row.path}" in _emulator_paths()


@pytest.mark.parametrize("row", _rows())
def test_row_has_a_contract_test(row: Endpoint) -> None:
    assert _has_contract_test(row, _contract_text()), (
        f"no test in tests/client calls .{_method_name(row)}(")


def test_methods_built_on_rows_exist_on_both_clients(clients: tuple[Client, AsyncClient]) -> None:
    sync, asyn = clients
    for name in ("enable", "disable"):
        assert inspect.iscoroutinefunction(getattr(asyn.users, name))
        assert callable(getattr(sync.users, name))
    assert inspect.isasyncgenfunction(asyn.users.aiter_ids)
    assert inspect.isgeneratorfunction(sync.users.iter_ids)
    assert not hasattr(sync.users, "aiter_ids") and not hasattr(asyn.users, "iter_ids")


def test_api_docs_are_generated_from_the_table_and_fresh() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_api_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    first = (ROOT / "docs" / "api.md").read_text(encoding="utf-8").splitlines()[0]
    assert "generated by scripts/gen_api_docs.py" in first
