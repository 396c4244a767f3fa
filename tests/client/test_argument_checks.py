"""Arguments are checked before sending: a wrong type or a value past WeCom's documented limit
raises TypeError / ValueError naming the argument, and nothing reaches WeCom."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from wecom_contacts.testing import EmulatorControl

Call = Callable[[Any], Any]

# (what the user calls, the error, words the message must hold)
CASES: list[tuple[str, Call, type[Exception], str]] = [
    ("get(None)", lambda c: c.users.get(None),
     TypeError, "userid is required"),
    ("delete(list)", lambda c: c.users.delete(["a", "b"]),
     TypeError, "userid must be a userid (str), not list"),
    ("get(65 bytes)", lambda c: c.users.get("u" * 65),
     ValueError, "userid must be a userid of 1-64 bytes, not 65"),
    ("get('')", lambda c: c.users.get(""),
     ValueError, "userid must be a userid of 1-64 bytes, not 0"),
    ("batch_delete([None])", lambda c: c.users.batch_delete(["ok", None]),
     TypeError, "entry 1 should be a userid (str), not None"),
    ("batch_delete([])", lambda c: c.users.batch_delete([]),
     ValueError, "userids must be a list of 1-200 userids, not 0"),
    ("simple_list('1')", lambda c: c.users.simple_list("1"),
     TypeError, "department_id must be a department id (int), not str"),
    ("to_userid(None)", lambda c: c.users.to_userid(None),
     TypeError, "openid is required"),
    ("by_email(short)", lambda c: c.users.get_userid_by_email("a@b"),
     ValueError, "email must be an e-mail address of 6-64 bytes"),
    ("by_email(type 3)", lambda c: c.users.get_userid_by_email("a@b.cn", email_type=3),
     ValueError, "email_type must be one of 1, 2"),
    ("department get(True)", lambda c: c.departments.get(True),
     TypeError, "id must be a department id (int), not bool"),
    ("department get(0)", lambda c: c.departments.get(0),
     ValueError, "id must be a department id from 1 to 4294967295, not 0"),
    ("department create(parent None)", lambda c: c.departments.create("A", None),
     TypeError, "parent_id is required"),
    ("department create(65 chars)", lambda c: c.departments.create("部" * 65, 1),
     ValueError, "name must be a department name of 1-64 characters, not 65"),
    ("department update(name 1)", lambda c: c.departments.update(2, name=1),
     TypeError, "name must be a department name (str), not int"),
    ("tag create('')", lambda c: c.tags.create(""),
     ValueError, "name must be a tag name of 1-32 characters, not 0"),
    ("tag get('1')", lambda c: c.tags.get("1"),
     TypeError, "id must be a tag id (int), not str"),
    ("tag add 1001", lambda c: c.tags.add_members(1, userids=[f"u{i}" for i in range(1001)]),
     ValueError, "userids must be a list of 0-1000 userids, not 1001"),
    ("tag add [1.5]", lambda c: c.tags.add_members(1, department_ids=[1.5]),
     TypeError, "department_ids must be a list of department ids; entry 0 should be a "
                "department id (int), not float"),
    ("job result(None)", lambda c: c.batch.get_result(None),
     TypeError, "job_id is required"),
    ("export result(65)", lambda c: c.export.get_result("j" * 65),
     ValueError, "job_id must be a job id of 1-64 bytes"),
]


@pytest.mark.parametrize(("call", "error", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_bad_argument_is_refused_by_name_before_anything_is_sent(
    api: Any, wecom_emulator: EmulatorControl, call: Call, error: type[Exception], words: str
) -> None:
    before = sum(wecom_emulator.stats()["calls"].values())
    with pytest.raises(error) as info:
        call(api)
    assert words in str(info.value)
    assert "nothing was sent to" in str(info.value)
    after = sum(wecom_emulator.stats()["calls"].values())
    assert after - before <= 1  # at most the gettoken of a cold client, never the call


def test_the_documented_limits_themselves_are_accepted(api: Any) -> None:
    dept = api.departments.create("部" * 64, 1)
    api.users.create("u" * 64, "名" * 64, department=[dept], mobile="13800000001")
    assert api.users.get("u" * 64).name == "名" * 64
    assert api.tags.create("标" * 32) > 0
    assert api.users.list_ids(limit=10_000).items
