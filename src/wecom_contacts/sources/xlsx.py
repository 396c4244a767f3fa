"""The ``xlsx`` input type: one sheet of an Excel workbook, streamed row by row.

Options: ``path``, ``sheet`` (a name, or a 0-based index; default the first sheet),
``header_row`` (1-based, default 1), ``departments`` and ``tags`` (the department records,
the tag records, each on a sheet of its own: ``sheet``, and ``path`` for another workbook,
``header_row``). Cells are read as
Excel shows them (``xlsx_display``): numbers through their number format (a mobile stored as
a number is ``13800000000``, never ``13800000000.0`` or ``1.38E+10``), dates as their format
writes them, booleans as ``TRUE``/``FALSE``. The cells are parsed by python-calamine, the
number formats come from openpyxl (``xlsx_read`` says how, and when openpyxl parses the
cells itself).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .base import (
    Batch,
    Entity,
    FingerprintTracker,
    InputSpec,
    SourceError,
    register_source_type,
)
from .csv_file import checked_header, options_error
from .tables import TableSource, table_batches
from .xlsx_display import display
from .xlsx_read import _open as _open  # where tests/packaging checks the extra's message
from .xlsx_read import iter_sheet, open_sheet, read_sheet

__all__ = ["XlsxSource", "display", "iter_sheet", "read_sheet"]


class XlsxSheetOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str | None = None  # the records' workbook: the members' unless given
    sheet: str | int = 0
    header_row: int = Field(1, ge=1)


class XlsxOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str
    sheet: str | int = 0
    header_row: int = Field(1, ge=1)
    # department records on a sheet of their own (mapping: departments.records)
    departments: XlsxSheetOptions | None = None
    tags: XlsxSheetOptions | None = None  # tag records (mapping: tags.records)


class XlsxSource(TableSource):
    """Records from one sheet: one per non-blank row below the header."""

    kind = "xlsx"
    what = "a workbook"

    def __init__(self, path: Path, *, sheet: str | int = 0, header_row: int = 1,
                 where: str = "") -> None:
        self.path = path
        self._sheet = sheet
        self._header_row = header_row
        self._where = where or path.name
        self._header: list[str] | None = None
        self._below_header: Generator[list[str | None], None, None] | None = None
        self.name = path.name
        self._tracker = FingerprintTracker(self.kind, self.name)
        self._others = {}

    def _rows(self) -> Generator[list[str | None], None, None]:
        title, rows = open_sheet(self.path, self._sheet, where=self._where)
        self.name = self._tracker.name = f"{self.path.name} [{title}]"
        return rows

    def _open_below_header(self) -> Generator[list[str | None], None, None]:
        """The rows below the header; the header is read (and checked) on the way."""
        rows = self._rows()
        try:
            found: list[str | None] | None = None
            for _ in range(self._header_row):
                found = next(rows, None)
            if found is None:
                raise SourceError(f"the sheet has no header (row {self._header_row})",
                                  where=self.name)
            header = checked_header(found, where=f"{self.name}, row {self._header_row}")
        except BaseException:
            rows.close()  # closes the workbook
            raise
        self._header = self._header or header
        return rows

    def header(self) -> list[str]:
        if self._header is None:
            # the sheet is parsed once: records() goes on from here
            self._below_header = self._open_below_header()
        assert self._header is not None
        return self._header

    def _batches(self) -> Iterator[Batch]:
        header = self.header()
        rows, self._below_header = self._below_header, None
        if rows is None:
            rows = self._open_below_header()
        try:
            yield from table_batches(rows, header, self._header_row + 1, self.name,
                                     strict_width=False)
        finally:
            rows.close()


def open_xlsx(spec: InputSpec) -> XlsxSource:
    try:
        options = XlsxOptions.model_validate(dict(spec.options))
    except ValidationError as exc:
        raise options_error(exc, spec) from None
    source = XlsxSource(spec.base_dir / options.path, sheet=options.sheet,
                        header_row=options.header_row, where=spec.where_of("path"))
    others: tuple[tuple[Entity, XlsxSheetOptions | None], ...] = (
        ("departments", options.departments), ("tags", options.tags))
    for entity, sheet in others:
        if sheet is not None:
            source.add_table(entity, XlsxSource(
                spec.base_dir / (sheet.path or options.path), sheet=sheet.sheet,
                header_row=sheet.header_row, where=spec.where_of(entity)))
    return source


register_source_type("xlsx", open_xlsx)
