"""/cgi-bin/webhook/send?key=…: a group robot's webhook (no access_token: the key is the
credential). Messages are recorded in the inbox; faults and stats apply as to the API."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..errors import ApiError
from ..state import EmulatorState
from .envelope import envelope, failure_errmsg

PATH = "/cgi-bin/webhook/send"
_TYPES = {"text": "content", "markdown": "content", "markdown_v2": "content",
          "image": "base64", "news": "articles", "file": "media_id"}
_LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}  # bytes of content


class RobotWebhook:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    async def handle(self, request: Request) -> Response:
        st = self.state
        st.stats.call(PATH)
        host = request.client.host if request.client else "127.0.0.1"
        fault = st.faults.take(PATH)
        try:
            if fault is not None and fault.kind == "http_status":
                return PlainTextResponse(fault.body or str(int(fault.value)), int(fault.value))
            if fault is not None and fault.kind == "errcode":
                raise ApiError(int(fault.value), "injected fault")
            name = st.inbox.robot(request.query_params.get("key", ""))
            if name is None:
                raise ApiError(93000, "no robot has this webhook key")
            message = self._message(await request.body())
        except ApiError as error:
            st.stats.error(error.errcode)
            return envelope(error.errcode, failure_errmsg(
                error.errcode, error.detail, host, with_detail=st.config.errmsg_details))
        st.inbox.record({"kind": "robot", "at": st.now(), "robot": name, **message})
        return envelope(0, "ok")

    @staticmethod
    def _message(body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body or b"null")
        except ValueError:
            raise ApiError(40058, "the body is not JSON") from None
        msgtype = data.get("msgtype") if isinstance(data, dict) else None
        if msgtype not in _TYPES:
            raise ApiError(40008, f"unknown msgtype {msgtype!r}")
        content = data.get(msgtype)
        if not isinstance(content, dict) or not content.get(_TYPES[msgtype]):
            raise ApiError(40058, f"{msgtype}.{_TYPES[msgtype]} is required")
        text = content.get("content")
        limit = _LIMITS.get(msgtype)
        if limit is not None and isinstance(text, str) and len(text.encode()) > limit:
            raise ApiError(40058, f"{msgtype}.content exceeds {limit} bytes")
        return {"msgtype": msgtype, msgtype: content}
