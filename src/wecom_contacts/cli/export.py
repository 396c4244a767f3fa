"""`wecom-contacts export`: the live directory in the desired-state format (YAML, JSON, CSV)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from .._private import write_private
from ..sources.export import export_through_mapping
from ..sync import export_directory
from . import _render as render
from ._context import JsonFlag, use
from ._read_via import ReadVia, ReadViaFlag, via

__all__ = ["export"]


class Format(str, Enum):
    yaml = "yaml"
    json = "json"
    csv = "csv"
    csv_departments = "csv-departments"


_LIBRARY_FORMAT = {Format.csv: "csv-members"}
_BY_SUFFIX = {".yaml": Format.yaml, ".yml": Format.yaml, ".json": Format.json, ".csv": Format.csv}


def export(
    ctx: typer.Context,
    fmt: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="yaml, json, csv (members, WeCom's import template) or csv-departments "
            "(default: from the -o suffix, else yaml).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write here, not stdout.")
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
    read_via: ReadViaFlag = ReadVia.auto,
    as_json: JsonFlag = False,
) -> None:
    """Export the live directory in the desired-state format, or through a mapping.

    Planning the exported file against the same directory shows no change (through a
    mapping: for the fields the mapping can write back, docs/sources.md).
    """
    state = use(ctx, as_json)
    if mapping is not None:
        _through(state, mapping, output, subtree, read_via)
        return
    chosen = fmt or (_BY_SUFFIX.get(output.suffix.lower()) if output else None) or Format.yaml
    where = int(subtree) if subtree and subtree.isdigit() else subtree
    text = export_directory(
        state.client(), _LIBRARY_FORMAT.get(chosen, chosen.value), subtree=where,
        via=via(read_via),
    )
    if output is None:
        typer.echo(text, nl=False)
        return
    write_private(output, text)  # members' personal data: 0600 whatever the umask
    summary = {"path": str(output), "format": chosen.value, "bytes": len(text.encode())}
    render.emit(state, summary, lambda: f"wrote {output} ({chosen.value})")


def _through(state: Any, mapping: Path, output: Path | None, subtree: str | None,
             read_via: ReadVia) -> None:
    where = int(subtree) if subtree and subtree.isdigit() else subtree
    text = export_through_mapping(state.client(), mapping, output, subtree=where,
                                  via=via(read_via))
    if output is None:
        typer.echo(text, nl=False)
        return
    summary = {"path": str(output), "mapping": str(mapping), "bytes": output.stat().st_size}
    render.emit(state, summary, lambda: f"wrote {output} (through {mapping})")
