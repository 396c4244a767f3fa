"""openid conversion, authsucc, lookups, active stats, invitations and the join QR code."""

from __future__ import annotations

import datetime as dt

from .support import Api, Control, make_user

CHINA = dt.timezone(dt.timedelta(hours=8))


def test_openid_needs_an_activated_member_43004(api: Api) -> None:
    make_user(api, "u1")
    assert api.post("user/convert_to_openid", {"userid": "u1"})["errcode"] == 43004
    assert api.get("user/authsucc", userid="u1") == {"errcode": 0, "errmsg": "ok"}
    assert api.ok("GET", "user/get", userid="u1")["status"] == 1
    assert api.ok("POST", "user/convert_to_openid", {"userid": "u1"})["openid"].startswith("o")


def test_openids_are_stable_and_convert_back(api: Api, control: Control) -> None:
    control.config(openid_requires_activation=False)
    make_user(api, "u1")
    make_user(api, "u2")
    first = api.ok("POST", "user/convert_to_openid", {"userid": "u1"})["openid"]
    assert api.ok("POST", "user/convert_to_openid", {"userid": "U1"})["openid"] == first
    assert api.ok("POST", "user/convert_to_openid", {"userid": "u2"})["openid"] != first
    assert api.ok("POST", "user/convert_to_userid", {"openid": first})["userid"] == "u1"
    api.ok("GET", "user/delete", userid="u1")
    make_user(api, "u1")  # the same userid again gets the same openid
    assert api.ok("POST", "user/convert_to_openid", {"userid": "u1"})["openid"] == first


def test_openid_errors(api: Api) -> None:
    assert api.post("user/convert_to_openid", {"userid": "ghost"})["errcode"] == 60111
    assert api.post("user/convert_to_openid", {})["errcode"] == 41009
    assert api.post("user/convert_to_userid", {"openid": "oNope"})["errcode"] == 40073
    assert api.get("user/authsucc", userid="ghost")["errcode"] == 60111


def test_getuserid_finds_a_member_by_mobile(api: Api) -> None:
    make_user(api, "u1", mobile="+86 13800000000")
    assert api.ok("POST", "user/getuserid", {"mobile": "13800000000"})["userid"] == "u1"
    assert api.post("user/getuserid", {"mobile": "13900000000"})["errcode"] == 46004
    assert api.post("user/getuserid", {"mobile": "123"})["errcode"] == 40058


def test_failed_lookups_over_the_limit_block_lookups_for_a_day(api: Api, control: Control) -> None:
    control.config(lookup_failure_limit={"seconds": 86400, "limit": 2})
    make_user(api, "u1", mobile="13800000000")
    for _ in range(3):
        assert api.post("user/getuserid", {"mobile": "13900000000"})["errcode"] == 46004
    assert api.post("user/getuserid", {"mobile": "13800000000"})["errcode"] == 45009
    body = {"email": "u1@example.com", "email_type": 2}
    assert api.post("user/get_userid_by_email", body)["errcode"] == 45009
    control.post("clock", {"advance": 86401})
    fresh = Api(api.http)  # the old token expired meanwhile
    assert fresh.ok("POST", "user/getuserid", {"mobile": "13800000000"})["userid"] == "u1"


def test_get_userid_by_email_reads_biz_mail_by_default_and_email_with_type_2(api: Api) -> None:
    make_user(api, "u1", email="Personal@example.com", biz_mail="u1@corp.example.com")
    by_biz = api.ok("POST", "user/get_userid_by_email", {"email": "u1@corp.example.com"})
    assert by_biz["userid"] == "u1"
    body = {"email": "personal@example.com", "email_type": 2}
    assert api.ok("POST", "user/get_userid_by_email", body)["userid"] == "u1"
    wrong_kind = {"email": "personal@example.com", "email_type": 1}
    assert api.post("user/get_userid_by_email", wrong_kind)["errcode"] == 46004
    bad_type = {"email": "personal@example.com", "email_type": 3}
    assert api.post("user/get_userid_by_email", bad_type)["errcode"] == 40058


def test_active_stat_counts_activated_enabled_members(api: Api) -> None:
    make_user(api, "u1")
    make_user(api, "u2")
    make_user(api, "u3")
    api.ok("GET", "user/authsucc", userid="u1")
    api.ok("GET", "user/authsucc", userid="u2")
    api.ok("POST", "user/update", {"userid": "u2", "enable": 0})
    today = dt.datetime.now(CHINA).date()
    result = api.ok("POST", "user/get_active_stat", {"date": today.isoformat()})
    assert result["active_cnt"] == 1
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert api.ok("POST", "user/get_active_stat", {"date": yesterday})["active_cnt"] == 0


def test_active_stat_dates_must_be_within_30_days(api: Api) -> None:
    today = dt.datetime.now(CHINA).date()
    for date in ("2020/03/27", "", (today + dt.timedelta(days=1)).isoformat()):
        assert api.post("user/get_active_stat", {"date": date})["errcode"] == 40058
    old = (today - dt.timedelta(days=31)).isoformat()
    assert api.post("user/get_active_stat", {"date": old})["errcode"] == 40058


def test_invite_lists_invalid_users_parties_and_tags(api: Api) -> None:
    make_user(api, "u1")
    api.ok("POST", "tag/create", {"tagname": "t", "tagid": 3})
    body = {"user": ["u1", "ghost"], "party": [1, 99], "tag": [3, 98]}
    result = api.ok("POST", "batch/invite", body)
    assert (result["invaliduser"], result["invalidparty"], result["invalidtag"]) == (
        ["ghost"],
        [99],
        [98],
    )


def test_invite_errors_for_empty_all_invalid_and_oversized_lists(api: Api) -> None:
    assert api.post("batch/invite", {})["errcode"] == 82001
    assert api.post("batch/invite", {"user": ["ghost"], "party": [99]})["errcode"] == 82001
    assert api.post("batch/invite", {"user": ["u"] * 1001})["errcode"] == 40032
    assert api.post("batch/invite", {"party": [1] * 101})["errcode"] == 82002
    assert api.post("batch/invite", {"tag": [1] * 101})["errcode"] == 82003


def test_join_qrcode_is_a_url_with_the_size(api: Api) -> None:
    url = api.ok("GET", "corp/get_join_qrcode", size_type=3)["join_qrcode"]
    assert url.startswith("https://work.weixin.qq.com/wework_admin/genqrcode?action=join")
    assert url.endswith("qr_size=3")
    assert api.ok("GET", "corp/get_join_qrcode")["join_qrcode"].endswith("qr_size=1")
    assert api.get("corp/get_join_qrcode", size_type=5)["errcode"] == 40058
