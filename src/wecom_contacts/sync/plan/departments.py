"""Department diff: match desired to live, then create, move and rename top-down."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..desired.model import (
    DeptRef,
    DesiredDepartment,
    DesiredDirectory,
    format_ref,
    join_path,
    split_path,
)
from ..live.model import LiveDirectory
from .build import Builder, Target, step_of
from .scope import Scope
from .types import ref

__all__ = ["DeptIndex", "Unresolved", "plan_departments"]


class Unresolved(Exception):
    """A department reference names nothing the plan knows."""


@dataclass
class DeptIndex:
    """Where each department ends up, for users and tags to refer to."""

    live: LiveDirectory
    scope: Scope
    managed: bool
    derived: bool = False  # the departments section is the union of the members' paths
    targets: dict[tuple[str, ...], Target] = field(default_factory=dict)  # desired path → target
    by_id: dict[int, tuple[str, ...]] = field(default_factory=dict)  # desired id → path
    live_to_path: dict[int, tuple[str, ...]] = field(default_factory=dict)  # matched live id
    doomed: list[int] = field(default_factory=list)  # unmatched live ids, deepest first
    moved_out: dict[int, list[int]] = field(default_factory=dict)  # live parent → move steps
    vacated: dict[int, int] = field(default_factory=dict)  # live id → its vacate step
    vacated_fields: dict[int, set[str]] = field(default_factory=dict)  # "name", "name_en"
    anchor_depth: int = 1
    _resolved: dict[DeptRef, tuple[Target, str] | None] = field(default_factory=dict)

    def in_scope_path(self, path: tuple[str, ...]) -> bool:
        """Is a desired path at or below the managed top (the first name is always the root)?"""
        anchor = self.live.paths.get(self.scope.anchor, ("",))
        return len(path) >= len(anchor) and path[1:len(anchor)] == anchor[1:]

    def resolve(self, dept: DeptRef) -> tuple[Target, str] | None:
        """A reference → (target, display path); None when it lies outside the managed scope.

        Raises Unresolved when it names nothing (with departments managed, a department must
        be in the desired departments section).
        """
        if dept in self._resolved:  # users name the same few departments over and over
            return self._resolved[dept]
        result = self._resolve(dept)
        self._resolved[dept] = result
        return result

    def _resolve(self, dept: DeptRef) -> tuple[Target, str] | None:
        if not self.managed:
            return self._resolve_live(dept)
        if isinstance(dept, int):
            path = self.by_id.get(dept) or self.live_to_path.get(dept)
            if path is None:
                if dept in self.live.departments and not self.scope.has_department(dept):
                    return None
                raise Unresolved(f"department #{dept} is not in the departments section"
                                 f"{self._why_missing()}")
        else:
            path = split_path(dept)
        target = self.targets.get(path)
        if target is None:
            if not self.in_scope_path(path):
                return None
            raise Unresolved(f"department {format_ref(dept)} is not in the departments section"
                             f"{self._why_missing()}")
        return target, join_path(path)

    def _why_missing(self) -> str:
        if not self.derived:
            return ""
        return (" (the departments are derived from the members' paths, and no member is in "
                "this one; give the departments a section of their own to keep it)")

    def _resolve_live(self, dept: DeptRef) -> tuple[Target, str] | None:
        dept_id = dept if isinstance(dept, int) else self.live.find_path(dept)
        if dept_id is None or dept_id not in self.live.departments:
            raise Unresolved(f"department {format_ref(dept)} does not exist")
        if not self.scope.has_department(dept_id):
            return None
        return dept_id, join_path(self.live.paths.get(dept_id, (str(dept_id),)))

    @cached_property
    def _slots(self) -> dict[tuple[int, str], int]:
        return {(d.parent_id, d.name): d.id for d in self.live.departments.values()}

    def slot(self, parent: int, name: str) -> int | None:
        """The live department now called ``name`` under ``parent``."""
        return self._slots.get((parent, name))

    @cached_property
    def _slots_en(self) -> dict[tuple[int, str], int]:
        return {(d.parent_id, d.name_en): d.id for d in self.live.departments.values()
                if d.name_en}

    def slot_en(self, parent: int, name_en: str) -> int | None:
        """The live department whose English name is ``name_en`` under ``parent``."""
        return self._slots_en.get((parent, name_en))

    def live_path(self, dept_id: int) -> str:
        return join_path(self.live.paths.get(dept_id, (f"#{dept_id}",)))


def _temp_name(name: str, dept_id: int) -> str:
    suffix = f"~{dept_id}"
    return name[: 64 - len(suffix)] + suffix


def plan_departments(desired: DesiredDirectory, live: LiveDirectory, scope: Scope,
                     b: Builder) -> DeptIndex:
    """Emit create / move / rename steps; fill the index users and tags resolve through."""
    index = DeptIndex(live, scope, managed=desired.departments is not None,
                      derived=desired.departments_derived)
    index.anchor_depth = len(live.paths.get(scope.anchor, ("",)))
    if desired.departments is None:
        return index
    anchor_path = live.paths.get(scope.anchor, ("",))
    if desired.root_name is not None:
        anchor_key = (desired.root_name, *anchor_path[1:])
        index.targets[anchor_key] = scope.anchor
    inside: list[DesiredDepartment] = []
    ignored = 0
    for dept in desired.departments:
        if dept.id is not None:
            index.by_id[dept.id] = dept.path
        if len(dept.path) < index.anchor_depth:
            continue
        if len(dept.path) == index.anchor_depth and index.in_scope_path(dept.path):
            index.targets[dept.path] = scope.anchor
            index.live_to_path[scope.anchor] = dept.path
            if scope.anchor == 1 and dept.origin != "implied":
                _update_existing(dept, scope.anchor, None, index, b)
        elif index.in_scope_path(dept.path):
            inside.append(dept)
        else:
            ignored += 1
    if ignored:
        b.warnings.append(
            f"{ignored} department(s) outside the managed subtree "
            f"{join_path(anchor_path)} were ignored"
        )
    match = _match(inside, live, scope, index, b)
    _check_names_en(inside, match, index, b)
    _vacate(inside, match, live, index, b)
    for dept in inside:  # parents first
        parent = index.targets[dept.path[:-1]]
        if dept.path in match:
            index.targets[dept.path] = match[dept.path]
            _update_existing(dept, match[dept.path], parent, index, b)
        else:
            index.targets[dept.path] = ref(_create(dept, parent, index, b))
    managed = live.subtree(scope.anchor) - {scope.anchor}
    doomed = [d for d in managed if d not in index.live_to_path]
    index.doomed = sorted(doomed, key=lambda d: (-len(live.paths.get(d, ())), d))
    return index


def _match(inside: list[DesiredDepartment], live: LiveDirectory, scope: Scope,
           index: DeptIndex, b: Builder) -> dict[tuple[str, ...], int]:
    """Desired path → live id: by id, then by previous path, then by name under its parent."""
    below = live.subtree(scope.anchor) - {scope.anchor}
    match: dict[tuple[str, ...], int] = {}

    def claim(dept: DesiredDepartment, live_id: int) -> None:
        match[dept.path] = live_id
        index.live_to_path[live_id] = dept.path
        if dept.id is not None and dept.id != live_id:
            b.warnings.append(
                f"department {join_path(dept.path)}: the file says id {dept.id}, WeCom has "
                f"{live_id}; department ids cannot change, so {live_id} is kept"
            )

    for dept in inside:
        if dept.id is not None and dept.id in below:
            claim(dept, dept.id)
        elif dept.id is not None and dept.id in live.departments:
            b.problems.append(
                f"{dept.origin}: department {join_path(dept.path)} has id {dept.id}, which "
                f"WeCom uses for {index.live_path(dept.id)}, outside the managed departments"
            )
    paths = {dept.path for dept in inside}
    for dept in inside:
        if dept.path not in match and dept.previous_path is not None:
            # When another department of the file is to be at the previous path and one is
            # already at this path, an earlier run made the rename or move: the previous path
            # names the department that took the old place since.
            already = _at_path(dept, match, live, index) if dept.previous_path in paths \
                else None
            if already is not None and already in below and already not in index.live_to_path:
                continue
            found = live.find_path(dept.previous_path)
            if found in below and found not in index.live_to_path:
                claim(dept, found)
    for dept in inside:
        if dept.path in match:
            continue
        parent_path = dept.path[:-1]
        parent = match.get(parent_path, scope.anchor if len(parent_path) == index.anchor_depth
                           else None)
        if parent is None:
            continue
        child = index.slot(parent, dept.name)
        if child is not None and child not in index.live_to_path:
            claim(dept, child)
    return match


def _at_path(dept: DesiredDepartment, match: dict[tuple[str, ...], int], live: LiveDirectory,
             index: DeptIndex) -> int | None:
    """The live department now at ``dept``'s desired place: its name under the department its
    parent is matched to so far (else the live department at the parent's path)."""
    parent_path = dept.path[:-1]
    if len(parent_path) == index.anchor_depth:
        parent: int | None = index.scope.anchor
    else:
        parent = match.get(parent_path) or live.find_path(parent_path)
    return None if parent is None else index.slot(parent, dept.name)


def _vacate(inside: list[DesiredDepartment], match: dict[tuple[str, ...], int],
            live: LiveDirectory, index: DeptIndex, b: Builder) -> None:
    """Move a name (or English name) out of the way when another department wants it.

    WeCom refuses two siblings with one name or one English name (60008); moves and
    deletions happen later, so a department leaving a name behind is given a temporary name
    first, and one leaving an English name behind has it cleared (its own, if any, is set
    again by its update).
    """
    wanted: dict[tuple[str, ...], DesiredDepartment] = {d.path: d for d in inside}
    vacate: dict[int, dict[str, object]] = {}  # live id → the fields its vacate step sends
    notes: dict[int, str] = {}
    for dept in inside:
        parent_path = dept.path[:-1]
        parent = match.get(parent_path, index.scope.anchor
                           if len(parent_path) == index.anchor_depth else None)
        if parent is None:
            continue
        child = index.slot(parent, dept.name)
        if child is not None and match.get(dept.path) != child:
            vacate.setdefault(child, {})["name"] = _temp_name(dept.name, child)
            notes.setdefault(child, f"temporary name, frees the name for {join_path(dept.path)}")
        name_en = _final_name_en(dept, match.get(dept.path), index)
        holder = index.slot_en(parent, name_en) if name_en else None
        if holder is None or match.get(dept.path) == holder:
            continue
        own = wanted.get(index.live_to_path.get(holder, ()))
        if own is not None and own.name_en is None and own.path[:-1] == parent_path:
            continue  # keeps it: a problem found by _check_names_en
        vacate.setdefault(holder, {})["name_en"] = ""
        notes.setdefault(holder, f"clears name_en, frees it for {join_path(dept.path)}")
    for live_id, fields in vacate.items():
        current = index.live.departments[live_id]
        old = {"name": current.name, "name_en": current.name_en or ""}
        index.vacated[live_id] = b.add(
            "department.vacate", "department.update", index.live_path(live_id),
            {"id": live_id, **fields}, changes={k: (old[k], v) for k, v in fields.items()},
            note=notes[live_id],
        )
        index.vacated_fields[live_id] = set(fields)


def _check_names_en(inside: list[DesiredDepartment], match: dict[tuple[str, ...], int],
                    index: DeptIndex, b: Builder) -> None:
    """Siblings must not end with one English name (WeCom: 60008); a name_en the file
    leaves out is the live one."""
    seen: dict[tuple[tuple[str, ...], str], DesiredDepartment] = {}
    for dept in inside:
        name_en = _final_name_en(dept, match.get(dept.path), index)
        if not name_en:
            continue
        other = seen.setdefault((dept.path[:-1], name_en), dept)
        if other is dept:
            continue
        kept = [join_path(d.path) for d in (other, dept) if d.name_en is None]
        why = f" ({' and '.join(kept)} keep{'s' if len(kept) == 1 else ''} the English " \
            "name WeCom has: the file does not set it)" if kept else ""
        b.problems.append(
            f"{dept.origin}: departments {join_path(other.path)} and {join_path(dept.path)} "
            f"would both have name_en {name_en!r}{why}; WeCom refuses two sibling departments "
            "of one English name (60008)"
        )


def _final_name_en(dept: DesiredDepartment, live_id: int | None, index: DeptIndex) -> str:
    """The English name ``dept`` ends with: the file's, else (not managed) the live one."""
    if dept.name_en is not None:
        return dept.name_en
    live = index.live.departments.get(live_id) if live_id is not None else None
    return (live.name_en or "") if live is not None else ""


def _create(dept: DesiredDepartment, parent: Target, index: DeptIndex, b: Builder) -> int:
    params: dict[str, object] = {"name": dept.name, "parent_id": parent}
    for key in ("name_en", "order", "id"):
        value = getattr(dept, key)
        if value is not None:
            params[key] = value
    changes = {k: (None, v) for k, v in params.items() if k in ("name_en", "order", "id")}
    return b.add("department.upsert", "department.create", join_path(dept.path), params,
                 changes=changes,
                 depends_on=(step_of(parent), *_occupants(dept, parent, None, index)))


def _occupants(dept: DesiredDepartment, parent: Target, live_id: int | None,
               index: DeptIndex) -> list[int | None]:
    """The vacate steps that free ``dept``'s name and English name under ``parent``."""
    if not isinstance(parent, int):
        return []
    held = [index.slot(parent, dept.name)]
    name_en = _final_name_en(dept, live_id, index)
    if name_en:
        held.append(index.slot_en(parent, name_en))
    return [index.vacated.get(h) for h in held if h is not None and h != live_id]


def _update_existing(dept: DesiredDepartment, live_id: int, parent: Target | None,
                     index: DeptIndex, b: Builder) -> None:
    current = index.live.departments[live_id]
    vacated = index.vacated_fields.get(live_id, set())
    params: dict[str, object] = {"id": live_id}
    changes: dict[str, tuple[object, object]] = {}
    if dept.name != current.name or "name" in vacated:
        params["name"] = dept.name
        changes["name"] = (current.name, dept.name)
    if parent is not None and parent != current.parent_id:
        params["parent_id"] = parent
        old_parent = index.live_path(current.parent_id)
        changes["parent"] = (old_parent, join_path(dept.path[:-1]))
    name_en = current.name_en or ""
    if "name_en" in vacated:  # cleared by its vacate step: set its own again
        wanted = name_en if dept.name_en is None else dept.name_en
        if wanted:
            params["name_en"] = wanted
            changes["name_en"] = (name_en, wanted)
    elif dept.name_en is not None and dept.name_en != name_en:
        params["name_en"] = dept.name_en
        changes["name_en"] = (name_en, dept.name_en)
    if dept.order is not None and dept.order != current.order:
        params["order"] = dept.order
        changes["order"] = (current.order, dept.order)
    if not changes:
        return
    where = parent if parent is not None else current.parent_id
    step = b.add(
        "department.upsert", "department.update", join_path(dept.path), params,
        changes=changes,
        depends_on=(step_of(parent), index.vacated.get(live_id),
                    *_occupants(dept, where, live_id, index)),
    )
    if "parent_id" in params:
        index.moved_out.setdefault(current.parent_id, []).append(step)
