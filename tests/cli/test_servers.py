"""`callback serve` and `emulator serve` run as real processes and answer over HTTP."""

from __future__ import annotations

import base64
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from wecom_contacts.callback import CallbackCrypto
from wecom_contacts.cli import app

TOKEN = "cli-test-token"
AES_KEY = base64.b64encode(os.urandom(32)).decode()[:-1]
CORP = "ww-cli-test"
EVENT = (
    "<xml><ToUserName><![CDATA[ww-cli-test]]></ToUserName><FromUserName><![CDATA[sys]]>"
    "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType>"
    "<Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA[create_user]]></ChangeType>"
    "<UserID><![CDATA[zhangsan]]></UserID></xml>"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_listening(port: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60  # a process start on a busy machine; not a speed bound
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


@pytest.fixture
def spawn() -> Iterator[Any]:
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "wecom_contacts.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def _post_event(port: int) -> httpx.Response:
    crypto = CallbackCrypto(TOKEN, AES_KEY, receive_id=CORP)
    check = crypto.encrypt_message("echo-me")
    url = f"http://127.0.0.1:{port}/callback"
    verified = httpx.get(url, params=check.as_query(echostr=True))
    assert verified.text == "echo-me"
    message = crypto.encrypt_message(EVENT)
    return httpx.post(url, params=message.as_query(), content=message.as_post_body(CORP))


def _serve_args(port: int) -> list[str]:
    return [
        "callback",
        "serve",
        "--token",
        TOKEN,
        "--aes-key",
        AES_KEY,
        "--corp-id",
        CORP,
        "--port",
        str(port),
    ]


def test_callback_serve_prints_each_event_as_a_json_line(spawn: Any) -> None:
    port = _free_port()
    proc = spawn(*_serve_args(port))
    _wait_listening(port, proc)
    assert _post_event(port).status_code == 200
    line = proc.stdout.readline()
    event = json.loads(line)
    assert (event["ChangeType"], event["UserID"]) == ("create_user", "zhangsan")


def test_callback_serve_forwards_events_as_json(spawn: Any) -> None:
    received: queue.Queue[Any] = queue.Queue()

    class Sink(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.put(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    sink = HTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    try:
        port = _free_port()
        forward = f"http://127.0.0.1:{sink.server_address[1]}/events"
        proc = spawn(*_serve_args(port), "--forward", forward)
        _wait_listening(port, proc)
        assert _post_event(port).status_code == 200
        assert received.get(timeout=10)["UserID"] == "zhangsan"
    finally:
        sink.shutdown()
        sink.server_close()


def test_callback_serve_refuses_a_bad_key() -> None:
    result = CliRunner().invoke(
        app, ["callback", "serve", "--token", "t", "--aes-key", "short", "--corp-id", CORP]
    )
    assert result.exit_code == 2
    assert "--aes-key" in result.stderr


def test_emulator_serve_prints_its_url_first_and_serves_the_api(spawn: Any) -> None:
    proc = spawn("emulator", "serve", "--port", "0", "--corp-id", "wwcli", "--secret", "s")
    base_url = proc.stdout.readline().strip()
    assert base_url.startswith("http://127.0.0.1:")
    result = CliRunner().invoke(
        app,
        [
            "--base-url",
            base_url,
            "--corp-id",
            "wwcli",
            "--secret",
            "s",
            "--json",
            "departments",
            "list",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["id"] == 1
