"""The WeCom response envelope: HTTP 200, errcode/errmsg JSON, Error-Code/Error-Msg headers."""

from __future__ import annotations

import json
import random
from typing import Any

from starlette.responses import Response

from ..errors import errmsg_text

JSON_TYPE = "application/json; charset=UTF-8"
WRONG_JSON_WARNING = "Warning: wrong json format."
_MORE_INFO = "https://open.work.weixin.qq.com/devtool/query?e="


def failure_errmsg(errcode: int, detail: str, client_ip: str, *, with_detail: bool) -> str:
    """`<text>, hint: [<id>], from ip: <ip>, more info at <url>?e=<code>` as real failures."""
    text = errmsg_text(errcode)
    if detail and with_detail:
        text = f"{text.rstrip()} ({detail})"
    hint = random.getrandbits(63)  # newer hints are long decimal numbers
    return f"{text}, hint: [{hint}], from ip: {client_ip}, more info at {_MORE_INFO}{errcode}"


def envelope(
    errcode: int, errmsg: str, payload: dict[str, Any] | None = None, *, warned: bool = False
) -> Response:
    if warned:
        errmsg = f"{errmsg} {WRONG_JSON_WARNING}"
    body: dict[str, Any] = {"errcode": errcode, "errmsg": errmsg}
    if payload:
        body.update(payload)
    # raw UTF-8 like the real server, never \\u escapes
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = {
        "Error-Code": str(errcode),
        # header values must be latin-1; details may quote non-ASCII input
        "Error-Msg": errmsg.encode("ascii", "backslashreplace").decode("ascii"),
    }
    return Response(content, status_code=200, headers=headers, media_type=JSON_TYPE)
