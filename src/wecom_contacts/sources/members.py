"""One source record → one desired member, per the mapping, checked as a document's user is.

The mapping's ``members:`` block is compiled once (``MemberReader``) into one converter per
field: the source value → its transforms → the desired-state schema's check of that field
(``sync.desired.schema.check_member_field``: the one place each rule is decided). A value
seen before in that field is not converted again (a department path, a gender word, a
status recurs on every row; a column of unique values — names, mobiles — stops being
remembered after ``_MEMO_LIMIT`` values). ``read(record)`` gives the member, or the problems
of that row, each naming the column it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from ..sync.desired.model import DeptRef, DesiredUser, join_path
from ..sync.desired.schema import (
    SchemaError,
    check_department_count,
    check_member_field,
    department_ref,
)
from . import mapping as m
from .base import Record, Value
from .mapping_file import KeyPath, LoadedMapping
from .transforms import (
    _SPACES,
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
_MEMO_LIMIT = 4096  # values remembered per field
_MISSING: Any = object()
_NO_RECORD = Record({}, "")  # what pure steps are given (they never look at the record)
T = TypeVar("T")


def _memo(fn: Callable[[Any], T]) -> Callable[[Any], T]:
    """``fn`` remembering its first ``_MEMO_LIMIT`` results (an error is never remembered)."""
    seen: dict[Any, T] = {}

    def run(key: Any) -> T:
        found = seen.get(key, _MISSING)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        result = fn(key)
        if len(seen) < _MEMO_LIMIT:
            seen[key] = result
        return result
    return run


def _hashable(value: Value) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _pure(steps: list[m.Step]) -> bool:
    """Steps whose result depends on the value alone (a plug-in also sees the record)."""
    return not any(isinstance(s, m.PythonStep) for s in steps)


@dataclass(slots=True)
class RowResult:
    """What one record gave: a member, or problems (column label, message)."""

    kind: Literal["member", "leaver", "dropped", "filtered"]
    user: DesiredUser | None = None
    problems: list[tuple[str | None, str]] = field(default_factory=list)
    refs: list[DeptRef] | None = None  # the member's departments, checked
    leader: bool = False  # leader in those departments
    leader_keys: Sequence[str] = ()
    match_key: str | None = None
    tags: Sequence[str] = ()


@dataclass(slots=True)
class _Field:
    name: str
    label: str  # the column (or template) the value came from, for messages
    convert: Callable[[Record], Any]  # → the checked value, None when empty; or raises
    required: bool = False


class MemberReader:
    """The compiled ``members:`` block of a mapping."""

    def __init__(self, lm: LoadedMapping) -> None:
        self._lm = lm
        spec = lm.mapping.members
        self.spec = spec
        self.referenced: dict[str, KeyPath] = {}  # source field → where the mapping names it
        self.columns: dict[str, str] = {}  # WeCom field → label, for messages
        self.fields: list[_Field] = []
        for name in ("userid", "name", *TEXT_FIELDS, *_FLAGS, "leader"):
            value = getattr(spec, name)
            if value is not None:
                self.fields.append(self._field(name, value, ("members", name), name))
                self.columns[name] = self.fields[-1].label
        self.extattr = [self._field(attr, value, ("members", "extattr", attr), None)
                        for attr, value in spec.extattr.items()]
        self.drop = [self._condition(c, ("members", "drop", i)) for i, c in enumerate(spec.drop)]
        self.only = [self._condition(c, ("members", "only", i)) for i, c in enumerate(spec.only)]
        self.leavers = [self._condition(c, ("members", "leavers", "when", i))
                        for i, c in enumerate(spec.leavers.when)] if spec.leavers else []
        self.department = spec.department
        self._refs: Callable[[Record], list[DeptRef]] | None = None
        if spec.department is not None:
            self._refs = self._department(spec.department)
        self._leader_keys: Callable[[Any], list[str]] | None = None
        if spec.direct_leader is not None:
            self.referenced.setdefault(spec.direct_leader.column, ("members", "direct_leader"))
            if spec.direct_leader.match:
                self.referenced.setdefault(spec.direct_leader.match,
                                           ("members", "direct_leader", "match"))
            self.columns["direct_leader"] = spec.direct_leader.column
            separator = spec.direct_leader.separator
            self._leader_keys = _memo(lambda raw: _items(raw, separator))
        self._tags: Callable[[Record], list[str]] | None = None
        if spec.tags is not None:
            self.referenced.setdefault(spec.tags.column, ("members", "tags", "column"))
            self._tags = self._tag_reader(spec.tags)

    def _steps(self, steps: list[m.Step], path: KeyPath) -> Any:
        return compile_steps(steps, base_dir=self._lm.base_dir,
                             where=lambda i: self._lm.where((*path, "transforms", i)))

    def _field(self, name: str, value: m.FieldValue, path: KeyPath,
               check_as: str | None) -> _Field:
        spec = m.FieldSpec(column=value) if isinstance(value, str) else value
        get: Callable[[Record], Value]
        pure_column: str | None = None
        if spec.column is not None:
            column = spec.column
            self.referenced.setdefault(column, (*path, "column") if not isinstance(value, str)
                                       else path)
            label = column
            pure_column = column if _pure(spec.transforms) else None

            def get(record: Record) -> Value:
                return record.values.get(column)
        elif spec.template is not None:
            for source in template_fields(spec.template):
                self.referenced.setdefault(source, (*path, "template"))
            get = compile_template(spec.template, self._lm.where((*path, "template")))
            label = "+".join(template_fields(spec.template))  # the columns it reads
        else:
            constant = spec.value

            def get(record: Record) -> Value:
                return constant
            label = f"value {constant!r}"
        check = _checker(check_as)
        finish: Callable[[Value, Record], Any]
        if spec.transforms or spec.default is not None:
            steps = self._steps(spec.transforms, path)
            default = spec.default

            def finish(raw: Value, record: Record = _NO_RECORD) -> Any:
                result = steps(_trimmed(raw), record)
                if (result is None or result == "" or result == []) and default is not None:
                    result = default
                text = first_text(result)
                return None if text is None else check(text)
        else:  # the common case: the value, trimmed
            def finish(raw: Value, record: Record = _NO_RECORD) -> Any:
                if type(raw) is str:
                    raw = raw.strip(_SPACES)
                    return check(raw) if raw else None
                text = first_text(raw)
                return None if text is None else check(text)

        if pure_column is not None:  # the same cell value always gives the same result
            seen: dict[Value, Any] = {}  # _memo, written out: this runs for every cell

            def convert(record: Record) -> Any:
                raw = record.values.get(pure_column)
                found = seen.get(raw, _MISSING) if type(raw) is not list else _MISSING
                if found is _MISSING:
                    found = finish(raw, record)
                    if len(seen) < _MEMO_LIMIT and type(raw) is not list:
                        seen[raw] = found
                return found
        else:
            def convert(record: Record) -> Any:
                return finish(get(record), record)
        return _Field(name, label, convert, spec.required)

    def _condition(self, cond: m.Condition, path: KeyPath) -> Callable[[Record], bool]:
        self.referenced.setdefault(cond.column, (*path, "column"))
        test = compile_condition(cond, self._lm.where(path))
        column = cond.column
        known = _memo(lambda raw: test(Record({column: list(raw) if isinstance(raw, tuple)
                                                else raw}, "")))
        return lambda record: known(_hashable(record.values.get(column)))

    def _department(self, d: m.DepartmentSpec) -> Callable[[Record], list[DeptRef]]:
        for key in ("path", "id"):
            if getattr(d, key) is not None:
                self.referenced.setdefault(getattr(d, key), ("members", "department", key))
        for i, level in enumerate(d.levels or ()):
            self.referenced.setdefault(level, ("members", "department", "levels", i))
        self.columns["departments"] = d.path or d.id or "/".join(d.levels or ())
        steps = self._steps(d.transforms, ("members", "department"))
        root = [d.root] if d.root else []
        checked = _memo(lambda ref: department_ref(ref, ("departments",)))

        def refs(raw: Any, record: Record) -> list[DeptRef]:
            paths: list[list[str]]
            if d.levels is not None:
                names = [first_text(steps(_trimmed(r), record)) or "" for r in raw]
                while names and not names[-1]:
                    names.pop()
                if "" in names:
                    gap = d.levels[names.index("")]
                    raise TransformError(f"level {gap} is empty but a deeper level is not")
                paths = [names] if names else []
            else:
                items = list(raw) if isinstance(raw, tuple) else \
                    (raw or "").split(d.list_separator)
                items = [i.strip() for i in items if i and i.strip()]
                values = steps(items, record) or []
                items = values if isinstance(values, list) else [values]
                if d.id is not None:
                    return [checked(_dept_id(i)) for i in items]
                paths = [[p.strip() for p in i.split(d.separator)] for i in items]
            found = [checked(join_path(tuple(root + p))) for p in paths]
            if found:
                check_department_count(found, ("departments",))
            return found

        columns = d.levels or [d.path or d.id or ""]
        if not _pure(d.transforms):
            if d.levels is not None:
                return lambda record: refs([record.values.get(c) for c in columns], record)
            return lambda record: refs(_hashable(record.values.get(columns[0])), record)
        known = _memo(lambda raw: refs(raw, _NO_RECORD))
        if d.levels is not None:
            return lambda record: known(tuple(_hashable(record.values.get(c))
                                              for c in columns))
        return lambda record: known(_hashable(record.values.get(columns[0])))

    def _tag_reader(self, spec: m.TagsSpec) -> Callable[[Record], list[str]]:
        steps = self._steps(spec.transforms, ("members", "tags"))

        def tags(raw: Any, record: Record) -> list[str]:
            found = steps(_items(raw, spec.separator), record) or []
            return found if isinstance(found, list) else [found]
        if not _pure(spec.transforms):
            return lambda record: tags(_hashable(record.values.get(spec.column)), record)
        known = _memo(lambda raw: tags(raw, _NO_RECORD))
        return lambda record: known(_hashable(record.values.get(spec.column)))

    def read(self, record: Record) -> RowResult:
        for test in self.drop:
            if test(record):
                return RowResult("dropped")
        leaver = bool(self.leavers) and all(test(record) for test in self.leavers)
        if leaver and self.spec.leavers is not None and self.spec.leavers.action == "delete":
            return RowResult("leaver")
        for test in self.only:
            if not leaver and not test(record):
                return RowResult("filtered")
        result = RowResult("leaver" if leaver else "member")
        problems = result.problems
        fields: dict[str, Any] = {}
        clear = self.spec.empty == "clear"
        for spec in self.fields:
            try:
                value = spec.convert(record)
            except (TransformError, SchemaError) as exc:
                problems.append((spec.label, _message(exc)))
                continue
            name = spec.name
            if value is None:
                if name in ("userid", "name") or spec.required:
                    problems.append((spec.label, f"{name} is empty"))
                elif clear and name not in _FLAGS and name != "leader":
                    fields[name] = ""
                continue
            fields[name] = value
        result.leader = fields.pop("leader", None) == "1"
        userid = fields.pop("userid", None)
        if leaver:
            fields["enable"] = False
        attrs = []
        for spec in self.extattr:
            try:
                text = spec.convert(record)
            except (TransformError, SchemaError) as exc:
                problems.append((spec.label, _message(exc)))
                continue
            if text is not None or clear:
                attrs.append({"type": 0, "name": spec.name, "text": {"value": text or ""}})
        if attrs:
            try:
                fields["extattr"] = check_member_field("extattr", {"attrs": attrs},
                                                       ("extattr",))
            except SchemaError as exc:
                problems.append((None, exc.message))
        if self._refs is not None:
            try:
                result.refs = self._refs(record) or None
            except (TransformError, SchemaError) as exc:
                problems.append((self.columns["departments"], _message(exc)))
        self._links(record, result)
        if not problems and userid is not None:
            result.user = DesiredUser(userid, fields, origin=record.where)
        return result

    def _links(self, record: Record, result: RowResult) -> None:
        spec = self.spec
        if self._leader_keys is not None and spec.direct_leader is not None:
            leader = spec.direct_leader
            result.leader_keys = self._leader_keys(_hashable(record.values.get(leader.column)))
            if leader.match:
                result.match_key = first_text(record.values.get(leader.match))
        if self._tags is not None and spec.tags is not None:
            try:
                result.tags = self._tags(record)
            except TransformError as exc:
                result.problems.append((spec.tags.column, str(exc)))


def _checker(name: str | None) -> Callable[[str], Any]:
    """The check of one field's text: the schema's for member fields,
    yes/no for ``leader``, none for a custom attribute (its text is checked as a whole)."""
    if name is None:
        return lambda text: text
    if name == "leader":
        return to_boolean
    path = (name,)
    if name == "enable":
        return lambda text: check_member_field(name, to_boolean(text), path)
    return lambda text: check_member_field(name, text, path)


def _message(exc: TransformError | SchemaError) -> str:
    return exc.message if isinstance(exc, SchemaError) else str(exc)


def _items(raw: Any, separator: str) -> list[str]:
    """A list cell's items, trimmed, the empty ones dropped (a tuple: a multi-valued field)."""
    if raw is None:
        return []
    items = list(raw) if isinstance(raw, tuple) else raw.split(separator)
    return [t for t in (i.strip() for i in items) if t]


def _trimmed(value: Value) -> Value:
    if isinstance(value, (list, tuple)):
        return [v.strip(_SPACES) for v in value]
    return value.strip(_SPACES) if value is not None else None


def _dept_id(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise TransformError(f"{text!r} is not a department id (a whole number from 1)")
    return int(text)
