"""Plan assembly: steps collected per phase, then numbered in execution order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .types import Step, is_ref

__all__ = ["PHASES", "Builder", "Target", "step_of"]

# The order a plan runs in. Departments are placed top-down before users move into them;
# users are renamed before anyone refers to their new userid and created before tags name
# them; deletions come last (users, then tags, then departments bottom-up) except for users
# whose mobile or e-mail a new or changed user needs, who are deleted early or release it,
# and tags whose name another tag takes, which are deleted early or given a temporary name.
PHASES: tuple[str, ...] = (
    "department.vacate",
    "department.upsert",
    "user.early_delete",
    "user.release",
    "user.rename",
    "user.create",
    "user.update",
    "user.late",
    "tag.vacate",
    "tag.upsert",
    "tag.members",
    "user.delete",
    "tag.delete",
    "department.delete",
)

Target = Any  # a live id (int) or {"$ref": step id} for an object an earlier step creates


def step_of(target: Target) -> int | None:
    """The step that creates ``target``, if it is created by the plan."""
    return int(target["$ref"]) if is_ref(target) else None


class Builder:
    """Collects steps by phase; ``steps()`` numbers them 1..n in execution order."""

    def __init__(self) -> None:
        self._phases: dict[str, list[Step]] = {phase: [] for phase in PHASES}
        self._next = 0
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def add(
        self,
        phase: str,
        op: str,
        target: str,
        params: dict[str, Any],
        *,
        changes: dict[str, tuple[Any, Any]] | None = None,
        depends_on: Iterable[int | None] = (),
        note: str = "",
    ) -> int:
        self._next += 1
        deps = tuple(sorted({d for d in depends_on if d is not None}))
        self._phases[phase].append(
            Step(self._next, op, target, params, changes or {}, deps, note)
        )
        return self._next

    def steps(self) -> list[Step]:
        ordered = [s for phase in PHASES for s in self._phases[phase]]
        number = {s.id: i for i, s in enumerate(ordered, start=1)}
        result: list[Step] = []
        for step in ordered:
            deps = tuple(sorted(number[d] for d in step.depends_on if d in number))
            result.append(Step(number[step.id], step.op, step.target,
                               _renumber(step.params, number), step.changes, deps, step.note))
        return result


def _renumber(value: Any, number: dict[int, int]) -> Any:
    if is_ref(value):
        return {"$ref": number[value["$ref"]]}
    if isinstance(value, dict):
        return {k: _renumber(v, number) for k, v in value.items()}
    if isinstance(value, list):
        return [_renumber(v, number) for v in value]
    return value
