"""User diff: creates, renames, updates of changed fields only, moves, disables, deletions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..desired.model import CONTACT_FIELDS, UNIQUE_FIELDS, DesiredDirectory, DesiredUser, unique_key
from ..live.model import LiveDirectory, LiveUser, attr_content, same_value
from .build import Builder, Target, step_of
from .departments import DeptIndex, Unresolved
from .handoffs import Freed, plan_releases, taken_values
from .outcome import Person, UserOutcome
from .scope import Scope
from .types import PlanOptions

__all__ = ["plan_users"]

@dataclass
class _Wanted:
    """A desired user resolved against the plan: department targets instead of references."""

    user: DesiredUser
    live: LiveUser | None
    members: list[tuple[Target, bool, int | None, str]]  # target, leader, order, display
    main: tuple[Target, str] | None = None


def wanted_pairs(wanted: list[_Wanted]) -> Iterator[tuple[DesiredUser, LiveUser | None]]:
    return ((w.user, w.live) for w in wanted)


def _key(target: Target) -> Any:
    return target if isinstance(target, int) else ("ref", step_of(target))


def _member_display(path: str, leader: bool) -> str:
    return f"{path} (leader)" if leader else path


def plan_users(desired: DesiredDirectory, live: LiveDirectory, scope: Scope, index: DeptIndex,
               options: PlanOptions, b: Builder) -> UserOutcome:
    out = UserOutcome(managed=desired.users is not None)
    people = out.people = {k: Person(u.userid, k, u) for k, u in live.users.items()}
    if desired.users is None:
        return out
    for wish in desired.users:
        person = people.get(wish.key)
        if person is None:
            person = people[wish.key] = Person(wish.userid, wish.key, None)
        person.desired = True
    wanted = _match_and_resolve(desired.users, scope, index, b, out)
    leaving = [p.live for p in people.values()
               if p.live is not None and not p.matched and scope.has_user(p.live)]
    # a leaver whose mobile or e-mail someone else needs goes first (WeCom: 60104 / 60106);
    # a holder that stays gives the value up in a release step (plan_handoffs)
    taking = taken_values(wanted_pairs(wanted))
    wanted_values = {key for _, _, keys in taking for _, key in keys}
    early: Freed = {}
    if not options.disable_instead_of_delete:
        for user in leaving:
            values = [unique_key(f, user.fields[f]) for f in UNIQUE_FIELDS if user.fields.get(f)]
            if _fully_inside(user, scope) and any(v in wanted_values for v in values):
                step = _remove(user, "user.early_delete", options, b, out)
                early.update(dict.fromkeys(values, step))
    plan_releases(taking, leaving, live.users.values(), people, early, b)
    renamed = {w.user.key for w in wanted
               if w.live is not None and w.live.key != w.user.key}
    creates = [w for w in wanted if w.live is None]
    new_ids = renamed | {w.user.key for w in creates}
    for w in wanted:
        if w.user.key in renamed:
            _update(w, new_ids, early, index, b, out)
    for w, deferred in _order_creates(creates):
        _create(w, deferred, options, early, b, out)
    for w in wanted:
        if w.live is not None and w.user.key not in renamed:
            _update(w, new_ids, early, index, b, out)
    if out.fixed_mobiles:
        shown = ", ".join(sorted(out.fixed_mobiles)[:5]) + (
            ", …" if len(out.fixed_mobiles) > 5 else "")
        b.warnings.append(
            f"the mobile of {len(out.fixed_mobiles)} activated member(s) differs from the "
            f"desired state but is left alone ({shown}): WeCom ignores API changes to an "
            "activated member's mobile; the member changes it in the app"
        )
    for user in leaving:
        if user.key in out.removed:
            continue
        if _fully_inside(user, scope):
            _remove(user, "user.delete", options, b, out)
        else:
            _leave_subtree(user, scope, index, b, out)
    return out


def _order_creates(creates: list[_Wanted]) -> list[tuple[_Wanted, bool]]:
    """Creates ordered so that a direct leader created by the plan comes first (a depth-first
    topological sort); in a cycle one user is created without leaders (flag True) and gets
    them from a later update."""
    by_key = {w.user.key: w for w in creates}

    def leaders(key: str) -> Iterator[str]:
        return (u.lower() for u in by_key[key].user.direct_leader or () if u.lower() in by_key)

    order: list[str] = []
    state: dict[str, bool] = {}  # False: on the stack, True: placed
    deferred: set[str] = set()
    for start in by_key:
        if start in state:
            continue
        state[start] = False
        stack = [(start, leaders(start))]
        while stack:
            key, pending = stack[-1]
            leader = next(pending, None)
            if leader is None:
                state[key] = True
                order.append(key)
                stack.pop()
            elif leader not in state:
                state[leader] = False
                stack.append((leader, leaders(leader)))
            elif not state[leader]:  # a cycle (or one's own leader)
                deferred.add(key)
    return [(by_key[k], k in deferred) for k in order]


def _fully_inside(user: LiveUser, scope: Scope) -> bool:
    return all(scope.has_department(d) for d in user.department_ids)


def _match_and_resolve(users: list[DesiredUser], scope: Scope, index: DeptIndex, b: Builder,
                       out: UserOutcome) -> list[_Wanted]:
    people = out.people
    settle = out.settled.add
    wanted: list[_Wanted] = []
    ignored = 0
    for user in users:
        key = user.key
        person = people[key]
        holder = person if person.live is not None else None
        prev = (user.previous_userid or "").lower()
        if holder is None and prev:
            former = people.get(prev)
            if former is not None and former.live is not None and not former.desired \
                    and not former.matched:
                holder = former
        match = holder.live if holder is not None else None
        if holder is not None:
            holder.matched = True  # not a leaver, even when skipped below
        if scope.is_protected(user.userid) or (match and scope.is_protected(match.userid)):
            continue  # never touched; tags leave it alone too
        if match is not None and not scope.has_user(match):
            ignored += 1
            continue
        try:
            resolved = _resolve_members(user, match, scope, index)
        except Unresolved as exc:
            b.problems.append(f"{user.origin}: user {user.userid}: {exc}")
            continue
        if match is None and user.departments is not None and not resolved.members:
            ignored += 1  # all of its departments are outside the managed subtree
            continue
        person.managed = True
        person.final = user.userid
        if holder is not None:
            holder.final, holder.final_key, holder.wish = user.userid, key, user
            if holder is person and match is not None:
                settle(match.userid)
        resolved.live = match
        wanted.append(resolved)
    if ignored:
        b.warnings.append(f"{ignored} user(s) outside the managed subtree were ignored")
    return wanted


def _resolve_members(user: DesiredUser, match: LiveUser | None, scope: Scope,
                     index: DeptIndex) -> _Wanted:
    w = _Wanted(user, match, [])
    if user.departments is not None:
        seen: set[Any] = set()
        for m in user.departments:
            resolved = index.resolve(m.department)
            if resolved is None:
                continue
            target, display = resolved
            if _key(target) in seen:
                raise Unresolved(f"department {display} is listed twice")
            seen.add(_key(target))
            w.members.append((target, m.leader, m.order, display))
        if match is not None and scope.departments is not None:
            for dept_id, leader, order in match.memberships:
                if not scope.has_department(dept_id):  # outside the subtree: kept as is
                    w.members.append((dept_id, leader, order, index.live_path(dept_id)))
    if user.main_department is not None:
        w.main = index.resolve(user.main_department)
        if w.main is not None and user.departments is not None \
                and _key(w.main[0]) not in {_key(t) for t, *_ in w.members}:
            raise Unresolved(f"main_department {w.main[1]} is not one of its departments")
    return w


def _membership_params(w: _Wanted) -> tuple[dict[str, Any], list[str]]:
    live_orders = {d: o for d, _, o in (w.live.memberships if w.live else [])}
    orders = [o if o is not None else live_orders.get(t, 0) if isinstance(t, int) else 0
              for t, _, o, _ in w.members]
    params: dict[str, Any] = {"department": [t for t, *_ in w.members], "order": orders}
    if any(leader for _, leader, _, _ in w.members):
        params["is_leader_in_dept"] = [int(leader) for _, leader, _, _ in w.members]
    elif w.live is not None and any(leader for _, leader, _ in w.live.memberships):
        params["is_leader_in_dept"] = [0] * len(w.members)
    display = [_member_display(p, leader) for _, leader, _, p in w.members]
    return params, display


def _membership_changed(w: _Wanted, params: dict[str, Any]) -> bool:
    assert w.live is not None
    now = {d: (leader, order) for d, leader, order in w.live.memberships}
    leaders = params.get("is_leader_in_dept") or [0] * len(w.members)
    then = {_key(t): (bool(leaders[i]), params["order"][i]) for i, (t, *_) in
            enumerate(w.members)}
    return now != then


def _same_memberships(members: list[tuple[Target, bool, int | None, str]],
                      live: list[tuple[int, bool, int]]) -> bool:
    """Certainly no membership change (what ``_membership_changed`` would find), decided
    without building the update's parameters: most members of a plan are unchanged, and at
    100,000 of them those throw-away lists are what the plan spends its memory on."""
    if len(members) != len(live):
        return False
    for (target, leader, order, _), (dept_id, live_leader, live_order) in zip(
            members, live, strict=True):
        if target != dept_id or bool(leader) != bool(live_leader) \
                or (order is not None and order != live_order):
            return False
    return True


def _leader_deps(leaders: list[str], out: UserOutcome) -> list[int | None]:
    return [out.steps.get(leader.lower()) for leader in leaders]


def _update(w: _Wanted, new_ids: set[str], early: Freed, index: DeptIndex,
            b: Builder, out: UserOutcome) -> None:
    assert w.live is not None
    user, current = w.user, w.live
    if not _keeps_contact(user, current):
        left = [f for f in CONTACT_FIELDS if f not in user.fields]
        why = (f"its {left[0]} is not in the desired state and WeCom has none" if left
               else "the desired state clears both")
        b.problems.append(
            f"{user.origin}: user {user.userid} would be left with neither mobile nor e-mail, "
            f"which WeCom refuses (60129): {why}; give it one of them"
        )
        return
    params: dict[str, Any] = {"userid": current.userid}
    changes: dict[str, tuple[Any, Any]] = {}
    rename = current.key != user.key
    if rename:
        params["new_userid"] = user.userid
        changes["userid"] = (current.userid, user.userid)
    for name, value in user.fields.items():
        old = current.fields.get(name, True if name == "enable" else None)
        if name == "extattr":
            _extattr_update(value, old, params, changes)
            continue
        if value != old and not same_value(value, old):
            if name == "mobile" and current.activated:
                out.fixed_mobiles.append(current.userid)  # WeCom would ignore it silently
                continue
            params[name] = value
            changes[name] = (old, value)
    deps: list[int | None] = []
    if user.departments is not None and not _same_memberships(w.members, current.memberships):
        member_params, display = _membership_params(w)
        if _membership_changed(w, member_params):
            params.update(member_params)
            before = [_member_display(index.live_path(d), leader)
                      for d, leader, _ in current.memberships]
            changes["departments"] = (before, display)
            deps.extend(step_of(t) for t in member_params["department"])
    if w.main is not None and w.main[0] != current.main_department:
        params["main_department"] = w.main[0]
        changes["main_department"] = (current.main_department, w.main[1])
        deps.append(step_of(w.main[0]))
    elif w.main is not None and "department" in params and params["department"][0] != w.main[0]:
        # A main department never set explicitly is the first department, and a new list
        # can make another one first: say which one stays main.
        params["main_department"] = w.main[0]
    late: dict[str, Any] = {}
    if user.direct_leader is not None:
        now = sorted(out.final(u.lower(), u).lower() for u in current.direct_leader)
        if sorted(u.lower() for u in user.direct_leader) != now:
            late_bound = rename and any(u.lower() in new_ids for u in user.direct_leader)
            (late if late_bound else params)["direct_leader"] = user.direct_leader
            changes["direct_leader"] = (current.direct_leader, user.direct_leader)
            if not late_bound:
                deps.extend(_leader_deps(user.direct_leader, out))
    deps.extend(_freed(user, early))
    if len(params) == 1 and not late:
        return
    phase = "user.rename" if rename else "user.update"
    step = None
    if len(params) > 1:
        step = b.add(phase, "user.update", user.userid, params, changes=changes,
                     depends_on=deps)
        if rename:
            out.steps[user.key] = step
    if late:
        b.add("user.late", "user.update", user.userid, {"userid": user.userid, **late},
              changes={"direct_leader": changes["direct_leader"]},
              depends_on=[step, *_leader_deps(user.direct_leader or [], out)])
    if step is not None and "department" in params:
        kept = [d for d in params["department"] if isinstance(d, int)]
        out.people[current.key].ends_in = kept
        for dept_id in current.department_ids:
            if dept_id not in kept:
                out.leaving.setdefault(dept_id, []).append(step)


def _keeps_contact(user: DesiredUser, current: LiveUser) -> bool:
    """Does the member still have a mobile or an e-mail once updated (else WeCom: 60129)?
    A field the desired state leaves out keeps its live value; so does an activated
    member's mobile, which WeCom does not let the API change."""
    for name in CONTACT_FIELDS:
        keep = name not in user.fields or (name == "mobile" and current.activated)
        if (current.fields.get(name) if keep else user.fields[name]):
            return True
    return False


def _extattr_update(value: Any, old: Any, params: dict[str, Any],
                    changes: dict[str, tuple[Any, Any]]) -> None:
    """Custom attributes are managed one by one: those the desired state names (an empty one
    clears it); others are left alone. WeCom replaces same-named attributes and keeps the
    rest, so only the changed ones are sent."""
    have = {a.get("name"): a for a in (old or {}).get("attrs") or [] if isinstance(a, dict)}
    sent = [a for a in (value or {}).get("attrs") or []
            if attr_content(a) != attr_content(have.get(a.get("name")))]
    if sent:
        params["extattr"] = {"attrs": sent}
        before = [have[a["name"]] for a in sent if a.get("name") in have]
        changes["extattr"] = ({"attrs": before} if before else None, {"attrs": sent})


def _freed(user: DesiredUser, early: Freed) -> list[int | None]:
    """The early deletions and releases that free this user's mobile / e-mail."""
    if not early:
        return []
    return [early.get(unique_key(f, user.fields[f])) for f in UNIQUE_FIELDS
            if user.fields.get(f)]


def _create(w: _Wanted, deferred: bool, options: PlanOptions, early: Freed,
            b: Builder, out: UserOutcome) -> None:
    user = w.user
    if user.departments is None or not w.members:
        b.problems.append(f"{user.origin}: user {user.userid} does not exist yet and needs "
                          "departments to be created")
        return
    if not any(user.fields.get(f) for f in ("mobile", "email")):
        b.problems.append(f"{user.origin}: user {user.userid} does not exist yet: WeCom needs "
                          "a mobile or an email to create a member (60129)")
        return
    params: dict[str, Any] = {"userid": user.userid}
    params.update({k: v for k, v in user.fields.items() if v not in ("", None)})
    member_params, display = _membership_params(w)
    params.update(member_params)
    deps: list[int | None] = [step_of(t) for t in member_params["department"]]
    if w.main is not None:
        params["main_department"] = w.main[0]
    if user.direct_leader and not deferred:
        params["direct_leader"] = user.direct_leader
        deps.extend(_leader_deps(user.direct_leader, out))
    if user.avatar_mediaid:
        params["avatar_mediaid"] = user.avatar_mediaid
    if not options.to_invite:
        params["to_invite"] = False
    deps.extend(_freed(user, early))
    changes = {k: (None, v) for k, v in params.items() if k in user.fields}
    changes["departments"] = (None, display)
    if w.main is not None:
        changes["main_department"] = (None, w.main[1])
    if user.direct_leader:
        changes["direct_leader"] = (None, user.direct_leader)
    step = b.add("user.create", "user.create", user.userid, params, changes=changes,
                 depends_on=deps)
    out.steps[user.key] = step
    if user.direct_leader and deferred:
        b.add("user.late", "user.update", user.userid,
              {"userid": user.userid, "direct_leader": user.direct_leader},
              changes={"direct_leader": (None, user.direct_leader)},
              depends_on=[step, *_leader_deps(user.direct_leader, out)])


def _remove(user: LiveUser, phase: str, options: PlanOptions, b: Builder,
            out: UserOutcome) -> int:
    key = user.key
    if options.disable_instead_of_delete:
        if user.fields.get("enable", True) is False:
            return 0
        step = b.add(phase, "user.disable", user.userid, {"userid": user.userid},
                     changes={"enable": (True, False)})
        return step
    step = b.add(phase, "user.delete", user.userid, {"userid": user.userid},
                 changes={"name": (user.fields.get("name"), None)})
    out.removed.add(key)
    out.people[key].ends_in = []
    for dept_id in user.department_ids:
        out.leaving.setdefault(dept_id, []).append(step)
    return step


def _leave_subtree(user: LiveUser, scope: Scope, index: DeptIndex, b: Builder,
                   out: UserOutcome) -> None:
    """A user gone from the desired subtree who is also elsewhere only leaves the subtree."""
    kept = [m for m in user.memberships if not scope.has_department(m[0])]
    params: dict[str, Any] = {
        "userid": user.userid,
        "department": [d for d, _, _ in kept],
        "order": [o for _, _, o in kept],
        "is_leader_in_dept": [int(leader) for _, leader, _ in kept],
    }
    before = [index.live_path(d) for d in user.department_ids]
    step = b.add("user.update", "user.update", user.userid, params,
                 changes={"departments": (before, [index.live_path(d) for d, _, _ in kept])},
                 note="leaves the managed subtree")
    out.people[user.key].ends_in = [d for d, _, _ in kept]
    for dept_id in user.department_ids:
        if scope.has_department(dept_id):
            out.leaving.setdefault(dept_id, []).append(step)
