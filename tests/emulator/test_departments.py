"""department/* rules and errcodes, over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from .support import Api, Control, user_body


def create(api: Api, name: str, parentid: int = 1, **extra: object) -> dict[str, Any]:
    return api.post("department/create", {"name": name, "parentid": parentid, **extra})


def chain(api: Api, levels: int, parent: int = 1, prefix: str = "L") -> list[int]:
    """Create `levels` nested departments under parent; return their ids top-down."""
    ids = []
    for i in range(levels):
        body = {"name": f"{prefix}{i}", "parentid": parent}
        parent = int(api.ok("POST", "department/create", body)["id"])
        ids.append(parent)
    return ids


def test_root_exists_with_id_1_and_parentid_0(api: Api) -> None:
    dept = api.ok("GET", "department/get", id=1)["department"]
    assert dept == {"id": 1, "name": "总部", "department_leader": [], "parentid": 0, "order": 0}


def test_create_answers_created_with_generated_increasing_ids(api: Api) -> None:
    first = create(api, "研发")
    second = create(api, "市场")
    assert (first["errcode"], first["errmsg"], first["id"]) == (0, "created", 2)
    assert second["id"] == 3


def test_create_honours_a_chosen_id(api: Api) -> None:
    assert create(api, "研发", id=100)["id"] == 100
    assert create(api, "市场")["id"] == 101


@pytest.mark.parametrize("bad_id", [1, 0, -5])
def test_create_refuses_ids_not_above_1_with_60008(api: Api, bad_id: int) -> None:
    assert create(api, "研发", id=bad_id)["errcode"] == 60008


def test_create_refuses_a_used_id_with_60008(api: Api) -> None:
    create(api, "研发", id=7)
    assert create(api, "市场", id=7)["errcode"] == 60008


@pytest.mark.parametrize("body", [{"parentid": 1}, {"name": "", "parentid": 1}])
def test_missing_or_empty_name_is_60001(api: Api, body: dict[str, object]) -> None:
    assert api.post("department/create", body)["errcode"] == 60001


def test_names_up_to_64_characters_pass_and_longer_is_60001(api: Api) -> None:
    assert create(api, "部" * 64)["errcode"] == 0
    assert create(api, "门" * 65)["errcode"] == 60001


def test_name_limit_switches_to_32(api: Api, control: Control) -> None:
    control.config(dept_name_max_len=32)
    assert create(api, "部" * 33)["errcode"] == 60001
    assert create(api, "部" * 32)["errcode"] == 0


@pytest.mark.parametrize("char", ["\\", ":", "*", "?", '"', "<", ">", "|"])
def test_forbidden_characters_are_60009(api: Api, char: str) -> None:
    assert create(api, f"研发{char}部")["errcode"] == 60009


def test_name_en_follows_the_name_rules(api: Api) -> None:
    assert create(api, "研发", name_en="R*D")["errcode"] == 60009
    assert create(api, "研发", name_en="x" * 65)["errcode"] == 60001
    dept_id = create(api, "研发", name_en="RD")["id"]
    assert api.ok("GET", "department/get", id=dept_id)["department"]["name_en"] == "RD"


def test_siblings_cannot_share_a_name_but_cousins_can(api: Api) -> None:
    a = create(api, "A")["id"]
    b = create(api, "B")["id"]
    assert create(api, "研发", a)["errcode"] == 0
    assert create(api, "研发", a)["errcode"] == 60008
    assert create(api, "研发", b)["errcode"] == 0


def test_siblings_cannot_share_name_en(api: Api) -> None:
    create(api, "研发", name_en="RD")
    assert create(api, "研发二", name_en="RD")["errcode"] == 60008


@pytest.mark.parametrize("body", [{"name": "x"}, {"name": "x", "parentid": 99}])
def test_missing_or_unknown_parent_is_60004(api: Api, body: dict[str, object]) -> None:
    assert api.post("department/create", body)["errcode"] == 60004


def test_at_most_15_levels_81002(api: Api) -> None:
    ids = chain(api, 14)  # root + 14 = 15 levels
    assert create(api, "too deep", ids[-1])["errcode"] == 81002
    assert create(api, "fits", ids[-2])["errcode"] == 0


def test_nodes_under_one_parent_count_members_too_81001(api: Api, control: Control) -> None:
    control.config(max_nodes_per_department=3)
    dept = create(api, "团队")["id"]
    create(api, "A", dept)
    api.ok("POST", "user/create", user_body("u1", [dept]))
    create(api, "B", dept)
    assert create(api, "C", dept)["errcode"] == 81001
    assert api.post("user/create", user_body("u2", [dept]))["errcode"] == 81001


def test_total_department_count_is_capped(api: Api, control: Control) -> None:
    control.config(max_departments=3)
    create(api, "A")
    create(api, "B")
    assert create(api, "C")["errcode"] == 81001


@pytest.mark.parametrize("order", [-1, 2**32])
def test_order_outside_uint32_is_40058(api: Api, order: int) -> None:
    assert create(api, "研发", order=order)["errcode"] == 40058


def test_order_defaults_to_0_and_accepts_the_uint32_maximum(api: Api) -> None:
    a = create(api, "A")["id"]
    b = create(api, "B", order=2**32 - 1)["id"]
    depts = {d["id"]: d for d in api.ok("GET", "department/list")["department"]}
    assert depts[a]["order"] == 0
    assert depts[b]["order"] == 2**32 - 1


def test_a_field_of_the_wrong_type_counts_as_absent_with_a_warning(api: Api) -> None:
    result = create(api, "研发", parentid="1")  # type: ignore[arg-type]
    assert result["errcode"] == 60004
    assert result["errmsg"].endswith("Warning: wrong json format.")
    ok = create(api, "研发", order="5")
    assert ok["errcode"] == 0 and ok["errmsg"] == "created Warning: wrong json format."
    assert api.ok("GET", "department/get", id=ok["id"])["department"]["order"] == 0


def test_update_changes_only_the_given_fields(api: Api) -> None:
    dept = create(api, "研发", name_en="RD", order=5)["id"]
    result = api.post("department/update", {"id": dept, "name": "研发中心"})
    assert (result["errcode"], result["errmsg"]) == (0, "updated")
    got = api.ok("GET", "department/get", id=dept)["department"]
    assert (got["name"], got["name_en"], got["order"], got["parentid"]) == ("研发中心", "RD", 5, 1)


@pytest.mark.parametrize("body", [{"name": "x"}, {"id": 99, "name": "x"}])
def test_update_of_missing_or_unknown_id_is_60003(api: Api, body: dict[str, object]) -> None:
    assert api.post("department/update", body)["errcode"] == 60003


def test_rename_to_a_siblings_name_is_60008_but_own_name_is_fine(api: Api) -> None:
    a = create(api, "A")["id"]
    create(api, "B")
    assert api.post("department/update", {"id": a, "name": "B"})["errcode"] == 60008
    assert api.post("department/update", {"id": a, "name": "A"})["errcode"] == 0


def test_moving_under_itself_or_a_descendant_is_60010(api: Api) -> None:
    top, mid, low = chain(api, 3)
    assert api.post("department/update", {"id": top, "parentid": top})["errcode"] == 60010
    assert api.post("department/update", {"id": top, "parentid": low})["errcode"] == 60010
    assert api.post("department/update", {"id": 1, "parentid": mid})["errcode"] == 60010


def test_moving_counts_the_depth_of_the_moved_subtree_81002(api: Api) -> None:
    deep = chain(api, 10)  # levels 2..11
    subtree = chain(api, 5, prefix="S")  # a 5-level branch under root
    assert (
        api.post("department/update", {"id": subtree[0], "parentid": deep[-1]})["errcode"] == 81002
    )
    assert api.post("department/update", {"id": subtree[0], "parentid": deep[-2]})["errcode"] == 0


def test_moving_checks_parent_existence_names_and_room(api: Api, control: Control) -> None:
    a = create(api, "A")["id"]
    b = create(api, "B")["id"]
    create(api, "X", b)
    x2 = create(api, "X", a)["id"]
    assert api.post("department/update", {"id": x2, "parentid": 99})["errcode"] == 60004
    assert api.post("department/update", {"id": x2, "parentid": b})["errcode"] == 60008
    control.config(max_nodes_per_department=1)
    y = create(api, "Y", 1)
    assert y["errcode"] == 81001  # root already holds A and B
    assert api.post("department/update", {"id": a, "parentid": b})["errcode"] == 81001


def test_root_can_be_renamed(api: Api) -> None:
    api.ok("POST", "department/update", {"id": 1, "name": "集团"})
    assert api.ok("GET", "department/get", id=1)["department"]["name"] == "集团"


def test_delete_answers_deleted(api: Api) -> None:
    dept = create(api, "研发")["id"]
    result = api.get("department/delete", id=dept)
    assert (result["errcode"], result["errmsg"]) == (0, "deleted")
    assert api.get("department/get", id=dept)["errcode"] == 60003


def test_delete_refuses_root_unknown_non_empty_departments(api: Api) -> None:
    parent = create(api, "研发")["id"]
    create(api, "后端", parent)
    staffed = create(api, "市场")["id"]
    api.ok("POST", "user/create", user_body("u1", [staffed]))
    assert api.get("department/delete", id=1)["errcode"] == 60007
    assert api.get("department/delete", id=99)["errcode"] == 60003
    assert api.get("department/delete")["errcode"] == 60003
    assert api.get("department/delete", id=parent)["errcode"] == 60006
    assert api.get("department/delete", id=staffed)["errcode"] == 60005


def test_list_is_the_tree_in_preorder_with_larger_order_first(api: Api) -> None:
    a = create(api, "A", order=1)["id"]
    b = create(api, "B", order=9)["id"]
    a1 = create(api, "A1", a)["id"]
    b1 = create(api, "B1", b, order=3)["id"]
    b2 = create(api, "B2", b, order=3)["id"]
    ids = [d["id"] for d in api.ok("GET", "department/list")["department"]]
    assert ids == [1, b, b1, b2, a, a1]
    simple = api.ok("GET", "department/simplelist")["department_id"]
    assert [d["id"] for d in simple] == ids


def test_list_with_id_returns_that_department_and_its_descendants(api: Api) -> None:
    a = create(api, "A")["id"]
    a1 = create(api, "A1", a)["id"]
    create(api, "B")
    assert [d["id"] for d in api.ok("GET", "department/list", id=a)["department"]] == [a, a1]
    assert [d["id"] for d in api.ok("GET", "department/simplelist", id=a)["department_id"]] == [
        a,
        a1,
    ]
    assert api.get("department/list", id=99)["errcode"] == 60003
    assert api.get("department/simplelist", id=99)["errcode"] == 60003


def test_simplelist_rows_hold_only_id_parentid_order(api: Api) -> None:
    create(api, "A", order=4, name_en="a")
    rows = api.ok("GET", "department/simplelist")["department_id"]
    assert rows == [{"id": 1, "parentid": 0, "order": 0}, {"id": 2, "parentid": 1, "order": 4}]


def test_get_returns_one_object_and_60003_when_unknown(api: Api) -> None:
    dept = create(api, "研发", order=2)["id"]
    got = api.ok("GET", "department/get", id=dept)["department"]
    assert got == {"id": dept, "name": "研发", "department_leader": [], "parentid": 1, "order": 2}
    assert api.get("department/get", id=99)["errcode"] == 60003
    assert api.get("department/get", id="abc")["errcode"] == 40058


def test_department_leader_lists_members_flagged_as_leaders(api: Api) -> None:
    dept = create(api, "研发")["id"]
    api.ok("POST", "user/create", user_body("boss", [1, dept], is_leader_in_dept=[0, 1]))
    api.ok("POST", "user/create", user_body("staff", [dept]))
    assert api.ok("GET", "department/get", id=dept)["department"]["department_leader"] == ["boss"]
    assert api.ok("GET", "department/get", id=1)["department"]["department_leader"] == []
    api.ok("POST", "user/update", {"userid": "boss", "is_leader_in_dept": [0, 0]})
    assert api.ok("GET", "department/get", id=dept)["department"]["department_leader"] == []


def test_department_changes_are_recorded_for_callbacks(api: Api, control: Control) -> None:
    dept = create(api, "研发")["id"]
    api.ok("POST", "department/update", {"id": dept, "name": "研发中心", "order": 0})
    api.ok("GET", "department/delete", id=dept)
    changes = control.get("changes")["changes"]
    assert [(c["kind"], c["key"], c["actor"]) for c in changes] == [
        ("create_party", str(dept), "contacts-sync"),
        ("update_party", str(dept), "contacts-sync"),
        ("delete_party", str(dept), "contacts-sync"),
    ]
    assert changes[1]["fields"] == {"name": "研发中心"}  # unchanged order not reported
    assert changes[0]["seq"] < changes[1]["seq"] < changes[2]["seq"]
