"""Plan, Step and PlanOptions, and their JSON form (a plan is saved, reviewed, then applied)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import SyncError

__all__ = ["PLAN_FORMAT", "Plan", "PlanOptions", "Step", "is_ref", "ref"]

PLAN_FORMAT = "wecom-contacts-plan"
_VERSION = 1


def ref(step_id: int) -> dict[str, int]:
    """A parameter that is the id created by an earlier step (resolved through the journal)."""
    return {"$ref": step_id}


def is_ref(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and "$ref" in value


@dataclass(frozen=True)
class PlanOptions:
    """How to plan.

    Args:
        subtree: manage only this department (a path or an id) and what is below it.
        protected_users: userids the plan never creates, changes, moves, disables or deletes.
        disable_instead_of_delete: users missing from the desired state are disabled.
        allow_deletes: lift the deletion caps (``caps.py``): the plan may be applied.
        max_deletes / max_delete_ratio: the caps, counted apart for member deletes, member
            disables, department deletes and tag deletes: up to ``max_deletes`` of each is
            allowed, above that up to ``max_delete_ratio`` of those in scope. A capped plan
            is still made and shown; ``apply_plan`` refuses it.
        to_invite: let WeCom invite created members (its default); False sends to_invite=false.
    """

    subtree: str | int | None = None
    protected_users: Collection[str] = frozenset()
    disable_instead_of_delete: bool = False
    allow_deletes: bool = False
    max_deletes: int = 10
    max_delete_ratio: float = 0.10
    to_invite: bool = True

    def __post_init__(self) -> None:
        # a list or set given by a caller becomes a lower-cased frozenset (userids are
        # compared case-insensitively)
        object.__setattr__(
            self, "protected_users", frozenset(u.lower() for u in self.protected_users)
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["protected_users"] = sorted(self.protected_users)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanOptions:
        values = dict(data)
        values["protected_users"] = frozenset(values.get("protected_users", ()))
        return cls(**values)


@dataclass(frozen=True)
class Step:
    """One API call. ``params`` are the call's arguments (``{"$ref": n}`` = the id step n
    created); ``changes`` are field → (old, new) for display; ``depends_on`` are the steps
    that must have succeeded first."""

    id: int
    op: str  # "department.create", "user.update", "tag.add_members", ...
    target: str  # what a human calls it: a path, a userid, a tag name
    params: dict[str, Any]
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    depends_on: tuple[int, ...] = ()
    note: str = ""

    @property
    def kind(self) -> str:
        return self.op.split(".", 1)[0]

    @property
    def action(self) -> str:
        return self.op.split(".", 1)[1]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "op": self.op, "target": self.target,
                                "params": self.params}
        if self.changes:
            data["changes"] = {k: list(v) for k, v in self.changes.items()}
        if self.depends_on:
            data["depends_on"] = list(self.depends_on)
        if self.note:
            data["note"] = self.note
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        return cls(
            id=int(data["id"]), op=str(data["op"]), target=str(data["target"]),
            params=dict(data["params"]),
            changes={k: (v[0], v[1]) for k, v in data.get("changes", {}).items()},
            depends_on=tuple(int(d) for d in data.get("depends_on", ())),
            note=str(data.get("note", "")),
        )


@dataclass
class Plan:
    """An ordered list of steps and the fingerprint of the live directory it was made from."""

    steps: list[Step]
    fingerprint: str
    options: PlanOptions = field(default_factory=PlanOptions)
    warnings: list[str] = field(default_factory=list)
    source: str = ""
    created_at: str = ""
    # what was in scope when the plan was made ({"members", "departments", "tags"}): the
    # base of the caps' ratios
    sizes: dict[str, int] = field(default_factory=dict)
    # userid → name of the members the steps touch, for a reviewer of the saved plan
    names: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.steps

    def counts(self) -> dict[str, int]:
        """Steps per op, e.g. ``{"user.create": 3}``."""
        return dict(Counter(step.op for step in self.steps))

    @property
    def digest(self) -> str:
        """A hash of what the plan does: a journal belongs to exactly one plan."""
        body = json.dumps([s.to_dict() for s in self.steps], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(f"{self.fingerprint}\n{body}".encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": PLAN_FORMAT,
            "version": _VERSION,
            "fingerprint": self.fingerprint,
            "created_at": self.created_at,
            "source": self.source,
            "options": self.options.to_dict(),
            "counts": self.counts(),
            "sizes": self.sizes,
            "names": self.names,
            "warnings": self.warnings,
            "steps": [s.to_dict() for s in self.steps],
        }

    def to_json(self, *, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Plan:
        """Read a saved plan; raises SyncError if it is not one (or of another version)."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise SyncError(f"not a plan file: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != PLAN_FORMAT:
            raise SyncError(f"not a plan file (no \"format\": \"{PLAN_FORMAT}\")")
        if data.get("version") != _VERSION:
            raise SyncError(f"plan version {data.get('version')!r} is not supported "
                            f"(expected {_VERSION})")
        try:
            return cls(
                steps=[Step.from_dict(s) for s in data["steps"]],
                fingerprint=str(data["fingerprint"]),
                options=PlanOptions.from_dict(data.get("options", {})),
                warnings=[str(w) for w in data.get("warnings", [])],
                source=str(data.get("source", "")),
                created_at=str(data.get("created_at", "")),
                sizes={str(k): int(v) for k, v in data.get("sizes", {}).items()},
                names={str(k): str(v) for k, v in data.get("names", {}).items()},
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise SyncError(f"damaged plan file: {exc!r}") from exc
