"""create_app: the emulated /cgi-bin API and the /_emulator control namespace on Starlette."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from .api.gate import Gate
from .api.robot import PATH as ROBOT_PATH
from .api.robot import RobotWebhook
from .config import EmulatorConfig
from .control.callbacks import callback_routes
from .control.core import control_routes
from .control.jobs import job_control_routes
from .control.messages import message_routes
from .state import EmulatorState


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """A Starlette app over a fresh (or --db) SQLite store; its state is `app.state.emulator`.

    Call `app.state.emulator.close()` when done (EmulatorServer does).
    """
    state = EmulatorState(config or EmulatorConfig())
    routes = [
        # a robot's webhook has no access_token (its key is the credential): not the Gate's
        Route(ROBOT_PATH, RobotWebhook(state).handle, methods=["POST"]),
        Route("/cgi-bin/{rest:path}", Gate(state).handle, methods=["GET", "POST"]),
        *control_routes(state),
        *job_control_routes(state),
        *callback_routes(state),
        *message_routes(state),
    ]
    app = Starlette(routes=routes)
    app.state.emulator = state
    return app
