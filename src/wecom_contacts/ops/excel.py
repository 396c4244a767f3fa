"""Files Excel opens as they are: CSV in UTF-8 with a BOM (or GB18030, which Excel on
Chinese Windows reads without one), and `.xlsx` workbooks with every cell kept as text."""

from __future__ import annotations

import csv
import importlib
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["CSV_ENCODINGS", "csv_bytes", "write_xlsx"]

# the name a user types → Python's codec
CSV_ENCODINGS = {"utf-8-bom": "utf-8-sig", "utf-8": "utf-8", "gb18030": "gb18030"}


def csv_bytes(text: str, encoding: str = "utf-8-bom") -> bytes:
    """The CSV text encoded for Excel: ``utf-8-bom`` (default), ``gb18030`` or ``utf-8``."""
    try:
        codec = CSV_ENCODINGS[encoding]
    except KeyError:
        raise ValueError(f"encoding must be one of {', '.join(CSV_ENCODINGS)}, "
                         f"not {encoding!r}") from None
    # Excel wants CRLF line ends in a CSV; the csv module writes them
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(codec)


def write_xlsx(path: Path, sheets: Mapping[str, str]) -> None:
    """One sheet per CSV text (name → text), written 0600. Every cell is a text cell: a
    mobile stays ``13800000001`` (not 1.38E+10) and a value starting with ``=`` is never a
    formula."""
    try:
        # (no type stubs for openpyxl: it is used through this one Any)
        openpyxl: Any = importlib.import_module("openpyxl")
    except ImportError:  # pragma: no cover - the xlsx extra is not installed
        raise RuntimeError("writing .xlsx needs openpyxl: pip install 'wecom-contacts[xlsx]'"
                           ) from None
    book = openpyxl.Workbook()
    first = True
    for name, text in sheets.items():
        sheet = book.active if first else book.create_sheet()
        sheet.title = name[:31]  # Excel's limit on a sheet name
        first = False
        rows: Sequence[list[str]] = list(csv.reader(io.StringIO(text)))
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                cell.value = value
                cell.data_type = "s"  # text, whatever it looks like
                cell.number_format = "@"
        if rows:
            sheet.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        book.save(f)
    os.replace(partial, path)
