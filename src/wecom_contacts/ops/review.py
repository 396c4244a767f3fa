"""review_plan: a plan as a reviewer reads it — one item per member, department or tag,
counted by kind and top-level department, the risky ones flagged, values made human."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..sync import DesiredDirectory, LiveDirectory, Plan, Step
from ..sync.desired.model import UNIQUE_FIELDS, join_path, split_path, unique_key
from .values import LABELS, human

__all__ = [
    "KINDS",
    "OBJECTS",
    "REVIEW_FORMAT",
    "REVIEW_VERSION",
    "FieldChange",
    "Review",
    "ReviewItem",
    "review_plan",
]

REVIEW_FORMAT = "wecom-contacts-review"
REVIEW_VERSION = 1
KINDS = ("create", "update", "move", "disable", "delete")
OBJECTS = ("member", "department", "tag")
# When one member has several steps (a create and its late direct_leader), the item is the
# strongest of their kinds.
_STRENGTH = {"update": 0, "move": 1, "create": 2, "disable": 3, "delete": 4}
_OBJECT = {"user": "member", "department": "department", "tag": "tag"}
_RISK = {("member", "delete"): "member delete", ("member", "disable"): "member disable",
         ("department", "delete"): "department delete"}


@dataclass(frozen=True)
class FieldChange:
    """One field of one item: its label, and the old and new values as a reviewer reads them."""

    field: str
    label: str
    old: str | None
    new: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "label": self.label, "old": self.old, "new": self.new}


@dataclass
class ReviewItem:
    """What happens to one member, department or tag (possibly over several steps)."""

    object: str  # member | department | tag
    kind: str  # create | update | move | disable | delete
    target: str  # userid, department path, tag name
    name: str = ""  # a member's name
    top: str = ""  # the top-level department path ("" for tags)
    risks: list[str] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        """Members by name and userid, departments by path, tags by name."""
        if self.object == "member":
            return f"{self.name} ({self.target})" if self.name else self.target
        return self.target

    def to_dict(self) -> dict[str, Any]:
        return {
            "object": self.object, "kind": self.kind, "target": self.target,
            "name": self.name, "title": self.title, "top": self.top, "risks": self.risks,
            "steps": self.steps, "ops": self.ops, "notes": self.notes,
            "changes": [c.to_dict() for c in self.changes],
        }


@dataclass
class Review:
    """The items of a plan, with counts; ``risky`` first, then ``groups`` by kind and object."""

    items: list[ReviewItem]
    api_calls: int
    fingerprint: str
    digest: str
    source: str = ""
    created_at: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def risky(self) -> list[ReviewItem]:
        return [i for i in self.items if i.risks]

    def groups(self) -> list[tuple[str, str, list[ReviewItem]]]:
        """(kind, object, items) for the items that are not risky, in KINDS × OBJECTS order."""
        rest = [i for i in self.items if not i.risks]
        found = []
        for kind in KINDS:
            for obj in OBJECTS:
                chosen = [i for i in rest if i.kind == kind and i.object == obj]
                if chosen:
                    found.append((kind, obj, chosen))
        return found

    def counts(self) -> dict[str, dict[str, int]]:
        """kind → object → number of items (every kind and object present, zeros included)."""
        counted = Counter((i.kind, i.object) for i in self.items)
        return {k: {o: counted[(k, o)] for o in OBJECTS} for k in KINDS}

    def totals(self) -> dict[str, int]:
        counted = Counter(i.kind for i in self.items)
        return {k: counted[k] for k in KINDS}

    def by_department(self) -> dict[str, dict[str, int]]:
        """Top-level department → kind → number of items (tags are left out)."""
        result: dict[str, dict[str, int]] = {}
        for item in self.items:
            if item.top:
                row = result.setdefault(item.top, dict.fromkeys(KINDS, 0))
                row[item.kind] += 1
        return dict(sorted(result.items()))

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form (docs/schemas/plan-review-v1.schema.json)."""
        return {
            "format": REVIEW_FORMAT,
            "version": REVIEW_VERSION,
            "source": self.source,
            "created_at": self.created_at,
            "fingerprint": self.fingerprint,
            "plan_digest": self.digest,
            "summary": {
                "items": len(self.items),
                "api_calls": self.api_calls,
                "risky": len(self.risky),
                "by_kind": self.totals(),
                "by_kind_and_object": self.counts(),
                "by_department": self.by_department(),
            },
            "risky": [i.to_dict() for i in self.risky],
            "groups": [{"kind": k, "object": o, "items": [i.to_dict() for i in items]}
                       for k, o, items in self.groups()],
            "warnings": self.warnings,
        }


def review_plan(plan: Plan, *, live: LiveDirectory | None = None,
                desired: DesiredDirectory | None = None) -> Review:
    """Group a plan's steps per object. ``live`` and ``desired`` (when at hand) give members'
    names and departments that the steps themselves do not carry."""
    # as in make_plan: many small objects that live until the end; CPython's full
    # collections would scan them again and again (measured: half the time at 10k members)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _review(plan, live, desired)
    finally:
        if collecting:
            gc.enable()


def _review(plan: Plan, live: LiveDirectory | None, desired: DesiredDirectory | None
            ) -> Review:
    names = _names(plan, live, desired)
    items: dict[tuple[str, str], ReviewItem] = {}
    for step in plan.steps:
        obj = _OBJECT.get(step.kind, step.kind)
        key = (obj, step.target.lower())
        kind = _kind(step)
        item = items.get(key)
        if item is None:
            item = items[key] = ReviewItem(obj, kind, step.target)
        elif _STRENGTH[kind] > _STRENGTH[item.kind]:
            item.kind = kind
        item.steps.append(step.id)
        item.ops.append(step.op)
        if step.note and step.note not in item.notes:
            item.notes.append(step.note)
        _merge_changes(item, step, live)
        if obj == "member" and not item.name:
            item.name = _member_name(step, names)
    for item in items.values():
        item.top = _top(item, plan, live)
        risk = _RISK.get((item.object, item.kind))
        if risk:
            item.risks.append(risk)
        if any(c.field == "main_department" and c.old is not None for c in item.changes) \
                and item.kind != "create":
            item.risks.append("main department change")
    _flag_handoffs(plan.steps, items, live)
    ordered = sorted(items.values(), key=_order)
    return Review(ordered, len(plan.steps), plan.fingerprint, plan.digest, plan.source,
                  plan.created_at, list(plan.warnings))


def _kind(step: Step) -> str:
    action = step.action
    if action in ("create", "delete", "disable"):
        return action
    if "parent" in step.changes or (step.kind == "user" and "departments" in step.changes):
        return "move"
    return "update"


def _merge_changes(item: ReviewItem, step: Step, live: LiveDirectory | None) -> None:
    have = {c.field: n for n, c in enumerate(item.changes)}
    for name, (old, new) in step.changes.items():
        if step.action == "delete" and name == "name":
            continue  # the name is in the title
        if name == "main_department" and isinstance(old, int) and live is not None:
            old = join_path(live.paths[old]) if old in live.paths else old  # the live id
        change = FieldChange(name, LABELS.get(name, name), human(name, old), human(name, new))
        if name in have:  # a later step of the same object: keep the first old value
            first = item.changes[have[name]]
            item.changes[have[name]] = FieldChange(name, first.label, first.old, change.new)
        else:
            item.changes.append(change)


def _names(plan: Plan, live: LiveDirectory | None, desired: DesiredDirectory | None
           ) -> dict[str, str]:
    names = {k.lower(): v for k, v in plan.names.items()}
    if live is not None:
        names.update({k: str(u.fields.get("name") or "") for k, u in live.users.items()})
    if desired is not None and desired.users:
        for user in desired.users:
            if user.fields.get("name"):
                names[user.userid.lower()] = str(user.fields["name"])
    return names


def _member_name(step: Step, names: dict[str, str]) -> str:
    for value in (step.params.get("name"), step.changes.get("name", (None, None))[0]):
        if value:
            return str(value)
    return names.get(step.target.lower(), "")


def _top_of(path: str) -> str:
    parts = split_path(path.removesuffix(" (leader)"))
    return join_path(parts[:2]) if parts else ""


def _top(item: ReviewItem, plan: Plan, live: LiveDirectory | None) -> str:
    if item.object == "department":
        return _top_of(item.target)
    if item.object != "member":
        return ""
    for change in item.changes:
        if change.field == "departments" and (change.new or change.old):
            first = (change.new or change.old or "").split(", ")[0]
            return _top_of(first)
    user = live.users.get(item.target.lower()) if live is not None else None
    if user is not None and live is not None:
        dept = user.main_department or next(iter(user.department_ids), None)
        if dept is not None and dept in live.paths:
            return join_path(live.paths[dept][:2])
    return ""


def _flag_handoffs(steps: Iterable[Step], items: dict[tuple[str, str], ReviewItem],
                   live: LiveDirectory | None) -> None:
    """A mobile or e-mail that leaves one member and arrives at another in the same plan."""
    given: dict[tuple[str, str], str] = {}  # value → member receiving it
    taken: dict[tuple[str, str], str] = {}  # value → member losing it
    for step in steps:
        if step.kind != "user":
            continue
        for name in UNIQUE_FIELDS:
            old, new = step.changes.get(name, (None, step.params.get(name)))
            if step.action == "delete" and live is not None:
                user = live.users.get(step.target.lower())
                old = user.fields.get(name) if user is not None else None
            if old and step.action != "create":
                taken[unique_key(name, old)] = step.target.lower()
            if new and step.action in ("create", "update"):
                given[unique_key(name, new)] = step.target.lower()
    for value in given.keys() & taken.keys():
        if given[value] == taken[value]:
            continue
        word = "mobile" if value[0] == "mobile" else "e-mail"
        for who in (given[value], taken[value]):
            item = items.get(("member", who))
            risk = f"{word} hand-off"
            if item is not None and risk not in item.risks:
                item.risks.append(risk)


def _order(item: ReviewItem) -> tuple[Any, ...]:
    return (KINDS.index(item.kind), OBJECTS.index(item.object), item.top,
            item.name or item.target, item.target)
