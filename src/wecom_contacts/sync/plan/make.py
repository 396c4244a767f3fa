"""make_plan: a pure function from (desired, live, options) to an ordered, checked Plan."""

from __future__ import annotations

import datetime as dt
import gc

from ..desired.model import DesiredDirectory
from ..errors import PlanError
from ..live.model import LiveDirectory
from .build import Builder
from .caps import scope_sizes
from .departments import DeptIndex, plan_departments
from .outcome import UserOutcome
from .scope import fingerprint, scope_for
from .tags import plan_tags
from .types import Plan, PlanOptions, Step
from .users import plan_users

__all__ = ["make_plan"]


def make_plan(
    desired: DesiredDirectory,
    live: LiveDirectory,
    options: PlanOptions | None = None,
    *,
    now: dt.datetime | None = None,
) -> Plan:
    """Diff desired against live; the steps run top-down, deletions last.

    Raises PlanError listing every problem found (unknown departments, users that cannot be
    created, ...). A plan over the deletion caps is still made: ``caps.evaluate_caps`` says
    so and ``apply_plan`` refuses it.
    """
    # The planner builds many small containers that live until it returns; CPython's full
    # collections would re-scan all of them again and again, making big plans superlinear.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _make_plan(desired, live, options or PlanOptions(), now)
    finally:
        if collecting:
            gc.enable()


def _make_plan(desired: DesiredDirectory, live: LiveDirectory, options: PlanOptions,
               now: dt.datetime | None) -> Plan:
    scope = scope_for(live, options)
    b = Builder()
    index = plan_departments(desired, live, scope, b)
    users = plan_users(desired, live, scope, index, options, b)
    doomed = _deletable(index, users, b)
    from_tags = plan_tags(desired, live, scope, index, users, b)
    _delete_departments(doomed, index, users, from_tags, b)
    if b.problems:
        raise PlanError(b.problems)
    steps = b.steps()
    stamp = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    return Plan(steps, fingerprint(live, scope), options, b.warnings, desired.source, stamp,
                scope_sizes(live, scope), _names(steps, desired, live))


def _names(steps: list[Step], desired: DesiredDirectory, live: LiveDirectory) -> dict[str, str]:
    """The names of the members the steps touch: the desired one, else the live one."""
    wanted = {s.target.lower(): s.target for s in steps if s.kind == "user"}
    if not wanted:
        return {}
    users = live.users  # the few members the steps touch are looked up, not every member
    found = {k: str(users[k].fields.get("name") or "") for k in wanted if k in users}
    for user in desired.users or ():
        key = user.key
        if key in wanted and user.fields.get("name"):
            found[key] = str(user.fields["name"])
    return {wanted[k]: name for k, name in sorted(found.items()) if name}


def _deletable(index: DeptIndex, users: UserOutcome, b: Builder) -> list[int]:
    """The departments to delete, deepest first: those nobody stays in, with no kept child."""
    if not index.managed:
        return []
    staying = users.staying(index.doomed)
    blocked: set[int] = set()
    for dept_id in index.doomed:  # deepest first, so children are decided before parents
        children = index.live.children.get(dept_id, ())
        members = staying.get(dept_id, [])
        if members or any(c in blocked for c in children):
            blocked.add(dept_id)
            path = index.live_path(dept_id)
            if "name" in index.vacated_fields.get(dept_id, ()):
                b.problems.append(
                    f"department {path} must make way for a new department of that name but "
                    f"cannot be deleted: it keeps {_who(members, users)}"
                )
            else:
                reason = _who(members, users) if members else "a department that is kept"
                b.warnings.append(
                    f"department {path} is not in the desired state but is kept: it still "
                    f"holds {reason}"
                )
    return [d for d in index.doomed if d not in blocked]


def _who(keys: list[str], users: UserOutcome) -> str:
    names = sorted(users.final(k, k) for k in keys)
    shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
    return f"{len(names)} member(s) the plan does not move out ({shown})"


def _delete_departments(doomed: list[int], index: DeptIndex, users: UserOutcome,
                        from_tags: list[tuple[int, int]], b: Builder) -> None:
    tag_steps: dict[int, list[int]] = {}
    for dept_id, step in from_tags:
        tag_steps.setdefault(dept_id, []).append(step)
    deleted: dict[int, int] = {}
    for dept_id in doomed:  # deepest first
        live_dept = index.live.departments[dept_id]
        deps = [*users.leaving.get(dept_id, ()), *index.moved_out.get(dept_id, ()),
                *tag_steps.get(dept_id, ()), index.vacated.get(dept_id)]
        deps += [deleted[c] for c in index.live.children.get(dept_id, ()) if c in deleted]
        deleted[dept_id] = b.add(
            "department.delete", "department.delete", index.live_path(dept_id),
            {"id": dept_id}, changes={"name": (live_dept.name, None)}, depends_on=deps,
        )
