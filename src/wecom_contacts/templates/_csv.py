"""What both import templates share: row errors, decoding (the toolkit's one decoder), UTF-8
CSV encoding and list cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from .._textio import TextDecodeError, decode_text

__all__ = ["RowError", "TemplateError", "as_utf8", "decode", "decode_rows", "encode_rows",
           "join_list", "split_list"]

# batch.md §6: fields separated by ",", several values in one cell by ";"
LIST_SEPARATOR = ";"
_SHOWN_ERRORS = 20


@dataclass(frozen=True, slots=True)
class RowError:
    """One invalid cell: ``row`` is the line in the file (the header is row 1)."""

    row: int
    column: str
    message: str
    key: str = ""  # the row's userid or department id, when known

    def __str__(self) -> str:
        who = f" ({self.key})" if self.key else ""
        where = f", column {self.column}" if self.column else ""
        return f"row {self.row}{who}{where}: {self.message}"


class TemplateError(ValueError):
    """An import file or its rows break the template's rules; ``errors`` lists every cell."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        shown = [f"  {e}" for e in self.errors[:_SHOWN_ERRORS]]
        if len(self.errors) > _SHOWN_ERRORS:
            shown.append(f"  … and {len(self.errors) - _SHOWN_ERRORS} more")
        super().__init__(
            f"{len(self.errors)} problem(s) in the import file:\n" + "\n".join(shown)
        )


def encode_rows(header: Sequence[str], rows: Sequence[Sequence[str]], *, bom: bool) -> bytes:
    """UTF-8 CSV with ``\\n`` line ends (batch.md §6); a BOM only when asked (Excel likes it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    text = out.getvalue()
    return (("\ufeff" if bom else "") + text).encode("utf-8")


def decode_rows(data: bytes | str) -> list[list[str]]:
    """The rows of a CSV (any encoding the toolkit reads, a BOM dropped); blank lines are
    kept as []."""
    text = decode(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def decode(data: bytes) -> str:
    """A whole import file through the toolkit's one decoder (UTF-8, GB18030/GBK, UTF-16)."""
    try:
        return decode_text(data, source="the import file").text
    except TextDecodeError as exc:
        raise TemplateError([RowError(exc.line or 1, "", exc.reason)]) from None


def as_utf8(data: bytes) -> bytes:
    """The file as WeCom reads it: UTF-8 (batch.md §6). A GBK or UTF-16 file saved by Excel
    is re-encoded; a UTF-8 file is sent as it is."""
    try:
        decoded = decode_text(data, source="the import file")
    except TextDecodeError as exc:
        raise TemplateError([RowError(exc.line or 1, "", exc.reason)]) from None
    return data if decoded.encoding == "utf-8" else decoded.text.encode("utf-8")


def split_list(cell: str) -> list[str]:
    """``"1;2"`` → ``["1", "2"]`` (a full-width ``；`` counts too, as typed in Chinese IMEs)."""
    return [part.strip() for part in cell.replace("；", LIST_SEPARATOR).split(LIST_SEPARATOR)
            if part.strip()]


def join_list(values: Sequence[object]) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values)
