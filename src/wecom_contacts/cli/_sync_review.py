"""What `sync plan` and `sync apply` show: the reviewer's plan (text, JSON, HTML) with the
caps' verdict, the cap flags, and the "already applied" answer of a finished journal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .._private import write_private
from ..ops import render_review, review_plan
from ..ops.html import render_html
from ..sync import (
    CapLimits,
    CapVerdict,
    DesiredDirectory,
    JournalState,
    LiveDirectory,
    Plan,
    evaluate_caps,
    read_journal,
)

__all__ = [
    "CapFlags",
    "Detail",
    "Html",
    "already_applied",
    "cap_limits",
    "plan_json",
    "plan_text",
    "write_private",
]

Detail = Annotated[
    bool, typer.Option("--detail", help="Show every field of every change (not only changes).")
]
Html = Annotated[
    Path | None,
    typer.Option("--html", metavar="FILE",
                 help="Also write the plan as one self-contained HTML report (no network)."),
]


class CapFlags:
    """--allow-deletes / --max-deletes / --max-delete-ratio as given (None: not given)."""

    def __init__(self, allow: bool | None, floor: int | None, ratio: float | None) -> None:
        self.allow, self.floor, self.ratio = allow, floor, ratio

    @property
    def given(self) -> bool:
        return any(v is not None for v in (self.allow, self.floor, self.ratio))


def cap_limits(plan: Plan, flags: CapFlags | None = None) -> CapLimits:
    """The plan's own caps, with those given at apply time in their place."""
    base = CapLimits.from_options(plan.options)
    if flags is None:
        return base
    return CapLimits(
        base.floor if flags.floor is None else flags.floor,
        base.ratio if flags.ratio is None else flags.ratio,
        base.lifted if flags.allow is None else flags.allow,
    )


def plan_json(plan: Plan, verdict: CapVerdict, *, live: LiveDirectory | None = None,
              desired: DesiredDirectory | None = None) -> dict[str, Any]:
    """The plan's JSON: "changes", the plan itself, "review" (the documented schema) and
    "caps"."""
    review = review_plan(plan, live=live, desired=desired)
    return {"changes": len(plan.steps), **plan.to_dict(), "review": review.to_dict(),
            "caps": verdict.to_dict()}


def plan_text(plan: Plan, verdict: CapVerdict, *, detail: bool, live: LiveDirectory | None = None,
              desired: DesiredDirectory | None = None) -> str:
    text = render_review(review_plan(plan, live=live, desired=desired), detail=detail)
    message = verdict.explain()
    if message:
        text += f"caps: {message}\n"
    return text.rstrip("\n")


def write_html(path: Path, plan: Plan, verdict: CapVerdict, *,
               live: LiveDirectory | None = None, desired: DesiredDirectory | None = None) -> None:
    review = review_plan(plan, live=live, desired=desired)
    title = f"wecom-contacts sync plan: {plan.source}" if plan.source else None
    html = render_html(review, caps_message=verdict.explain(),
                       **({"title": title} if title else {}))
    write_private(path, html)


def already_applied(journal: Path) -> JournalState | None:
    """The journal's state when every step of its plan is done, else None."""
    if not journal.exists():
        return None
    found = read_journal(journal)
    return found if found.finished and found.total else None


def evaluate(plan: Plan, flags: CapFlags | None = None) -> CapVerdict:
    return evaluate_caps(plan, cap_limits(plan, flags))
