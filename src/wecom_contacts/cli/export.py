"""`wecom-contacts export`: the live directory in the desired-state format (YAML, JSON, CSV),
or as files Excel opens as they are (CSV with a BOM or in GB18030, `.xlsx`)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from .._private import write_private
from ..ops.excel import CSV_ENCODINGS, csv_bytes, write_xlsx
from ..sources.export import RECORD_NOUNS, export_through_mapping
from ..sync import PlanOptions, dump_directory, read_live
from . import _render as render
from ._context import JsonFlag, use
from ._errors import usage_error
from ._progress import phases
from ._read_via import ReadVia, ReadViaFlag, via

__all__ = ["export"]


class Format(str, Enum):
    yaml = "yaml"
    json = "json"
    csv = "csv"
    csv_departments = "csv-departments"
    xlsx = "xlsx"


class Encoding(str, Enum):
    utf_8_bom = "utf-8-bom"
    gb18030 = "gb18030"
    utf_8 = "utf-8"


assert {e.value for e in Encoding} == set(CSV_ENCODINGS)

_LIBRARY_FORMAT = {Format.csv: "csv-members"}
_BY_SUFFIX = {".yaml": Format.yaml, ".yml": Format.yaml, ".json": Format.json, ".csv": Format.csv,
              ".xlsx": Format.xlsx}
_CSV = (Format.csv, Format.csv_departments)


def export(
    ctx: typer.Context,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="yaml, json, csv (members, WeCom's import template), csv-departments, or "
            "xlsx (both, one sheet each; needs -o) (default: from the -o suffix, else yaml).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write here, not stdout.")
    ] = None,
    encoding: Annotated[
        Encoding | None,
        typer.Option(
            "--encoding",
            help="Of a CSV: utf-8-bom (the default for a file: Excel opens it as UTF-8), "
            "gb18030 (Excel on Chinese Windows without a BOM) or utf-8 (the default on stdout).",
        ),
    ] = None,
    subtree: Annotated[
        str | None, typer.Option("--subtree", help="Only this department (path or id) and below.")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(
            "--mapping", "-m", metavar="MAPPING",
            help="Write the members in this mapping's columns (an HR file: CSV, or .xlsx "
            "for an .xlsx output) instead of the desired-state format.")
    ] = None,
    departments_output: Annotated[
        Path | None, typer.Option(
            "--departments-output", metavar="FILE",
            help="With --mapping: write the mapping's department records "
            "(departments.records) to this file (CSV, or .xlsx).")
    ] = None,
    tags_output: Annotated[
        Path | None, typer.Option(
            "--tags-output", metavar="FILE",
            help="With --mapping: write the mapping's tag records (tags.records) to this "
            "file (CSV, or .xlsx).")
    ] = None,
    read_via: ReadViaFlag = ReadVia.auto,
    as_json: JsonFlag = False,
) -> None:
    """Export the live directory in the desired-state format, for Excel, or through a mapping.

    Planning the exported YAML, JSON or CSV against the same directory shows no change
    (through a mapping: for the fields the mapping can write back, docs/sources.md). Files
    are written 0600 (they hold members' data).
    """
    state = use(ctx, as_json)
    records = {e: p for e, p in (("departments", departments_output), ("tags", tags_output))
               if p is not None}
    if mapping is not None:
        _through(state, mapping, output, subtree, read_via, records)
        return
    if records:
        raise usage_error("--departments-output and --tags-output go with --mapping")
    chosen = fmt or (_BY_SUFFIX.get(output.suffix.lower()) if output else None) or Format.yaml
    if encoding is not None and chosen not in _CSV:
        raise usage_error(f"--encoding applies to csv and csv-departments, not {chosen.value}")
    if chosen is Format.xlsx and output is None:
        raise usage_error("xlsx is a binary file: give -o FILE.xlsx")
    where = int(subtree) if subtree and subtree.isdigit() else subtree
    with phases(enabled=not state.json) as steps:
        steps.start("reading the live directory")
        live = read_live(state.client(), subtree=where, via=via(read_via),
                         progress=steps.advance)
    options = PlanOptions(subtree=where)
    if chosen is Format.xlsx:
        assert output is not None
        write_xlsx(output, {"成员 members": dump_directory(live, "csv-members", options),
                            "部门 departments": dump_directory(live, "csv-departments", options)})
        size = output.stat().st_size
    else:
        text = dump_directory(live, _LIBRARY_FORMAT.get(chosen, chosen.value), options)
        if output is None:
            if encoding is None or encoding is Encoding.utf_8:
                typer.echo(text, nl=False)
            else:
                sys.stdout.buffer.write(csv_bytes(text, encoding.value))
                sys.stdout.buffer.flush()
            return
        data = text.encode()
        if chosen in _CSV:
            data = csv_bytes(text, (encoding or Encoding.utf_8_bom).value)
        write_private(output, data)
        size = len(data)
    summary = {"path": str(output), "format": chosen.value, "bytes": size}
    if chosen in _CSV:
        summary["encoding"] = (encoding or Encoding.utf_8_bom).value
    render.emit(state, summary, lambda: f"wrote {output} ({chosen.value})")


def _through(state: Any, mapping: Path, output: Path | None, subtree: str | None,
             read_via: ReadVia, records: dict[str, Path]) -> None:
    where = int(subtree) if subtree and subtree.isdigit() else subtree
    text = export_through_mapping(state.client(), mapping, output, subtree=where,
                                  via=via(read_via), records=records)
    if output is None:
        typer.echo(text, nl=False)
        if records:  # the members went to stdout; say where the records went
            typer.echo("wrote " + ", ".join(f"the {RECORD_NOUNS[e]} records to {p}"
                                            for e, p in records.items()), err=True)
        return
    summary: dict[str, Any] = {"path": str(output), "mapping": str(mapping),
                               "bytes": output.stat().st_size}
    if records:
        summary["records"] = {e: str(p) for e, p in records.items()}
    also = "".join(f", the {RECORD_NOUNS[e]} records to {p}" for e, p in records.items())
    render.emit(state, summary, lambda: f"wrote {output} (through {mapping}){also}")
