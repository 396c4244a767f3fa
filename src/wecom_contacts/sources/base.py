"""The contract every source implements: records, fields, a fingerprint, errors, a registry.

A *source* is where the desired directory comes from (an HR export, an LDAP tree, a SQL
query). It yields :class:`Record` objects keyed by the source's own field names (a column
header, an LDAP attribute, a SQL column); the mapping (``wecom_contacts.sources.mapping``)
turns them into the desired directory the planner takes. Sources know nothing of WeCom.

A source may also give the same records as tables of consecutive rows (``batches(entity)``,
each a :class:`Batch`): the mapping then converts a whole column at a time (each distinct
value of a column once), which is what makes a 100,000-row file quick to read. A source
without it is read record by record and batched on the way (``batches_of``); both give the
same members, problems and fingerprint.

    SourceError (a DesiredStateError: the CLI ends with exit 2, "bad file")

Input types are registered by name (``register_source_type("csv", factory)``); the mapping
file's ``input:`` block names one (``type: csv``) with its options. An unknown type name
``x`` is looked up once by importing ``wecom_contacts.sources.x``, so a new connector module
registers itself without any other file changing.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from .._extras import MissingExtra
from ..sync.errors import DesiredStateError

__all__ = [
    "ENTITIES",
    "Batch",
    "Entity",
    "FingerprintTracker",
    "InputSpec",
    "Record",
    "Source",
    "SourceError",
    "SourceFactory",
    "SourceFingerprint",
    "Value",
    "batches_of",
    "open_source",
    "register_source_type",
    "source_types",
]

Entity = Literal["members", "departments", "tags"]
ENTITIES: tuple[Entity, ...] = ("members", "departments", "tags")

Value = str | list[str] | None
"""One field of a record: text, a list (a multi-valued LDAP attribute), or None (empty)."""


class SourceError(DesiredStateError):
    """A source cannot be read, or one of its records is wrong.

    ``where`` names the file and place (``"hr.csv, row 12"``, ``"uid=x,ou=people,…"``,
    ``"members query, row 7"``, ``"hr-mapping.yaml, line 8"``); ``field`` the column,
    attribute or mapping key, if any. The message reads ``"{where}: {message}"``.
    """


@dataclass(frozen=True, slots=True)
class Record:
    """One row / entry of a source, keyed by the source's own field names."""

    values: Mapping[str, Value]
    where: str  # "hr.csv, row 12": every error about this record starts with it

    def get(self, name: str) -> Value:
        return self.values.get(name)


BATCH_ROWS = 2048  # rows per batch: big enough for column-wise work, small in memory


class Batch:
    """Consecutive records of one entity as a table: ``names`` (the field names), ``rows``
    (each a list of values in the order of ``names``, None for an empty cell) and ``wheres``
    (each row's place, as in ``Record.where``). A batch made from records (``from_records``)
    keeps them: a plug-in is given each record's own values."""

    __slots__ = ("_index", "_records", "names", "plain", "rows", "wheres")

    def __init__(self, names: Sequence[str], rows: list[list[Value]], wheres: list[str], *,
                 plain: bool = True, records: list[Record] | None = None) -> None:
        self.names = tuple(names)
        self.rows = rows
        self.wheres = wheres
        self.plain = plain  # every value is text or None (no lists)
        self._records = records
        self._index = {name: i for i, name in enumerate(self.names)}

    @classmethod
    def from_records(cls, records: list[Record]) -> Batch:
        names = list(dict.fromkeys(name for r in records for name in r.values))
        rows = [[r.values.get(name) for name in names] for r in records]
        plain = not any(type(v) is list for row in rows for v in row)
        return cls(names, rows, [r.where for r in records], plain=plain, records=records)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[Value]:
        """The values of one field, row by row (None for a field no row has)."""
        index = self._index.get(name)
        if index is None:
            return [None] * len(self.rows)
        return list(map(operator.itemgetter(index), self.rows))

    def record(self, row: int) -> Record:
        if self._records is not None:
            return self._records[row]
        return Record(dict(zip(self.names, self.rows[row], strict=True)), self.wheres[row])

    def select(self, rows: Sequence[int]) -> Batch:
        """The batch of these rows only (in this order)."""
        records = None if self._records is None else [self._records[i] for i in rows]
        return Batch(self.names, [self.rows[i] for i in rows], [self.wheres[i] for i in rows],
                     plain=self.plain, records=records)


def unknown_column(column: str, known: Sequence[str], place: str, where: str,
                   their: str = "its") -> SourceError:
    """A mapping names a field the records of ``place`` do not have: the closest name (if
    any is close) and the ones they do have, at the mapping's line ``where``."""
    close = difflib.get_close_matches(column, list(known), n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    shown = ", ".join(list(known)[:30])
    return SourceError(f"column {column!r} is not in {place} ({hint}{their} columns: {shown})",
                       where=where, field=column)


def batches_of(source: Source, entity: Entity, size: int = BATCH_ROWS) -> Iterator[Batch]:
    """The records of ``entity`` as batches: the source's own ``batches()`` if it has them,
    else its ``records()`` gathered ``size`` at a time."""
    own = getattr(source, "batches", None)
    if own is not None:
        yield from own(entity)
        return
    chunk: list[Record] = []
    for record in source.records(entity):
        chunk.append(record)
        if len(chunk) >= size:
            yield Batch.from_records(chunk)
            chunk = []
    if chunk:
        yield Batch.from_records(chunk)


@dataclass(frozen=True, slots=True)
class SourceFingerprint:
    """What a complete read saw: the kind of source, records per entity, and a sha256 over
    the records in a canonical order (the same data in another row order gives the same
    digest; any changed value gives another)."""

    kind: str
    counts: Mapping[str, int]
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "counts": dict(self.counts), "sha256": self.sha256}


@runtime_checkable
class Source(Protocol):
    """What the mapping reads from. A source may offer only some entities (often members)."""

    @property
    def name(self) -> str:
        """For messages: ``"hr.csv"``, ``"ldap://dc.example:389 ou=people"``."""
        ...

    @property
    def kind(self) -> str:
        """The registered type name (``"csv"``, ``"xlsx"``, ``"ldap"``, ``"sql"``)."""
        ...

    @property
    def entities(self) -> tuple[Entity, ...]:
        """The entities this source can give records for."""
        ...

    def fields(self, entity: Entity) -> Sequence[str] | None:
        """The field names records of ``entity`` can hold (to check the mapping's names
        before reading), or None when the source cannot tell in advance."""
        ...

    def records(self, entity: Entity) -> Iterator[Record]:
        """Every record of ``entity``; raises SourceError when the source cannot be read
        completely (a read that stops early must never look like a short directory)."""
        ...

    def fingerprint(self) -> SourceFingerprint:
        """After every ``records()`` iterator was read to its end; SourceError before.

        A source may also have ``skip_fingerprint()`` (optional, called before reading):
        the caller needs no fingerprint, so the source may save computing it."""
        ...

    # optional: ``def batches(self, entity: Entity) -> Iterator[Batch]`` — the records of
    # ``records(entity)`` as tables, with the same errors and fingerprint (``batches_of``)


def _canonical(record: Record) -> bytes:
    # field, value and list items apart by control characters no source text holds; an
    # empty value is the same as a missing one (a CSV cell vs an absent LDAP attribute)
    parts = sorted(f"{k}\x1f{v if isinstance(v, str) else chr(0x1d).join(v)}"
                   for k, v in record.values.items() if v)
    return "\x1e".join(parts).encode("utf-8", "surrogatepass")


class _SameFields:
    """``_canonical``, quicker for the records of one file (the same field names in the same
    order on every row): the names are sorted once. Sorting ``name\x1fvalue`` texts is
    sorting by name while no name holds a character up to \x1f; otherwise, and for list
    values, the general form is used."""

    def __init__(self) -> None:
        self._names: tuple[str, ...] | None = None
        self._prefixes: list[str] = []
        self._get: Callable[[Mapping[str, Value]], tuple[Value, ...]] | None = None

    def __call__(self, record: Record) -> bytes:
        values = record.values
        names = tuple(values)
        if names != self._names:
            self._names = names
            order = sorted(names)
            self._prefixes = [f"{k}\x1f" for k in order]
            fast = len(order) > 1 and all(min(k, default="\x20") > "\x1f" for k in names)
            self._get = operator.itemgetter(*order) if fast else None
        if self._get is None:
            return _canonical(record)
        ordered = self._get(values)
        try:
            if all(ordered):
                text = "\x1e".join(map(operator.add, self._prefixes, ordered))
            else:
                text = "\x1e".join([p + v  # type: ignore[operator]
                                     for p, v in zip(self._prefixes, ordered, strict=True)
                                     if v])
        except TypeError:  # a list value
            return _canonical(record)
        return text.encode("utf-8", "surrogatepass")


def _row_digests(batch: Batch) -> list[bytes]:
    """The sha256 of each row's ``_canonical`` form (as ``_SameFields`` makes it)."""
    names = batch.names
    sha256 = hashlib.sha256
    if not batch.plain or len(names) < 2 or min(min(k, default="\x20") for k in names) <= "\x1f":
        return [sha256(_canonical(batch.record(i))).digest() for i in range(len(batch))]
    order = sorted(range(len(names)), key=names.__getitem__)
    prefixes = [f"{names[i]}\x1f" for i in order]
    # a row with every field given is one %-format of its values in name order
    full = "\x1e".join(p.replace("%", "%%") + "%s" for p in prefixes)
    get = operator.itemgetter(*order)
    out: list[bytes] = []
    for row in batch.rows:
        ordered = get(row)
        if all(ordered):
            text = full % ordered
        else:
            text = "\x1e".join([p + v for p, v in zip(prefixes, ordered, strict=True) if v])
        out.append(sha256(text.encode("utf-8", "surrogatepass")).digest())
    return out


@dataclass
class FingerprintTracker:
    """Helper for sources: wrap each ``records()`` iterator with :meth:`track`; the
    fingerprint is available once every tracked entity was read to its end."""

    kind: str
    name: str
    # False (the source's skip_fingerprint()): records pass through untouched; a read for
    # a plan needs no fingerprint, and the digests are a sixth of a CSV's read
    digest: bool = True
    _digests: dict[str, list[bytes]] = field(default_factory=dict)
    _open: set[str] = field(default_factory=set)

    def track(self, entity: Entity, records: Iterable[Record]) -> Iterator[Record]:
        if not self.digest:
            yield from records
            return
        digests: list[bytes] = []
        self._open.add(entity)
        self._digests.pop(entity, None)
        canonical = _SameFields()
        sha256 = hashlib.sha256
        for record in records:
            digests.append(sha256(canonical(record)).digest())
            yield record
        self._digests[entity] = digests
        self._open.discard(entity)

    def track_batches(self, entity: Entity, batches: Iterable[Batch]) -> Iterator[Batch]:
        """``track`` for a source's ``batches()``: the same fingerprint as its records'."""
        if not self.digest:
            yield from batches
            return
        digests: list[bytes] = []
        self._open.add(entity)
        self._digests.pop(entity, None)
        for batch in batches:
            digests.extend(_row_digests(batch))
            yield batch
        self._digests[entity] = digests
        self._open.discard(entity)

    def fingerprint(self) -> SourceFingerprint:
        if not self.digest:
            raise SourceError("the source was read without a fingerprint "
                              "(skip_fingerprint)", where=self.name)
        if self._open or not self._digests:
            raise SourceError("the source has not been read completely, so it has no "
                              "fingerprint yet", where=self.name)
        total = hashlib.sha256()
        counts: dict[str, int] = {}
        for entity in sorted(self._digests):
            digests = sorted(self._digests[entity])
            counts[entity] = len(digests)
            total.update(f"{entity}\n{len(digests)}\n".encode())
            total.update(b"".join(digests))  # the same digest as one update per record
        return SourceFingerprint(self.kind, counts, total.hexdigest())


@dataclass(frozen=True, slots=True)
class InputSpec:
    """The mapping file's ``input:`` block: the type, its options, and where it was written.

    ``base_dir`` resolves relative paths (the mapping file's folder); ``locate(key)`` gives
    ``"mapping.yaml, line N"`` for an option key (or the block itself for ``None``), so a
    factory can report a bad option where the user wrote it.
    """

    type: str
    options: Mapping[str, Any]
    base_dir: Path = Path(".")
    where: str = ""
    locate: Callable[[str | None], str] | None = None

    def where_of(self, key: str | None = None) -> str:
        return self.locate(key) if self.locate is not None else self.where


SourceFactory = Callable[[InputSpec], Source]
"""Builds a source from an input block; raises SourceError for bad options (use
``spec.where_of(option)``) and may open connections lazily, in ``records()``."""

_REGISTRY: dict[str, SourceFactory] = {}
# built-in types whose module name differs from the type name
_BUILTIN = {"csv": "csv_file", "xlsx": "xlsx"}
# the extra that brings each connector's dependency: (extra, distribution a user knows)
_EXTRAS = {"ldap": ("ldap", "ldap3"), "sql": ("sql", "SQLAlchemy"), "xlsx": ("xlsx", "openpyxl")}


def register_source_type(name: str, factory: SourceFactory, *, replace: bool = False) -> None:
    """Make ``type: name`` usable in a mapping's ``input:`` block."""
    if name in _REGISTRY and not replace and _REGISTRY[name] is not factory:
        raise ValueError(f"source type {name!r} is already registered")
    _REGISTRY[name] = factory


def _load(name: str) -> None:
    if name in _REGISTRY or not name.isidentifier():
        return
    module = f"{__package__}.{_BUILTIN.get(name, name)}"
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return  # no such connector: open_source names the known types
        if name in _EXTRAS:  # the connector exists but its dependency (an extra) is missing
            extra, dist = _EXTRAS[name]
            raise MissingExtra(feature=f"the {name} source", dist=dist, extra=extra,
                               module=exc.name or module) from exc
        raise


def source_types() -> list[str]:
    """The registered input type names (the built-in ones loaded)."""
    for name in _BUILTIN:
        _load(name)
    return sorted(_REGISTRY)


def open_source(spec: InputSpec) -> Source:
    """The source an input block describes."""
    _load(spec.type)
    factory = _REGISTRY.get(spec.type)
    if factory is None:
        raise SourceError(f"unknown input type {spec.type!r} (known: "
                          f"{', '.join(source_types())})", where=spec.where_of("type"),
                          field="type")
    return factory(spec)
