"""The managed scope (whole directory or a subtree, minus protected users) and its fingerprint."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..errors import PlanError
from ..live.model import LiveDirectory, LiveUser, comparable
from .types import PlanOptions

__all__ = ["Scope", "fingerprint", "scope_for"]


@dataclass(frozen=True)
class Scope:
    """The managed part of a live directory.

    ``anchor`` is the top managed department (1, or the subtree's top): it is never moved or
    deleted. ``departments`` is None when the whole directory is managed.
    """

    anchor: int
    departments: frozenset[int] | None
    protected: frozenset[str]

    def has_department(self, dept_id: int) -> bool:
        return self.departments is None or dept_id in self.departments

    def is_protected(self, userid: str) -> bool:
        # Asked for every user several times per plan: with nobody protected (the usual
        # case) skip lowering the userid, a fresh string each time.
        return bool(self.protected) and userid.lower() in self.protected

    def has_user(self, user: LiveUser) -> bool:
        """A live user is managed when any of their departments is (and not protected)."""
        if self.is_protected(user.userid):
            return False
        if self.departments is None:
            return True
        return any(d in self.departments for d in user.department_ids)


def scope_for(live: LiveDirectory, options: PlanOptions) -> Scope:
    """Resolve ``options.subtree`` against the live directory."""
    if options.subtree is None:
        return Scope(1, None, frozenset(options.protected_users))
    top: int | None
    if isinstance(options.subtree, int):
        top = options.subtree if options.subtree in live.departments else None
    else:
        top = live.find_path(options.subtree)
    if top is None:
        raise PlanError([f"the managed subtree {options.subtree!r} is not in the live directory"])
    if top == 1:
        return Scope(1, None, frozenset(options.protected_users))
    return Scope(top, frozenset(live.subtree(top)), frozenset(options.protected_users))


def _user_record(user: LiveUser) -> list[Any]:
    fields = user.fields
    if not all(type(v) in _PLAIN for v in fields.values()):  # the encoder sorts the keys
        fields = {k: v if isinstance(v, (str, int)) else comparable(v) for k, v in fields.items()}
    memberships = user.memberships
    return [
        user.key,
        user.userid,
        fields,
        memberships if len(memberships) < 2 else sorted(memberships),
        user.main_department,
        sorted(u.lower() for u in user.direct_leader) if user.direct_leader else [],
    ]


_PLAIN = frozenset((str, int, bool))  # encoded as they are; others are pruned by comparable()


# The hash is of one JSON document, [departments, users, tags], that is never built whole:
# at 100,000 members it would be ~16 MB of text plus millions of encoder chunks and a record
# per member, all live at once. The users are encoded a block at a time, in key order, into
# the hash; the bytes hashed are exactly those of the whole document, so plans saved by
# earlier versions keep their fingerprints.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_BLOCK = 1000


def fingerprint(live: LiveDirectory, scope: Scope) -> str:
    """A stable hash of the managed part of the live directory.

    Only what a plan reads is hashed: activation status, avatars and QR codes may change
    without invalidating a plan; protected users are left out for the same reason.
    """
    depts = [
        [d.id, d.name, d.name_en or "", d.parent_id, d.order]
        for d in sorted(live.departments.values(), key=lambda d: d.id)
        if scope.has_department(d.id)
    ]
    everyone = scope.departments is None and not scope.protected
    managed = live.users.keys() if everyone else {
        k for k, u in live.users.items() if scope.has_user(u)}
    tags = [
        [t.id, t.name,
         # users not read (outside a subtree) count as outside, however the live was read
         sorted(k for k in map(str.lower, t.users) if k in managed),
         sorted(d for d in t.departments if scope.has_department(d))]
        for t in sorted(live.tags.values(), key=lambda t: t.id)
    ]
    digest = hashlib.sha256()
    digest.update(("[" + _ENCODER.encode(depts) + ",[").encode())
    keys = sorted(managed)
    users = live.users
    for start in range(0, len(keys), _BLOCK):
        block = _ENCODER.encode([_user_record(users[k]) for k in keys[start:start + _BLOCK]])
        digest.update(((block[1:-1]) if start == 0 else ("," + block[1:-1])).encode())
    digest.update(("]," + _ENCODER.encode(tags) + "]").encode())
    return "sha256:" + digest.hexdigest()
