"""Reading YAML and JSON files with bounds: size, nesting, alias expansion and integer digits.

A desired-state file is input from outside; whatever it holds, reading it ends in data or in a
`BadFileError` naming the file and line, never in a traceback, a stack overflow or minutes of
CPU. Bytes are decoded by `wecom_contacts._textio` (UTF-8, GB18030/GBK, UTF-16, with or without
a BOM). YAML is composed here from the parser's events, iteratively, so that nesting and alias
expansion are counted as they are read (PyYAML's own composer recurses in C and follows
aliases as often as they are used: a 500-byte "billion laughs" costs it minutes).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import yaml

from ._textio import TextDecodeError, decode_text

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_INT_DIGITS",
    "BadFileError",
    "compose_yaml",
    "construct_yaml",
    "decode_document",
    "load_json",
]

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # ~200,000 members with every field filled
MAX_DEPTH = 64  # a desired-state document nests 5 levels deep
MAX_ALIAS_NODES = 1_000_000  # nodes aliases may add beyond those written out
MAX_INT_DIGITS = 30  # ids and orders are 32-bit; past 4,300 digits int() itself refuses

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
_INT_TAG = "tag:yaml.org,2002:int"


class BadFileError(ValueError):
    """A file that cannot be read as its format: ``source``, ``line`` (1-based, when known)."""

    def __init__(self, source: str, reason: str, *, line: int | None = None,
                 column: int | None = None) -> None:
        self.source = source
        self.reason = reason
        self.line = line
        self.column = column
        where = source
        if line is not None:
            where += f", line {line}" + (f", column {column}" if column is not None else "")
        super().__init__(f"{where}: {reason}")


def decode_document(data: str | bytes, source: str) -> str:
    """The text of a whole YAML or JSON file, or `BadFileError` (too big, undecodable)."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_DOCUMENT_BYTES:
        raise BadFileError(source, f"the file is {size:,} bytes; at most "
                           f"{MAX_DOCUMENT_BYTES:,} are read")
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return decode_text(data, source=source).text
    except TextDecodeError as exc:
        raise BadFileError(source, exc.reason, line=exc.line) from None


# ---- YAML


def _line(mark: Any) -> int | None:
    return int(mark.line) + 1 if mark is not None else None


def _yaml_error(exc: yaml.YAMLError, source: str, text: str) -> BadFileError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        col = int(mark.column) + 1 if mark is not None else None
        return BadFileError(source, f"invalid YAML: {exc.problem or exc.context}",
                            line=_line(mark), column=col)
    position = getattr(exc, "position", None)  # a ReaderError: a character YAML forbids
    line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
    reason = getattr(exc, "reason", None) or str(exc).splitlines()[0]
    return BadFileError(source, f"invalid YAML: {reason}", line=line)


class _Composer:
    """Nodes from parser events, with the bounds checked as each event arrives."""

    def __init__(self, loader: Any, source: str) -> None:
        self.loader = loader
        self.source = source
        self.anchors: dict[str, yaml.Node] = {}
        self.open: list[yaml.Node] = []  # collections not yet ended, outermost first
        self.keys: list[yaml.Node | None] = []  # a mapping's key waiting for its value
        self.open_ids: set[int] = set()
        self.root: yaml.Node | None = None
        self.aliased: list[yaml.Node] = []

    def refuse(self, reason: str, mark: Any) -> BadFileError:
        return BadFileError(self.source, reason, line=_line(mark))

    def add(self, node: yaml.Node) -> None:
        if not self.open:
            self.root = node
            return
        parent = self.open[-1]
        if isinstance(parent, yaml.SequenceNode):
            parent.value.append(node)
        elif self.keys[-1] is None:
            self.keys[-1] = node
        else:
            parent.value.append((self.keys[-1], node))
            self.keys[-1] = None

    def anchor(self, name: str | None, node: yaml.Node) -> None:
        if name is not None:
            self.anchors[name] = node  # a repeated anchor name rebinds, as YAML 1.2 says

    def scalar(self, event: Any) -> yaml.Node:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _INT_TAG:
            digits = event.value.replace("_", "").lstrip("+-").lstrip("0")
            if len(digits) > MAX_INT_DIGITS:
                raise self.refuse(f"a number of {len(digits):,} digits (at most "
                                  f"{MAX_INT_DIGITS})", event.start_mark)
        return yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark,
                               style=event.style)

    def collection(self, event: Any) -> yaml.Node:
        if len(self.open) >= MAX_DEPTH:
            raise self.refuse(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
        sequence = isinstance(event, yaml.SequenceStartEvent)
        kind = yaml.SequenceNode if sequence else yaml.MappingNode
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(kind, None, event.implicit)
        return kind(tag, [], event.start_mark, None, flow_style=event.flow_style)

    def compose(self) -> yaml.Node | None:
        loader = self.loader
        documents = 0
        while True:
            event = loader.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                return self.root
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self.refuse("more than one YAML document (---) in the file",
                                      event.start_mark)
            elif isinstance(event, yaml.AliasEvent):
                node = self.anchors.get(str(event.anchor))
                if node is None:
                    raise self.refuse(f"the alias *{event.anchor} has no anchor before it",
                                      event.start_mark)
                if id(node) in self.open_ids:
                    raise self.refuse(f"the alias *{event.anchor} refers to itself",
                                      event.start_mark)
                self.aliased.append(node)
                self.add(node)
            elif isinstance(event, yaml.ScalarEvent):
                node = self.scalar(event)
                self.anchor(event.anchor, node)
                self.add(node)
            elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                node = self.collection(event)
                self.anchor(event.anchor, node)
                self.add(node)
                self.open.append(node)
                self.open_ids.add(id(node))
                self.keys.append(None)
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                node = self.open.pop()
                self.open_ids.discard(id(node))
                self.keys.pop()
                node.end_mark = event.end_mark

    def check_expansion(self) -> None:
        """Refuse documents whose aliases, followed, would add more than MAX_ALIAS_NODES."""
        if not self.aliased:
            return
        sizes: dict[int, int] = {}

        def size(node: yaml.Node) -> int:
            # children before parents, without recursion: the graph is acyclic (checked)
            todo = [(node, False)]
            while todo:
                current, ready = todo.pop()
                if id(current) in sizes:
                    continue
                children = _children(current)
                if ready:
                    total = 1 + sum(sizes[id(c)] for c in children)
                    sizes[id(current)] = min(total, MAX_ALIAS_NODES + 1)
                else:
                    todo.append((current, True))
                    todo.extend((c, False) for c in children if id(c) not in sizes)
            return sizes[id(node)]

        added = 0
        for node in self.aliased:
            added += size(node)
            if added > MAX_ALIAS_NODES:
                raise self.refuse(f"its aliases expand to more than {MAX_ALIAS_NODES:,} "
                                  "values (an alias bomb?)", node.start_mark)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def compose_yaml(text: str, source: str) -> tuple[yaml.Node | None, Any]:
    """The document's root node (None when empty) and the loader to construct it with
    (`construct_yaml`); `BadFileError` for invalid or unbounded documents."""
    loader = _LOADER(text)
    try:
        composer = _Composer(loader, source)
        node = composer.compose()
        composer.check_expansion()
    except yaml.YAMLError as exc:
        loader.dispose()
        raise _yaml_error(exc, source, text) from None
    except BaseException:
        loader.dispose()
        raise
    return node, loader


def construct_yaml(loader: Any, node: yaml.Node, source: str) -> Any:
    """Python data from a node of `compose_yaml` (then the loader is disposed of)."""
    try:
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source, "") from None
    except (ValueError, OverflowError, TypeError) as exc:  # e.g. a timestamp out of range
        raise BadFileError(source, f"invalid YAML value: {exc}") from None
    finally:
        loader.dispose()


# ---- JSON


class _HugeNumber(Exception):
    def __init__(self, literal: str) -> None:
        self.literal = literal


def _int(literal: str) -> int:
    if len(literal.lstrip("-").lstrip("0")) > MAX_INT_DIGITS:
        raise _HugeNumber(literal)
    return int(literal)


def _constant(name: str) -> Any:
    raise _HugeNumber(name)


def load_json(text: str, source: str,
              object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None) -> Any:
    """Python data from JSON text; `BadFileError` naming the line for what cannot be read."""
    try:
        data = json.loads(text, object_pairs_hook=object_pairs_hook, parse_int=_int,
                          parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise BadFileError(source, f"invalid JSON: {exc.msg}", line=exc.lineno,
                           column=exc.colno) from None
    except _HugeNumber as exc:
        line = text.count("\n", 0, max(text.find(exc.literal), 0)) + 1
        what = (f"a number of {len(exc.literal):,} digits (at most {MAX_INT_DIGITS})"
                if exc.literal[-1:].isdigit() else f"{exc.literal} is not a JSON number")
        raise BadFileError(source, what, line=line) from None
    except RecursionError:
        data = None  # deeper than the parser goes: certainly deeper than MAX_DEPTH
    else:
        if _depth(data) <= MAX_DEPTH:
            return data
    raise BadFileError(source, f"nested more than {MAX_DEPTH} levels deep",
                       line=_deep_line(text))


def _depth(data: Any) -> int:
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                todo.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))
    return deepest


def _deep_line(text: str) -> int | None:
    """The line where brackets first nest deeper than MAX_DEPTH (strings skipped)."""
    depth, in_string, escaped, line = 0, False, False, 1
    for char in text:
        if char == "\n":
            line += 1
        elif in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif char in "]}":
            depth -= 1
    return None
