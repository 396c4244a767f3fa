"""The plan's fingerprint of the live directory: the same hash as the whole-document formula,
so a plan saved by an earlier version still applies, however the hash is computed now."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from wecom_contacts.sync import LiveDirectory, PlanOptions
from wecom_contacts.sync.live.model import LiveDepartment, LiveTag, LiveUser, comparable
from wecom_contacts.sync.plan.scope import fingerprint, scope_for


def whole_document(live: LiveDirectory, options: PlanOptions) -> str:
    """The formula as 0.1 wrote it: one JSON document of every managed record, then hashed."""
    scope = scope_for(live, options)
    depts = [[d.id, d.name, d.name_en or "", d.parent_id, d.order]
             for d in sorted(live.departments.values(), key=lambda d: d.id)
             if scope.has_department(d.id)]
    users = sorted(
        ([u.key, u.userid,
          {k: v if isinstance(v, (str, int)) else comparable(v)
           for k, v in sorted(u.fields.items())},
          sorted(u.memberships), u.main_department, sorted(x.lower() for x in u.direct_leader)]
         for u in live.users.values() if scope.has_user(u)),
        key=lambda r: str(r[0]))
    tags = [[t.id, t.name,
             sorted(u.lower() for u in t.users
                    if u.lower() in live.users and scope.has_user(live.users[u.lower()])),
             sorted(d for d in t.departments if scope.has_department(d))]
            for t in sorted(live.tags.values(), key=lambda t: t.id)]
    body = json.dumps([depts, users, tags], ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return "sha256:" + hashlib.sha256(body.encode()).hexdigest()


def directory(n_users: int) -> LiveDirectory:
    """Members of every shape the fingerprint reads: custom attributes with empty parts and
    a read-only status, several memberships out of order, leaders in mixed case."""
    depts = [LiveDepartment(1, "总部", 0), LiveDepartment(2, "研发", 1, 3, "R&D"),
             LiveDepartment(3, "市场", 1), LiveDepartment(4, "后端", 2)]
    users = []
    for i in range(n_users):
        fields: dict[str, Any] = {"name": f"员工{i}", "mobile": f"139{i:08d}", "enable": i % 7 != 0}
        if i % 3 == 0:
            fields["extattr"] = {"attrs": [{"name": "工号", "value": f" {i} ", "type": 0},
                                           {"name": "空", "value": ""}], "status": 1}
        memberships = [(4, True, 2), (3, False, 1)] if i % 5 == 0 else [(2 + i % 3, False, 0)]
        users.append(LiveUser(f"User{i:05d}", fields, memberships,
                              main_department=3 if i % 5 == 0 else None,
                              direct_leader=[f"USER{(i + 1) % n_users:05d}"] if i % 4 == 0 else []))
    tags = [LiveTag(1, "标签", [u.userid for u in users[::3]] + ["nobody"], [3, 2]),
            LiveTag(2, "空标签")]
    return LiveDirectory.from_records(depts, users, tags)


@pytest.mark.parametrize("n_users", [0, 1, 999, 1000, 1001, 2500])
@pytest.mark.parametrize("options", [
    PlanOptions(),
    PlanOptions(subtree="总部/研发"),
    PlanOptions(protected_users=["user00003", "User00010"]),
], ids=["whole", "subtree", "protected"])
def test_fingerprint_is_the_hash_of_the_whole_document(n_users: int,
                                                       options: PlanOptions) -> None:
    live = directory(n_users)
    assert fingerprint(live, scope_for(live, options)) == whole_document(live, options)


def test_fingerprint_changes_with_a_managed_field_and_not_outside_the_subtree() -> None:
    live = directory(30)
    whole, subtree = PlanOptions(), PlanOptions(subtree="总部/研发")
    before = {o: fingerprint(live, scope_for(live, o)) for o in (whole, subtree)}
    outside = next(u for u in live.users.values() if u.memberships == [(3, False, 0)])
    outside.fields["position"] = "新职位"
    assert fingerprint(live, scope_for(live, whole)) != before[whole]
    assert fingerprint(live, scope_for(live, subtree)) == before[subtree]
