"""Seed-only flags are stored, node counts stay right, and a crowded department seeds fast."""

from __future__ import annotations

from pathlib import Path

from wecom_contacts.emulator import EmulatorConfig, create_app

from .support import Api, Control, make_department, make_user, user_body


def test_a_seeded_system_userid_flag_alone_is_stored(control: Control, api: Api) -> None:
    control.seed(users=[{**user_body("wo1"), "system_userid": True},
                        {**user_body("wo2"), "system_userid": True, "status": 2},
                        user_body("plain")])
    flags = {u["userid"]: (u["system_userid"], u["status"])
             for u in control.get("directory")["users"]}
    assert flags == {"wo1": (True, 4), "wo2": (True, 2), "plain": (False, 4)}
    assert api.post("user/update", {"userid": "wo1", "new_userid": "renamed"})["errcode"] == 0


def test_twenty_thousand_members_seed_into_one_department(control: Control, api: Api) -> None:
    users = [{"userid": f"m{i}", "name": f"M{i}", "department": [2],
              "email": f"m{i}@example.com"} for i in range(20_000)]
    # (the speed of this seed, linear since the department's size is no longer counted per
    # insert, is measured by hand, not asserted: timing tests fail on busy machines). The
    # session client's 10 s timeout would make this a timing test after all, so these two
    # calls wait as long as the emulator takes.
    seeded = control.http.post("/_emulator/seed", timeout=None, json={
        "departments": [{"id": 2, "name": "大部门", "parentid": 1}], "users": users})
    assert seeded.status_code == 200, seeded.text
    listed = api.http.get("/cgi-bin/user/simplelist", timeout=None,
                          params={"access_token": api.token, "department_id": 2})
    assert len(listed.json()["userlist"]) == 20_000


def test_the_node_limit_follows_joins_leaves_and_moves(control: Control, api: Api) -> None:
    control.config(max_nodes_per_department=3)
    a = make_department(api, "甲")
    b = make_department(api, "乙", a)
    make_user(api, "u1", [a])
    make_user(api, "u2", [a])
    assert api.post("user/create", user_body("u3", [a]))["errcode"] == 81001
    api.ok("POST", "department/update", {"id": b, "parentid": 1})
    make_user(api, "u3", [a])
    api.ok("POST", "user/update", {"userid": "u1", "department": [1]})
    api.ok("POST", "user/delete", userid="u2")
    make_user(api, "u4", [a])
    make_department(api, "丙", a)
    assert api.post("department/create", {"name": "丁", "parentid": a})["errcode"] == 81001


def test_node_counts_are_rebuilt_when_a_database_is_opened_again(tmp_path: Path) -> None:
    config = EmulatorConfig(db_path=str(tmp_path / "emu.sqlite"))
    for run in range(2):
        state = create_app(config).state.emulator
        try:
            if run == 0:
                state.store.departments.ensure_root("总部")
                state.store.execute("INSERT INTO departments VALUES (2, 'x', NULL, 1, 0)")
                state.store.execute("INSERT INTO user_departments VALUES (1, 2, 0, 0, 0)")
                # as a file written before the counts existed
                state.store.execute("DELETE FROM department_nodes")
            else:
                assert (state.store.departments.node_count(1),
                        state.store.departments.member_count(2)) == (1, 1)
        finally:
            state.close()
