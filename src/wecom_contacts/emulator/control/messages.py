"""Control routes for the inbox: register a group robot, read and clear what arrived."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..state import EmulatorState
from .core import ControlError, _body, guarded


def message_routes(state: EmulatorState) -> list[Route]:
    async def add_robot(request: Request) -> Response:
        data = await _body(request)
        if not isinstance(data, dict) or not isinstance(data.get("key"), str) or not data["key"]:
            raise ControlError('expected {"key": "...", "name": "..."} with a non-empty key')
        name = data.get("name", "robot")
        if not isinstance(name, str) or not name:
            raise ControlError('"name" must be a non-empty string')
        state.inbox.add_robot(data["key"], name)
        return JSONResponse({"ok": True})

    async def messages(request: Request) -> Response:
        return JSONResponse({"messages": state.inbox.messages()})

    async def clear(request: Request) -> Response:
        state.inbox.clear_messages()
        return JSONResponse({"ok": True})

    return [
        Route("/_emulator/robots", guarded(add_robot), methods=["POST"]),
        Route("/_emulator/messages", messages, methods=["GET"]),
        Route("/_emulator/messages", clear, methods=["DELETE"]),
    ]
