"""Deletion caps: the one place that decides whether a plan may be applied.

A plan is always made and shown; the caps only decide whether it may be *applied*. Four
counters are capped separately — member deletes, member disables, department deletes and
tag deletes — each against the number of its kind in scope. Up to ``floor`` of each is
always allowed (so a small company's first sync works); above the floor, up to ``ratio`` of
those in scope.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..errors import DeletionCapError
from ..live.model import LiveDirectory
from .scope import Scope
from .types import Plan, PlanOptions

__all__ = [
    "COUNTERS",
    "CapCheck",
    "CapLimits",
    "CapVerdict",
    "enforce_caps",
    "evaluate_caps",
    "scope_sizes",
]

# counter → (the op it counts, what it is a share of)
COUNTERS: dict[str, tuple[str, str]] = {
    "member deletes": ("user.delete", "members"),
    "member disables": ("user.disable", "members"),
    "department deletes": ("department.delete", "departments"),
    "tag deletes": ("tag.delete", "tags"),
}


@dataclass(frozen=True)
class CapLimits:
    """``floor``: allowed whatever the size; ``ratio``: the share allowed above the floor;
    ``lifted``: no cap (the reviewer approved the plan)."""

    floor: int = 10
    ratio: float = 0.10
    lifted: bool = False

    @classmethod
    def from_options(
        cls, options: PlanOptions, *, allow_deletes: bool | None = None,
        max_deletes: int | None = None, max_delete_ratio: float | None = None,
    ) -> CapLimits:
        """The caps a plan was made with, each one given here (not None) in its place."""
        return cls(
            options.max_deletes if max_deletes is None else max_deletes,
            options.max_delete_ratio if max_delete_ratio is None else max_delete_ratio,
            options.allow_deletes if allow_deletes is None else allow_deletes,
        )

    def limit(self, base: int) -> int:
        return max(self.floor, int(self.ratio * base))


@dataclass(frozen=True)
class CapCheck:
    counter: str  # "member deletes", ...
    count: int
    base: int  # how many of that kind are in scope
    limit: int

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    def to_dict(self) -> dict[str, Any]:
        return {"counter": self.counter, "count": self.count, "in_scope": self.base,
                "limit": self.limit, "exceeded": self.exceeded}


@dataclass(frozen=True)
class CapVerdict:
    """Every counter of a plan against its limit; ``capped``: it may not be applied."""

    checks: tuple[CapCheck, ...]
    limits: CapLimits

    @property
    def breaches(self) -> list[CapCheck]:
        return [c for c in self.checks if c.exceeded]

    @property
    def capped(self) -> bool:
        return bool(self.breaches) and not self.limits.lifted

    def explain(self) -> str:
        """Which cap, the numbers, and the flag that raises it ("" when none is exceeded)."""
        if not self.breaches:
            return ""
        parts = []
        for c in self.breaches:
            parts.append(
                f"{c.count} {c.counter} exceed the cap of {c.limit} (the larger of "
                f"{self.limits.floor} and {self.limits.ratio:.0%} of the {c.base} "
                f"{COUNTERS[c.counter][1]} in scope)"
            )
        need = max(c.count for c in self.breaches)
        head = "; ".join(parts)
        if self.limits.lifted:
            return f"{head}; allowed by --allow-deletes"
        return (f"the plan may not be applied: {head}. Review the plan; to apply it pass "
                f"--allow-deletes, or raise the floor with --max-deletes {need} "
                "(or --max-delete-ratio); members can be kept with --disable-missing")

    def to_dict(self) -> dict[str, Any]:
        return {
            "capped": self.capped,
            "lifted": self.limits.lifted,
            "floor": self.limits.floor,
            "ratio": self.limits.ratio,
            "checks": [c.to_dict() for c in self.checks],
            "message": self.explain(),
        }


def scope_sizes(live: LiveDirectory, scope: Scope) -> dict[str, int]:
    """How many members, departments (the scope's top left out) and tags are in scope."""
    return {
        "members": sum(1 for u in live.users.values() if scope.has_user(u)),
        "departments": sum(1 for d in live.departments
                           if d != scope.anchor and scope.has_department(d)),
        "tags": len(live.tags) if scope.departments is None else 0,
    }


def evaluate_caps(plan: Plan, limits: CapLimits | None = None,
                  sizes: dict[str, int] | None = None) -> CapVerdict:
    """The plan's counters against ``limits`` (default: from its options). ``sizes``
    defaults to the plan's own record of what was in scope when it was made."""
    limits = limits or CapLimits.from_options(plan.options)
    known = sizes if sizes is not None else plan.sizes
    ops = Counter(step.op for step in plan.steps)
    checks = tuple(
        CapCheck(name, ops[op], known.get(base, 0), limits.limit(known.get(base, 0)))
        for name, (op, base) in COUNTERS.items()
    )
    return CapVerdict(checks, limits)


def enforce_caps(verdict: CapVerdict) -> None:
    """Raise DeletionCapError when the verdict says the plan may not be applied."""
    if verdict.capped:
        worst = max(verdict.breaches, key=lambda c: c.count - c.limit)
        raise DeletionCapError(verdict.explain(), deletions=worst.count, limit=worst.limit)
