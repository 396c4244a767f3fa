"""One entry point for every file a sync can start from: a mapping file (naming its input), a
data file with a mapping, a workbook or CSV in WeCom's template columns, or a desired-state
document (YAML / JSON / CSV)."""

from __future__ import annotations

import csv
import functools
import io
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..sync import DesiredDirectory, load_desired, parse_desired
from .base import InputSpec, SourceError, open_source
from .build import SourceResult, build_directory
from .csv_file import decode_file
from .mapping_file import LoadedMapping, is_mapping_document, load_mapping
from .xlsx import read_sheet

__all__ = ["is_mapping_file", "load_source", "loader", "read_source"]

_WORKBOOK = (".xlsx", ".xlsm")
_DATA = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}


def is_mapping_file(path: str | os.PathLike[str]) -> bool:
    """A YAML file with an ``input:`` block (a desired-state document has none)."""
    file = Path(path)
    if file.suffix.lower() not in (".yaml", ".yml"):
        return False
    try:
        return is_mapping_document(decode_file(file, None, where=file.name))
    except SourceError:
        return False


def _with_data_file(lm: LoadedMapping, data: Path) -> InputSpec:
    spec = lm.input_spec()
    kind = _DATA.get(data.suffix.lower(), spec.type)
    options = dict(spec.options) if kind == spec.type else {}
    options["path"] = str(data.resolve())
    return replace(spec, type=kind, options=options)


def _counts(directory: DesiredDirectory) -> dict[str, int]:
    return {name: len(getattr(directory, attr) or ())
            for name, attr in (("members", "users"), ("departments", "departments"),
                               ("tags", "tags"))}


def _template_workbook(path: Path, sheet: str | int) -> DesiredDirectory:
    """A sheet in WeCom's member (or department) template columns, read as that CSV."""
    title, rows = read_sheet(path, sheet, where=path.name)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(
        [[cell or "" for cell in row] for row in rows])
    return parse_desired(buffer.getvalue(), "csv", source=f"{path.name} [{title}]")


def read_source(path: str | os.PathLike[str], *, mapping: str | os.PathLike[str] | None = None,
                sheet: str | int = 0, fingerprint: bool = True) -> SourceResult:
    """Read a source completely, collecting the problems of every row (nothing is planned).

    ``path`` is a mapping file, or a data file (``.csv``, ``.xlsx``) — read through
    ``mapping`` when given (its ``input:`` then names the options, the path is this file),
    else as WeCom's template columns — or a desired-state document. ``fingerprint=False``:
    a read through a mapping computes no source fingerprint (``result.fingerprint`` None).
    """
    file = Path(path)
    if mapping is not None:
        lm = load_mapping(mapping)
        return build_directory(lm, open_source(_with_data_file(lm, file)),
                               fingerprint=fingerprint)
    if is_mapping_file(file):
        lm = load_mapping(file)
        return build_directory(lm, open_source(lm.input_spec()), fingerprint=fingerprint)
    if file.suffix.lower() in _WORKBOOK:
        directory = _template_workbook(file, sheet)
    elif file.suffix.lower() in (".tsv", ".txt"):
        directory = parse_desired(file.read_bytes(), "csv", source=file.name)
    else:
        directory = load_desired(file)
    return SourceResult(directory, [], _counts(directory))


def load_source(path: str | os.PathLike[str], *more: str | os.PathLike[str],
                mapping: str | os.PathLike[str] | None = None) -> DesiredDirectory:
    """The desired directory to plan from any file a sync takes (see ``read_source``);
    SourceError when any row has a problem, so a plan never starts from a partial read.

    Several files are desired-state documents that each give other sections (the
    department and member CSV templates); a mapping file or workbook is read alone.
    """
    if more:
        for one in (path, *more):
            if mapping is not None or is_mapping_file(one) or \
                    Path(one).suffix.lower() in _WORKBOOK:
                raise SourceError("a mapping file or a workbook is read alone (give one "
                                  "file)", where=os.fspath(one))
        return load_desired(path, *more)
    result = read_source(path, mapping=mapping, fingerprint=False)  # a plan needs none
    result.raise_for_problems()
    return result.directory


def loader(mapping: str | os.PathLike[str] | None = None) -> Callable[..., DesiredDirectory]:
    """``load_source`` with ``mapping`` bound: the ``load`` that ``sync.plan_from_files``
    and ``sync.apply_sources`` take."""
    return functools.partial(load_source, mapping=mapping)
