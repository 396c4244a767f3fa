"""The /_emulator control namespace (JSON in, JSON out; HTTP 400 with "error" on bad input)."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..config import config_with_changes
from ..state import EmulatorState
from ..store.records import Secret
from .seed import SeedError, export_directory, load_seed


class ControlError(Exception):
    """Bad control input: answered with HTTP 400 {"error": ...}."""


def guarded(
    fn: Callable[[Request], Awaitable[Response]],
) -> Callable[[Request], Awaitable[Response]]:
    """A control route whose ControlError becomes a 400 with the message, never a 500."""

    async def endpoint(request: Request) -> Response:
        try:
            return await fn(request)
        except ControlError as error:
            return JSONResponse({"error": str(error)}, status_code=400)

    return endpoint


def _ok(data: Any) -> Response:
    return JSONResponse(data)


async def _body(request: Request, *, required: bool = True) -> Any:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise ControlError("a JSON body is required")
        return {}
    try:
        return json.loads(raw)
    except ValueError as error:
        raise ControlError(f"the body is not JSON: {error}") from None


def _optional_secret(data: Any) -> str | None:
    if not isinstance(data, dict):
        raise ControlError("expected a JSON object")
    secret = data.get("secret")
    if secret is not None and not isinstance(secret, str):
        raise ControlError('"secret" must be a string')
    return secret


def _parse_secret(state: EmulatorState, data: Any) -> Secret:
    if not isinstance(data, dict):
        raise ControlError("expected a JSON object")
    unknown = sorted(
        set(data)
        - {"secret", "name", "kind", "visible_departments", "visible_users", "hide_sensitive"}
    )
    if unknown:
        raise ControlError(f"unknown fields {unknown}")
    secret = data.get("secret")
    if not isinstance(secret, str) or not secret:
        raise ControlError('"secret" must be a non-empty string')
    # a name keeps the secret itself out of tag owners and the change log
    name = data.get("name", "app-" + hashlib.sha256(secret.encode()).hexdigest()[:8])
    if not isinstance(name, str) or not name or name in ("console", state.config.sync_secret_name):
        raise ControlError('"name" must be a non-empty string naming the app')
    if data.get("kind", "app") != "app":
        raise ControlError('"kind" must be "app"')
    if secret == state.config.secret:
        raise ControlError("that is the contacts-sync secret")
    depts = data.get("visible_departments", [])
    if not isinstance(depts, list) or not all(type(d) is int for d in depts):
        raise ControlError('"visible_departments" must be an array of department ids')
    users = data.get("visible_users", [])
    if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
        raise ControlError('"visible_users" must be an array of userids')
    hide = data.get("hide_sensitive")
    if hide is not None and not isinstance(hide, bool):
        raise ControlError('"hide_sensitive" must be true or false')
    return Secret(secret, name, "app", tuple(depts), tuple(users), hide)


def _secret_json(secret: Secret) -> dict[str, Any]:
    # the secret value itself is never echoed
    return {
        "name": secret.name,
        "kind": secret.kind,
        "visible_departments": list(secret.visible_departments),
        "visible_users": list(secret.visible_users),
        "hide_sensitive": secret.hide_sensitive,
    }


def control_routes(state: EmulatorState) -> list[Route]:
    """Routes of the control API, bound to one emulator state."""

    async def reset(request: Request) -> Response:
        state.reset()
        return _ok({"reset": True})

    async def seed(request: Request) -> Response:
        try:
            counts = load_seed(state, await _body(request))
        except SeedError as error:
            return JSONResponse(error.to_json(), status_code=400)
        return _ok({"seeded": counts})

    async def add_fault(request: Request) -> Response:
        try:
            fault = state.faults.add(await _body(request))
        except ValueError as error:
            raise ControlError(str(error)) from None
        return _ok({"fault": fault.to_json()})

    async def list_faults(request: Request) -> Response:
        return _ok({"faults": state.faults.to_json()})

    async def clear_faults(request: Request) -> Response:
        return _ok({"cleared": state.faults.clear()})

    async def revoke(request: Request) -> Response:
        secret = _optional_secret(await _body(request, required=False))
        return _ok({"revoked": state.store.tokens.revoke(secret)})

    async def expire(request: Request) -> Response:
        secret = _optional_secret(await _body(request, required=False))
        return _ok({"expired": state.store.tokens.expire(secret, state.now())})

    async def stats(request: Request) -> Response:
        return _ok(state.stats.to_json())

    async def add_secret(request: Request) -> Response:
        secret = _parse_secret(state, await _body(request))
        existing = state.store.secrets.get(secret.secret)
        if state.store.secrets.name_taken(secret.name) and (
            existing is None or existing.name != secret.name
        ):
            raise ControlError(f"an app named {secret.name!r} exists")
        state.store.secrets.put(secret)
        return _ok({"secret": _secret_json(secret)})

    async def list_secrets(request: Request) -> Response:
        return _ok({"secrets": [_secret_json(s) for s in state.store.secrets.all()]})

    async def get_config(request: Request) -> Response:
        return _ok(state.config.to_json())

    async def set_config(request: Request) -> Response:
        data = await _body(request)
        if not isinstance(data, dict):
            raise ControlError("expected a JSON object of settings")
        try:
            state.config = config_with_changes(state.config, data)
        except ValueError as error:
            raise ControlError(str(error)) from None
        return _ok(state.config.to_json())

    async def directory(request: Request) -> Response:
        return _ok(export_directory(state))

    async def changes(request: Request) -> Response:
        try:
            since = int(request.query_params.get("since", "0"))
            limit = int(request.query_params.get("limit", "1000"))
        except ValueError:
            raise ControlError('"since" and "limit" must be integers') from None
        found = state.store.changes(since, limit)
        last = found[-1].seq if found else since
        return _ok({"changes": [c.to_json() for c in found], "last_seq": last})

    async def clock(request: Request) -> Response:
        data = await _body(request)
        advance = data.get("advance") if isinstance(data, dict) else None
        if type(advance) not in (int, float) or not math.isfinite(advance):  # type: ignore[arg-type]
            raise ControlError('expected {"advance": seconds}')
        state.clock_offset += float(advance)  # type: ignore[arg-type]
        return _ok({"now": state.now(), "offset": state.clock_offset})

    async def health(request: Request) -> Response:
        return _ok({"ok": True, "corp_id": state.config.corp_id})

    table: list[tuple[str, Callable[[Request], Awaitable[Response]], list[str]]] = [
        ("/_emulator/reset", reset, ["POST"]),
        ("/_emulator/seed", seed, ["POST"]),
        ("/_emulator/faults", add_fault, ["POST"]),
        ("/_emulator/faults", list_faults, ["GET"]),
        ("/_emulator/faults", clear_faults, ["DELETE"]),
        ("/_emulator/tokens/revoke", revoke, ["POST"]),
        ("/_emulator/tokens/expire", expire, ["POST"]),
        ("/_emulator/stats", stats, ["GET"]),
        ("/_emulator/secrets", add_secret, ["POST"]),
        ("/_emulator/secrets", list_secrets, ["GET"]),
        ("/_emulator/config", get_config, ["GET"]),
        ("/_emulator/config", set_config, ["POST"]),
        ("/_emulator/directory", directory, ["GET"]),
        ("/_emulator/changes", changes, ["GET"]),
        ("/_emulator/clock", clock, ["POST"]),
        ("/_emulator/health", health, ["GET"]),
    ]
    return [Route(path, guarded(fn), methods=methods) for path, fn, methods in table]
