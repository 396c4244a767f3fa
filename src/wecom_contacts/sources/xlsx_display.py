"""A workbook cell as Excel shows it: a value and its number format → the text a user sees.

Both workbook readers (``xlsx_read``) give their values to :func:`display`: numbers through
their number format (a mobile stored as a number is ``13800000000``, never ``13800000000.0``
or ``1.38E+10``; ``000000`` keeps an employee number's leading zeros), dates as their format
writes them (``yyyy-mm-dd`` when the format is not one we can follow), booleans as
``TRUE``/``FALSE``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

__all__ = ["GENERAL_FORMATS", "display", "writer"]

# formats that show a number as its value alone (text "@" shows a typed number as General)
GENERAL_FORMATS = frozenset({"General", "@"})

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


_PLAIN_NUMBER = re.compile(r"([#,]*0*)(?:\.(0+))?")


def _number_writer(fmt: str) -> Callable[[float | int], str]:
    """How a number format writes a number (worked out once per format)."""
    fmt = fmt.split(";")[0]
    if "%" in fmt:
        percent = len(fmt.split(".")[1].rstrip("%")) if "." in fmt else 0
        return lambda value: f"{value * 100:.{percent}f}%"
    match = _PLAIN_NUMBER.fullmatch(fmt.strip())
    if match and fmt.strip() not in ("", "General"):
        decimals = len(match.group(2) or "")
        if "," in fmt:
            return lambda value: f"{value:,.{decimals}f}"
        # each 0 before the point is a digit always shown: "000000" writes 123 as 000123
        digits = match.group(1).count("0") + (decimals + 1 if decimals else 0)
        # a minus sign takes a place of its own: -5 in "000" is -005
        spec, negative = f"0{digits}.{decimals}f", f"0{digits + 1}.{decimals}f"
        return lambda value: format(value, spec) if value >= 0 else format(value, negative)
    return _general_number


def _general_number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.15g}"
    return str(value)


def display(value: Any, number_format: str | None) -> str | None:
    """A cell's value as Excel shows it (None for an empty cell)."""
    return writer(number_format or "General")(value)


@functools.lru_cache(maxsize=256)
def writer(number_format: str) -> Callable[[Any], str | None]:
    """``display`` for the cells of one number format, worked out once: a reader writes a
    column's cells through it. A date's text is remembered per format (a roster's entry
    dates and birthdays recur); a number is written at once (employee numbers do not)."""
    numbers = _number_writer(number_format)
    dates: dict[Any, str] = {}

    def write(value: Any) -> str | None:
        kind = type(value)
        if kind is float or kind is int:
            return numbers(value)
        if value is None:
            return None
        if kind is bool:
            return "TRUE" if value else "FALSE"
        if isinstance(value, (dt.datetime, dt.date, dt.time)):
            # a date never equals a time or a datetime, so one memo serves the three
            text = dates.get(value)
            if text is None:
                text = _date_text(value, number_format)
                if len(dates) < 8192:
                    dates[value] = text
            return text
        if isinstance(value, (int, float)):  # subclasses
            return numbers(value)
        return str(value)
    return write
