"""Two `wecom-contacts scim serve` processes behind one URL: tokens, rate limits and the id
map shared on one Redis, one gettoken for both, no member data in their logs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis

from tests.redis.conftest import free_port, redis_server, redis_url  # noqa: F401 (fixtures)
from wecom_contacts.testing import EmulatorControl

from .conftest import PATCH, TOKEN, user_doc

pytestmark = [pytest.mark.redis, pytest.mark.xdist_group("redis")]


def _start(emu: EmulatorControl, redis_at: str, log: Path
           ) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "WECOM_CORP_ID": emu.corp_id, "WECOM_SECRET": emu.secret,
           "WECOM_BASE_URL": emu.base_url, "WECOM_SCIM_TOKENS": f"{TOKEN},other-token-xyzxyzxyz"}
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "wecom_contacts.cli", "scim", "serve", "--host",
             "127.0.0.1", "--port", str(port), "--redis", redis_at],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    return proc, f"http://127.0.0.1:{port}"


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"scim serve exited with {proc.returncode}")
        try:
            httpx.get(f"{url}/ServiceProviderConfig", headers={"Authorization": f"Bearer {TOKEN}"})
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("scim serve did not start")


@pytest.fixture
def fleet(wecom_emulator: EmulatorControl, redis_url: str, tmp_path: Path  # noqa: F811
          ) -> Iterator[list[str]]:
    procs = [_start(wecom_emulator, redis_url, tmp_path / f"{i}.log") for i in range(2)]
    try:
        for proc, url in procs:
            _wait(url, proc)
        yield [url for _, url in procs]
    finally:
        for proc, _ in procs:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_two_processes_share_one_token_the_rate_limits_and_the_ids(
    fleet: list[str], wecom_emulator: EmulatorControl, redis_url: str, tmp_path: Path  # noqa: F811
) -> None:
    names = [f"fleet{i:02d}" for i in range(20)]

    def create(index: int) -> int:
        url = fleet[index % 2]
        response = httpx.post(f"{url}/Users", json=user_doc(names[index]),
                              headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
        return response.status_code

    # Twenty creates at once, half through each process, on a cold token cache.
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(create, range(20)))
    assert statuses == [201] * 20
    assert wecom_emulator.calls("/cgi-bin/gettoken") == 1
    held = {u["userid"] for u in wecom_emulator.directory()["users"]}
    assert set(names) <= held
    with redis.Redis.from_url(redis_url) as client:
        limiter_keys = [k.decode() for k in client.scan_iter("wecom:rate:*")]
    assert any("user/create" in k for k in limiter_keys)

    first, second = (httpx.Client(base_url=u, headers={"Authorization": f"Bearer {TOKEN}"})
                     for u in fleet)
    with first, second:
        changed = first.patch("/Users/fleet00", json={"schemas": [PATCH], "Operations": [
            {"op": "replace", "path": "externalId", "value": "ext-00"}]})
        assert changed.status_code == 200, changed.text
        seen = second.get("/Users", params={"filter": 'externalId eq "ext-00"'}).json()
        assert [r["id"] for r in seen["Resources"]] == ["fleet00"]

    logs = "".join((tmp_path / f"{i}.log").read_text() for i in range(2))
    assert "POST /Users -> 201" in logs
    assert "fleet0" not in logs and "example.com" not in logs and "ext-00" not in logs
