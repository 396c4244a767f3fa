"""render_plan: a plan as a readable diff (+ create, ~ change, - delete) with field changes."""

from __future__ import annotations

import json
from typing import Any

from .types import Plan, Step

__all__ = ["render_plan", "summarize"]

_SIGN = {
    "create": "+",
    "update": "~",
    "add_members": "~",
    "remove_members": "~",
    "disable": "~",
    "delete": "-",
}


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return text if text else '""'


def summarize(plan: Plan) -> dict[str, int]:
    """Counts for a headline: create / change / disable / delete."""
    result = {"create": 0, "change": 0, "disable": 0, "delete": 0}
    for step in plan.steps:
        action = step.action
        key = action if action in ("create", "delete", "disable") else "change"
        result[key] += 1
    return result


def _headline(step: Step) -> str:
    sign = _SIGN.get(step.action, "~")
    target = step.target
    if step.op == "user.update" and "userid" in step.changes:
        old, new = step.changes["userid"]
        target = f"{old} → {new} (renamed)"
    elif step.op == "department.update" and "parent" in step.changes:
        target = f"{target} (moved from {step.changes['parent'][0]})"
    elif step.action == "create" and step.kind == "user":
        name = step.params.get("name", "")
        target = f"{target} ({name})" if name else target
    elif step.action == "disable":
        target = f"{target} (disabled instead of deleted)"
    if step.note:
        target = f"{target} — {step.note}"
    return f"{sign} {step.kind} {target}"


def _details(step: Step) -> list[str]:
    if step.action in ("add_members", "remove_members"):
        sign = "+" if step.action == "add_members" else "-"
        lines = []
        for key in ("users", "departments"):
            old, new = step.changes.get(key, ([], []))
            names = new if step.action == "add_members" else old
            if names:
                lines.append(f"    {sign} {key}: {', '.join(str(n) for n in names)}")
        return lines
    if step.action == "delete":
        return []
    lines = []
    for key, (old, new) in step.changes.items():
        if key in ("userid", "parent"):
            continue
        if step.action == "create":
            lines.append(f"    {key}: {_show(new)}")
        else:
            lines.append(f"    {key}: {_show(old)} → {_show(new)}")
    return lines


def render_plan(plan: Plan, *, details: bool = True) -> str:
    """The plan as text: one headline per step, field-level changes indented below it."""
    lines: list[str] = []
    for step in plan.steps:
        lines.append(_headline(step))
        if details:
            lines.extend(_details(step))
    counts = summarize(plan)
    if plan.is_empty:
        lines.append("No changes: the live directory matches the desired state.")
    else:
        lines.append("")
        lines.append(
            f"Plan: {counts['create']} to create, {counts['change']} to change, "
            f"{counts['disable']} to disable, {counts['delete']} to delete "
            f"({len(plan.steps)} API calls)."
        )
    lines.append(f"Live fingerprint: {plan.fingerprint}")
    for warning in plan.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines) + "\n"
