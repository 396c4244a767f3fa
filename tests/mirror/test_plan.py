"""Pure parts: the row diff and the deletion cap, the LDAP operations planned for a change."""

from __future__ import annotations

import pytest

from wecom_contacts.mirror import (
    DeletionCap,
    DepartmentRow,
    MemberRow,
    Membership,
    MirrorDeletionCapError,
    Snapshot,
    TagRow,
    check_deletion_cap,
    diff_snapshots,
)
from wecom_contacts.mirror.ldap_map import LDAPMapping, desired_entries
from wecom_contacts.mirror.ldap_plan import Current, plan_ops, split_dn

BASE = "dc=example,dc=com"


def company(*, rd_name: str = "研发", lisi_home: int = 3, with_lisi: bool = True) -> Snapshot:
    snap = Snapshot(
        departments={1: DepartmentRow(1, "总部", 0), 2: DepartmentRow(2, rd_name, 1),
                     3: DepartmentRow(3, "后端", 2)},
        members={"zs": MemberRow("zs", "张三", (Membership(2),), main_department=2)},
        tags={7: TagRow.of(7, "值班", ["zs"])},
    )
    if with_lisi:
        snap.members["lisi"] = MemberRow("lisi", "李四", (Membership(lisi_home),),
                                         main_department=lisi_home)
    return snap


def as_current(snap: Snapshot) -> dict[tuple[str, str], Current]:
    return {e.identity: Current(e.dn, {k: v for k, v in e.attributes.items() if v})
            for e in desired_entries(snap, LDAPMapping(), BASE)}


def plan(before: Snapshot, after: Snapshot, leavers: str = "disable") -> list[dict[str, object]]:
    return plan_ops(desired_entries(after, LDAPMapping(), BASE), as_current(before),
                    mapping=LDAPMapping(), base=BASE, leavers=leavers,  # type: ignore[arg-type]
                    containers={f"ou=tags,{BASE}"})


def test_diff_names_added_changed_and_removed_rows() -> None:
    before, after = company(), company(with_lisi=False)
    after.members["ww"] = MemberRow("ww", "王五")
    after.members["zs"] = MemberRow("zs", "张三", (Membership(2),), main_department=2,
                                    mobile="138")
    diff = diff_snapshots(before, after)
    assert [m.userid for m in diff.members.added] == ["ww"]
    assert [(a.mobile, b.mobile) for a, b in diff.members.changed] == [(None, "138")]
    assert [m.userid for m in diff.members.removed] == ["lisi"]
    assert diff_snapshots(after, after).counts()["members"] == {
        "added": 0, "changed": 0, "removed": 0}


def test_cap_counts_every_kind_and_the_smaller_limit_wins() -> None:
    before = company()
    after = Snapshot(departments={1: DepartmentRow(1, "总部", 0)})
    diff = diff_snapshots(before, after)  # 2 departments, 2 members, 1 tag
    with pytest.raises(MirrorDeletionCapError) as err:
        check_deletion_cap(diff, before, DeletionCap(max_deletes=50, max_delete_ratio=0.5))
    assert err.value.deletions == 5 and err.value.limit == 3  # 50 % of 6 held rows
    check_deletion_cap(diff, before, DeletionCap(max_deletes=5, max_delete_ratio=1.0))
    check_deletion_cap(diff, before, DeletionCap(allow_deletes=True))


def test_department_rename_is_one_moddn_that_carries_its_members() -> None:
    ops = plan(company(), company(rd_name="研发中心"))
    assert [(op["op"], op["dn"]) for op in ops] == [
        ("moddn", f"ou=研发,ou=总部,{BASE}"),
        ("modify", f"ou=研发中心,ou=总部,{BASE}"),  # the ou value
        ("modify", f"cn=值班,ou=tags,{BASE}"),  # the member DN in the group
    ]
    assert ops[0]["rdn"] == "ou=研发中心"


def test_member_moving_department_is_moved_not_recreated() -> None:
    ops = plan(company(), company(lisi_home=2))
    assert ops[0] == {"op": "moddn", "dn": f"uid=lisi,ou=后端,ou=研发,ou=总部,{BASE}",
                      "rdn": "uid=lisi", "superior": f"ou=研发,ou=总部,{BASE}",
                      "to": f"uid=lisi,ou=研发,ou=总部,{BASE}"}
    assert [op["op"] for op in ops] == ["moddn", "modify"]  # departmentNumber 3 → 2


@pytest.mark.parametrize("leavers", ["disable", "move"])
def test_a_leaver_is_never_deleted(leavers: str) -> None:
    ops = plan(company(), company(with_lisi=False), leavers)
    assert all(op["op"] != "delete" for op in ops)
    assert ops[-1]["replace"] == {"employeeType": ["disabled"]}
    if leavers == "move":
        assert ops[0]["dn"] == f"ou=former,{BASE}" and ops[1]["superior"] == f"ou=former,{BASE}"


def test_no_change_plans_nothing() -> None:
    assert plan(company(), company()) == []


def test_split_dn_keeps_escaped_commas() -> None:
    assert split_dn("cn=a\\,b,ou=x,dc=y") == ("cn=a\\,b", "ou=x,dc=y")
