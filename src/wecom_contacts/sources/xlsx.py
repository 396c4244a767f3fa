"""The ``xlsx`` input type: an Excel workbook read with openpyxl (read-only, streaming).

Options: ``path``, ``sheet`` (a name, or a 0-based index; default the first sheet),
``header_row`` (1-based, default 1). Cells are read as Excel shows them: numbers through
their number format (a mobile stored as a number is ``13800000000``, never
``13800000000.0`` or ``1.38E+10``), dates as their format writes them (``yyyy-mm-dd`` when
the format is not one we can follow), booleans as ``TRUE``/``FALSE``.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .._extras import require
from .base import (
    Entity,
    FingerprintTracker,
    InputSpec,
    Record,
    SourceError,
    SourceFingerprint,
    register_source_type,
)
from .csv_file import checked_header, options_error

__all__ = ["XlsxSource", "display", "iter_sheet", "read_sheet"]


class XlsxOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str
    sheet: str | int = 0
    header_row: int = Field(1, ge=1)


_DATE_TOKENS = re.compile(r'"[^"]*"|\\.|yyyy|yy|mmmm|mmm|mm|m|dd|d|hh|h|ss|s|AM/PM|.',
                          re.IGNORECASE)


def _date_text(value: dt.datetime | dt.date | dt.time, fmt: str) -> str:
    """A date through an Excel date format (the common tokens; others → ISO)."""
    fmt = re.sub(r"\[[^\]]*\]", "", fmt).split(";")[0]
    if not re.search(r"[ydhs]", fmt, re.IGNORECASE):
        fmt = "yyyy-mm-dd" if not isinstance(value, dt.time) else "hh:mm:ss"
    if isinstance(value, dt.time):
        value = dt.datetime.combine(dt.date(1900, 1, 1), value)
    elif not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    out: list[str] = []
    tokens = _DATE_TOKENS.findall(fmt)
    for i, token in enumerate(tokens):
        low = token.lower()
        # "m"/"mm" is minutes right after an hour or right before seconds
        near_time = any(t.lower() in ("h", "hh") for t in tokens[max(0, i - 2):i]) or \
            any(t.lower() in ("s", "ss") for t in tokens[i + 1:i + 3])
        if low == "yyyy":
            out.append(f"{value.year:04d}")
        elif low == "yy":
            out.append(f"{value.year % 100:02d}")
        elif low in ("mm", "m") and near_time:
            out.append(f"{value.minute:02d}" if low == "mm" else str(value.minute))
        elif low == "mm":
            out.append(f"{value.month:02d}")
        elif low == "m":
            out.append(str(value.month))
        elif low in ("mmm", "mmmm"):
            out.append(value.strftime("%b" if low == "mmm" else "%B"))
        elif low == "dd":
            out.append(f"{value.day:02d}")
        elif low == "d":
            out.append(str(value.day))
        elif low in ("hh", "h"):
            out.append(f"{value.hour:02d}" if low == "hh" else str(value.hour))
        elif low in ("ss", "s"):
            out.append(f"{value.second:02d}" if low == "ss" else str(value.second))
        elif token.startswith('"'):
            out.append(token[1:-1])
        elif token.startswith("\\"):
            out.append(token[1:])
        else:
            out.append(token)
    return "".join(out)


def _number_text(value: float | int, fmt: str) -> str:
    fmt = fmt.split(";")[0]
    if "%" in fmt:
        decimals = len(fmt.split(".")[1].rstrip("%")) if "." in fmt else 0
        return f"{value * 100:.{decimals}f}%"
    match = re.fullmatch(r"[#,]*0*(?:\.(0+))?", fmt.strip())
    if match and fmt.strip() not in ("", "General"):
        decimals = len(match.group(1) or "")
        grouped = "," in fmt
        return f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.15g}"
    return str(value)


def display(value: Any, number_format: str | None) -> str | None:
    """A cell's value as Excel shows it (None for an empty cell)."""
    fmt = number_format or "General"
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _date_text(value, fmt)
    if isinstance(value, (int, float)):
        return _number_text(value, fmt)
    return str(value)


def _open(path: Path, where: str) -> Any:
    openpyxl = require("openpyxl", extra="xlsx", feature="reading .xlsx workbooks")

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise SourceError(f"cannot read {path}: no such file", where=where) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SourceError(f"not a readable .xlsx workbook: {exc}", where=path.name) from None


def _title(names: list[str], sheet: str | int, where: str) -> str:
    if isinstance(sheet, int) or (sheet.isdigit() and sheet not in names):
        index = int(sheet)
        if not 0 <= index < len(names):
            raise SourceError(f"the workbook has {len(names)} sheet(s); there is no sheet "
                              f"{index} (counted from 0)", where=where, field="sheet")
        return names[index]
    if sheet in names:
        return sheet
    raise SourceError(f"no sheet {sheet!r} (sheets: {', '.join(names)})", where=where,
                      field="sheet")


def iter_sheet(path: Path, sheet: str | int, *,
               where: str) -> Iterator[tuple[str, list[str | None]]]:
    """(sheet title, display texts) per row, streamed; the workbook is closed at the end."""
    book = _open(path, where)
    try:
        title = _title(list(book.sheetnames), sheet, where)
        for row in book[title].iter_rows():
            yield title, [display(c.value, getattr(c, "number_format", None)) for c in row]
    finally:
        book.close()


def read_sheet(path: Path, sheet: str | int, *, where: str) -> tuple[str, list[list[str | None]]]:
    """(sheet title, rows of display texts) of one sheet."""
    book = _open(path, where)
    try:
        title = _title(list(book.sheetnames), sheet, where)
        rows = [[display(c.value, getattr(c, "number_format", None)) for c in row]
                for row in book[title].iter_rows()]
    finally:
        book.close()
    return title, rows


class XlsxSource:
    """Records from one sheet: one per non-blank row below the header."""

    kind = "xlsx"
    entities: tuple[Entity, ...] = ("members",)

    def __init__(self, path: Path, *, sheet: str | int = 0, header_row: int = 1,
                 where: str = "") -> None:
        self.path = path
        self._sheet = sheet
        self._header_row = header_row
        self._where = where or path.name
        self._header: list[str] | None = None
        self.name = path.name
        self._tracker = FingerprintTracker(self.kind, self.name)

    def _rows(self) -> Generator[list[str | None], None, None]:
        for title, row in iter_sheet(self.path, self._sheet, where=self._where):
            if self.name == self.path.name:
                self.name = self._tracker.name = f"{self.path.name} [{title}]"
            yield row

    def header(self) -> list[str]:
        if self._header is None:
            rows = self._rows()
            try:
                found: list[str | None] | None = None
                for _ in range(self._header_row):
                    found = next(rows, None)
            finally:
                rows.close()  # closes the workbook
            if found is None:
                raise SourceError(f"the sheet has no header (row {self._header_row})",
                                  where=self.name)
            self._header = checked_header(found,
                                          where=f"{self.name}, row {self._header_row}")
        return self._header

    def fields(self, entity: Entity) -> Sequence[str] | None:
        return [h for h in self.header() if h] if entity == "members" else None

    def records(self, entity: Entity) -> Iterator[Record]:
        if entity != "members":
            raise SourceError(f"a workbook gives members, not {entity}", where=self.name)
        return self._tracker.track(entity, self._records())

    def _records(self) -> Iterator[Record]:
        header = self.header()
        named = [(i, name) for i, name in enumerate(header) if name]
        rows = self._rows()
        try:
            for _ in range(self._header_row):
                next(rows)
            for number, row in enumerate(rows, self._header_row + 1):
                if not any(c and c.strip() for c in row):
                    continue
                count = len(row)
                yield Record({name: (row[i] if i < count else None) for i, name in named},
                             f"{self.name}, row {number}")
        finally:
            rows.close()

    def fingerprint(self) -> SourceFingerprint:
        return self._tracker.fingerprint()


def open_xlsx(spec: InputSpec) -> XlsxSource:
    try:
        options = XlsxOptions.model_validate(dict(spec.options))
    except ValidationError as exc:
        raise options_error(exc, spec) from None
    return XlsxSource(spec.base_dir / options.path, sheet=options.sheet,
                      header_row=options.header_row, where=spec.where_of("path"))


register_source_type("xlsx", open_xlsx)
