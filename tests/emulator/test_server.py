"""EmulatorServer, the command line, persistence and concurrency."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

import wecom_contacts
from wecom_contacts.emulator import EmulatorConfig, EmulatorServer

from .support import Api

SRC = str(Path(wecom_contacts.__file__).resolve().parents[1])


def _cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, "-m", "wecom_contacts.emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    finally:
        assert proc.stdout and proc.stderr
        proc.stdout.close()
        proc.stderr.close()


def test_cli_prints_the_base_url_first_then_the_defaults(tmp_path: Path) -> None:
    proc = _cli("--host", "127.0.0.1", "--port", "0", "--db", str(tmp_path / "e.sqlite"))
    try:
        assert proc.stdout
        url = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:[0-9]+", url), url
        rest = [proc.stdout.readline().strip() for _ in range(3)]
        assert rest == [
            "corp id: ww0000000000emulator",
            "contacts-sync secret: emulator-sync-secret",
            f"database: {tmp_path / 'e.sqlite'}",
        ]
        assert httpx.get(url + "/_emulator/health").json()["ok"] is True
    finally:
        _stop(proc)


def test_cli_takes_corp_id_secret_and_token_lifetime() -> None:
    proc = _cli("--port", "0", "--corp-id", "wwtest", "--secret", "s", "--token-lifetime", "60")
    try:
        assert proc.stdout
        url = proc.stdout.readline().strip()
        body = httpx.get(url + "/cgi-bin/gettoken", params={"corpid": "wwtest", "corpsecret": "s"})
        assert body.json()["expires_in"] == 60
    finally:
        _stop(proc)


def test_server_starts_fast_on_a_free_port_and_stops() -> None:
    started = time.monotonic()
    with EmulatorServer() as server:
        assert time.monotonic() - started < 5  # in a few ms on an idle machine
        assert re.fullmatch(r"http://127\.0\.0\.1:[0-9]+", server.base_url)
        assert httpx.get(server.base_url + "/_emulator/health").status_code == 200
    try:
        httpx.get(server.base_url + "/_emulator/health", timeout=1)
        raise AssertionError("still serving after stop()")
    except httpx.TransportError:
        pass


def test_a_db_file_keeps_directory_and_tokens_across_restarts(tmp_path: Path) -> None:
    config = EmulatorConfig(db_path=str(tmp_path / "dir.sqlite"))
    with EmulatorServer(config) as server, httpx.Client(base_url=server.base_url) as http:
        api = Api(http)
        api.ok("POST", "department/create", {"name": "研发", "parentid": 1})
        token = api.token
    with sqlite3.connect(tmp_path / "dir.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with EmulatorServer(config) as server, httpx.Client(base_url=server.base_url) as http:
        api = Api(http)
        api._token = token
        names = [d["name"] for d in api.ok("GET", "department/list")["department"]]
        assert names == ["总部", "研发"]


async def test_200_concurrent_creates_all_succeed_once(api: Api) -> None:
    token = api.token
    async with httpx.AsyncClient(base_url=str(api.http.base_url), timeout=30) as client:

        async def create(i: int) -> dict[str, object]:
            r = await client.post(
                "/cgi-bin/department/create",
                params={"access_token": token},
                json={"name": f"部门{i}", "parentid": 1},
            )
            return r.json()  # type: ignore[no-any-return]

        results = await asyncio.gather(*(create(i) for i in range(200)))
    assert {r["errcode"] for r in results} == {0}
    assert len({r["id"] for r in results}) == 200
    assert len(api.ok("GET", "department/simplelist")["department_id"]) == 201
