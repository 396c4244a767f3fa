"""One source record → one desired member (as a desired-state document item), per the mapping.

The mapping's ``members:`` block is compiled once (``MemberReader``); ``read(record)`` gives
the member, or the problems of that row, each naming the column it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..sync.desired.model import join_path
from . import mapping as m
from .base import Record, Value
from .mapping_file import KeyPath, LoadedMapping
from .transforms import (
    TransformError,
    compile_condition,
    compile_steps,
    compile_template,
    first_text,
    template_fields,
    to_boolean,
)

__all__ = ["TEXT_FIELDS", "MemberReader", "RowResult"]

TEXT_FIELDS = ("alias", "mobile", "email", "biz_mail", "position", "telephone", "address",
               "external_position")
_FLAGS = ("gender", "enable")  # fields that cannot be cleared by an empty value


@dataclass
class RowResult:
    """What one record gave: a member document, or problems (column label, message)."""

    kind: Literal["member", "leaver", "dropped", "filtered"]
    user: dict[str, Any] | None = None
    problems: list[tuple[str | None, str]] = field(default_factory=list)
    leader_keys: list[str] = field(default_factory=list)
    match_key: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass
class _Field:
    label: str  # the column (or template) the value came from, for messages
    get: Callable[[Record], Value]
    required: bool = False


class MemberReader:
    """The compiled ``members:`` block of a mapping."""

    def __init__(self, lm: LoadedMapping) -> None:
        self._lm = lm
        spec = lm.mapping.members
        self.spec = spec
        self.referenced: dict[str, KeyPath] = {}  # source field → where the mapping names it
        self.columns: dict[str, str] = {}  # WeCom field → label, for schema errors
        self.fields: dict[str, _Field] = {}
        for name in ("userid", "name", *TEXT_FIELDS, *_FLAGS, "leader"):
            value = getattr(spec, name)
            if value is not None:
                self.fields[name] = self._field(value, ("members", name))
                self.columns[name] = self.fields[name].label
        self.extattr = {attr: self._field(value, ("members", "extattr", attr))
                        for attr, value in spec.extattr.items()}
        self.drop = [self._condition(c, ("members", "drop", i)) for i, c in enumerate(spec.drop)]
        self.only = [self._condition(c, ("members", "only", i)) for i, c in enumerate(spec.only)]
        self.leavers = [self._condition(c, ("members", "leavers", "when", i))
                        for i, c in enumerate(spec.leavers.when)] if spec.leavers else []
        self.department = spec.department
        self._joined: dict[tuple[str, ...], str] = {}  # the same paths recur on every row
        self._dept_steps = None
        if spec.department is not None:
            d = spec.department
            for key in ("path", "id"):
                if getattr(d, key) is not None:
                    self.referenced.setdefault(getattr(d, key), ("members", "department", key))
            for i, level in enumerate(d.levels or ()):
                self.referenced.setdefault(level, ("members", "department", "levels", i))
            self.columns["departments"] = d.path or d.id or "/".join(d.levels or ())
            self._dept_steps = compile_steps(d.transforms, base_dir=lm.base_dir, where=lambda i:
                                             lm.where(("members", "department", "transforms", i)))
        if spec.direct_leader is not None:
            self.referenced.setdefault(spec.direct_leader.column, ("members", "direct_leader"))
            if spec.direct_leader.match:
                self.referenced.setdefault(spec.direct_leader.match,
                                           ("members", "direct_leader", "match"))
            self.columns["direct_leader"] = spec.direct_leader.column
        self._tag_steps = None
        if spec.tags is not None:
            self.referenced.setdefault(spec.tags.column, ("members", "tags", "column"))
            self._tag_steps = compile_steps(spec.tags.transforms, base_dir=lm.base_dir,
                                            where=lambda i: lm.where(("members", "tags",
                                                                      "transforms", i)))

    def _field(self, value: m.FieldValue, path: KeyPath) -> _Field:
        spec = m.FieldSpec(column=value) if isinstance(value, str) else value
        get: Callable[[Record], Value]
        if spec.column is not None:
            column = spec.column
            self.referenced.setdefault(column, (*path, "column") if not isinstance(value, str)
                                       else path)
            label = column

            def get(record: Record) -> Value:
                return record.get(column)
        elif spec.template is not None:
            for name in template_fields(spec.template):
                self.referenced.setdefault(name, (*path, "template"))
            get = compile_template(spec.template, self._lm.where((*path, "template")))
            label = "+".join(template_fields(spec.template))  # the columns it reads
        else:
            constant = spec.value

            def get(record: Record) -> Value:
                return constant
            label = f"value {constant!r}"
        if not spec.transforms and spec.default is None:
            return _Field(label, get, spec.required)  # first_text trims: the common case
        steps = compile_steps(spec.transforms, base_dir=self._lm.base_dir,
                              where=lambda i: self._lm.where((*path, "transforms", i)))
        default = spec.default

        def run(record: Record) -> Value:
            result = steps(_trimmed(get(record)), record)
            if (result is None or result == "" or result == []) and default is not None:
                return default
            return result
        return _Field(label, run, spec.required)

    def _condition(self, cond: m.Condition, path: KeyPath) -> Callable[[Record], bool]:
        self.referenced.setdefault(cond.column, (*path, "column"))
        return compile_condition(cond, self._lm.where(path))

    def read(self, record: Record) -> RowResult:
        if any(test(record) for test in self.drop):
            return RowResult("dropped")
        leaver = bool(self.leavers) and all(test(record) for test in self.leavers)
        if leaver and self.spec.leavers is not None and self.spec.leavers.action == "delete":
            return RowResult("leaver")
        if not leaver and not all(test(record) for test in self.only):
            return RowResult("filtered")
        result = RowResult("leaver" if leaver else "member")
        user: dict[str, Any] = {}
        clear = self.spec.empty == "clear"
        for name, spec in self.fields.items():
            text = self._text(spec, record, result)
            if text is None:
                if name in ("userid", "name") or spec.required:
                    result.problems.append((spec.label, f"{name} is empty"))
                elif clear and name not in _FLAGS and name != "leader":
                    user[name] = ""
                continue
            if name in ("leader", "enable"):
                try:
                    text = to_boolean(text)
                except TransformError as exc:
                    result.problems.append((spec.label, str(exc)))
                    continue
            user[name] = text
        attrs = []
        for attr, spec in self.extattr.items():
            text = self._text(spec, record, result)
            if text is not None or clear:
                attrs.append({"type": 0, "name": attr, "text": {"value": text or ""}})
        if attrs:
            user["extattr"] = {"attrs": attrs}
        leader = user.pop("leader", None) == "1"
        if leaver:
            user["enable"] = "0"
        departments = self._departments(record, result)
        if departments:
            user["departments"] = [{"department": d, "leader": leader} if "leader" in
                                   self.fields else d for d in departments]
        self._links(record, result)
        if not result.problems:
            result.user = user
        return result

    def _text(self, spec: _Field, record: Record, result: RowResult) -> str | None:
        try:
            return first_text(spec.get(record))
        except TransformError as exc:
            result.problems.append((spec.label, str(exc)))
            return None

    def _departments(self, record: Record, result: RowResult) -> list[str | int]:
        d = self.department
        if d is None or self._dept_steps is None:
            return []
        label = self.columns["departments"]
        try:
            if d.levels is not None:
                names = [first_text(self._dept_steps(_trimmed(record.get(c)), record)) or ""
                         for c in d.levels]
                while names and not names[-1]:
                    names.pop()
                if "" in names:
                    gap = d.levels[names.index("")]
                    raise TransformError(f"level {gap} is empty but a deeper level is not")
                paths = [names] if names else []
            else:
                raw = record.get(d.path or d.id or "")
                items = raw if isinstance(raw, list) else (raw or "").split(d.list_separator)
                items = [i.strip() for i in items if i and i.strip()]
                values = self._dept_steps(items, record) or []
                items = values if isinstance(values, list) else [values]
                if d.id is not None:
                    return [_dept_id(i) for i in items]
                paths = [[p.strip() for p in i.split(d.separator)] for i in items]
        except TransformError as exc:
            result.problems.append((label, str(exc)))
            return []
        root = [d.root] if d.root else []
        return [self._join(tuple(root + p)) for p in paths]

    def _join(self, parts: tuple[str, ...]) -> str:
        joined = self._joined.get(parts)
        if joined is None:
            joined = self._joined[parts] = join_path(parts)
        return joined

    def _links(self, record: Record, result: RowResult) -> None:
        spec = self.spec
        leader = spec.direct_leader
        if leader is not None:
            raw = _trimmed(record.get(leader.column))
            items = raw if isinstance(raw, list) else (raw or "").split(leader.separator)
            result.leader_keys = [i.strip() for i in items if i.strip()]
            if leader.match:
                result.match_key = first_text(record.get(leader.match))
        if spec.tags is not None and self._tag_steps is not None:
            raw = _trimmed(record.get(spec.tags.column))
            items = raw if isinstance(raw, list) else (raw or "").split(spec.tags.separator)
            try:
                tags = self._tag_steps([i.strip() for i in items if i.strip()], record) or []
            except TransformError as exc:
                result.problems.append((spec.tags.column, str(exc)))
                return
            result.tags = tags if isinstance(tags, list) else [tags]


def _trimmed(value: Value) -> Value:
    if isinstance(value, list):
        return [v.strip(" \t\u3000\u00a0") for v in value]
    return value.strip(" \t\u3000\u00a0") if value is not None else None


def _dept_id(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise TransformError(f"{text!r} is not a department id (a whole number from 1)")
    return int(text)
