"""message/send: an application message, recorded in the inbox (not delivered to anyone)."""

from __future__ import annotations

import secrets
from typing import Any

from ...context import Ctx
from ...errors import ApiError
from ...rules.common import Params

# message types and the field of their object that must not be empty
_TYPES = {"text": "content", "markdown": "content", "markdown_v2": "content",
          "textcard": "title", "news": "articles", "file": "media_id", "image": "media_id"}
_MARKDOWN_LIMIT = 4096  # bytes of markdown content (message.md: "不超过2048个字节" for text)


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split("|") if v]


def send(ctx: Ctx, p: Params) -> dict[str, Any]:
    agentid = p.integer("agentid")
    if agentid is None or agentid <= 0:
        raise ApiError(40056, "agentid is required")
    msgtype = p.text("msgtype")
    if msgtype not in _TYPES:
        raise ApiError(40008, f"unknown msgtype {msgtype!r}")
    content = p.mapping(msgtype)
    if not content or not content.get(_TYPES[msgtype]):
        raise ApiError(40058, f"{msgtype}.{_TYPES[msgtype]} is required")
    text = content.get("content")
    if isinstance(text, str) and len(text.encode()) > _MARKDOWN_LIMIT:
        raise ApiError(40058, f"{msgtype}.content exceeds {_MARKDOWN_LIMIT} bytes")
    users, parties, tags = _split(p.text("touser")), _split(p.text("toparty")), \
        _split(p.text("totag"))
    if not (users or parties or tags):
        raise ApiError(82001)
    everyone = users == ["@all"]
    found = [] if everyone else [u for u in users if ctx.find_user(u) is not None]
    bad_users = [] if everyone else [u for u in users if u not in found]
    good_parties = [d for d in parties if d.isdigit() and ctx.store.departments.get(int(d))]
    good_tags = [t for t in tags if t.isdigit() and ctx.store.tags.get(int(t))]
    if not (everyone or found or good_parties or good_tags):
        raise ApiError(82001, "no recipient is valid")
    msgid = secrets.token_hex(16)
    if ctx.inbox is not None:
        ctx.inbox.record({
            "kind": "app", "at": ctx.now, "caller": ctx.caller.name, "agentid": agentid,
            "msgtype": msgtype, msgtype: content, "msgid": msgid,
            "touser": ["@all"] if everyone else found, "toparty": [int(d) for d in good_parties],
            "totag": [int(t) for t in good_tags],
        })
    return {
        "invaliduser": "|".join(bad_users),
        "invalidparty": "|".join(d for d in parties if d not in good_parties),
        "invalidtag": "|".join(t for t in tags if t not in good_tags),
        "unlicenseduser": "",
        "msgid": msgid,
    }
