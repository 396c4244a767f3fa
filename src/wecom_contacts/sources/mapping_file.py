"""Reading a mapping file: YAML → MappingFile, with every mistake named by its line."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .._textio import TextDecodeError, decode_text
from . import mapping as m
from .base import InputSpec, SourceError

__all__ = ["KeyPath", "LoadedMapping", "is_mapping_document", "load_mapping", "parse_mapping"]

KeyPath = tuple[str | int, ...]
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})

@dataclass(frozen=True)
class LoadedMapping:
    """A checked mapping file and how to name its lines."""

    mapping: m.MappingFile
    source: str  # the file's name, for messages
    base_dir: Path
    _node: yaml.Node | None

    def where(self, path: KeyPath) -> str:
        """``"hr.yaml, line 12"`` for a key path (as deep as the file has it)."""
        return f"{self.source}, line {_line(self._node, path)}" if self._node else self.source

    def line(self, path: KeyPath) -> int:
        return _line(self._node, path)

    def input_spec(self) -> InputSpec:
        block = self.mapping.input
        options = {k: v for k, v in (block.model_extra or {}).items()}
        return InputSpec(block.type, options, base_dir=self.base_dir,
                         where=self.where(("input",)),
                         locate=lambda key: self.where(("input", key) if key else ("input",)))

def _construct(node: yaml.Node) -> Any:
    """Plain data with every scalar as the text written (no YAML 1.1 yes/no or number
    guessing: 是: yes stays "yes", an employee number 007 stays "007"); null stays None."""
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key, value in node.value:
            name = str(_construct(key))
            if name in result:
                raise SourceError(f"the key {name!r} appears twice in one mapping",
                                  where=f"line {key.start_mark.line + 1}", field=name)
            result[name] = _construct(value)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item) for item in node.value]
    text = str(node.value)
    if node.tag == "tag:yaml.org,2002:null" or (getattr(node, "style", None) is None
                                                and text in _NULLS):
        return None
    return text

def _line(node: yaml.Node | None, path: KeyPath) -> int:
    if node is None:
        return 1
    line = int(node.start_mark.line) + 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(step):
                    line, node = int(key.start_mark.line) + 1, value
                    break
            else:
                continue  # a union branch name in a pydantic location: skip it
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                and step < len(node.value):
            node = node.value[step]
            line = int(node.start_mark.line) + 1
    return line

def _depth(node: yaml.Node | None, path: KeyPath) -> int:
    depth = 0
    for step in path:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == str(step)), None)
            if found is None:
                continue
            node, depth = found, depth + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                and step < len(node.value):
            node, depth = node.value[step], depth + 1
    return depth

def _all_keys() -> list[str]:
    names: set[str] = set()
    for obj in vars(m).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            for name, info in obj.model_fields.items():
                names.add(info.alias or name)
    return sorted(names)

_TYPE_ERRORS = frozenset({"string_type", "dict_type", "model_type", "list_type",
                          "literal_error", "model_attributes_type"})

def _message(error: Any) -> str:
    kind = error["type"]
    key = error["loc"][-1] if error["loc"] else ""
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(key), _all_keys(), n=1, cutoff=0.6)
        hint = f": did you mean {close[0]!r}?" if close else ""
        return f"unknown key {key!r}{hint}"
    if kind == "missing":
        return f"{key!r} is required here"
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")

def _best(errors: list[Any], node: yaml.Node) -> Any:
    """Of a union's errors, the one about what the user meant: the deepest in the file,
    and a wrong key or value rather than "not a string" for the other branch."""
    return max(errors, key=lambda e: (_depth(node, e["loc"]), e["type"] not in _TYPE_ERRORS,
                                      -len(e["loc"])))

def parse_mapping(text: str, *, source: str, base_dir: Path | None = None) -> LoadedMapping:
    """A mapping file's text → a checked mapping; SourceError naming the line otherwise."""
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}, line {mark.line + 1}, column {mark.column + 1}" if mark else source
        raise SourceError(f"invalid YAML: {exc.problem or exc.context}", where=where) from None
    finally:
        loader.dispose()
    if node is None:
        raise SourceError("the mapping file is empty", where=source)
    try:
        data = _construct(node)
    except SourceError as exc:
        raise SourceError(exc.message, where=f"{source}, {exc.where}", field=exc.field) from None
    if not isinstance(data, dict):
        raise SourceError("a mapping file is a YAML mapping (input:, members:, …)",
                          where=f"{source}, line 1")
    try:
        mapping = m.MappingFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        best = _best(errors, node)
        more = len({e["loc"][:2] for e in errors} - {best["loc"][:2]})
        tail = f" (and {more} more problem(s))" if more else ""
        field = next((str(s) for s in reversed(best["loc"]) if isinstance(s, str)), None)
        raise SourceError(_message(best) + tail, where=f"{source}, line {_line(node, best['loc'])}",
                          field=field) from None
    return LoadedMapping(mapping, source, base_dir or Path("."), node)

def load_mapping(path: str | os.PathLike[str]) -> LoadedMapping:
    """Read a mapping file (any encoding the toolkit reads)."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the mapping file: {exc.strerror}",
                          where=str(path)) from None
    try:
        text = decode_text(raw, source=file.name).text
    except TextDecodeError as exc:
        raise SourceError(exc.reason, where=_decode_where(exc)) from None
    return parse_mapping(text, source=file.name, base_dir=file.parent)

def _decode_where(exc: TextDecodeError) -> str:
    return f"{exc.source}, line {exc.line}" if exc.line is not None else exc.source

def is_mapping_document(text: str) -> bool:
    """Whether a YAML text is a mapping file (a top-level ``input:`` key) rather than a
    desired-state document (which has no such key): told without parsing a large file."""
    return re.search(r"(?m)^(input|[\"']input[\"'])[ \t]*:", text) is not None
