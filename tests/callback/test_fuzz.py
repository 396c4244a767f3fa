"""Property tests: mutated input raises only documented errors and never makes a receiver 5xx."""

from __future__ import annotations

import base64
import dataclasses
import io
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wecom_contacts.callback import (
    CallbackCrypto,
    CallbackError,
    InvalidKeyError,
    MalformedXMLError,
    UnknownEvent,
    event_from_raw,
    make_asgi_app,
    make_wsgi_app,
    parse_event,
)
from wecom_contacts.callback.safexml import MAX_DEPTH, element_to_dict, parse_xml

from .support import CORP_ID, KEY, SAMPLES, TOKEN, ref_encrypt, ref_signature, signed_post

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CRYPTO = CallbackCrypto(TOKEN, KEY, CORP_ID)
WIRE_NAMES = [
    "ToUserName", "FromUserName", "CreateTime", "MsgType", "Event", "ChangeType", "UserID",
    "NewUserID", "Name", "Department", "MainDepartment", "IsLeaderInDept", "DirectLeader",
    "Gender", "Status", "Position", "ExtAttr", "Item", "Type", "Text", "Value", "Web", "Url",
    "Title", "Id", "ParentId", "Order", "TagId", "AddUserItems", "DelUserItems",
    "AddPartyItems", "DelPartyItems", "BatchJob", "JobId", "JobType", "ErrCode", "ErrMsg",
    "Encrypt", "x",
]
WORDS = ["change_contact", "batch_job_result", "create_user", "update_user", "delete_user",
         "create_party", "update_party", "delete_party", "update_tag", "event", "sys"]

# ---- strategies

texts = st.one_of(
    st.sampled_from(WORDS),
    st.from_regex(r"[-+ 0-9,_]{0,12}", fullmatch=True),
    st.from_regex(r"[0-9a-z, ]{0,8}", fullmatch=True),
    st.text(max_size=24),
)


def _leaf(tag: str, text: str, cdata: bool) -> str:
    body = f"<![CDATA[{text}]]>" if cdata and "]]>" not in text else escape(text)
    return f"<{tag}>{body}</{tag}>"


leaves = st.builds(_leaf, st.sampled_from(WIRE_NAMES), texts, st.booleans())
elements = st.recursive(
    leaves,
    lambda children: st.builds(
        lambda tag, kids: f"<{tag}>{''.join(kids)}</{tag}>",
        st.sampled_from(WIRE_NAMES), st.lists(children, max_size=4),
    ),
    max_leaves=24,
)
documents = st.builds(
    lambda prefix, kids, suffix: f"{prefix}<xml>{''.join(kids)}</xml>{suffix}",
    st.sampled_from(["", '<?xml version="1.0"?>', '<!DOCTYPE xml [<!ENTITY e "x">]>',
                     '<?xml version="1.0" encoding="utf-16"?>']),
    st.lists(elements, max_size=12),
    st.sampled_from(["", " ", "<", "&e;", "<x/>"]),
)


raw_values = st.recursive(
    st.one_of(texts, st.none(), st.integers()),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(WIRE_NAMES), inner, max_size=4)),
    max_leaves=12,
)
SAMPLE_RAWS = [parse_event(xml.format(corp=CORP_ID, ts=1)).raw for xml in SAMPLES.values()]


@st.composite
def event_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A documented event's fields with a few of them replaced, dropped or added."""
    raw = dict(draw(st.sampled_from(SAMPLE_RAWS)))
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.one_of(st.sampled_from(sorted(raw)), st.sampled_from(WIRE_NAMES)))
        if draw(st.integers(0, 4)) == 0:
            raw.pop(name, None)
        else:
            raw[name] = draw(st.one_of(texts, texts, raw_values))
    return raw


def to_xml(tag: str, value: Any, cdata: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "".join(to_xml(tag, item, cdata) for item in value)
    if isinstance(value, dict):
        return f"<{tag}>{''.join(to_xml(k, v, cdata) for k, v in value.items())}</{tag}>"
    return _leaf(tag, str(value), cdata)


event_documents = st.builds(lambda raw, cdata: to_xml("xml", raw, cdata), event_dicts(),
                            st.booleans())


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "splice"]))
        pos = draw(st.integers(0, max(len(buf) - 1, 0)))
        if op == "flip" and buf:
            buf[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            buf[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del buf[pos : pos + draw(st.integers(1, 16))]
        elif op == "truncate":
            del buf[pos:]
        else:
            buf[pos:pos] = draw(st.sampled_from(
                [b"<![CDATA[", b"]]>", b"<Encrypt>", b"</xml>", b"&amp;", b"<!DOCTYPE x>"]))
    return bytes(buf)


@st.composite
def signed_garbage(draw: st.DrawFn) -> tuple[dict[str, str], bytes]:
    """Correctly signed requests whose ciphertexts decrypt to arbitrary buffers."""
    choice = draw(st.sampled_from(["ciphertext", "buffer", "document"]))
    if choice == "ciphertext":
        blocks = draw(st.integers(0, 6))
        extra = draw(st.integers(0, 1))
        raw = draw(st.binary(min_size=blocks * 32 + extra, max_size=blocks * 32 + extra))
        encrypted = base64.b64encode(raw).decode()
        post = signed_post(b"", encrypted=encrypted)
    elif choice == "buffer":
        message = draw(st.binary(max_size=64))
        receive_id = draw(st.sampled_from([CORP_ID.encode(), b"", b"other"]))
        pad = None
        if draw(st.booleans()):  # any trailing bytes that keep the length a multiple of 32
            size = -(20 + len(message) + len(receive_id)) % 32 + 32 * draw(st.integers(0, 1))
            pad = draw(st.binary(min_size=size, max_size=size))
        post = signed_post(
            message,
            receive_id=receive_id,
            length=draw(st.one_of(st.none(), st.integers(0, 2**32 - 1))),
            pad=pad,
        )
    else:
        document = draw(st.one_of(documents, event_documents))
        post = signed_post(document.encode("utf-8", "surrogatepass"))
    return post.params, post.body


def valid_request(kind: str) -> tuple[dict[str, str], bytes]:
    post = signed_post(SAMPLES[kind].format(corp=CORP_ID, ts=1_700_000_000))
    return post.params, post.body


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, str], bytes]:
    method = draw(st.sampled_from(["GET", "POST", "POST", "POST", "PUT"]))
    params, body = draw(st.one_of(
        st.sampled_from(list(SAMPLES)).map(valid_request),
        signed_garbage(),
    ))
    if draw(st.booleans()):
        body = draw(mutated(body))
    query = dict(params)
    for name in ["msg_signature", "timestamp", "nonce", "echostr"]:
        action = draw(st.sampled_from(["keep", "keep", "drop", "text", "mutate"]))
        if action == "drop":
            query.pop(name, None)
        elif action == "text":
            query[name] = draw(st.text(max_size=30))
        elif action == "mutate" and name in query:
            query[name] = draw(mutated(query[name].encode())).decode("utf-8", "replace")
    if method == "GET" and "echostr" not in query and draw(st.booleans()):
        echostr = ref_encrypt(draw(st.binary(max_size=24)))
        query.update(echostr=echostr, msg_signature=ref_signature(
            TOKEN, query.get("timestamp", ""), query.get("nonce", ""), echostr))
    return method, query, body


# ---- the pure functions


@FUZZ
@given(signed_garbage())
def test_signed_garbage_raises_only_documented_errors(
    request: tuple[dict[str, str], bytes],
) -> None:
    params, body = request
    try:
        parse_event(CRYPTO.decrypt(**params, body=body, max_age=None))
    except CallbackError:
        pass


@FUZZ
@given(st.sampled_from(list(SAMPLES)), st.data())
def test_mutated_envelopes_raise_only_documented_errors(kind: str, data: st.DataObject) -> None:
    params, body = valid_request(kind)
    body = data.draw(mutated(body))
    signature = data.draw(st.one_of(st.just(params["msg_signature"]), st.text(max_size=41)))
    timestamp = data.draw(st.one_of(st.just(params["timestamp"]), st.text(max_size=12)))
    clock = time.time() + data.draw(st.floats(-1e6, 1e6))
    crypto = CallbackCrypto(TOKEN, KEY, CORP_ID, clock=lambda: clock)
    try:
        parse_event(crypto.decrypt(signature, timestamp, params["nonce"], body, max_age=300))
    except CallbackError:
        pass


@FUZZ
@given(st.text(max_size=50), st.text(max_size=50), st.text(max_size=60))
def test_verify_url_raises_only_documented_errors(signature: str, nonce: str, echo: str) -> None:
    try:
        CRYPTO.verify_url(signature, "1", nonce, echo)
    except CallbackError:
        pass


@FUZZ
@given(st.text(max_size=50),
       st.one_of(st.text(max_size=50), st.from_regex(r"[A-Za-z0-9+/]{43}", fullmatch=True)))
def test_arbitrary_keys_are_accepted_or_refused_with_invalid_key_error(
    token: str, key: str
) -> None:
    try:
        crypto = CallbackCrypto(token or "t", key, CORP_ID)
    except InvalidKeyError as exc:
        assert len(key) < 8 or key not in str(exc)  # short strings occur in any text
        return
    assert len(key) == 43
    assert crypto.decrypt(**_params(crypto), max_age=None) == "<xml/>"


def _params(crypto: CallbackCrypto) -> dict[str, Any]:
    sealed = crypto.encrypt_message("<xml/>")
    return {"msg_signature": sealed.msg_signature, "timestamp": sealed.timestamp,
            "nonce": sealed.nonce, "body": sealed.as_post_body(CORP_ID)}


@FUZZ
@given(st.one_of(event_documents, documents, st.text(max_size=200), st.binary(max_size=200)))
def test_parse_event_raises_only_documented_errors(xml: str | bytes) -> None:
    try:
        parse_event(xml)
    except CallbackError:
        pass


@FUZZ
@given(st.one_of(event_dicts(), st.dictionaries(st.sampled_from(WIRE_NAMES), raw_values)))
def test_event_from_raw_raises_only_documented_errors(raw: dict[str, Any]) -> None:
    try:
        event_from_raw(raw)
    except CallbackError:
        pass


def _plain_dict(element: ET.Element) -> dict[str, Any]:
    """element_to_dict's reading, written as the plainest loop (what it is held to)."""
    values: dict[str, list[Any]] = {}
    for child in element:
        values.setdefault(child.tag, []).append(
            _plain_dict(child) if len(child) else (child.text or "")
        )
    return {tag: found[0] if len(found) == 1 else found for tag, found in values.items()}


def _depth(element: ET.Element) -> int:
    return 1 + max((_depth(child) for child in element if len(child)), default=0)


@FUZZ
@given(st.one_of(event_documents, documents))
def test_element_to_dict_reads_what_a_plain_loop_reads(xml: str) -> None:
    try:
        root = parse_xml(xml)
    except CallbackError:
        return
    try:
        assert element_to_dict(root) == _plain_dict(root)
    except MalformedXMLError:
        assert _depth(root) > MAX_DEPTH


def _text_fields(instance: object) -> list[str]:
    # The models' annotations are strings (from __future__ import annotations).
    return [f.name for f in dataclasses.fields(instance)  # type: ignore[arg-type]
            if f.type in ("str", "str | None")]


@FUZZ
@given(event_dicts())
def test_typed_events_hold_text_only_where_text_belongs(raw: dict[str, Any]) -> None:
    # A nested or non-text value in a text field is refused, beside ExtAttr and BatchJob
    # (nested values that belong) as well as alone.
    try:
        event = event_from_raw(raw)
    except CallbackError:
        return
    if isinstance(event, UnknownEvent):
        return
    items = [event, *(getattr(event, "ext_attr", None) or [])]
    for instance in items:
        for name in _text_fields(instance):
            value = getattr(instance, name)
            assert value is None or type(value) is str, (type(instance).__name__, name, value)


# ---- the receivers


def _handler(event: Any) -> None:
    pass


class AsgiClient:
    """httpx over ASGITransport, driven from sync test code through a blocking portal."""

    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient) -> None:
        self._portal, self._client = portal, client

    def request(self, method: str, params: dict[str, str], body: bytes) -> httpx.Response:
        return self._portal.call(
            lambda: self._client.request(method, "/", params=params, content=body)
        )


@pytest.fixture(scope="module")
def asgi_client() -> Iterator[AsgiClient]:
    app = make_asgi_app(CRYPTO, _handler, max_age=None)
    with start_blocking_portal() as portal:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test")
        yield AsgiClient(portal, client)
        portal.call(client.aclose)


WSGI_APP = make_wsgi_app(CRYPTO, _handler, max_age=None)


@FUZZ
@given(requests())
def test_the_asgi_receiver_never_answers_5xx(
    asgi_client: AsgiClient, request: tuple[str, dict[str, str], bytes]
) -> None:
    method, query, body = request
    response = asgi_client.request(method, query, body)
    assert response.status_code < 500, response.text


@FUZZ
@given(requests())
def test_the_wsgi_receiver_never_answers_5xx(request: tuple[str, dict[str, str], bytes]) -> None:
    method, query, body = request
    environ = {
        "REQUEST_METHOD": method, "QUERY_STRING": urlencode(query), "PATH_INFO": "/",
        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
        "REMOTE_ADDR": "127.0.0.1",
    }
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)
        return lambda data: None

    chunks = WSGI_APP(environ, start_response)
    assert b"".join(chunks) is not None
    assert int(statuses[0].split()[0]) < 500
