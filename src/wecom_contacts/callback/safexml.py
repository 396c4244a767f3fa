"""XML parsing that refuses DTDs and entities, and XML-to-dict conversion."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from .errors import MalformedXMLError, UnsafeXMLError

__all__ = ["MAX_DEPTH", "element_to_dict", "parse_xml"]

# Contact events nest two levels (ExtAttr/Item/Text/Value); anything far deeper is not WeCom's.
MAX_DEPTH = 16


def parse_xml(data: str | bytes, *, what: str = "XML") -> ET.Element:
    """Parse `data` with the C parser after proving it carries no DTD (so no entities).

    Entities can only be declared inside a DTD, and a DTD can only start with the literal
    `<!DOCTYPE`; the text is decoded first and handed to expat as `str`, which makes expat
    ignore any declared encoding, so the text checked here is exactly the text parsed.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedXMLError(
                f"{what} is not UTF-8 (invalid byte at offset {exc.start}); WeCom sends UTF-8"
            ) from None
    else:
        text = data
    if text.startswith("\ufeff"):
        text = text[1:]
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise UnsafeXMLError(
            f"{what} contains a DTD or entity declaration; WeCom never sends one, "
            "so the request is refused (possible XXE or entity-expansion attack)"
        )
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise MalformedXMLError(f"{what} is not well-formed XML: {exc}") from None
    except UnicodeError:
        raise MalformedXMLError(f"{what} contains characters that cannot be encoded") from None


def element_to_dict(element: ET.Element, *, what: str = "XML") -> dict[str, Any]:
    """Children of `element` as a dict: leaves become text ("" when empty), parents dicts,
    and a tag repeated among siblings becomes a list of its values."""
    return _children(element, 1, what)


def _children(element: ET.Element, depth: int, what: str) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise MalformedXMLError(f"{what} nests deeper than {MAX_DEPTH} levels")
    out: dict[str, Any] = {}
    for child in element:
        value: Any = _children(child, depth + 1, what) if len(child) else (child.text or "")
        tag = child.tag
        if tag in out:
            previous = out[tag]
            if isinstance(previous, list):
                previous.append(value)
            else:
                out[tag] = [previous, value]
        else:
            out[tag] = value
    return out
