"""Where a JSON pointer's value starts in a JSON text (its line), for error messages only."""

from __future__ import annotations

import json
import re

__all__ = ["json_line", "pointer"]

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def pointer(path: tuple[str | int, ...]) -> str:
    """``("users", 3, "mobile")`` → ``/users/3/mobile`` (RFC 6901)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path) or "/"


def _skip_ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _find(text: str, pos: int, step: str | int) -> int | None:
    """Position of the member ``step`` of the object or array starting at ``pos``."""
    pos = _skip_ws(text, pos)
    if pos >= len(text) or text[pos] not in "[{":
        return None
    is_object = text[pos] == "{"
    pos += 1
    index = 0
    while True:
        pos = _skip_ws(text, pos)
        if pos >= len(text) or text[pos] in "]}":
            return None
        if is_object:
            key, pos = _DECODER.raw_decode(text, pos)
            pos = _skip_ws(text, _skip_ws(text, pos) + 1)  # past the colon
            if key == step:
                return pos
        elif index == step:
            return pos
        _, pos = _DECODER.raw_decode(text, pos)  # skip the value (C speed)
        index += 1
        pos = _skip_ws(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos += 1


def json_line(text: str, path: tuple[str | int, ...]) -> int | None:
    """The 1-based line where the value at ``path`` starts (or the deepest part found)."""
    pos: int | None = _skip_ws(text, 0)
    best = pos
    for step in path:
        assert pos is not None
        pos = _find(text, pos, step)
        if pos is None:
            break
        best = pos
    if best is None:
        return None
    return text.count("\n", 0, best) + 1
