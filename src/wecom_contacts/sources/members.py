"""Source records → desired members, per the mapping, checked as a document's user is.

The mapping's ``members:`` block is compiled once (``MemberReader``) into one converter per
field: the source value → its transforms → the desired-state schema's check of that field
(``sync.desired.schema.check_member_field``: the one place each rule is decided). Records
are read a batch at a time (``read_batch``) and each field over its whole column
(``columns``): a value the column held before is not converted or checked again. A field
with a plug-in step (which sees the whole record) is converted row by row. The members are
then made in one pass over the rows (``member_rows``), with every problem of a row naming
its column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..sync.desired.model import DeptRef, join_path
from ..sync.desired.schema import (
    SchemaError,
    check_department_count,
    check_member_column,
    check_member_field,
    department_ref,
)
from . import mapping as m
from .base import Batch, Record, SourceError, Value
from .columns import MEMO_LIMIT, RowWise, ValueWise, keys
from .department_records import DepartmentRecords
from .mapping_file import KeyPath, LoadedMapping
from .member_rows import TEXT_FIELDS, BatchResult, Field, Links, make_members
from .transforms import (
    _SPACES,
    COLUMN_FORMS,
    TransformError,
    compile_steps,
    compile_template_column,
    compile_template_values,
    compile_value_test,
    first_text,
    template_fields,
    text_steps,
    to_boolean,
)

__all__ = ["TEXT_FIELDS", "BatchResult", "MemberReader"]

_FLAGS = ("gender", "enable")
_NO_RECORD = Record({}, "")  # what pure steps are given (they never look at the record)

Column = Callable[[Batch], tuple[list[Any], bool]]  # a batch → (results, any Failed)


def _pure(steps: list[m.Step]) -> bool:
    """Steps whose result depends on the value alone (a plug-in also sees the record)."""
    return not any(isinstance(s, m.PythonStep) for s in steps)


def _value(key: Any) -> Value:
    """A memo key back to the value it stands for (a tuple was a list)."""
    return list(key) if type(key) is tuple else key


def _converted(fn: Callable[[Any, Record], Any], pure: bool,
               source: Callable[[Batch], list[Any]],
               convert: Callable[[list[str]], list[Any] | None] | None = None) -> Column:
    """The column function of ``fn(key, record)`` over the keys ``source`` gives;
    ``convert``: ``fn`` over a column of non-empty trimmed texts at once, when it can."""
    if pure:  # fn's record defaults to _NO_RECORD
        each = ValueWise(fn, _bulk(convert, fn) if convert is not None else None)  # type: ignore[arg-type]
        return lambda batch: each(source(batch))
    rows = RowWise(fn)
    return lambda batch: rows(source(batch), batch)


def _bulk(convert: Callable[[list[str]], list[Any] | None],
          fn: Callable[[Any], Any]) -> Callable[[list[Any]], list[Any] | None]:
    """``fn`` over a column through ``convert``: the values trimmed, an empty one given what
    ``fn`` gives it; None (value by value) when a value is not text or ``convert`` cannot
    say (a value it would refuse or change)."""
    def bulk(column: list[Any]) -> list[Any] | None:
        try:
            texts = [v.strip(_SPACES) for v in column]
        except AttributeError:  # None, or a list of values
            return None
        try:
            if "" not in texts:
                return convert(texts)
            done = convert([t for t in texts if t]) if any(texts) else []
            if done is None:
                return None
            empty = fn("")
        except (TransformError, SchemaError):
            return None
        given = iter(done)
        return [next(given) if t else empty for t in texts]
    return bulk


@dataclass(slots=True)
class _Condition:
    test: ValueWise
    column: str

    def __call__(self, batch: Batch) -> list[bool]:
        return self.test(keys(batch, self.column))[0]


class MemberReader:
    """The compiled ``members:`` block of a mapping."""

    def __init__(self, lm: LoadedMapping) -> None:
        self._lm = lm
        spec = lm.mapping.members
        self.spec = spec
        self.referenced: dict[str, KeyPath] = {}  # source field → where the mapping names it
        self.columns: dict[str, str] = {}  # WeCom field → label, for messages
        self.fields: list[Field] = []
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
        # the members' fields other records name members by, kept per member: a department
        # record's heads (leaders_match), a tag record's members (members_match)
        self.match_fields: list[str] = []
        records = lm.mapping.departments.records
        tag_records = lm.mapping.tags.records if lm.mapping.tags is not None else None
        named: tuple[tuple[str | None, KeyPath], ...] = (
            (records.leaders_match if records is not None else None,
             ("departments", "records", "leaders_match")),
            (tag_records.members_match if tag_records is not None else None,
             ("tags", "records", "members_match")))
        for match, path in named:
            if match is not None:
                self.referenced.setdefault(match, path)
                if match not in self.match_fields:
                    self.match_fields.append(match)
        # the department records (keys → paths), read before the members
        self.department_records = DepartmentRecords()
        self._refs: Column | None = None
        if spec.department is not None:
            self._refs = self._department(spec.department)
        self._leader_keys: Callable[[Batch], list[Any]] | None = None
        self._match: str | None = None
        if spec.direct_leader is not None:
            leader = spec.direct_leader
            self.referenced.setdefault(leader.column, ("members", "direct_leader"))
            if leader.match:
                self.referenced.setdefault(leader.match, ("members", "direct_leader", "match"))
                self._match = leader.match
            self.columns["direct_leader"] = leader.column
            items = ValueWise(lambda key: _items(key, leader.separator))
            self._leader_keys = lambda batch: items(keys(batch, leader.column))[0]
        self._tags: Column | None = None
        if spec.tags is not None:
            self.referenced.setdefault(spec.tags.column, ("members", "tags", "column"))
            self._tags = self._tag_reader(spec.tags)

    def _steps(self, steps: list[m.Step], path: KeyPath) -> Any:
        return compile_steps(steps, base_dir=self._lm.base_dir,
                             where=lambda i: self._lm.where((*path, "transforms", i)))

    def _field(self, name: str, value: m.FieldValue, path: KeyPath,
               check_as: str | None) -> Field:
        spec = m.FieldSpec(column=value) if isinstance(value, str) else value
        source: Callable[[Batch], list[Any]]
        raw_of: Callable[[Any], Value] | None = None  # None: the key is the value
        render_column: Callable[[list[str]], list[str]] | None = None
        if spec.column is not None:
            column = spec.column
            self.referenced.setdefault(column, (*path, "column") if not isinstance(value, str)
                                       else path)
            label = column

            def source(batch: Batch) -> list[Any]:
                return keys(batch, column)
        elif spec.template is not None:
            names = template_fields(spec.template)
            for name_ in names:
                self.referenced.setdefault(name_, (*path, "template"))
            render = compile_template_values(spec.template, self._lm.where((*path, "template")))
            render_column = compile_template_column(spec.template,
                                                    self._lm.where((*path, "template")))
            label = "+".join(names)  # the columns it reads
            if len(names) == 1:
                def source(batch: Batch) -> list[Any]:
                    return keys(batch, names[0])

                def raw_of(key: Any) -> Value:
                    return render((_value(key),))
            else:
                def source(batch: Batch) -> list[Any]:
                    return list(zip(*(keys(batch, n) for n in names), strict=True))

                def raw_of(key: Any) -> Value:
                    return render([_value(k) for k in key])
        else:
            constant = spec.value

            def source(batch: Batch) -> list[Any]:
                return [constant] * len(batch)
            label = f"value {constant!r}"
        convert = _column_check(spec, check_as, render_column) \
            if spec.column is not None or render_column is not None else None
        return Field(name, label, _converted(self._finish(spec, path, check_as, raw_of),
                                             _pure(spec.transforms), source, convert),
                     spec.required)

    def _finish(self, spec: m.FieldSpec, path: KeyPath, check_as: str | None,
                raw_of: Callable[[Any], Value] | None) -> Callable[[Any, Record], Any]:
        """A key (the value, or what ``raw_of`` makes the value of) → the checked value,
        None when empty. Written out per case: it runs for every distinct value."""
        check = _checker(check_as)
        # a member field's check is called directly (check_member_field(name, text, path))
        member = check_as if check_as not in (None, "leader", "enable") else None
        where: KeyPath = (member,) if member else ()
        if spec.transforms or spec.default is not None:
            steps = self._steps(spec.transforms, path)
            default = spec.default

            def finish(key: Any, record: Record = _NO_RECORD) -> Any:
                raw = raw_of(key) if raw_of is not None else _value(key)
                result = steps(_trimmed(raw), record)
                if (result is None or result == "" or result == []) and default is not None:
                    result = default
                text = first_text(result)
                if text is None:
                    return None
                return check_member_field(member, text, where) if member else check(text)
            return finish

        def plain(key: Any, record: Record = _NO_RECORD) -> Any:  # the value, trimmed
            raw = raw_of(key) if raw_of is not None else key
            if type(raw) is str:
                raw = raw.strip(_SPACES)
                if not raw:
                    return None
                return check_member_field(member, raw, where) if member else check(raw)
            text = first_text(_value(raw))
            if text is None:
                return None
            return check_member_field(member, text, where) if member else check(text)
        return plain

    def _condition(self, cond: m.Condition, path: KeyPath) -> _Condition:
        self.referenced.setdefault(cond.column, (*path, "column"))
        test = compile_value_test(cond, self._lm.where(path))
        return _Condition(ValueWise(lambda key: test(_value(key))), cond.column)

    def _department(self, d: m.DepartmentSpec) -> Column:
        for key in ("path", "id", "key"):
            if getattr(d, key) is not None:
                self.referenced.setdefault(getattr(d, key), ("members", "department", key))
        for i, level in enumerate(d.levels or ()):
            self.referenced.setdefault(level, ("members", "department", "levels", i))
        records = self._lm.mapping.departments.records
        if d.key is not None and (records is None or records.key is None):
            raise SourceError("members.department.key names department records by their key: "
                              "set departments.records with key, parent and name",
                              where=self._lm.where(("members", "department", "key")),
                              field="key")
        self.columns["departments"] = d.path or d.id or d.key or "/".join(d.levels or ())
        steps = self._steps(d.transforms, ("members", "department"))
        root = [d.root] if d.root else []
        known: dict[DeptRef, DeptRef] = {}

        def check(ref: DeptRef) -> DeptRef:
            found = known.get(ref)
            if found is None:
                found = department_ref(ref, ("departments",))
                if len(known) < MEMO_LIMIT:
                    known[ref] = found
            return found

        def refs(raw: Any, record: Record = _NO_RECORD) -> list[DeptRef]:
            paths: list[list[str]]
            if d.levels is not None:
                names = [first_text(steps(_trimmed(_value(r)), record)) or "" for r in raw]
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
                    return [check(_dept_id(i)) for i in items]
                if d.key is not None:
                    keyed: list[DeptRef] = [self._keyed_path(i) for i in items]
                    if keyed:
                        check_department_count(keyed, ("departments",))
                    return keyed
                paths = [[p.strip() for p in i.split(d.separator)] for i in items]
            found = [check(join_path(tuple(root + p))) for p in paths]
            if found:
                check_department_count(found, ("departments",))
            return found

        columns = d.levels or [d.path or d.id or d.key or ""]
        if d.levels is not None:
            def source(batch: Batch) -> list[Any]:
                return list(zip(*(keys(batch, c) for c in columns), strict=True))
        else:
            def source(batch: Batch) -> list[Any]:
                return keys(batch, columns[0])
        return _converted(refs, _pure(d.transforms), source)

    def _keyed_path(self, key: str) -> str:
        """The path of the department record ``key`` names (read before the members)."""
        records = self.department_records
        path = records.keys.get(key)
        if path is None:
            if key in records.dropped:
                raise TransformError(f"the department record with the key {key!r} is left out "
                                     "(departments.records.drop)")
            if key in records.unplaced:
                raise TransformError(f"the department record with the key {key!r} has a "
                                     "problem (see its row)")
            raise TransformError(f"no department record has the key {key!r}")
        return path

    def _tag_reader(self, spec: m.TagsSpec) -> Column:
        steps = self._steps(spec.transforms, ("members", "tags"))

        def tags(raw: Any, record: Record = _NO_RECORD) -> list[str]:
            found = steps(_items(raw, spec.separator), record) or []
            return found if isinstance(found, list) else [found]
        return _converted(tags, _pure(spec.transforms), lambda batch: keys(batch, spec.column))

    def read_batch(self, batch: Batch) -> BatchResult:
        """The members of a batch of records, and the problems of its rows."""
        result = BatchResult()
        kept, leavers = self._kept(batch, result)
        if kept is not None:
            batch = batch.select(kept)
        if not len(batch):
            return result
        links = Links(
            refs=self._refs(batch) if self._refs is not None else None,
            leader_keys=self._leader_keys(batch) if self._leader_keys is not None else None,
            match_keys=[first_text(v) for v in batch.column(self._match)]
            if self._match is not None else None,
            tags=self._tags(batch) if self._tags is not None else None,
            tags_label=self.spec.tags.column if self.spec.tags is not None else None,
            match_fields={name: [first_text(v) for v in batch.column(name)]
                          for name in self.match_fields})
        make_members(batch, [(f, f.column(batch)) for f in self.fields],
                     [(f, f.column(batch)) for f in self.extattr], leavers, links,
                     self.spec.empty == "clear", self.columns, result)
        return result

    def _kept(self, batch: Batch, result: BatchResult) -> tuple[list[int] | None, list[bool]]:
        """(the rows kept, None for all; whether each kept row is a leaver), counted."""
        n = len(batch)
        drop = [test(batch) for test in self.drop]
        leave = [test(batch) for test in self.leavers]
        only = [test(batch) for test in self.only]
        leaver = [all(row) for row in zip(*leave, strict=True)] if leave else None
        if not any(True in d for d in drop) and (leaver is None or True not in leaver) and \
                not any(False in o for o in only):
            result.counts["members"] += n
            return None, []
        delete = self.spec.leavers is not None and self.spec.leavers.action == "delete"
        kept: list[int] = []
        flags: list[bool] = []
        counts = result.counts
        for i in range(n):
            if any(d[i] for d in drop):
                counts["dropped"] += 1
                continue
            gone = leaver is not None and leaver[i]
            if gone and delete:
                counts["leavers"] += 1
                continue
            if not gone and not all(o[i] for o in only):
                counts["filtered"] += 1
                continue
            counts["leavers" if gone else "members"] += 1
            kept.append(i)
            flags.append(gone)
        return kept, flags if any(flags) else []


def _column_check(spec: m.FieldSpec, check_as: str | None,
                  render: Callable[[list[str]], list[str]] | None
                  ) -> Callable[[list[str]], list[Any] | None] | None:
    """What ``_finish`` gives a column of non-empty trimmed texts, in a few passes (None:
    value by value): a member text field whose steps each take one text, without default."""
    if check_as not in ("userid", "name", *TEXT_FIELDS) or spec.default is not None:
        return None
    steps = text_steps(spec.transforms)
    if steps is None:
        return None
    field = check_as

    def convert(texts: list[str]) -> list[Any] | None:
        if render is not None:
            texts = render(texts)
            if steps:  # what _finish trims between the template and the steps
                texts = [t.strip(_SPACES) for t in texts]
        for fn in steps:
            if "" in texts:
                return None  # an empty value stops the steps: value by value
            whole = COLUMN_FORMS.get(fn)
            texts = whole(texts) if whole is not None else \
                list(map(fn, texts))  # type: ignore[arg-type]  # None is caught below
        if None in texts or "" in texts:
            return None
        return check_member_column(field, texts)
    return convert


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
