"""The live directory written back through a mapping: files in the HR export's own columns.

The members go to the output file (CSV, or a sheet of an ``.xlsx`` workbook); a mapping that
reads department or tag records of their own (``departments.records``, ``tags.records``)
gets them too: on their sheets of the output workbook when the mapping reads them from the
members' workbook, else in the files given for them (``records=``; ``--departments-output`` /
``--tags-output``). A mapping whose records have nowhere to go is refused at its line before
anything is written: a members file alone would read back with the old records. Every file is
created 0600 (members' personal data).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._extras import require
from ..client import Client
from ..sync import LiveDirectory, ReadVia, read_live
from .base import SourceError
from .export_records import Table
from .export_rows import mapped_rows, mapped_tables, record_entities
from .mapping_file import LoadedMapping, load_mapping

__all__ = ["RECORD_NOUNS", "export_through_mapping", "mapped_rows", "mapped_tables",
           "record_entities", "rows_as_csv", "write_mapped"]

_XLSX = (".xlsx", ".xlsm")
_DEFAULT_SHEETS = {"members": "Sheet1", "departments": "departments", "tags": "tags"}
_OPTION = {"departments": "--departments-output", "tags": "--tags-output"}
RECORD_NOUNS = {"departments": "department", "tags": "tag"}  # "the department records"


def rows_as_csv(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[row.get(col, "") for col in header] for row in rows])
    return out.getvalue()



def _private(path: Path) -> int:
    # members' personal data: created 0600, as every such file the toolkit writes
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)


def _input_options(lm: LoadedMapping, entity: str) -> dict[str, Any]:
    options = dict(lm.mapping.input.model_extra or {})
    if entity == "members":
        return options
    found = options.get(entity)
    return dict(found) if isinstance(found, Mapping) else {}


def _sheet(lm: LoadedMapping, entity: str) -> tuple[str, int | None]:
    """(the sheet's name, the index the mapping reads it by, if it reads it by index; the
    reader's default is the first sheet)."""
    named = _input_options(lm, entity).get("sheet", 0)
    if isinstance(named, int) or (isinstance(named, str) and named.isdigit()):
        return _DEFAULT_SHEETS[entity], int(named)
    return str(named), None


def _places(lm: LoadedMapping, output: Path | None,
            records: Mapping[str, Path]) -> dict[str, Path | None]:
    """Where each table goes: a file of its own, or None for a sheet of the output
    workbook. SourceError (at the records' mapping line) for records with no place."""
    unknown = set(records) - set(record_entities(lm))
    if unknown:
        entity = sorted(unknown)[0]
        raise SourceError(f"{_OPTION.get(entity, entity)} was given, but the mapping reads "
                          f"no {RECORD_NOUNS.get(entity, entity)} records ({entity}.records)",
                          where=lm.where(()))
    workbook = output is not None and output.suffix.lower() in _XLSX
    places: dict[str, Path | None] = {}
    for entity in record_entities(lm):
        given = records.get(entity)
        if given is not None and not (workbook and output is not None
                                      and given.resolve() == output.resolve()):
            if output is not None and given.resolve() == output.resolve():
                raise SourceError(f"{_OPTION[entity]} names the members' file {output}; "
                                  "a CSV file holds one table", where=str(given))
            places[entity] = given
            continue
        same_book = lm.mapping.input.type == "xlsx" and "path" not in _input_options(lm, entity)
        if workbook and (same_book or given is not None):
            places[entity] = None
            continue
        raise SourceError(
            f"the mapping reads {RECORD_NOUNS[entity]} records of their own "
            f"({entity}.records), which export writes too: give {_OPTION[entity]} FILE for "
            f"them (then point the mapping's input.{entity}.path at that file, or write over "
            "the HR file)"
            + (", or export to an .xlsx workbook, whose sheet the mapping reads"
               if same_book else ""),
            where=lm.where((entity, "records")), field="records")
    return places


def _workbook(path: Path, sheets: list[tuple[str, Table]]) -> None:
    openpyxl = require("openpyxl", extra="xlsx", feature="writing .xlsx workbooks")
    book = openpyxl.Workbook(write_only=True)
    for name, (header, rows) in sheets:
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(col, "") for col in header])
    os.close(_private(path))
    book.save(path)


def _ordered(lm: LoadedMapping, entities: list[str], tables: dict[str, Table],
             path: Path) -> list[tuple[str, Table]]:
    """The sheets of one workbook, each at the index the mapping reads it by, if it does."""
    named = {e: _sheet(lm, e) for e in entities}
    free = [e for e in entities if named[e][1] is None]
    order: list[str] = []
    for entity in sorted((e for e in entities if named[e][1] is not None),
                         key=lambda e: named[e][1] or 0):
        index = named[entity][1] or 0
        while len(order) < index and free:
            order.append(free.pop(0))
        if len(order) != index:
            raise SourceError(f"the mapping reads the {entity} from sheet {index}, but "
                              f"{path.name} would have {len(entities)} sheets; name the "
                              "sheet instead", where=lm.where(("input",)))
        order.append(entity)
    order.extend(free)
    if len({named[e][0] for e in order}) != len(order):
        raise SourceError(f"two of the sheets {path.name} would hold have one name",
                          where=lm.where(("input",)))
    return [(named[e][0], tables[e]) for e in order]


def _write_table(lm: LoadedMapping, entity: str, table: Table, path: Path) -> None:
    if path.suffix.lower() in _XLSX:
        _workbook(path, _ordered(lm, [entity], {entity: table}, path))
        return
    with os.fdopen(_private(path), "w", encoding="utf-8-sig", newline="") as f:
        f.write(rows_as_csv(*table))


def write_mapped(live: LiveDirectory, lm: LoadedMapping, output: Path | None, *,
                 records: Mapping[str, Path] | None = None) -> str:
    """Write the live members in the mapping's columns: ``.xlsx`` for an .xlsx output, else
    CSV (UTF-8 with a BOM, which Excel opens and every reader here detects); the mapping's
    department and tag records beside them (module docstring; ``records``: entity → file).
    Every table is made, and every place checked, before a file is written. Returns the
    members' CSV text when ``output`` is None, else ``""``."""
    places = _places(lm, output, records or {})
    tables = mapped_tables(live, lm)
    for entity, path in places.items():
        if path is not None:
            _write_table(lm, entity, tables[entity], path)
    if output is not None and output.suffix.lower() in _XLSX:
        entities = ["members", *(e for e, p in places.items() if p is None)]
        _workbook(output, _ordered(lm, entities, tables, output))
        return ""
    text = rows_as_csv(*tables["members"])
    if output is None:
        return text
    with os.fdopen(_private(output), "w", encoding="utf-8-sig", newline="") as f:
        f.write(text)
    return ""


def export_through_mapping(client: Client, mapping: str | os.PathLike[str],
                           output: Path | None = None, *, subtree: str | int | None = None,
                           via: ReadVia = "auto",
                           records: Mapping[str, Path] | None = None) -> str:
    """Read the live directory and write it in the mapping's columns (see ``write_mapped``).
    The mapping and the places of its records are checked before WeCom is read."""
    lm = load_mapping(mapping)
    _places(lm, output, records or {})
    return write_mapped(read_live(client, subtree=subtree, via=via), lm, output,
                        records=records)
