"""Real receivers on loopback for notification tests: an HTTP server recording JSON posts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Recorder(ThreadingHTTPServer):
    received: list[dict[str, Any]]
    status: int


class _Handler(BaseHTTPRequestHandler):
    server: _Recorder

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null")
        self.server.received.append({"path": self.path, "headers": dict(self.headers),
                                     "json": body})
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def json_receiver(status: int = 200) -> Iterator[_Recorder]:
    """An HTTP server on 127.0.0.1 recording each POST (``.received``); ``status`` answers."""
    server = _Recorder(("127.0.0.1", 0), _Handler)
    server.received, server.status = [], status
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
