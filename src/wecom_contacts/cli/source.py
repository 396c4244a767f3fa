"""`wecom-contacts source preview`: the desired directory as a source reads, without WeCom."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group, RenderableType
from rich.text import Text

from ..sources import read_source
from . import _render as render
from ._context import JsonFlag, use
from ._errors import EXIT_USAGE, CliFailure

__all__ = ["app"]

app = typer.Typer(help="Sources: HR files and mapping files, read as the sync reads them.",
                  no_args_is_help=True)

_COLUMNS = ("row", "userid", "name", "departments", "mobile", "email", "position", "enable",
            "direct_leader", "tags")


def _row_number(origin: str) -> str:
    return origin.rsplit(", row ", 1)[-1]  # "hr.csv, row 12" → "12": the file is named above


def _text(summary: dict[str, Any]) -> RenderableType:
    counts = summary["counts"]
    # a section the source does not manage has no count to show: the plan leaves it alone
    unmanaged = {k for k in ("departments", "tags") if summary.get(k) is None}
    parts: list[RenderableType] = [Text(
        f"{summary['source']}: " + ", ".join(f"{v} {k}" for k, v in counts.items()
                                             if k not in unmanaged))]
    if summary["departments"] is None:
        parts.append(Text("departments: not managed (the members' departments must exist)"))
    elif summary["departments"]:
        shown = summary["departments"]
        details = {d["path"]: d for d in summary.get("department_details") or ()}
        more = counts.get("departments", len(shown)) - len(shown)
        parts.append(Text("departments: " + ", ".join(_department(p, details.get(p))
                                                      for p in shown)
                          + (f" … (+{more})" if more > 0 else "")))
    if summary.get("tags") is None:
        parts.append(Text("tags: not managed (the plan leaves every tag as it is)"))
    else:
        tags = summary["tags"]
        more = counts.get("tags", len(tags)) - len(tags)
        parts.append(Text("tags: " + (", ".join(
            f"{t['name']} ({t['members']} member(s)" + (f", id {t['id']}" if "id" in t else "")
            + ")" for t in tags) or "none (every tag is deleted)")
            + (f" … (+{more})" if more > 0 else "")))
    members = summary["members"]
    if members:
        used = [c for c in _COLUMNS if any(c in m for m in members)]
        cells = ([_row_number(m["row"]) if c == "row" else m.get(c) for c in used]
                 for m in members)
        parts.append(render.table(used, cells,
                                  title=f"first {len(members)} member(s)"))
    for problem in summary["problems"]:
        label = "warning" if problem["severity"] == "warning" else "error"
        parts.append(Text(f"{label}: {problem['where']}: {problem['message']}"))
    return Group(*parts)


def _department(path: str, details: dict[str, Any] | None) -> str:
    if not details:
        return path
    said = [f"{k} {details[k]}" for k in ("order", "id", "name_en") if k in details]
    if "leaders" in details:
        said.append("leaders " + " ".join(details["leaders"]))
    return f"{path} ({', '.join(said)})"


@app.command("preview")
def preview(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(
        metavar="SOURCE", help="A mapping file, a data file (.csv, .xlsx), or a desired-state "
        "file.")],
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", "-m", metavar="MAPPING", help="Read the data file through this mapping "
        "(its input: options apply; the path is SOURCE).")] = None,
    rows: Annotated[int, typer.Option("--rows", "-n", min=0,
                                      help="How many members to show.")] = 10,
    as_json: JsonFlag = False,
) -> None:
    """Show the desired directory a source gives: counts, first members, every problem.

    Reads the whole source and calls nothing in WeCom. Exits 2 when any row has an error
    (a sync would refuse the source); warnings alone exit 0.
    """
    state = use(ctx, as_json)
    result = read_source(source, mapping=mapping)
    summary = result.summary(rows)
    render.emit(state, summary, lambda: _text(summary))
    if result.errors:
        raise CliFailure(f"{len(result.errors)} row problem(s): a sync refuses this source "
                         "until they are fixed", EXIT_USAGE)
