"""The one /cgi-bin entry: stats, faults, token, limits, parsing, permission, handler, envelope."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from ..context import Caller, Ctx
from ..errors import ApiError
from ..rules.common import Params
from ..state import EmulatorState
from .envelope import envelope, failure_errmsg
from .faults import Fault
from .formdata import parse_form
from .handlers.token import gettoken
from .routes import ENDPOINTS, GETTOKEN, Endpoint

# a backslash run of odd length before "u" is a \uNNNN escape (an even run is escaped "\\")
_UNICODE_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u")


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "127.0.0.1"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class DropConnection(Response):
    """Closes the TCP connection without writing any byte of a response."""

    def __init__(self) -> None:
        super().__init__(b"")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # uvicorn's h11/httptools `receive` is a bound method of the request cycle, which
        # holds the asyncio transport; aborting it makes the client see the peer vanish.
        transport = getattr(getattr(receive, "__self__", None), "transport", None)
        if transport is None or not hasattr(transport, "abort"):
            raise RuntimeError("the drop fault needs the emulator to run on uvicorn")
        transport.abort()
        # let connection_lost run so that uvicorn knows not to answer 500 itself
        for _ in range(3):
            await asyncio.sleep(0)


class Gate:
    """Starlette endpoint for every /cgi-bin/... path."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self._inflight = 0

    async def handle(self, request: Request) -> Response:
        st = self.state
        path = request.url.path
        st.stats.call(path)
        self._inflight += 1
        try:
            limit = st.config.concurrency_limit
            if limit is not None and self._inflight > limit:
                return self._failure(ApiError(45033), request)
            fault = st.faults.take(path)
            if fault is not None:
                st.stats.fault(fault.kind)
                if not fault.after_handler:
                    if fault.kind != "delay":
                        return self._fault_response(fault, request)
                    await asyncio.sleep(fault.value)
            try:
                response = await self._process(request, path)
            except ClientDisconnect:
                # the caller gave up (e.g. timed out while a delay fault held the call) before
                # its body was read: nothing was applied and nobody is left to answer
                st.stats.disconnect(path)
                return Response(status_code=499)
            if fault is not None and fault.after_handler:
                if fault.kind != "delay":
                    return self._fault_response(fault, request)
                await asyncio.sleep(fault.value)
            return response
        finally:
            self._inflight -= 1

    def _fault_response(self, fault: Fault, request: Request) -> Response:
        if fault.kind == "drop":
            return DropConnection()
        if fault.kind == "http_status":
            status = int(fault.value)
            return PlainTextResponse(fault.body if fault.body is not None else f"{status}", status)
        code = int(fault.value)
        if fault.errmsg is not None:
            self.state.stats.error(code)
            return envelope(code, fault.errmsg)
        return self._failure(ApiError(code, "injected fault"), request)

    def _failure(self, error: ApiError, request: Request, *, warned: bool = False) -> Response:
        self.state.stats.error(error.errcode)
        msg = failure_errmsg(
            error.errcode,
            error.detail,
            _client_ip(request),
            with_detail=self.state.config.errmsg_details,
        )
        return envelope(error.errcode, msg, warned=warned or error.warn)

    async def _process(self, request: Request, path: str) -> Response:
        st = self.state
        endpoint = ENDPOINTS.get(path)
        if endpoint is None and path != GETTOKEN:
            return PlainTextResponse("Not Found", 404)
        params: Params | None = None
        try:
            now = st.now()
            if endpoint is None:
                return self._gettoken(request, now)
            caller = self._authenticate(request, now)
            self._rate_limit(request, path, now)
            params = await self._params(request, endpoint)
            self._permit(endpoint, caller)
            ctx = Ctx(st.store, st.config, caller, now, str(request.base_url).rstrip("/"),
                      inbox=st.inbox)
            payload = self._run(endpoint, ctx, params, now)
        except ApiError as error:
            return self._failure(error, request, warned=params is not None and params.warned)
        if endpoint.writes:
            st.stats.write(path)
        return envelope(0, endpoint.success, payload, warned=params.warned)

    def _run(self, endpoint: Endpoint, ctx: Ctx, params: Params, now: float) -> dict[str, Any]:
        st = self.state
        lookup_key = (st.config.corp_id, "lookup-failures")
        if endpoint.lookup and st.limiter.blocked(lookup_key, now):
            raise ApiError(45009, "too many failed lookups today")
        try:
            with st.store.transaction():
                return endpoint.handler(ctx, params)
        except ApiError as error:
            if endpoint.lookup and error.errcode == 46004:
                st.limiter.hit(lookup_key, [st.config.lookup_failure_limit], now)
            raise

    def _gettoken(self, request: Request, now: float) -> Response:
        st, cfg = self.state, self.state.config
        failures = (_client_ip(request), "gettoken-failures")
        params = Params(dict(request.query_params), query=True)
        try:
            if st.limiter.blocked(failures, now):
                raise ApiError(45009, "this ip sent too many wrong secrets")
            if not st.limiter.hit((params.text("corpid"), GETTOKEN), cfg.rate_limits, now):
                raise ApiError(45009)
            try:
                with st.store.transaction():
                    payload = gettoken(st.store, cfg, params, now)
            except ApiError as error:
                if error.errcode in (40001, 40013):
                    st.limiter.hit(failures, [cfg.gettoken_failure_limit], now)
                raise
        except ApiError as error:
            return self._failure(error, request)
        return envelope(0, "ok", payload)

    def _authenticate(self, request: Request, now: float) -> Caller:
        token = request.query_params.get("access_token")
        if not token:
            raise ApiError(41001, "access_token must be in the query string")
        store = self.state.store
        found = store.tokens.lookup(token)
        if found is None:
            raise ApiError(40014)
        secret_value, expires_at = found
        if now >= expires_at:
            raise ApiError(42001)
        secret = store.secrets.get(secret_value)
        if secret is None:
            raise ApiError(40014)
        default = self.state.config.hide_sensitive_fields_for_apps
        return Caller.from_secret(secret, hide_sensitive_default=default)

    def _rate_limit(self, request: Request, path: str, now: float) -> None:
        st, cfg = self.state, self.state.config
        if not st.limiter.hit((cfg.corp_id, path), cfg.rate_limits, now):
            raise ApiError(45009)
        if request.query_params.get("debug") == "1" and not st.limiter.hit(
            (cfg.corp_id, "debug"), [cfg.debug_rate_limit], now
        ):
            raise ApiError(45009, "debug mode is limited")

    async def _params(self, request: Request, endpoint: Endpoint) -> Params:
        cfg = self.state.config
        if endpoint.method == "GET":
            return Params(dict(request.query_params), query=True)
        if endpoint.multipart:
            try:
                form = parse_form(request.headers.get("content-type", ""), await request.body())
            except ValueError:
                raise ApiError(44001, "the body must be multipart/form-data") from None
            return Params({**form, **request.query_params}, query=True)
        # a GET on a POST API has no body: the same answer as an unparsable body
        raw = await request.body() if request.method == "POST" else b""
        if cfg.reject_unicode_escapes and _UNICODE_ESCAPE.search(raw):
            raise ApiError(40033, "send raw UTF-8, not \\uNNNN escapes")
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError):
            raise ApiError(40058, "the body must be a JSON object", warn=True) from None
        if not isinstance(data, dict):
            raise ApiError(40058, "the body must be a JSON object", warn=True)
        return Params(data, strict=cfg.type_mismatch == "reject")

    def _permit(self, endpoint: Endpoint, caller: Caller) -> None:
        cfg = self.state.config
        if (
            endpoint.detail_switch
            and caller.kind == "sync"
            and getattr(cfg, endpoint.detail_switch)
        ):
            raise ApiError(48009)
        if caller.kind == "app":
            if endpoint.access == "write":
                raise ApiError(cfg.app_write_errcode, "app secrets cannot edit the directory")
            if endpoint.access == "sync_only":
                raise ApiError(
                    cfg.sync_only_api_errcode, "only the contacts-sync secret may call this"
                )
        elif cfg.sync_secret_read_only and endpoint.access in ("write", "tag_write"):
            raise ApiError(48002, "the contacts-sync secret is read-only")
