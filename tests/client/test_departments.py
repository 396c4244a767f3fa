"""Contract tests: every department endpoint, sync and async, against the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from wecom_contacts import Conflict, InvalidArgument, NotFound, WeComError
from wecom_contacts.testing import EmulatorControl


def test_create_returns_id_and_get_reads_it_back(api: Any) -> None:
    dept_id = api.departments.create("研发中心", 1, order=5, name_en="RD")
    dept = api.departments.get(dept_id)
    assert (dept.id, dept.name, dept.name_en, dept.parent_id, dept.order) == (
        dept_id, "研发中心", "RD", 1, 5,
    )
    assert dept.raw["parentid"] == 1


def test_create_with_chosen_id(api: Any) -> None:
    assert api.departments.create("Sales", 1, id=42) == 42
    assert api.departments.get(42).name == "Sales"


def test_update_changes_only_given_fields(api: Any) -> None:
    dept_id = api.departments.create("Ops", 1, order=7, name_en="ops")
    api.departments.update(dept_id, name="Operations")
    dept = api.departments.get(dept_id)
    assert (dept.name, dept.name_en, dept.order, dept.parent_id) == ("Operations", "ops", 7, 1)


def test_update_moves_a_department(api: Any) -> None:
    a = api.departments.create("A", 1)
    b = api.departments.create("B", 1)
    api.departments.update(b, parent_id=a)
    assert api.departments.get(b).parent_id == a


def test_delete_removes_the_department(api: Any) -> None:
    dept_id = api.departments.create("Temp", 1)
    api.departments.delete(dept_id)
    with pytest.raises(NotFound) as info:
        api.departments.get(dept_id)
    assert info.value.errcode == 60003


def test_list_returns_subtree_and_simple_list_ids(api: Any) -> None:
    a = api.departments.create("A", 1)
    b = api.departments.create("B", a)
    other = api.departments.create("Other", 1)
    under_a = {d.id for d in api.departments.list(a)}
    assert {a, b} <= under_a and other not in under_a
    everything = {d.id for d in api.departments.list()}
    assert {1, a, b, other} <= everything
    refs = {r.id: r.parent_id for r in api.departments.simple_list()}
    assert refs[b] == a and refs[other] == 1
    assert {r.id for r in api.departments.simple_list(a)} == under_a


def test_sibling_name_clash_is_a_conflict(api: Any) -> None:
    api.departments.create("Same", 1)
    with pytest.raises(Conflict) as info:
        api.departments.create("Same", 1)
    assert info.value.errcode == 60008


def test_unknown_parent_is_not_found_or_invalid(api: Any) -> None:
    with pytest.raises(WeComError) as info:
        api.departments.create("Orphan", 99999)
    assert getattr(info.value, "errcode", None) == 60004


def test_forbidden_characters_are_invalid(api: Any) -> None:
    with pytest.raises(InvalidArgument) as info:
        api.departments.create("a:b", 1)
    assert info.value.errcode == 60009


def test_cycle_is_refused(api: Any) -> None:
    a = api.departments.create("A", 1)
    b = api.departments.create("B", a)
    with pytest.raises(WeComError) as info:
        api.departments.update(a, parent_id=b)
    assert getattr(info.value, "errcode", None) == 60010


def test_depth_over_fifteen_is_refused(api: Any) -> None:
    parent = 1
    for level in range(2, 16):  # root is level 1
        parent = api.departments.create(f"L{level}", parent)
    with pytest.raises(WeComError) as info:
        api.departments.create("L16", parent)
    assert getattr(info.value, "errcode", None) == 81002


@pytest.mark.parametrize(
    ("setup", "errcode"),
    [("root", 60007), ("members", 60005), ("children", 60006), ("missing", 60003)],
)
def test_delete_refusals(api: Any, wecom_emulator: EmulatorControl, setup: str,
                         errcode: int) -> None:
    target = 1
    if setup == "members":
        target = api.departments.create("Staffed", 1)
        wecom_emulator.seed({"users": [
            {"userid": "zhangsan", "name": "张三", "department": [target], "mobile": "13800000001"},
        ]})
    elif setup == "children":
        target = api.departments.create("Parent", 1)
        api.departments.create("Child", target)
    elif setup == "missing":
        target = 424242
    with pytest.raises(WeComError) as info:
        api.departments.delete(target)
    assert getattr(info.value, "errcode", None) == errcode


def test_error_text_names_code_meaning_and_endpoint(api: Any) -> None:
    api.departments.create("Dup", 1)
    with pytest.raises(Conflict) as info:
        api.departments.create("Dup", 1)
    text = str(info.value)
    assert "60008" in text and "department/create" in text
    assert info.value.meaning and info.value.info.zh
