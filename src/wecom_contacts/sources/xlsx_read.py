"""Reading one sheet of a workbook as display texts, fast: calamine for the cells, openpyxl for
the workbook's parts and styles (both in the ``[xlsx]`` extra).

Parsing a million cells with openpyxl (even read-only) costs about 30 µs a cell in Python;
python-calamine parses them in Rust (under 1 µs). Calamine gives values but no number
formats, and a shown value needs the format: ``123`` in a ``000000`` cell is ``000123``, a
date is written as its format says. So:

* openpyxl reads the workbook's sheet list and stylesheet only (no cells, no shared strings):
  style index → number format, exactly as openpyxl's cells would report it;
* when no style of the workbook has a format other than General or text (``@``), every
  number shows as its value alone and calamine's values are all that is needed;
* otherwise the sheet's XML is scanned once for the ``<c>`` tags whose style has such a
  format (a regular expression over their attributes, never the cells' contents), so each
  number or date is shown through its own cell's format;
* a sheet whose XML that scan cannot follow (a namespace prefix on the cell tags, a styled
  cell without its ``r`` reference) is read by openpyxl's cell parser as before: slower,
  the same texts.

Both paths give the same texts for the same workbook (tests/sources run every case through
both). Known difference: a whole number of 16 digits or more typed into a cell is a float
for calamine (as Excel itself stores it), so it shows as ``1.23456789012346e+19``.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from .._extras import require
from .base import SourceError
from .xlsx_display import GENERAL_FORMATS, display, writer

__all__ = ["iter_sheet", "open_sheet", "openpyxl_rows", "read_sheet"]

Row = list[str | None]
Rows = Generator[Row, None, None]
_FEATURE = "reading .xlsx workbooks"
_ERRORS = (zipfile.BadZipFile, KeyError, ValueError, OSError)


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


def _unreadable(path: Path, where: str, exc: Exception) -> SourceError:
    if isinstance(exc, FileNotFoundError):
        return SourceError(f"cannot read {path}: no such file", where=where)
    return SourceError(f"not a readable .xlsx workbook: {exc}", where=path.name)


class _Parts:
    """The sheet list and the number format of each cell style, read by openpyxl."""

    def __init__(self, path: Path, where: str) -> None:
        excel, numbers, stylesheet = (
            require(f"openpyxl.{name}", extra="xlsx", feature=_FEATURE, dist="openpyxl")
            for name in ("reader.excel", "styles.numbers", "styles.stylesheet"))
        builtin, builtin_max = numbers.BUILTIN_FORMATS, numbers.BUILTIN_FORMATS_MAX_SIZE
        try:
            reader = excel.ExcelReader(path, read_only=True, data_only=True)
            try:
                reader.read_manifest()
                reader.read_workbook()
                stylesheet.apply_stylesheet(reader.archive, reader.wb)
                self.sheets = {sheet.name: rel.target for sheet, rel
                               in reader.parser.find_sheets()
                               if rel.target in reader.valid_files}
                wb = reader.wb
                self.formats: list[str] = [
                    builtin.get(style.numFmtId, "General") if style.numFmtId < builtin_max
                    else wb._number_formats[style.numFmtId - builtin_max]
                    for style in wb._cell_styles]
                self._archive = reader.archive
            except BaseException:
                reader.archive.close()
                raise
        except _ERRORS as exc:
            raise _unreadable(path, where, exc) from None

    def sheet_xml(self, title: str) -> bytes:
        xml: bytes = self._archive.read(self.sheets[title])
        return xml

    def close(self) -> None:
        self._archive.close()


def _open(path: Path, where: str) -> _Parts:
    """The workbook's sheet list and styles (MissingExtra without openpyxl)."""
    return _Parts(path, where)


_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?worksheet[\s>]")
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Z]{1,3})0*([0-9]{1,7})["']""")
StyledCells = dict[bytes, bytes]  # a cell's reference (b"B7") → its style's index (b"3")


def _styled_cells(xml: bytes, styles: dict[int, str]) -> StyledCells | None:
    """The cells whose style is in ``styles``; None when the XML is not written in the plain
    form this scan follows. The references are kept as the sheet writes them (a row number
    without leading zeros), so the scan is two regular expressions and one dict built in C."""
    root = _ROOT.search(xml, 0, 4096)
    if root is None or b":" in root.group(0) or b"<sheetData" not in xml:
        return None  # a prefixed namespace: the cell tags would not read <c
    ids = b"|".join(str(i).encode() for i in sorted(styles))
    # quick: the form Excel and openpyxl write (<c r="B7" s="3" ...>), when every attribute
    # naming such a style, however written, is in a tag of that form (else the thorough scan)
    usual = re.findall(rb'<c r="([A-Z]{1,3}[1-9][0-9]{0,6})" s="(' + ids + rb')"', xml)
    if len(usual) == len(re.findall(rb"""s\s*=\s*["'](?:""" + ids + rb""")["']""", xml)):
        return dict(usual)
    # thorough: r first, else any order
    tag = re.compile(rb"""<c\s+(?:r\s*=\s*["']([A-Z]{1,3})0*([0-9]{1,7})["'][^>]*?\ss\s*=\s*["']("""
                     + ids + rb""")["']|([^>]*?\bs\s*=\s*["'](""" + ids + rb""")["'][^>]*))""")
    found: StyledCells = {}
    for letters, row, style, other, other_style in tag.findall(xml):
        if not letters:
            ref = _REF.search(other)
            if ref is None:
                return None  # a cell placed by its order alone
            letters, row, style = ref.group(1), ref.group(2), other_style
        found[letters + row] = style
    return found


def _calamine_rows(calamine: Any, path: Path, title: str, styled: StyledCells,
                   formats: dict[bytes, str], where: str) -> Rows:
    """``formats``: style index → number format, for the styles ``styled`` names."""
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except (calamine.CalamineError, *_ERRORS) as exc:
        raise _unreadable(path, where, exc) from None
    try:
        try:
            sheet = book.get_sheet_by_name(title)
        except (calamine.CalamineError, *_ERRORS) as exc:
            raise _unreadable(path, where, exc) from None
        start = sheet.start
        if start is None:
            return  # an empty sheet
        # rows come from row 1, cells from the first used column
        first = start[1]
        pad: Row = [""] * first
        general = writer("General")
        writers = {style: writer(fmt) for style, fmt in formats.items()}
        writers[b""] = general
        letter = require("openpyxl.utils", extra="xlsx", feature=_FEATURE,
                         dist="openpyxl").get_column_letter
        refs = [letter(first + i + 1).encode() for i in range(sheet.width)]
        get = styled.get
        for r, cells in enumerate(sheet.iter_rows(), 1):
            if styled:
                number = b"%d" % r
                row: Row = [c if type(c) is str else writers[get(refs[i] + number, b"")](c)
                            for i, c in enumerate(cells)]
            else:
                row = [c if type(c) is str else general(c) for c in cells]
            yield pad + row if first else row
    finally:
        book.close()


def open_sheet(path: Path, sheet: str | int, *, where: str) -> tuple[str, Rows]:
    """(sheet title, its display texts row by row from row 1, an empty cell ``""``): the
    title is found at once (SourceError for a missing sheet), the rows are streamed."""
    calamine = require("python_calamine", extra="xlsx", feature=_FEATURE,
                       dist="python-calamine")
    parts = _open(path, where)
    try:
        title = _title(list(parts.sheets), sheet, where)
        styles = {i: f for i, f in enumerate(parts.formats) if f not in GENERAL_FORMATS}
        styled: StyledCells | None = {}
        if styles:
            try:
                styled = _styled_cells(parts.sheet_xml(title), styles)
            except _ERRORS as exc:
                raise _unreadable(path, where, exc) from None
    finally:
        parts.close()
    if styled is None:
        return title, openpyxl_rows(path, title, where=where)
    formats = {str(i).encode(): f for i, f in styles.items()}
    return title, _calamine_rows(calamine, path, title, styled, formats, where)


def openpyxl_rows(path: Path, title: str, *, where: str) -> Rows:
    """The same rows through openpyxl's own cell parser (the slower path, kept for sheets
    the style scan cannot follow)."""
    openpyxl = require("openpyxl", extra="xlsx", feature=_FEATURE)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except _ERRORS as exc:
        raise _unreadable(path, where, exc) from None
    try:
        for row in book[title].iter_rows():
            yield [_empty(display(c.value, getattr(c, "number_format", None))) for c in row]
    finally:
        book.close()


def _empty(text: str | None) -> str:
    return "" if text is None else text


def iter_sheet(path: Path, sheet: str | int, *, where: str) -> Iterator[tuple[str, Row]]:
    """(sheet title, display texts) per row (see ``open_sheet``)."""
    title, rows = open_sheet(path, sheet, where=where)
    for row in rows:
        yield title, row


def read_sheet(path: Path, sheet: str | int, *, where: str) -> tuple[str, list[Row]]:
    """(sheet title, rows of display texts) of one sheet."""
    title, rows = open_sheet(path, sheet, where=where)
    return title, list(rows)
