"""The ``csv`` input type: any header, any common encoding and delimiter.

Options: ``path`` (relative to the mapping file), ``encoding`` (detected: UTF-8 with or
without BOM, GB18030/GBK, UTF-16), ``delimiter`` (detected from the header line among
comma, semicolon, tab and ``|``; ``tab`` may be written for ``"\\t"``), ``header_row``
(1-based, default 1: rows above it are skipped, e.g. a title line HR tools put first),
``departments`` and ``tags`` (the department records, the tag records, each in a CSV file of
its own: ``path`` and the same options).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._textio import TextDecodeError, decode_text
from .base import Batch, FingerprintTracker, InputSpec, SourceError, register_source_type
from .tables import TableSource, table_batches

__all__ = ["CsvSource", "checked_header", "decode_file", "detect_delimiter", "options_error"]

_DELIMITERS = (",", ";", "\t", "|")
LINES_CHUNK = 1 << 18  # characters of the decoded text buffered for csv at a time


class CsvFileOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str
    encoding: str | None = None
    delimiter: str | None = Field(None, min_length=1)
    header_row: int = Field(1, ge=1)


class CsvOptions(CsvFileOptions):
    # department records in a CSV file of their own (mapping: departments.records)
    departments: CsvFileOptions | None = None
    tags: CsvFileOptions | None = None  # tag records (mapping: tags.records)


def options_error(exc: ValidationError, spec: InputSpec) -> SourceError:
    """A pydantic error about an input option, named by its mapping line."""
    first = exc.errors()[0]
    key = str(first["loc"][0]) if first["loc"] else None
    message = f"unknown option {key!r} for type {spec.type}" \
        if first["type"] == "extra_forbidden" else f"{key}: {first['msg']}"
    return SourceError(message, where=spec.where_of(key), field=key)


def decode_file(path: Path, encoding: str | None, *, where: str) -> str:
    """A whole text file through the toolkit's one decoder (SourceError naming the line)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}", where=where) from None
    try:
        return decode_text(data, source=path.name, encoding=encoding).text
    except TextDecodeError as exc:
        at = f"{exc.source}, line {exc.line}" if exc.line is not None else exc.source
        raise SourceError(exc.reason, where=at) from None


def _lines(text: str) -> Iterator[str]:
    """The text's lines, ends kept (as a file opened with ``newline=""`` gives them to
    ``csv``), read through a buffer of about ``LINES_CHUNK`` characters at a time: a buffer
    of the whole text would hold it a second time, at four bytes a character."""
    start, end, size = 0, len(text), LINES_CHUNK
    while start < end:
        # cut after a "\n", so a "\r\n" stays whole; a quoted cell that goes on past the
        # cut is read on by csv from the next lines, as from any file
        cut = text.find("\n", start + size)
        cut = end if cut < 0 else cut + 1
        with io.StringIO(text[start:cut], newline="") as part:
            yield from part
        start = cut


def detect_delimiter(header_line: str) -> str:
    """The delimiter a header line uses most (a header has no quoted delimiters, as a rule)."""
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvSource(TableSource):
    """Records from a CSV file: one per non-blank row below the header."""

    kind = "csv"
    what = "a CSV file"

    def __init__(self, path: Path, *, encoding: str | None = None, delimiter: str | None = None,
                 header_row: int = 1, where: str = "") -> None:
        self.path = path
        self.name = path.name
        self._encoding = encoding
        self._delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter or "", delimiter)
        self._header_row = header_row
        self._where = where or path.name
        self._decoded: str | None = None
        self._header: list[str] | None = None
        self._tracker = FingerprintTracker(self.kind, self.name)
        self._others = {}

    def _text(self) -> str:
        if self._decoded is None:
            self._decoded = decode_file(self.path, self._encoding, where=self._where)
            first = self._decoded.split("\n", 1)[0]
            self._delimiter = self._delimiter or detect_delimiter(first)
        return self._decoded

    def _reader(self) -> Iterator[list[str]]:
        """The rows, parsed as they are read (the table is never held whole)."""
        reader = csv.reader(_lines(self._text()), delimiter=self._delimiter or ",")
        try:
            yield from reader
        except csv.Error as exc:
            raise SourceError(f"not a readable CSV file: {exc}",
                              where=f"{self.name}, line {reader.line_num}") from None

    def header(self) -> list[str]:
        if self._header is None:
            rows = self._reader()
            row: list[str] | None = None
            for _ in range(self._header_row):
                row = next(rows, None)
            if row is None:
                raise SourceError(f"the file has no header (row {self._header_row})",
                                  where=self.name)
            self._header = checked_header(row, where=f"{self.name}, row {self._header_row}")
        return self._header

    def _batches(self) -> Iterator[Batch]:
        rows = self._reader()
        header = self.header()
        for _ in range(self._header_row):
            next(rows)
        yield from table_batches(rows, header, self._header_row + 1, self.name,
                                 strict_width=True)
        self._decoded = None  # read to the end: a second read decodes the file again


def open_csv(spec: InputSpec) -> CsvSource:
    try:
        options = CsvOptions.model_validate(dict(spec.options))
    except ValidationError as exc:
        raise options_error(exc, spec) from None
    source = _csv_source(options, spec, "path")
    if options.departments is not None:
        source.add_table("departments", _csv_source(options.departments, spec, "departments"))
    if options.tags is not None:
        source.add_table("tags", _csv_source(options.tags, spec, "tags"))
    return source


def _csv_source(options: CsvFileOptions, spec: InputSpec, key: str) -> CsvSource:
    return CsvSource(spec.base_dir / options.path, encoding=options.encoding,
                     delimiter=options.delimiter, header_row=options.header_row,
                     where=spec.where_of(key))


register_source_type("csv", open_csv)


def checked_header(cells: Sequence[str | None], *, where: str) -> list[str]:
    """A header row's names, trimmed; a name given to two columns is refused (CSV and xlsx)."""
    header = [(h or "").strip() for h in cells]
    seen: dict[str, int] = {}
    for i, name in enumerate(header, 1):
        if name and name in seen:
            raise SourceError(f"the column {name!r} appears twice (columns {seen[name]} and {i})",
                              where=where, field=name)
        seen[name] = i
    return header
