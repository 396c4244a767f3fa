"""create_app: the emulated /cgi-bin API and the /_emulator control namespace on Starlette."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from .callbacks_control import callback_routes
from .config import EmulatorConfig
from .control import control_routes
from .control_jobs import job_control_routes
from .gate import Gate
from .state import EmulatorState


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """A Starlette app over a fresh (or --db) SQLite store; its state is `app.state.emulator`.

    Call `app.state.emulator.close()` when done (EmulatorServer does).
    """
    state = EmulatorState(config or EmulatorConfig())
    routes = [
        Route("/cgi-bin/{rest:path}", Gate(state).handle, methods=["GET", "POST"]),
        *control_routes(state),
        *job_control_routes(state),
        *callback_routes(state),
    ]
    app = Starlette(routes=routes)
    app.state.emulator = state
    return app
