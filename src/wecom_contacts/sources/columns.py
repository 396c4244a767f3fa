"""Converting a source's values a column at a time: each distinct value once, failures kept.

The mapping's member reader (``members``) reads a :class:`~.base.Batch` column by column:
one function turns every value of a column into the field's checked value, and a value the
column held before is not converted again (a department path, a gender word, a status or a
manager key recurs on every row). A column of (mostly) unique values — names, mobiles — is
converted value by value once the distinct values pass ``MEMO_LIMIT``, so memory stays
bounded. A value that cannot be converted gives a :class:`Failed` in its place (its
message), so one bad cell never stops the rest of the column from being read; the reader
then names the row and the column.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..sync.desired.schema import SchemaError
from .base import Batch, Record, Value
from .transforms import TransformError

__all__ = ["MEMO_LIMIT", "Failed", "RowWise", "ValueWise", "keys", "message"]

MEMO_LIMIT = 8192  # distinct values remembered per column


class Failed:
    """A value that could not be converted: why (the text a problem shows)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def message(exc: TransformError | SchemaError) -> str:
    return exc.message if isinstance(exc, SchemaError) else str(exc)


def _hashable(value: Value) -> Any:
    return tuple(value) if isinstance(value, list) else value


def keys(batch: Batch, name: str) -> list[Any]:
    """A column's values as memo keys (a list value — a multi-valued attribute — as a
    tuple); the values themselves for a batch of text only."""
    column = batch.column(name)
    return column if batch.plain else list(map(_hashable, column))


class ValueWise:
    """``fn(key)`` over a column, for a result that depends on the value alone; ``fn`` may
    raise TransformError or SchemaError (the value's result is then a Failed)."""

    __slots__ = ("_bad", "_bulk", "_fn", "_known", "_memo")

    def __init__(self, fn: Callable[[Any], Any],
                 bulk: Callable[[list[Any]], list[Any] | None] | None = None) -> None:
        self._fn = fn
        # bulk(column): fn over a whole column in a few passes, or None ("value by value");
        # used once the column shows mostly distinct values (names, mobiles, e-mails)
        self._bulk = bulk
        self._known: dict[Any, Any] = {}
        self._bad: set[Any] = set()  # remembered keys whose result is Failed
        self._memo = True

    def __call__(self, column: list[Any]) -> tuple[list[Any], bool]:
        """(the results, whether any is Failed)."""
        fn = self._fn
        if self._memo:
            known = self._known
            new = set(column)
            new.difference_update(known)
            distinct = self._bulk is not None and 2 * len(new) > len(column) >= 64
            if not distinct and len(known) + len(new) <= MEMO_LIMIT:
                for key in new:
                    try:
                        known[key] = fn(key)
                    except (TransformError, SchemaError) as exc:
                        known[key] = Failed(message(exc))
                        self._bad.add(key)
                failed = bool(self._bad) and not self._bad.isdisjoint(column)
                return list(map(known.__getitem__, column)), failed
            # a column of distinct values, or too many to remember: from now on each value
            # is converted (by the bulk path when there is one), nothing remembered
            self._memo = False
            self._known, self._bad = {}, set()
        if self._bulk is not None:
            done = self._bulk(column)
            if done is not None:
                return done, False
        try:
            return list(map(fn, column)), False
        except (TransformError, SchemaError):  # again, value by value, to keep every result
            return [_attempt(fn, key) for key in column], True


def _attempt(fn: Callable[[Any], Any], key: Any) -> Any:
    try:
        return fn(key)
    except (TransformError, SchemaError) as exc:
        return Failed(message(exc))


class RowWise:
    """``fn(key, record)`` per row, for a result that may depend on the whole record (a
    plug-in step sees it): never remembered."""

    __slots__ = ("_fn",)

    def __init__(self, fn: Callable[[Any, Record], Any]) -> None:
        self._fn = fn

    def __call__(self, column: list[Any], batch: Batch) -> tuple[list[Any], bool]:
        fn = self._fn
        out: list[Any] = []
        failed = False
        for i, key in enumerate(column):  # a plug-in sees each row's record
            try:
                out.append(fn(key, batch.record(i)))
            except (TransformError, SchemaError) as exc:
                out.append(Failed(message(exc)))
                failed = True
        return out, failed
