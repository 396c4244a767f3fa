"""media/upload: a temporary file (3 days) behind a media_id, with WeCom's size and type rules."""

from __future__ import annotations

from typing import Any

from ...context import Ctx
from ...errors import ApiError
from ...rules.common import Params
from ..formdata import FilePart

# batch.md §4: larger than 5 bytes; image 10 MB, voice 2 MB, video 10 MB, file 20 MB
MAX_BYTES = {"image": 10 << 20, "voice": 2 << 20, "video": 10 << 20, "file": 20 << 20}
MEDIA_PART = "media"


def _looks_like(kind: str, data: bytes) -> bool:
    """image JPG/PNG, voice AMR, video MP4; a file may be anything."""
    if kind == "image":
        return data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"))
    if kind == "voice":
        return data.startswith(b"#!AMR")
    if kind == "video":
        return data[4:8] == b"ftyp"
    return True


def upload(ctx: Ctx, p: Params) -> dict[str, Any]:
    kind = p.text("type")
    if kind not in MAX_BYTES:
        raise ApiError(40005, f"type must be one of {sorted(MAX_BYTES)}")
    part = p.data.get(MEDIA_PART)
    if not isinstance(part, FilePart) or not part.data:
        raise ApiError(44001, 'the file must be a non-empty form part named "media"')
    if len(part.data) <= 5:
        raise ApiError(40006, "a file must be larger than 5 bytes")
    if len(part.data) > MAX_BYTES[kind]:
        raise ApiError(45001, f"a {kind} may be at most {MAX_BYTES[kind] >> 20} MB")
    if not _looks_like(kind, part.data):
        raise ApiError(40004, f"the file is not a valid {kind}")
    media = ctx.store.media.put(kind, part.filename or "file", part.data, ctx.now,
                                ctx.config.media_lifetime)
    return {"type": kind, "media_id": media.media_id, "created_at": str(int(media.created_at))}
