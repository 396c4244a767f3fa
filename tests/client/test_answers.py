"""The one-pass read of successful answers: same results, same raw dicts, same errors as before.

Each endpoint's model is validated straight from the answer's bytes (``_http/answers.py``);
anything but a plain success goes through ``decode_envelope`` as before. These tests pin that
the two paths cannot be told apart by a user: the models, their ``raw`` dicts (now built on
first read), and every error a refused body raises.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from wecom_contacts import BadResponse, Client, InvalidArgument, NotFound, RetryPolicy
from wecom_contacts._http.answers import Answer, Many, One, Whole
from wecom_contacts._http.decide import decode_envelope
from wecom_contacts._http.transport import RawResponse
from wecom_contacts.models import Department, User, WeComModel
from wecom_contacts.resources import batch, departments, export, tags, users
from wecom_contacts.testing import EmulatorControl

from .test_users import USER_GET_SAMPLE

OK = {"errcode": 0, "errmsg": "ok"}
DEPT = {"id": 2, "name": "研发中心", "name_en": "RD", "department_leader": ["zhangsan"],
        "parentid": 1, "order": 10, "added_by_wecom_later": {"a": [1, None]}}

# One answer per reader a resource declares; test_every_declared_answer_has_a_sample fails
# when a reader is added without one.
SAMPLES: dict[str, list[dict[str, Any]]] = {
    "departments._DEPARTMENT": [{**OK, "department": DEPT}],
    "departments._DEPARTMENTS": [
        {**OK, "department": [DEPT, {"id": 3, "parentid": 2}]}, OK,
    ],
    "departments._DEPARTMENT_REFS": [
        {**OK, "department_id": [{"id": 2, "parentid": 1, "order": 10}, {"id": 3}]},
    ],
    "users._USER": [{**USER_GET_SAMPLE, "hire_date": "2024-01-01"}],
    "users._USERS": [{**OK, "userlist": [
        {k: v for k, v in USER_GET_SAMPLE.items() if k not in OK},
        {"userid": "lisi", "name": "李四", "department": [2], "new_field": 1},
    ]}],
    "users._USER_BRIEFS": [{**OK, "userlist": [
        {"userid": "zhangsan", "name": "张三", "department": [1, 2], "open_userid": "x"},
    ]}],
    "users._USER_ID_PAGE": [
        {**OK, "next_cursor": "aaaa", "dept_user": [{"userid": "a", "department": 1}]},
        {**OK, "next_cursor": "", "dept_user": []},
    ],
    "users._INVITE_RESULT": [
        {**OK, "invaliduser": ["u1"], "invalidparty": [2], "invalidtag": [3]}, OK,
    ],
    "tags._TAG_MEMBERS": [{**OK, "tagname": "乐园", "userlist": [
        {"userid": "zhangsan", "name": "李四"}, {"userid": "wangwu"}], "partylist": [2]}],
    "tags._MEMBERSHIP_RESULT": [{**OK, "invalidlist": "usr1|usr2", "invalidparty": [2, 4]}, OK],
    "tags._TAGS": [{**OK, "taglist": [{"tagid": 1, "tagname": "a"}, {"tagid": 2}]}],
    "batch._JOB_RESULT": [
        {**OK, "status": 3, "type": "sync_user", "total": 2, "percentage": 100, "result": [
            {"userid": "lisi", "errcode": 0, "errmsg": "ok"},
            {"partyid": 2, "action": 19, "errcode": 60123, "errmsg": "invalid"}]},
        {**OK, "status": 1, "result": None},
    ],
    "export._EXPORT_RESULT": [
        {**OK, "status": 2, "data_list": [{"url": "https://x/1", "size": 10, "md5": "ab"}]},
        {**OK, "status": 1, "data_list": None},
    ],
}
MODULES = {"departments": departments, "users": users, "tags": tags, "batch": batch,
           "export": export}


def _declared() -> Iterator[tuple[str, Answer[Any]]]:
    for name, module in MODULES.items():
        for attr, value in vars(module).items():
            if isinstance(value, Answer):
                yield f"{name}.{attr}", value


def _cases() -> Iterator[tuple[str, Answer[Any], dict[str, Any]]]:
    for name, answer in _declared():
        for sample in SAMPLES.get(name, []):
            yield name, answer, sample


def _models(result: Any) -> list[WeComModel]:
    return result if isinstance(result, list) else [result]


def _state(model: WeComModel) -> tuple[Any, ...]:
    return (type(model), model.__dict__, model.__pydantic_extra__, model.model_fields_set,
            model.raw)


def test_every_declared_answer_has_a_sample() -> None:
    declared = {name for name, _ in _declared()}
    assert declared and declared == set(SAMPLES)


@pytest.mark.parametrize(("name", "answer", "sample"), list(_cases()))
def test_a_success_read_in_one_pass_equals_the_general_path(
    name: str, answer: Answer[Any], sample: dict[str, Any]
) -> None:
    content = json.dumps(sample, ensure_ascii=False).encode()
    fast = answer.fast(content)
    assert fast is not None, f"{name}: a plain success must take the one-pass read"
    slow = answer.slow(decode_envelope(RawResponse(200, content, "application/json"), name))
    assert [_state(m) for m in _models(fast)] == [_state(m) for m in _models(slow)]
    assert fast == slow


def test_raw_is_built_on_first_read_and_is_the_member_as_sent() -> None:
    answer = {**OK, "userlist": [{"userid": "a", "x": 1}, {"userid": "b", "alias": None}]}
    read = users._USERS.fast(json.dumps(answer).encode())
    assert read is not None
    assert [u.raw for u in read] == answer["userlist"]
    assert read[1].raw is read[1].raw  # built once, then kept


def test_a_copy_or_pickle_of_a_one_pass_model_has_its_own_wire_form() -> None:
    read = departments._DEPARTMENT.fast(json.dumps({**OK, "department": DEPT}).encode())
    assert read is not None
    moved = read.model_copy(update={"parent_id": 7})
    assert moved.raw == moved.to_wire() and moved.raw["parentid"] == 7
    assert pickle.loads(pickle.dumps(read)) == read


def test_errcode_and_errmsg_of_a_whole_answer_are_not_member_fields() -> None:
    read = users._USER.fast(b'{"errcode":0,"errmsg":"ok","userid":"a","hire_date":"x"}')
    assert read is not None
    assert read.model_extra == {"hire_date": "x"}
    assert read.model_fields_set == {"userid", "hire_date"}
    assert read.raw == {"userid": "a", "hire_date": "x"}


# The general path as the resources wrote it before the one-pass read, verbatim.
def _before_one(data: dict[str, Any]) -> Department:
    return Department.from_wire(data["department"])


def _before_many(data: dict[str, Any]) -> list[Department]:
    return [Department.from_wire(d) for d in data.get("department", [])]


def _before_whole(data: dict[str, Any]) -> User:
    return User.from_wire({k: v for k, v in data.items() if k not in ("errcode", "errmsg")})


READERS: list[tuple[Answer[Any], Callable[[dict[str, Any]], Any]]] = [
    (One(Department, "department"), _before_one),
    (Many(Department, "department"), _before_many),
    (Whole(User), _before_whole),
]
ODD_BODIES = [
    b'{"errcode":60003,"errmsg":"department not found","department":{"id":2},"userid":"a"}',
    b'{"errcode":40058,"errmsg":"invalid","department":[],"userid":"a"}',
    b'{"errcode":0.0,"department":{"id":2},"userid":"a"}',
    b'{"errcode":"0","department":{"id":2},"userid":"a"}',
    b'{"errcode":true,"errmsg":"?","department":{"id":2},"userid":"a"}',
    b'{"errcode":false,"department":{"id":2},"userid":"a"}',
    b'{"errcode":0,"department":{"name":"no id"},"userid":"a"}',
    b'{"errcode":0,"department":null,"userid":null}',
    b'{"errcode":0,"department":"x","userid":["a"]}',
    b'{"errcode":0}',
    b'[{"errcode":0}]',
    b"<html>502 Bad Gateway</html>",
    b'\xef\xbb\xbf{"errcode":0,"department":{"id":2},"userid":"a"}',
    b'{"errcode":0,"department":{"id":2,"name":"\\ud800"},"userid":"\\ud800"}',
    b'{"errcode":0,"department":{"id":NaN},"userid":"a"}',
    b'{"errcode":0,"department":{"id":2,"id":"x"},"userid":"a","userid":1}',
    b'{"errcode":0,"department":{"id":2},"userid":"a"',
]


def _outcome(read: Callable[[], Any]) -> Any:
    try:
        result = read()
    except Exception as exc:  # the kind and text are what the caller sees
        return type(exc), str(exc)
    return [_state(m) for m in _models(result)]


@pytest.mark.parametrize("body", ODD_BODIES)
@pytest.mark.parametrize(("answer", "before"), READERS)
def test_an_odd_body_gives_the_result_or_error_it_gave_before(
    answer: Answer[Any], before: Callable[[dict[str, Any]], Any], body: bytes
) -> None:
    raw = RawResponse(200, body, "application/json")

    def now() -> Any:
        result = answer.fast(body)
        return result if result is not None else answer.slow(decode_envelope(raw, "x"))

    assert _outcome(now) == _outcome(lambda: before(decode_envelope(raw, "x")))


def _client(body: bytes, status: int = 200) -> Client:
    """A Client whose every answer but gettoken's is `body`: bodies no server sends on request."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/gettoken"):
            return httpx.Response(200, json={**OK, "access_token": "t", "expires_in": 7200})
        return httpx.Response(status, content=body, headers={"Content-Type": "text/html"})

    return Client("ww1", "s", base_url="http://127.0.0.1:9", retry=RetryPolicy(max_attempts=1),
                  http_client=httpx.Client(transport=httpx.MockTransport(handler)))


def test_a_body_that_is_not_json_is_still_a_bad_response() -> None:
    with _client(b"<html>proxy login</html>") as client, pytest.raises(BadResponse) as info:
        client.departments.get(2)
    assert "not JSON" in str(info.value)


def test_an_http_error_with_a_success_body_is_still_a_bad_response() -> None:
    with _client(json.dumps({**OK, "department": DEPT}).encode(), status=502) as client:
        with pytest.raises(BadResponse) as info:
            client.departments.get(2)
    assert info.value.status_code == 502


def test_an_errcode_0_answer_the_model_refuses_still_raises_the_models_error() -> None:
    with _client(b'{"errcode":0,"department":{"name":"no id"}}') as client:
        with pytest.raises(ValidationError):
            client.departments.get(2)
    with _client(b'{"errcode":0,"errmsg":"ok"}') as client:
        with pytest.raises(KeyError):
            client.departments.get(2)
        assert client.departments.list() == []


def test_errcode_answers_raise_their_kind_through_the_client(api: Any,
                                                            wecom_emulator: EmulatorControl
                                                            ) -> None:
    with pytest.raises(NotFound) as info:
        api.departments.get(4242)
    assert info.value.endpoint == "department/get"
    wecom_emulator.fault("/cgi-bin/user/list", errcode=40058)
    with pytest.raises(InvalidArgument):
        api.users.list(1)


def test_raw_of_each_model_is_the_answer_wecom_sent(api: Any,
                                                   wecom_emulator: EmulatorControl) -> None:
    rd = api.departments.create("研发", 1, name_en="RD")
    api.users.create("zhangsan", "张三", department=[rd], mobile="13800000000",
                     to_invite=False)
    tag = api.tags.create("乐园")
    api.tags.add_members(tag, userids=["zhangsan"])
    with httpx.Client(base_url=wecom_emulator.base_url + "/cgi-bin/") as http:
        token = http.get("gettoken", params={"corpid": wecom_emulator.corp_id,
                                             "corpsecret": wecom_emulator.secret}).json()

        def wire(path: str, **params: Any) -> dict[str, Any]:
            answer: dict[str, Any] = http.get(
                path, params={**params, "access_token": token["access_token"]}).json()
            return answer

        assert api.departments.get(rd).raw == wire("department/get", id=rd)["department"]
        assert [d.raw for d in api.departments.list()] == wire("department/list")["department"]
        user = {k: v for k, v in wire("user/get", userid="zhangsan").items() if k not in OK}
        assert api.users.get("zhangsan").raw == user
        listed = wire("user/list", department_id=rd)["userlist"]
        assert [u.raw for u in api.users.list(rd)] == listed
        members = {k: v for k, v in wire("tag/get", tagid=tag).items() if k not in OK}
        assert api.tags.get(tag).raw == members
