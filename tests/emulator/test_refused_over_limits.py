"""Over-limit values sent straight to the emulator get WeCom's errcodes (the client refuses
them before sending, so these are the emulator's own contract tests)."""

from __future__ import annotations

from .support import Api, make_user


def test_a_tag_name_over_32_characters_is_40072(api: Api) -> None:
    assert api.post("tag/create", {"tagname": "标" * 33})["errcode"] == 40072
    assert api.post("tag/create", {"tagname": "标" * 32})["errcode"] == 0


def test_batch_delete_of_more_than_200_userids_is_40032(api: Api) -> None:
    make_user(api, "x0", [1])
    body = {"useridlist": [f"x{i}" for i in range(201)]}
    assert api.post("user/batchdelete", body)["errcode"] == 40032
    assert api.ok("GET", "user/get", userid="x0")["userid"] == "x0"  # nothing deleted
