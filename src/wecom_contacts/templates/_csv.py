"""What both import templates share: row errors, UTF-8 CSV encoding and list cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["RowError", "TemplateError", "decode_rows", "encode_rows", "join_list", "split_list"]

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
    """The rows of a UTF-8 CSV (an optional BOM is dropped); blank lines are kept as []."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            # WeCom reads UTF-8 only; Excel on Chinese Windows saves GBK by default
            raise TemplateError([RowError(
                1, "", f"the file is not UTF-8 (byte {exc.start}); save it as UTF-8 CSV",
            )]) from None
    else:
        text = data.removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def split_list(cell: str) -> list[str]:
    """``"1;2"`` → ``["1", "2"]`` (a full-width ``；`` counts too, as typed in Chinese IMEs)."""
    return [part.strip() for part in cell.replace("；", LIST_SEPARATOR).split(LIST_SEPARATOR)
            if part.strip()]


def join_list(values: Sequence[object]) -> str:
    return LIST_SEPARATOR.join(str(v) for v in values)
