"""XML parsing that refuses DTDs and entities, and XML-to-dict conversion."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, NoReturn
from xml.parsers import expat

from .errors import MalformedXMLError, UnsafeXMLError

__all__ = ["MAX_DEPTH", "element_to_dict", "parse_xml", "root_child_text"]

# Contact events nest two levels (ExtAttr/Item/Text/Value); anything far deeper is not WeCom's.
MAX_DEPTH = 16


def parse_xml(data: str | bytes, *, what: str = "XML") -> ET.Element:
    """Parse `data` with the C parser after proving it carries no DTD (so no entities).

    Entities can only be declared inside a DTD, and a DTD can only start with the bytes
    `<!DOCTYPE` once expat is held to UTF-8: the parser is told to use UTF-8 whatever the
    document declares, and a UTF-16/32 byte-order mark (the one thing that still switches
    expat's encoding) is refused. Without a mark, UTF-16/32 text is NUL bytes to expat.
    """
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError:
            raise MalformedXMLError(f"{what} contains unpaired surrogates") from None
    if data.startswith((b"\xfe\xff", b"\xff\xfe")):
        raise MalformedXMLError(f"{what} has a UTF-16/32 byte-order mark; WeCom sends UTF-8")
    if b"<!DOCTYPE" in data:  # <!ENTITY outside a DTD is a syntax error to expat
        raise _unsafe(what)
    parser = ET.XMLParser(encoding="utf-8")
    try:
        parser.feed(data)
        return parser.close()
    except ET.ParseError as exc:
        raise MalformedXMLError(f"{what} is not well-formed XML: {exc}") from None


class _DTDRefused(Exception):
    pass


def _refuse(*args: object) -> NoReturn:
    raise _DTDRefused


class _ChildText:
    """expat handlers collecting the text of the root's first child named `name`."""

    __slots__ = ("depth", "found", "inside", "name", "parts")

    def __init__(self, name: str) -> None:
        self.name = name
        self.depth = 0
        self.found = False
        self.inside = False
        self.parts: list[str] = []

    def start(self, tag: str, attrs: object) -> None:
        self.depth += 1
        if self.depth == 2 and tag == self.name and not self.found:
            self.found = self.inside = True
        else:
            self.inside = False

    def end(self, tag: str) -> None:
        self.depth -= 1
        self.inside = False

    def data(self, text: str) -> None:
        if self.inside:
            self.parts.append(text)


def root_child_text(data: str | bytes, name: str, *, what: str = "XML") -> str | None:
    """Text of the root's first child element `name` (None if absent), parsed with expat.

    Cheaper than building a tree for a three-element envelope. DTDs are refused by the
    doctype handler, which expat calls before it reads any entity declaration.
    """
    parser = expat.ParserCreate("utf-8")  # WeCom sends UTF-8, whatever the XML declares
    collector = _ChildText(name)
    parser.buffer_text = True
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    parser.CharacterDataHandler = collector.data
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    try:
        parser.Parse(data, True)
    except _DTDRefused:
        raise _unsafe(what) from None
    except expat.ExpatError as exc:
        raise MalformedXMLError(f"{what} is not well-formed XML: {exc}") from None
    except ValueError:  # also UnicodeError; expat refuses e.g. BOM-less UTF-16 this way
        raise MalformedXMLError(f"{what} is not UTF-8 XML") from None
    return "".join(collector.parts) if collector.found else None


def _unsafe(what: str) -> UnsafeXMLError:
    return UnsafeXMLError(
        f"{what} contains a DTD or entity declaration; WeCom never sends one, "
        "so it is refused (possible XXE or entity-expansion attack)"
    )


def element_to_dict(element: ET.Element, *, what: str = "XML") -> dict[str, Any]:
    """Children of `element` as a dict: leaves become text ("" when empty), parents dicts,
    and a tag repeated among siblings becomes a list of its values."""
    try:
        return _children(element, 1)
    except _TooDeep:
        raise MalformedXMLError(f"{what} nests deeper than {MAX_DEPTH} levels") from None


class _TooDeep(Exception):
    pass


def _children(element: ET.Element, depth: int) -> dict[str, Any]:
    # Every message passes through here, so it is written for speed: the comprehensions
    # are markedly faster than loops, and only what the shapes WeCom sends need is done.
    if depth > MAX_DEPTH:
        raise _TooDeep
    count = len(element)
    if count > 1:
        if element[0].tag == element[1].tag:  # ExtAttr: Item, Item, ...
            values = [_children(child, depth + 1) if len(child) else (child.text or "")
                      for child in element]
            tag = element[0].tag
            if count == 2 or all([child.tag == tag for child in element]):
                return {tag: values}
            return _grouped(element, values)
    elif count == 1:  # ExtAttr/Item/Text: one Value
        child = element[0]
        return {child.tag: _children(child, depth + 1) if len(child) else (child.text or "")}
    out = {
        child.tag: _children(child, depth + 1) if len(child) else (child.text or "")
        for child in element
    }
    if len(out) != count:  # a tag repeated further on (rare): fewer keys than children
        return _grouped(element, [
            _children(child, depth + 1) if len(child) else (child.text or "")
            for child in element
        ])
    return out


def _grouped(element: ET.Element, values: list[Any]) -> dict[str, Any]:
    """`values` (of `element`'s children) by tag, a repeated tag's as a list of them all."""
    out: dict[str, Any] = {}
    lists: set[str] = set()
    for child, value in zip(element, values, strict=True):
        tag = child.tag
        if tag in lists:
            out[tag].append(value)
        elif tag in out:
            out[tag] = [out[tag], value]
            lists.add(tag)
        else:
            out[tag] = value
    return out
