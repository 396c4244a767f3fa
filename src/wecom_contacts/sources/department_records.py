"""A source's department records through ``departments.records`` → the departments they name.

HR keeps departments in a table of their own: an SQL ``departments`` query, each row one
department, named by its path (``总部/研发中心``) or, as HR schemas usually do, by a key and
its parent's key (an adjacency list: ``id``, ``parent_id``, ``name``). The records give the
departments no member names yet (a new team before its first hire), their order among their
siblings and their English names; members may then name their department by its key
(``members.department.key``).

The records are read completely before the members. A record that cannot be placed (an
empty name, a parent key no record has, a loop of parents, a key or a path given twice, an
order that is not a whole number) is a problem naming its row and column; the departments
it would have made are left out, and a member naming it by key is a problem too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .._fieldrules import department_name_problem
from ..sync.desired.model import DesiredDepartment, join_path
from ..sync.desired.schema import SchemaError, department_ref
from . import mapping as m
from .base import Record, Source, SourceError, unknown_column
from .mapping_file import LoadedMapping
from .transforms import TransformError, compile_value_test, first_text

__all__ = ["DepartmentRecords", "read_department_records"]

_ORDER_MAX = 2**32 - 1  # WeCom's order is an unsigned 32-bit number
_PATH = ("departments", "records")


@dataclass
class DepartmentRecords:
    """What the records gave: departments (parents first), keys, problems."""

    departments: list[DesiredDepartment] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # record key → the department's path
    unplaced: set[str] = field(default_factory=set)  # keys of records with a problem
    dropped: set[str] = field(default_factory=set)  # keys of records left out by drop
    # each department with heads named, and their keys (as the records give them)
    heads: list[tuple[DesiredDepartment, list[str]]] = field(default_factory=list)
    problems: list[tuple[str, str, str | None]] = field(default_factory=list)
    count: int = 0  # records read

    @property
    def root(self) -> str | None:
        return self.departments[0].path[0] if self.departments else None


@dataclass
class _Keyed:
    parent: str | None
    name: str
    record: Record
    department: DesiredDepartment


def _columns(spec: m.DepartmentRecordsSpec) -> dict[tuple[str | int, ...], str]:
    """Where in ``departments.records`` → the source column it names."""
    named: dict[tuple[str | int, ...], str] = {
        (k,): v for k in ("path", "key", "parent", "name", "order", "name_en", "id", "leaders")
        if (v := getattr(spec, k)) is not None}
    named.update({("drop", i, "column"): c.column for i, c in enumerate(spec.drop)})
    return named


def _check_columns(spec: m.DepartmentRecordsSpec, lm: LoadedMapping, source: Source) -> None:
    if "departments" not in source.entities:
        raise SourceError(f"{source.name} has no department records (departments.records "
                          "needs an input that gives them: an sql input's departments query, "
                          "a csv or xlsx input's departments file or sheet)",
                          where=lm.where(_PATH), field="records")
    known = source.fields("departments")
    if known is None:
        return
    for at, column in _columns(spec).items():
        if column not in known:
            raise unknown_column(column, known, "the department records",
                                 lm.where((*_PATH, *at)), their="their")


def _text(record: Record, column: str | None) -> str | None:
    if column is None:
        return None
    text = first_text(record.get(column))
    text = text.strip() if text is not None else None
    return text or None


def _order(text: str) -> int:
    if not text.isdigit() or int(text) > _ORDER_MAX:
        raise TransformError(f"order {text!r} is not a whole number from 0 to {_ORDER_MAX}")
    return int(text)


class _Reader:
    def __init__(self, spec: m.DepartmentRecordsSpec) -> None:
        self.spec = spec
        self.out = DepartmentRecords()
        self.by_path: dict[tuple[str, ...], DesiredDepartment] = {}
        self.keyed: dict[str, _Keyed] = {}
        self.key_parts: dict[str, tuple[str, ...]] = {}  # placed keyed records' paths

    def problem(self, record: Record | str, message: str, column: str | None) -> None:
        where = record if isinstance(record, str) else record.where
        self.out.problems.append((where, message, column))

    def department(self, record: Record, parts: tuple[str, ...] | None) -> DesiredDepartment:
        """The department of a record (its path filled in later for a keyed one), with its
        order, id, English name and heads; a bad value is a problem naming its column."""
        spec = self.spec
        dept = DesiredDepartment(parts or ("",), origin=record.where)
        order = _text(record, spec.order)
        if order is not None:
            try:
                dept.order = _order(order)
            except TransformError as exc:
                self.problem(record, str(exc), spec.order)
        dept_id = _text(record, spec.id)
        if dept_id is not None:
            if not dept_id.isdigit() or not 1 <= int(dept_id) <= _ORDER_MAX:
                self.problem(record, f"department id {dept_id!r} is not a whole number from 1",
                             spec.id)
            else:
                dept.id = int(dept_id)  # checked unique once placed (finish)
        if spec.leaders is not None:
            raw = record.get(spec.leaders)
            items = raw if isinstance(raw, list) else (raw or "").split(";")
            heads = [h.strip() for h in items if h and h.strip()]
            if heads:
                self.out.heads.append((dept, heads))
        name_en = _text(record, spec.name_en)
        if name_en is not None:
            problem = department_name_problem(name_en, allow_empty=True)
            if len(name_en) > 64:
                problem = "is longer than 64 characters"
            if problem is not None:
                self.problem(record, f"name_en {name_en!r} {problem}", spec.name_en)
            else:
                dept.name_en = name_en
        return dept

    def checked(self, record: Record, parts: tuple[str, ...], column: str | None) -> bool:
        """Whether the path is one a department may have (else a problem)."""
        try:
            department_ref(join_path(parts), ("departments",))
        except SchemaError as exc:
            self.problem(record, exc.message, column)
            return False
        return True

    def add(self, parts: tuple[str, ...], dept: DesiredDepartment, record: Record,
            column: str | None) -> bool:
        if parts in self.by_path and self.by_path[parts].origin != "implied":
            self.problem(record, f"department {join_path(parts)!r} is given twice (first at "
                         f"{self.by_path[parts].origin})", column)
            return False
        for depth in range(1, len(parts)):
            self.by_path.setdefault(parts[:depth],
                                    DesiredDepartment(parts[:depth], origin="implied"))
        dept.path = parts
        self.by_path[parts] = dept
        return True

    def by_path_record(self, record: Record) -> None:
        spec = self.spec
        assert spec.path is not None
        text = _text(record, spec.path)
        if text is None:
            self.problem(record, "the department's path is empty", spec.path)
            return
        parts = tuple(p.strip() for p in text.split(spec.separator))
        if spec.root is not None:
            parts = (spec.root, *parts)
        if self.checked(record, parts, spec.path):
            self.add(parts, self.department(record, parts), record, spec.path)

    def by_key_record(self, record: Record) -> None:
        spec = self.spec
        assert spec.key is not None and spec.name is not None
        key = _text(record, spec.key)
        name = _text(record, spec.name)
        if key is None:
            self.problem(record, "the department's key is empty", spec.key)
            return
        if key in self.keyed:
            self.problem(record, f"the key {key!r} is given twice (first at "
                         f"{self.keyed[key].record.where})", spec.key)
            return
        if name is None:
            self.problem(record, "the department's name is empty", spec.name)
            return
        parent = _text(record, spec.parent)
        self.keyed[key] = _Keyed(parent if parent != key else key, name, record,
                                 self.department(record, None))

    def place_keyed(self) -> None:
        """Each keyed record's path from its parents (problems: a missing parent, a loop)."""
        spec = self.spec
        paths: dict[str, tuple[str, ...] | None] = {}  # None: cannot be placed
        for start in self.keyed:
            chain: list[str] = []
            on_chain: set[str] = set()  # (a deep tree would make `in chain` quadratic)
            key: str | None = start
            while key is not None and key not in paths:
                if key in on_chain:  # a loop: every record on it is a problem
                    loop = chain[chain.index(key):]
                    for k in loop:
                        paths[k] = None
                        self.problem(self.keyed[k].record, "the parents loop back to this "
                                     f"department ({' → '.join([*loop, key])})", spec.parent)
                    break
                entry = self.keyed.get(key)
                if entry is None:  # a parent no record has (or one left out)
                    paths[chain[-1]] = None
                    self.problem(self.keyed[chain[-1]].record, f"the parent {key!r} is left "
                                 "out (departments.records.drop)" if key in self.out.dropped
                                 else f"no department record has the parent key {key!r}",
                                 spec.parent)
                    chain.pop()
                    break
                chain.append(key)
                on_chain.add(key)
                key = entry.parent
            # unwind: each one's path is its parent's and its name (None below a problem)
            for k in reversed(chain):
                if k in paths:
                    continue
                parent = self.keyed[k].parent
                above = paths.get(parent) if parent is not None else \
                    ((spec.root,) if spec.root is not None else ())
                paths[k] = None if above is None else (*above, self.keyed[k].name)
        for key, entry in self.keyed.items():
            parts = paths.get(key)
            if parts is not None and self.checked(entry.record, parts, spec.name) and \
                    self.add(parts, entry.department, entry.record, spec.name):
                self.key_parts[key] = parts
            else:
                self.out.unplaced.add(key)

    def finish(self) -> DepartmentRecords:
        out = self.out
        departments = sorted(self.by_path.values(), key=lambda d: len(d.path))
        given = [d for d in self.by_path.values() if d.origin != "implied"]  # record order
        root = given[0].path[0] if given else None
        told: set[str] = set()
        for dept in given:
            if dept.path[0] != root and dept.path[0] not in told:
                told.add(dept.path[0])
                self.problem(dept.origin, f"department {join_path(dept.path)!r} does not start "
                             f"with the root {root!r} of {given[0].origin}: all departments "
                             "share one root (departments.records.root puts the company's "
                             "root department in front of every one)",
                             self.spec.path or self.spec.name)
        out.departments = [d for d in departments if d.path[0] == root]
        ids: dict[int, str] = {}  # WeCom department id → the record giving it
        for dept in given:  # the placed records, in record order
            if dept.id is None or dept.path[0] != root:
                continue
            if (dept.id == 1) != (len(dept.path) == 1):
                self.problem(dept.origin, "department id 1 is the root department, and only "
                             "it", self.spec.id)
                dept.id = None
            elif dept.id in ids:
                self.problem(dept.origin, f"department id {dept.id} is given twice (first at "
                             f"{ids[dept.id]})", self.spec.id)
                dept.id = None
            else:
                ids[dept.id] = dept.origin
        for key, parts in self.key_parts.items():
            if parts[0] == root:
                out.keys[key] = join_path(parts)
            else:
                out.unplaced.add(key)
        return out


def read_department_records(spec: m.DepartmentRecordsSpec, lm: LoadedMapping,
                            source: Source) -> DepartmentRecords:
    """Every department record of ``source``, read to the end (SourceError when the source
    has none or the mapping names a column they lack)."""
    _check_columns(spec, lm, source)
    drop = [(compile_value_test(c, lm.where((*_PATH, "drop", i))), c.column)
            for i, c in enumerate(spec.drop)]
    reader = _Reader(spec)
    place: Callable[[Record], None] = \
        reader.by_path_record if spec.path is not None else reader.by_key_record
    for record in source.records("departments"):
        reader.out.count += 1
        if any(test(record.get(column)) for test, column in drop):
            key = _text(record, spec.key)
            if key is not None:
                reader.out.dropped.add(key)
            continue
        try:
            place(record)
        except TransformError as exc:  # a list where one value is expected
            reader.problem(record, str(exc), None)
    if reader.out.count == 0:
        # an empty table read completely is still most likely the wrong sheet, file or query,
        # and it would leave every department no member names to be deleted
        reader.problem(lm.where(_PATH), "the source gave no department records (is the "
                       "departments file, sheet, query or search the right one?)", None)
    if spec.key is not None:
        reader.place_keyed()
    return reader.finish()
