"""Loading desired state from YAML, JSON or WeCom's CSV templates, with errors that say where."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from ..._structured import (
    BadFileError,
    compose_yaml,
    construct_yaml,
    decode_document,
    load_json,
)
from ..errors import DesiredStateError
from .csvfiles import csv_document
from .jsonpos import json_line, pointer
from .model import DesiredDirectory
from .schema import KeyPath, SchemaError, parse_document

__all__ = ["FORMATS", "format_of", "load_desired", "parse_desired"]

FORMATS = ("yaml", "json", "csv")
_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}


def format_of(path: str | os.PathLike[str]) -> str:
    """The format a file name implies (``.yaml``/``.yml``, ``.json``, ``.csv``)."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise DesiredStateError(
            f"cannot tell the format from the suffix {suffix!r} (use .yaml, .json or .csv)",
            where=str(path),
        )
    return _SUFFIXES[suffix]


def _yaml_line(node: yaml.Node, path: KeyPath) -> int:
    line = int(node.start_mark.line) + 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                    line, node = int(key.start_mark.line) + 1, value
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                and step < len(node.value):
            node = node.value[step]
            line = int(node.start_mark.line) + 1
        else:
            break
    return line


def _no_duplicate_keys(root: yaml.Node, source: str) -> None:
    # PyYAML silently keeps the last of two equal keys; a desired state must not lose a field
    stack, checked = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in checked:  # an aliased node: checked once
            continue
        checked.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in seen:
                        raise DesiredStateError(
                            f"the key {key.value!r} appears twice in one mapping",
                            where=f"{source}, line {key.start_mark.line + 1}", field=key.value,
                        )
                    seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _bad_file(exc: BadFileError) -> DesiredStateError:
    where = exc.source if exc.line is None else f"{exc.source}, line {exc.line}"
    if exc.line is not None and exc.column is not None:
        where += f", column {exc.column}"
    return DesiredStateError(exc.reason, where=where)


def _yaml(text: str, source: str) -> tuple[Any, Callable[[KeyPath], str]]:
    # Composed with bounds (nesting, alias expansion, digits): wecom_contacts._structured.
    try:
        node, loader = compose_yaml(text, source)
        if node is None:
            loader.dispose()
            return {}, lambda path: source
        try:
            _no_duplicate_keys(node, source)
        except BaseException:
            loader.dispose()
            raise
        data = construct_yaml(loader, node, source)
    except BadFileError as exc:
        raise _bad_file(exc) from None
    return data, lambda path: f"{source}, line {_yaml_line(node, path)}"


def _json(text: str, source: str) -> tuple[Any, Callable[[KeyPath], str]]:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise DesiredStateError(f"the key {key!r} appears twice in one object",
                                        where=source, field=key)
            result[key] = value
        return result

    try:
        data = load_json(text, source, object_pairs_hook=pairs)
    except BadFileError as exc:
        raise _bad_file(exc) from None

    def locate(path: KeyPath) -> str:
        line = json_line(text, path)
        return f"{source}, {pointer(path)}" + (f" (line {line})" if line else "")

    return data, locate


def parse_desired(data: str | bytes, fmt: str, *, source: str = "<string>") -> DesiredDirectory:
    """Parse a desired-state document given as text (or bytes, for CSV)."""
    if fmt == "csv":
        doc, locate = csv_document(data, source)
        origin = locate
    else:
        try:  # one decoder (UTF-8, GB18030/GBK, UTF-16; BOMs dropped) and a size bound
            text = decode_document(data, source)
        except BadFileError as exc:
            raise _bad_file(exc) from None
        if fmt == "yaml":
            doc, locate = _yaml(text, source)
            origin = locate
        elif fmt == "json":
            doc, locate = _json(text, source)

            def origin(path: KeyPath) -> str:  # JSON lines are found only when needed
                return f"{source}, {pointer(path)}"
        else:
            raise DesiredStateError(f"unknown format {fmt!r} (expected one of {FORMATS})")
    try:
        return parse_document(doc, origin=origin, source=source)
    except SchemaError as exc:
        raise DesiredStateError(exc.message, where=locate(exc.path), field=exc.field) from None


def load_desired(
    path: str | os.PathLike[str], *more: str | os.PathLike[str]
) -> DesiredDirectory:
    """Read a desired directory from one file, or from several that each give other sections
    (e.g. the department and the member CSV files of WeCom's import templates)."""
    result: DesiredDirectory | None = None
    given: dict[str, str] = {}
    for one in (path, *more):
        name = os.fspath(one)
        fmt = format_of(name)
        try:
            raw = Path(name).read_bytes()
        except OSError as exc:
            raise DesiredStateError(f"cannot read the file: {exc.strerror}", where=name) from None
        part = parse_desired(raw, fmt, source=Path(name).name)
        if result is None:
            result = part
            given = {s: name for s in ("departments", "users", "tags")
                     if getattr(part, s) is not None}
            continue
        for section in ("departments", "users", "tags"):
            if getattr(part, section) is None:
                continue
            if section in given:
                raise DesiredStateError(
                    f"the {section} section is given by both {given[section]} and {name}",
                    where=name,
                )
            given[section] = name
            setattr(result, section, getattr(part, section))
        result.source = f"{result.source} + {part.source}"
    assert result is not None
    return result
