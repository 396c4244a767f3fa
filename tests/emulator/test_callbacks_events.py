"""The emulator's callback encryption and event XML, checked by the project's receiver code."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from wecom_contacts.callback import CallbackCrypto, parse_event
from wecom_contacts.emulator.outgoing.crypto import (
    CallbackKeyError,
    aes_key,
    encrypt,
    seal,
    signature,
)
from wecom_contacts.emulator.outgoing.events import EventOptions, Skip, build_event
from wecom_contacts.emulator.store.records import Change

from .callbacks_support import KEY, TOKEN

CORP = "ww0000000000emulator"


def change(kind: str, key: str | int, fields: dict[str, Any], at: float = 1700000000.5) -> Change:
    return Change(1, at, kind, str(key), fields, "console")


def parsed(c: Change, **options: Any) -> Any:
    event = build_event(c, EventOptions(CORP, **options))
    assert not isinstance(event, Skip), event
    return parse_event(event.xml)


# ---- crypto -----------------------------------------------------------------------------


def test_signature_matches_the_official_sample() -> None:
    # WXBizMsgCrypt sample (2014): token QDG6eK, the POST's Encrypt value and its signature
    encrypted = (
        "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczc"
        "dCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjv"
        "d4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnv"
        "w2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22"
        "Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH"
        "2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
    )
    assert signature("QDG6eK", "1409659813", "1372623149", encrypted) == (
        "477715d11cdb4164915debcba66cb864d751f3e6")


def test_encrypt_reproduces_a_published_vector() -> None:
    # wechatpy's WeCom reply vector, random prefix fixed to "1234567890123456"
    reply = ("<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
             "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n"
             "<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n"
             "<CreateTime>1411525903</CreateTime>\n</xml>")
    sealed = encrypt(reply, aes_key(KEY), "wx49f0ab532d5d035a", prefix=b"1234567890123456")
    assert sealed.startswith("9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hh")
    assert sealed.endswith("GVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3")
    assert signature("123456", "1411525903", "461056294", sealed) == (
        "407518b7649e86ef23978113f92d27afa9296533")


@pytest.mark.parametrize("size", [0, 1, 11, 12, 13, 44, 100])
def test_sealed_posts_open_with_the_receivers_crypto(size: int) -> None:
    # sizes around 32-byte boundaries: 16 + 4 + n + 20 (corp id) bytes need pads of 1..32
    xml = "<xml><Content><![CDATA[" + "x" * size + "]]></Content></xml>"
    post = seal(xml, token=TOKEN, key=aes_key(KEY), corp_id=CORP, agent_id="", timestamp=1)
    crypto = CallbackCrypto(TOKEN, KEY, CORP)
    p = post.params
    assert crypto.decrypt(p["msg_signature"], p["timestamp"], p["nonce"], post.body,
                          max_age=None) == xml
    assert len(base64.b64decode(post.body.split(b"CDATA[")[2].split(b"]]")[0])) % 32 == 0


@pytest.mark.parametrize("last", ["R", "Q", "S", "T"])
def test_the_keys_last_character_carries_two_ignored_bits(last: str) -> None:
    assert aes_key(KEY[:-1] + last) == aes_key(KEY)


@pytest.mark.parametrize("bad", ["", KEY[:-1], KEY + "A", KEY[:-1] + "=", KEY[:-1] + "+"])
def test_keys_that_are_not_43_letters_or_digits_are_refused(bad: str) -> None:
    with pytest.raises(CallbackKeyError):
        aes_key(bad)


# ---- events -----------------------------------------------------------------------------


def test_create_user_carries_every_documented_field() -> None:
    fields = {
        "userid": "zs", "name": "张三", "department": [1, 2], "order": [0, 5],
        "is_leader_in_dept": [1, 0], "direct_leader": ["ls"], "main_department": 2,
        "position": "PM", "mobile": "13800000000", "gender": "1", "email": "zs@example.com",
        "biz_mail": "zs@corp.example", "status": 4, "enable": 1, "alias": "san",
        "telephone": "020-1", "address": "广州", "avatar_mediaid": "media1",
        "extattr": {"attrs": [{"type": 0, "name": "爱好", "text": {"value": "a]]>b"}}]},
    }
    event = parsed(change("create_user", "zs", fields))
    assert (event.user_id, event.name, event.department, event.is_leader_in_dept) == (
        "zs", "张三", [1, 2], [1, 0])
    assert (event.main_department, event.direct_leader, event.gender, event.status) == (
        2, ["ls"], 1, 4)
    assert (event.biz_mail, event.telephone, event.address) == ("zs@corp.example", "020-1", "广州")
    assert event.avatar.startswith("https://wework.qpic.cn/wwpic/") and event.create_time == (
        1700000000)
    assert [(a.name, a.value) for a in event.ext_attr] == [("爱好", "a]]>b")]


def test_minimal_fields_keep_userid_and_department_only() -> None:
    created = parsed(change("create_user", "zs", {"userid": "zs", "name": "张三",
                                                  "department": [3], "status": 4}), minimal=True)
    assert (created.user_id, created.department, created.name, created.status) == (
        "zs", [3], None, None)
    renamed = parsed(change("update_user", "zs", {"new_userid": "z2", "name": "新"}),
                     minimal=True)
    assert (renamed.user_id, renamed.new_user_id, renamed.name) == ("zs", "z2", None)
    party = parsed(change("create_party", 5, {"name": "部", "parentid": 1, "order": 3}),
                   minimal=True)
    assert (party.id, party.parent_id, party.name, party.order) == (5, 1, None, None)


def test_minimal_fields_send_update_party_only_for_a_move() -> None:
    renamed = build_event(change("update_party", 5, {"name": "x"}), EventOptions(CORP, True))
    assert isinstance(renamed, Skip)
    moved = parsed(change("update_party", 5, {"name": "x", "parentid": 9}), minimal=True)
    assert (moved.id, moved.parent_id, moved.name) == (5, 9, None)


def test_hidden_sensitive_fields_are_left_out() -> None:
    fields = {"userid": "zs", "name": "张三", "department": [1], "mobile": "13800000000",
              "email": "zs@example.com", "gender": "1", "address": "x"}
    event = parsed(change("create_user", "zs", fields), hide_sensitive=True)
    assert (event.name, event.mobile, event.email, event.gender, event.address) == (
        "张三", None, None, None, None)


@pytest.mark.parametrize(("kind", "fields"), [
    ("create_tag", {"tagname": "t"}),
    ("delete_tag", {}),
    ("update_tag", {"tagname": "renamed"}),
    ("update_user", {"order": [3]}),
    ("update_party", {"order": 9}),
])
def test_changes_without_a_wecom_event_are_skipped(kind: str, fields: dict[str, Any]) -> None:
    assert isinstance(build_event(change(kind, 1, fields), EventOptions(CORP)), Skip)


def test_batch_job_result_accepts_lower_or_camel_case_fields() -> None:
    lower = parsed(change("batch_job_result", "J1", {"jobid": "J1", "jobtype": "sync_user",
                                                     "errcode": 0, "errmsg": "ok"}))
    camel = parsed(change("batch_job_result", "J2", {"JobId": "J2", "JobType": "replace_party",
                                                     "ErrCode": 60123, "ErrMsg": "bad"}))
    assert (lower.job_id, lower.job_type, lower.err_code, lower.err_msg) == (
        "J1", "sync_user", 0, "ok")
    assert (camel.job_id, camel.job_type, camel.err_code, camel.err_msg) == (
        "J2", "replace_party", 60123, "bad")
