"""--read-via: how a command reads the live directory (``sync.read_live``)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from .. import sync

__all__ = ["ReadVia", "ReadViaFlag", "via"]


class ReadVia(str, Enum):
    auto = "auto"
    lists = "lists"
    export = "export"


ReadViaFlag = Annotated[
    ReadVia,
    typer.Option(
        "--read-via",
        help="How to read the live directory: lists (department/list, user/list), export "
        "(export jobs; for IPs WeCom refuses detail reads to, errcode 48009), or auto "
        "(lists, then export on 48009).",
    ),
]


def via(flag: ReadVia) -> sync.ReadVia:
    return flag.value
