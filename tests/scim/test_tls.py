"""TLS from the ASGI server: `uvicorn --factory wecom_contacts.scim:app_from_env` with a
certificate, as docs/scim.md shows; providers then talk HTTPS only."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.redis.conftest import free_port
from tests.servers.slapd import _certificates
from wecom_contacts.testing import EmulatorControl

from .conftest import TOKEN, member, user_doc


def test_the_app_factory_serves_https_under_uvicorn(
    wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    ca, cert, key = _certificates(tmp_path)
    port = free_port()
    env = {**os.environ, "WECOM_CORP_ID": wecom_emulator.corp_id,
           "WECOM_SECRET": wecom_emulator.secret, "WECOM_BASE_URL": wecom_emulator.base_url,
           "WECOM_SCIM_TOKENS": TOKEN}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "wecom_contacts.scim:app_from_env",
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
         "--ssl-keyfile", str(key), "--ssl-certfile", str(cert)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    trust = ssl.create_default_context(cafile=str(ca))
    try:
        with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=trust,
                          headers={"Authorization": f"Bearer {TOKEN}"}) as scim:
            deadline = time.monotonic() + 30
            while True:
                try:
                    scim.get("/ServiceProviderConfig")
                    break
                except httpx.ConnectError:
                    assert proc.poll() is None and time.monotonic() < deadline
                    time.sleep(0.05)
            assert scim.post("/Users", json=user_doc("alice")).status_code == 201
        assert member(wecom_emulator, "alice") is not None
        try:
            httpx.get(f"http://127.0.0.1:{port}/ServiceProviderConfig")
            plain_answered = True
        except httpx.TransportError:
            plain_answered = False
        assert not plain_answered
    finally:
        proc.terminate()
        proc.wait(10)
