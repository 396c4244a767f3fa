"""The sync Client over HTTPS: one TLS context shared by the process's clients still verifies
the server's certificate, and honours SSL_CERT_FILE as httpx does."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers._common import free_port
from tests.servers.slapd import _certificates
from wecom_contacts import Client
from wecom_contacts.emulator import EmulatorConfig
from wecom_contacts.errors import ConnectError


@pytest.fixture
def https_emulator(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The emulator's app under uvicorn with a certificate from a throwaway CA."""
    ca, cert, key = _certificates(tmp_path)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "wecom_contacts.emulator.app:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
         "--ssl-keyfile", str(key), "--ssl-certfile", str(cert)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        yield f"https://127.0.0.1:{port}", ca
    finally:
        proc.terminate()
        proc.wait(10)


def test_an_untrusted_certificate_is_refused_and_a_trusted_ca_is_honoured(
    https_emulator: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    base_url, ca = https_emulator
    config = EmulatorConfig()
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with Client(config.corp_id, config.secret, base_url=base_url) as client, \
            pytest.raises(ConnectError):
        client.departments.list()
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    with Client(config.corp_id, config.secret, base_url=base_url) as client:
        assert [d.id for d in client.departments.list()] == [1]
    monkeypatch.delenv("SSL_CERT_FILE")
    with Client(config.corp_id, config.secret, base_url=base_url) as client, \
            pytest.raises(ConnectError):
        client.departments.list()  # the trusted CA came from the variable, not a leftover
