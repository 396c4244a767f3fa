"""multipart/form-data bodies (media/upload), parsed without extra dependencies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
# WeCom's own sample writes `name="media";filename="wework.txt"; filelength=6` (batch.md §4)
_PARAM = re.compile(r'(\w+\*?)\s*=\s*(?:"([^"]*)"|([^;\s]*))')


@dataclass(frozen=True)
class FilePart:
    name: str
    filename: str
    content_type: str
    data: bytes


def parse_form(content_type: str, body: bytes) -> dict[str, FilePart]:
    """Parts by field name; ValueError when the body is not multipart/form-data."""
    match = _BOUNDARY.search(content_type)
    if not content_type.lower().startswith("multipart/form-data") or match is None:
        raise ValueError("not multipart/form-data")
    delimiter = b"--" + match.group(1).encode("latin-1")
    parts: dict[str, FilePart] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, sep, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("a part has no header block")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
                  for m in _PARAM.finditer(headers.get("content-disposition", ""))}
        name = params.get("name", "")
        filename = params.get("filename", "")
        if "filename*" in params:  # RFC 5987: utf-8''%E6%88%90...
            filename = unquote(params["filename*"].split("'", 2)[-1])
        parts[name] = FilePart(name, filename,
                               headers.get("content-type", "application/octet-stream"),
                               data.removesuffix(b"\r\n"))
    return parts
