"""The one decoder for every text file the toolkit reads (CSV, YAML, JSON, import templates).

HR systems and Excel on Chinese Windows write UTF-8 (with or without a BOM), GB18030/GBK (sometimes
with GB18030's own BOM) and UTF-16 (Excel's "Unicode text"). A file is decoded whole or refused with
the line that could not be read: a reader never sees a half-decoded file, and a file whose lines use
different encodings is refused rather than read as mojibake.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["ENCODINGS", "DecodedText", "TextDecodeError", "decode_text"]

# Byte-order marks, longest first (UTF-32 LE starts with UTF-16 LE's mark).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (b"\x84\x31\x95\x33", "gb18030"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# What a caller may name with ``encoding=`` (aliases are normalised by codecs.lookup).
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "utf-16", "utf-16-le", "utf-16-be")


@dataclass(frozen=True)
class DecodedText:
    """A decoded file: its text (BOM removed), the encoding used, and whether a BOM was there."""

    text: str
    encoding: str
    had_bom: bool


class TextDecodeError(ValueError):
    """A file that cannot be decoded: which file, which line (1-based, when known) and why."""

    def __init__(self, source: str, message: str, *, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.reason = message
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {message}")


def decode_text(data: bytes, *, source: str, encoding: str | None = None) -> DecodedText:
    """Decode ``data`` (the whole file) by its BOM, the named ``encoding``, or detection.

    Detection without a BOM: UTF-16 when the bytes look like it (NULs in every other byte), else
    UTF-8 when every byte is valid UTF-8, else GB18030 (a superset of GBK and GB2312).
    """
    if encoding is not None:
        return _decode_named(data, source, encoding)
    for bom, name in _BOMS:
        if data.startswith(bom):
            return DecodedText(_strict(data[len(bom):], name, source), _public(name), True)
    order = _utf16_order(data)
    if order:
        return DecodedText(_strict(data, order, source), order, False)
    try:
        return DecodedText(data.decode("utf-8"), "utf-8", False)
    except UnicodeDecodeError as exc:
        # the offset, not the exception: a kept exception's traceback holds this frame (and
        # the file's bytes) in a reference cycle until the cyclic collector runs
        bad_at = exc.start
    _refuse_mixed(data, source, bad_at)
    return DecodedText(_strict(data, "gb18030", source), "gb18030", False)


def _decode_named(data: bytes, source: str, encoding: str) -> DecodedText:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise TextDecodeError(
            source, f"unknown encoding {encoding!r} (known: {', '.join(ENCODINGS)})"
        ) from None
    if name in ("gbk", "gb2312"):
        name = "gb18030"  # a superset: every GBK file is a GB18030 file
    had_bom = False
    for bom, bom_name in _BOMS:
        if data.startswith(bom) and _family(bom_name) == _family(name):
            data, had_bom = data[len(bom):], True
            if name in ("utf-16", "utf-32"):
                name = bom_name
            break
    if name == "utf-8-sig":
        name = "utf-8"
    return DecodedText(_strict(data, name, source), _public(name), had_bom)


def _strict(data: bytes, name: str, source: str) -> str:
    try:
        text = data.decode(name)
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start, name)
        raise TextDecodeError(
            source,
            f"not valid {_public(name)} (byte {exc.start}: {data[exc.start:exc.start + 4]!r}); "
            "save the file as UTF-8 or name its encoding",
            line=line,
        ) from None
    if "\x00" in text:
        raise TextDecodeError(source, "contains NUL characters (a binary file?)",
                              line=text.count("\n", 0, text.index("\x00")) + 1)
    return text


def _refuse_mixed(data: bytes, source: str, bad_at: int) -> None:
    """Refuse a file whose non-ASCII lines are partly valid UTF-8 and partly not (``bad_at``:
    the offset of the first byte that is not UTF-8)."""
    first_bad = _line_of(data, bad_at, "utf-8")
    for number, line in enumerate(data.split(b"\n"), start=1):
        if number >= first_bad:
            break
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        raise TextDecodeError(
            source,
            f"mixes encodings: line {number} is UTF-8 but this line is not; "
            "save the whole file in one encoding",
            line=first_bad,
        )


def _utf16_order(data: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when the bytes look like BOM-less UTF-16, else None."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    # UTF-8 and GB18030 text never holds a NUL; UTF-16 has one in the high byte of every ASCII
    # character (commas, newlines), always on the same side of the pair.
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(even, odd) == 0 or min(even, odd) * 10 > max(even, odd):
        return None
    return "utf-16-le" if odd > even else "utf-16-be"


def _line_of(data: bytes, offset: int, name: str) -> int:
    if _family(name) == "utf-16":
        newline = "\n".encode(name)
        return data[:offset - offset % 2].count(newline) + 1
    return data.count(b"\n", 0, offset) + 1


def _family(name: str) -> str:
    return name.replace("-le", "").replace("-be", "").replace("-sig", "")


def _public(name: str) -> str:
    return {"utf_8": "utf-8"}.get(name, name)
