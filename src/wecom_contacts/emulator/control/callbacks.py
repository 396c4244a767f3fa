"""Control routes for outgoing callbacks: configure, remove, list deliveries, wait for them."""

from __future__ import annotations

import asyncio
import json
import math
import secrets
import time
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..outgoing.crypto import CallbackKeyError, aes_key, verification_query
from ..state import EmulatorState
from ..store.callbacks import Callback
from .core import ControlError, guarded

_FIELDS = frozenset(
    {"url", "token", "encoding_aes_key", "secret", "echo_own_changes", "minimal_fields",
     "timeout", "retries", "retry_interval", "verify"}
)
VERIFY_TIMEOUT = 1.0  # callbacks.md §4: the echo must come back within 1 second
DEFAULT_FLUSH_TIMEOUT = 30.0


class BadInput(ControlError):
    """Answered with HTTP 400 {"error": ...}."""


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise BadInput(f"the body is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise BadInput("expected a JSON object")
    return data


def _number(data: dict[str, Any], name: str, default: float | None, *, positive: bool) -> Any:
    value = data.get(name, default)
    if value is None:
        return None
    if type(value) not in (int, float) or not math.isfinite(value) or value < 0 or (
        positive and value == 0
    ):
        raise BadInput(f'"{name}" must be a {"positive" if positive else "non-negative"} number')
    return float(value)


def _flag(data: dict[str, Any], name: str, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise BadInput(f'"{name}" must be true or false')
    return value


def owner_of(state: EmulatorState, secret: Any) -> str:
    """The name of the secret a callback belongs to: given by value or by name."""
    cfg = state.config
    if secret is None or secret in (cfg.secret, cfg.sync_secret_name):
        return cfg.sync_secret_name
    if not isinstance(secret, str):
        raise BadInput('"secret" must be a string')
    found = state.store.secrets.get(secret)
    if found is not None:
        return found.name
    if any(s.name == secret for s in state.store.secrets.all()):
        return secret
    raise BadInput(f"no secret {secret!r} (add apps with POST /_emulator/secrets)")


def parse_callback(state: EmulatorState, data: dict[str, Any]) -> tuple[Callback, bool]:
    """A callback from POST /_emulator/callback, and whether to verify its URL first."""
    cfg = state.config
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise BadInput(f"unknown fields {unknown}")
    url, token, key = data.get("url"), data.get("token"), data.get("encoding_aes_key", "")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise BadInput('"url" must be an http:// or https:// URL')
    if not isinstance(token, str) or not token:
        raise BadInput('"token" must be a non-empty string')
    try:
        aes_key(key)
    except CallbackKeyError as error:
        raise BadInput(str(error)) from None
    retries = data.get("retries", 3)
    if type(retries) is not int or not 0 <= retries <= 100:
        raise BadInput('"retries" must be an integer from 0 to 100')
    callback = Callback(
        id=0,
        owner=owner_of(state, data.get("secret")),
        kind="secret",
        url=url,
        token=token,
        encoding_aes_key=key,
        echo_own_changes=_flag(data, "echo_own_changes", cfg.callback_echo_own_changes),
        minimal_fields=_flag(data, "minimal_fields", cfg.callback_minimal_fields),
        timeout=_number(data, "timeout", 5.0, positive=True),
        retries=retries,
        retry_interval=_number(data, "retry_interval", None, positive=False),
        since_seq=0,
        created_at=state.now(),
    )
    return callback, _flag(data, "verify", False)


async def verify_url(state: EmulatorState, cb: Callback) -> None:
    """What the admin console does on saving a URL: a signed GET whose echo must match."""
    echo = str(secrets.randbelow(10**19))
    params = verification_query(
        echo, token=cb.token, key=aes_key(cb.encoding_aes_key), corp_id=state.config.corp_id,
        timestamp=int(time.time()),
    )
    try:
        async with httpx.AsyncClient(trust_env=False, timeout=VERIFY_TIMEOUT) as http:
            response = await http.get(cb.url, params=params)
    except httpx.HTTPError as error:
        raise BadInput(f"URL verification failed: {type(error).__name__}: {error}") from None
    if response.status_code != 200 or response.content != echo.encode():
        raise BadInput(
            f"URL verification failed: HTTP {response.status_code}, the body is not the echo"
        )


def callback_routes(state: EmulatorState) -> list[Route]:
    """Routes of the callback control API, bound to one emulator state."""
    deliverer = state.callbacks

    async def configure(request: Request) -> Response:
        callback, verify = parse_callback(state, await _json(request))
        if verify:
            await verify_url(state, callback)
        stored = deliverer.configure(callback)
        return JSONResponse({"callback": stored.to_json()})

    async def remove(request: Request) -> Response:
        data = await _json(request)
        secret = request.query_params.get("secret", data.get("secret"))
        owner = None if secret is None else owner_of(state, secret)
        return JSONResponse({"removed": deliverer.remove(owner)})

    async def deliveries(request: Request) -> Response:
        q = request.query_params
        try:
            since, limit = int(q.get("since", "0")), int(q.get("limit", "1000"))
        except ValueError:
            raise BadInput('"since" and "limit" must be integers') from None
        secret = q.get("secret")
        owner = None if secret is None else owner_of(state, secret)
        cbs = state.store.callbacks
        return JSONResponse({
            "callbacks": [cb.to_json() for cb in cbs.active()],
            "deliveries": cbs.deliveries(since=since, limit=limit, owner=owner,
                                         outcome=q.get("outcome")),
        })

    async def flush(request: Request) -> Response:
        data = await _json(request)
        if "timeout" in request.query_params:
            try:
                data["timeout"] = float(request.query_params["timeout"])
            except ValueError:
                raise BadInput('"timeout" must be a number') from None
        timeout = _number(data, "timeout", DEFAULT_FLUSH_TIMEOUT, positive=False)
        deadline = time.monotonic() + timeout
        deliverer.wake()
        while True:
            done, pending = deliverer.idle()
            if done or time.monotonic() >= deadline:
                return JSONResponse({"flushed": done, "pending": pending})
            await asyncio.sleep(0.01)

    return [
        Route("/_emulator/callback", guarded(configure), methods=["POST"]),
        Route("/_emulator/callback", guarded(remove), methods=["DELETE"]),
        Route("/_emulator/callbacks", guarded(deliveries), methods=["GET"]),
        Route("/_emulator/callbacks/flush", guarded(flush), methods=["POST"]),
    ]
