"""`wecom-contacts export`: the live directory in the desired-state format (YAML, JSON, CSV)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

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
    read_via: ReadViaFlag = ReadVia.auto,
    as_json: JsonFlag = False,
) -> None:
    """Export the live directory in the desired-state format.

    Planning the exported file against the same directory shows no change.
    """
    state = use(ctx, as_json)
    chosen = fmt or (_BY_SUFFIX.get(output.suffix.lower()) if output else None) or Format.yaml
    where = int(subtree) if subtree and subtree.isdigit() else subtree
    text = export_directory(
        state.client(), _LIBRARY_FORMAT.get(chosen, chosen.value), subtree=where,
        via=via(read_via),
    )
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    summary = {"path": str(output), "format": chosen.value, "bytes": len(text.encode())}
    render.emit(state, summary, lambda: f"wrote {output} ({chosen.value})")
