"""What the file sources of one table (CSV, a sheet of a workbook) share: rows → batches.

A source of this kind reads a header row, then the rows below it; a row that is blank is
left out, a row shorter than the header has None for the cells it lacks, and each record is
named by its row number. ``TableSource`` gives ``fields``, ``records``, ``batches`` and
``fingerprint`` on top of the two things a format knows: its header and its rows.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence

from .base import (
    BATCH_ROWS,
    Batch,
    Entity,
    FingerprintTracker,
    Record,
    SourceError,
    SourceFingerprint,
    Value,
)

__all__ = ["TableSource", "table_batches"]


def table_batches(rows: Iterable[Sequence[str | None]], header: Sequence[str], first_row: int,
                  name: str, *, strict_width: bool) -> Iterator[Batch]:
    """``rows`` (the first is sheet row ``first_row``) as batches of the named columns.

    ``strict_width``: a row with more non-empty cells than the header has columns is refused
    (in a CSV file, a delimiter inside an unquoted cell); else the extra cells are left out.
    """
    width = len(header)
    named = [i for i, label in enumerate(header) if label]
    names = [header[i] for i in named]
    whole = len(named) == width  # every column named: a full row is a row as it is
    table: list[list[Value]] = []
    wheres: list[str] = []
    for number, row in enumerate(rows, first_row):
        if not "".join(row).strip():  # type: ignore[arg-type]  # cells are text
            continue  # a blank row
        count = len(row)
        if count != width or not whole:
            if strict_width and count > width and "".join(row[width:]).strip():  # type: ignore[arg-type]
                raise SourceError(f"the row has {count} cells but the header only {width} "
                                  "columns (a delimiter inside an unquoted cell?)",
                                  where=f"{name}, row {number}")
            row = [row[i] if i < count else None for i in named]
        table.append(row)  # type: ignore[arg-type]
        wheres.append(f"{name}, row {number}")
        if len(table) == BATCH_ROWS:
            yield Batch(names, table, wheres)
            table, wheres = [], []
    if table:
        yield Batch(names, table, wheres)


class TableSource(ABC):
    """A source of members from one table; subclasses give ``header()`` and ``_batches()``.
    Department and tag records, when the input names them (``departments:``, ``tags:``),
    come from tables of the same kind (another file, another sheet), counted in the same
    fingerprint (``add_table``)."""

    kind: str
    what: str  # "a CSV file", for messages
    name: str
    _tracker: FingerprintTracker
    _others: dict[Entity, TableSource]  # set up by the subclass: {} at first

    def add_table(self, entity: Entity, table: TableSource) -> None:
        """The records of ``entity`` come from ``table``."""
        self._others[entity] = table

    @property
    def entities(self) -> tuple[Entity, ...]:
        return ("members", *self._others)

    @abstractmethod
    def header(self) -> list[str]:
        """The header row's names (checked: no name twice)."""

    @abstractmethod
    def _batches(self) -> Iterator[Batch]:
        """The rows below the header, as ``table_batches`` gives them."""

    def fields(self, entity: Entity) -> Sequence[str] | None:
        table = self._table(entity)
        return [h for h in table.header() if h]

    def _table(self, entity: Entity) -> TableSource:
        if entity == "members":
            return self
        table = self._others.get(entity)
        if table is not None:
            return table
        given = "".join(f" and {e[:-1]} records" for e in self._others)
        raise SourceError(f"{self.what} gives members{given}, not {entity}", where=self.name)

    def records(self, entity: Entity) -> Iterator[Record]:
        table = self._table(entity)
        return self._tracker.track(entity, (batch.record(i) for batch in table._batches()
                                            for i in range(len(batch))))

    def batches(self, entity: Entity) -> Iterator[Batch]:
        """The records as tables of ``BATCH_ROWS`` rows (the same rows, places and errors)."""
        return self._tracker.track_batches(entity, self._table(entity)._batches())

    def fingerprint(self) -> SourceFingerprint:
        return self._tracker.fingerprint()

    def skip_fingerprint(self) -> None:
        """The caller needs no fingerprint: the records are not digested."""
        self._tracker.digest = False
