"""EmulatorServer: uvicorn on 127.0.0.1 in a background thread, on a socket bound up front."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.applications import Starlette

from .app import create_app
from .config import EmulatorConfig
from .state import EmulatorState


def bind_socket(host: str, port: int) -> socket.socket:
    """Bind and listen before uvicorn starts, so that port 0 yields a known free port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then, and
    # without it every response waits ~40 ms for a delayed ACK (Nagle)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        # listen now, not when uvicorn starts: the command line prints the URL before the
        # server runs, and a client that connects at once must be queued, not refused
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def base_url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def uvicorn_server(app: object, *, graceful_timeout: int = 1) -> uvicorn.Server:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        http="h11",  # the drop fault reaches the transport through h11's request cycle
        lifespan="off",
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=graceful_timeout,
    )
    return uvicorn.Server(config)


class EmulatorServer:
    """The emulator on a local port: `with EmulatorServer() as emu: emu.base_url`."""

    def __init__(
        self, config: EmulatorConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or EmulatorConfig()
        self.host = host
        self.port = port
        self.base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.state: EmulatorState | None = None
        self.app: Starlette | None = None  # for in-process clients (emulator.inprocess)

    def start(self) -> EmulatorServer:
        if self._thread is not None:
            return self
        app = create_app(self.config)
        self.app = app
        self.state = app.state.emulator
        self._sock = bind_socket(self.host, self.port)
        self.base_url = base_url_of(self._sock)
        self.port = self._sock.getsockname()[1]
        self._server = uvicorn_server(app)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._sock]},
            daemon=True,
            name=f"wecom-emulator-{self.port}",
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the emulator did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
        if self.state is not None:
            self.state.close()
        self._server = self._thread = self._sock = self.state = self.app = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
