"""render_review: the reviewer's plan as text — summary, risky changes, then the rest grouped."""

from __future__ import annotations

from .review import KINDS, OBJECTS, Review, ReviewItem

__all__ = ["render_review"]

_SIGN = {"create": "+", "update": "~", "move": ">", "disable": "!", "delete": "-"}
_HEADING = {
    "create": "to create", "update": "to update", "move": "to move",
    "disable": "to disable", "delete": "to delete",
}
_PLURAL = {"member": "Members", "department": "Departments", "tag": "Tags"}
# Without --detail a new member, department or tag shows only these fields (the rest is
# noise to a reviewer; --detail shows every field).
_BRIEF_CREATE = {"member": ("departments",), "tag": ("users", "departments")}


def render_review(review: Review, *, detail: bool = False) -> str:
    """Summary first, then the risky changes, then the rest by kind; ``detail``: every field."""
    if not review.items:
        return ("No changes: the live directory matches the desired state.\n"
                f"Live fingerprint: {review.fingerprint}\n")
    lines = _summary(review)
    risky = review.risky
    if risky:
        lines += ["", f"Risky changes ({len(risky)}) — check these first:"]
        for item in risky:
            lines.append(f"  {_headline(item)}   [{', '.join(item.risks)}]")
            lines += _fields(item, detail=True)
    for kind, obj, items in review.groups():
        lines += ["", f"{_PLURAL[obj]} {_HEADING[kind]} ({len(items)}):"]
        for item in items:
            lines.append(f"  {_headline(item)}")
            lines += _fields(item, detail=detail)
    for warning in review.warnings:
        lines.append(f"warning: {warning}")
    lines.append(f"Live fingerprint: {review.fingerprint}")
    return "\n".join(lines) + "\n"


def _summary(review: Review) -> list[str]:
    totals = review.totals()
    counts = review.counts()
    head = ", ".join(f"{totals[k]} {k}" for k in KINDS)
    lines = [f"Plan: {len(review.items)} change(s) — {head} ({review.api_calls} API calls); "
             f"{len(review.risky)} risky."]
    width = max(len(k) for k in KINDS)
    lines.append(f"  {'':{width}}  " + "  ".join(f"{o:>10}" for o in OBJECTS))
    for kind in KINDS:
        if totals[kind]:
            cells = "  ".join(f"{counts[kind][o]:>10}" for o in OBJECTS)
            lines.append(f"  {kind:{width}}  {cells}")
    by_dept = review.by_department()
    if by_dept:
        lines.append("By top-level department:")
        for top, row in by_dept.items():
            shown = ", ".join(f"{row[k]} {k}" for k in KINDS if row[k])
            lines.append(f"  {top}: {shown}")
    return lines


def _headline(item: ReviewItem) -> str:
    where = ""
    if item.object == "member" and item.top:
        where = f" — {item.top}"
    notes = f" ({'; '.join(item.notes)})" if item.notes else ""
    return f"{_SIGN[item.kind]} {item.kind} {item.object} {item.title}{where}{notes}"


def _fields(item: ReviewItem, *, detail: bool) -> list[str]:
    if item.kind == "delete":
        return []
    lines = []
    for change in item.changes:
        if change.old is None and change.new is None:
            continue  # e.g. a tag's departments when it has none
        if change.field == "userid" and item.kind != "create":
            lines.append(f"      userid renamed: {change.old} → {change.new}")
            continue
        if item.kind == "create":
            if detail or change.field in _BRIEF_CREATE.get(item.object, ()):
                lines.append(f"      {change.label}: {change.new or '(none)'}")
        else:
            lines.append(f"      {change.label}: {change.old or '(none)'} → "
                         f"{change.new or '(none)'}")
    return lines
