"""CallbackCrypto: compatibility with published vectors and an independent implementation."""

from __future__ import annotations

import base64
import hmac
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wecom_contacts.callback import (
    CallbackCrypto,
    InvalidKeyError,
    MalformedEnvelopeError,
    MalformedXMLError,
    PaddingError,
    ReceiverMismatchError,
    SignatureError,
    StaleTimestampError,
)

from .support import (
    CORP_ID,
    KEY,
    TOKEN,
    SignedPost,
    ref_decrypt,
    ref_encrypt,
    ref_signature,
    signed_post,
)

# The sample in WeCom's WXBizMsgCrypt packages (加解密库), published in 2014.
OFFICIAL = {"token": "QDG6eK", "key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
            "corp_id": "wx5823bf96d3bd56c7"}
OFFICIAL_POST_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczc"
    "dCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjv"
    "d4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnv"
    "w2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22"
    "Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH"
    "2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
OFFICIAL_ECHOSTR = (
    "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
)


def official() -> CallbackCrypto:
    return CallbackCrypto(OFFICIAL["token"], OFFICIAL["key"], OFFICIAL["corp_id"])


def crypto(**kwargs: object) -> CallbackCrypto:
    return CallbackCrypto(TOKEN, KEY, CORP_ID, **kwargs)  # type: ignore[arg-type]


def test_decrypts_the_official_2014_sample_post_whatever_its_age() -> None:
    body = (f"<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"
            f"<Encrypt><![CDATA[{OFFICIAL_POST_ENCRYPT}]]></Encrypt></xml>")
    plain = official().decrypt(
        "477715d11cdb4164915debcba66cb864d751f3e6", "1409659813", "1372623149", body
    )
    root = ET.fromstring(plain)
    assert root.findtext("Content") == "hello"
    assert root.findtext("MsgId") == "4561255354251345929"


def test_verify_url_returns_the_official_sample_echo() -> None:
    echo = official().verify_url(
        "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", OFFICIAL_ECHOSTR
    )
    assert echo == "1616140317555161061"


def test_encrypt_reproduces_the_published_reply_vector() -> None:
    # Vector from wechatpy's tests (WeCom variant), random prefix fixed to "1234567890123456".
    c = CallbackCrypto("123456", KEY, "wx49f0ab532d5d035a",
                       random_bytes=lambda n: b"1234567890123456"[:n])
    reply = ("<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
             "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n"
             "<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n"
             "<CreateTime>1411525903</CreateTime>\n</xml>")
    sealed = c.encrypt_message(reply, timestamp="1411525903", nonce="461056294")
    assert sealed.msg_signature == "407518b7649e86ef23978113f92d27afa9296533"
    assert sealed.encrypt.startswith("9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hh")
    assert sealed.encrypt.endswith("GVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3")


@given(st.text(), st.binary(min_size=16, max_size=16), st.integers(0, 2**32 - 1))
@settings(max_examples=60)
def test_encrypt_matches_an_independent_aes_cbc_and_sha1(
    text: str, prefix: bytes, nonce: int
) -> None:
    c = crypto(random_bytes=lambda n: prefix[:n])
    sealed = c.encrypt_message(text, timestamp="1700000000", nonce=str(nonce))
    data = text.encode("utf-8", "surrogatepass")
    assert sealed.encrypt == ref_encrypt(data, prefix=prefix)
    assert sealed.msg_signature == ref_signature(TOKEN, "1700000000", str(nonce), sealed.encrypt)


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
@settings(max_examples=60)
def test_decrypt_reads_what_an_independent_implementation_wrote(text: str) -> None:
    post = signed_post(text.encode(), timestamp="1")
    assert crypto().decrypt(**_args(post)) == text


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
@settings(max_examples=60)
def test_encrypt_then_decrypt_round_trips(text: str) -> None:
    c = crypto()
    reply = c.encrypt(text)
    root = ET.fromstring(reply)
    signature, timestamp, nonce = (
        root.findtext(name) or "" for name in ("MsgSignature", "TimeStamp", "Nonce")
    )
    assert c.decrypt(signature, timestamp, nonce, reply) == text
    assert ref_decrypt(root.findtext("Encrypt") or "") == (text.encode(), CORP_ID.encode())


@pytest.mark.parametrize("length", range(0, 33))
def test_every_pkcs7_pad_value_from_1_to_32_is_accepted(length: int) -> None:
    # A stock 16-byte unpadder rejects pad values 17-32; WeCom pads to 32.
    message = "x" * length
    sealed = crypto().encrypt_message(message, timestamp="1", nonce="1")
    pad = 32 - (20 + length + len(CORP_ID)) % 32
    assert 1 <= pad <= 32
    assert crypto().decrypt(sealed.msg_signature, "1", "1", sealed.as_post_body(CORP_ID)) == message


def _args(post: SignedPost) -> dict[str, Any]:
    params = post.params
    return {"msg_signature": params["msg_signature"], "timestamp": params["timestamp"],
            "nonce": params["nonce"], "body": post.body}


def test_one_receiver_reads_each_message_of_a_run_whatever_came_before() -> None:
    # A receiver keeps its AES context from message to message: nothing of one message
    # (nor of a refused one) may show in the next.
    receiver = crypto()
    texts = ["<xml/>", "<xml>" + "长" * 300 + "</xml>", "<xml>x</xml>", "y" * 31]
    bad = b"<xml/>" + b"." * (-(20 + 6 + len(CORP_ID) + 32) % 32)
    for round_ in range(3):
        for index, text in enumerate(texts):
            prefix = bytes([index + round_]) * 16
            post = signed_post(text, prefix=prefix, timestamp=str(index))
            assert receiver.decrypt(**_args(post)) == text
            with pytest.raises(PaddingError):
                receiver.decrypt(**_args(signed_post(bad, pad=b"\x00" * 32, prefix=prefix)))
            with pytest.raises(ReceiverMismatchError):
                receiver.decrypt(**_args(signed_post(text, receive_id=b"ww-other")))


def test_one_receiver_reads_messages_from_several_threads_at_once() -> None:
    receiver = crypto()
    messages = [f"<xml><n>{i}</n>{'x' * (i * 7)}</xml>" for i in range(24)]
    posts = [_args(signed_post(text, timestamp=str(i))) for i, text in enumerate(messages)]

    def read_all(order: list[int]) -> list[str]:
        return [receiver.decrypt(**posts[i]) for _ in range(15) for i in order]

    orders = [list(range(24)), list(range(23, -1, -1)), list(range(0, 24, 2)) * 2,
              list(range(1, 24, 2)) * 2]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(read_all, orders))
    for order, result in zip(orders, results, strict=True):
        assert result == [messages[i] for _ in range(15) for i in order]


@pytest.mark.parametrize(
    "pad", [b"\x00" * 32, b"\x21" * 32, b"\x05\x04\x04\x04\x05", b"\x10" * 15 + b"\x11"]
)
def test_bad_padding_is_refused_not_trusted(pad: bytes) -> None:
    body = b"<xml/>"
    filler = b"." * (-(20 + len(body) + len(CORP_ID) + len(pad)) % 32)
    post = signed_post(body + filler, pad=pad)
    with pytest.raises(PaddingError, match="EncodingAESKey"):
        crypto().decrypt(**_args(post))


def test_forged_signature_is_refused() -> None:
    post = signed_post("<xml/>", token="not-the-token")
    with pytest.raises(SignatureError, match="Token"):
        crypto().decrypt(**_args(post))


def test_ciphertext_altered_after_signing_is_refused() -> None:
    post = signed_post("<xml/>")
    body = post.body.replace(b"<![CDATA[", b"<![CDATA[AAAA", 3)
    with pytest.raises(SignatureError):
        crypto().decrypt(post.params["msg_signature"], post.params["timestamp"],
                         post.params["nonce"], body)


def test_signature_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    post = signed_post("<xml/>")
    crypto().decrypt(**_args(post))
    assert calls == [(post.params["msg_signature"].encode(),) * 2]


def test_a_message_for_another_corp_is_refused() -> None:
    post = signed_post("<xml/>", receive_id=b"wwSomeOtherCorp")
    with pytest.raises(ReceiverMismatchError, match="wwSomeOtherCorp") as info:
        crypto().decrypt(**_args(post))
    assert CORP_ID in str(info.value)


def test_length_field_beyond_the_buffer_is_refused() -> None:
    post = signed_post("<xml/>", length=10_000)
    with pytest.raises(MalformedEnvelopeError, match="length"):
        crypto().decrypt(**_args(post))


@pytest.mark.parametrize("encrypted", ["", "QUJD", base64.b64encode(b"x" * 48).decode()])
def test_ciphertext_not_a_positive_multiple_of_32_bytes_is_refused(encrypted: str) -> None:
    post = signed_post(b"", encrypted=encrypted)
    with pytest.raises(MalformedEnvelopeError):
        crypto().decrypt(**_args(post))


@pytest.mark.parametrize(
    "body",
    [b"", b"not xml", b"<xml><Encrypt>", b"<xml><ToUserName>x</ToUserName></xml>",
     b"<xml><Encrypt></Encrypt></xml>", b"\xff\xfe<\x00x\x00"],
)
def test_malformed_envelopes_are_refused(body: bytes) -> None:
    with pytest.raises(MalformedEnvelopeError):
        crypto().decrypt("sig", "1", "1", body)


def test_envelope_that_is_not_xml_says_so() -> None:
    with pytest.raises(MalformedXMLError, match="not well-formed"):
        crypto().decrypt("sig", "1", "1", b"{}")


def test_the_wrong_key_with_the_right_token_is_reported_as_a_key_problem() -> None:
    other_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    post = signed_post("<xml><a>hello</a></xml>", key=other_key)
    with pytest.raises((PaddingError, MalformedEnvelopeError), match="EncodingAESKey"):
        crypto().decrypt(**_args(post))


@pytest.mark.parametrize("key", ["", KEY[:42], KEY + "=", KEY[:42] + "!", KEY[:42] + "é"])
def test_keys_that_are_not_43_base64_characters_are_refused(key: str) -> None:
    with pytest.raises(InvalidKeyError, match="EncodingAESKey") as info:
        CallbackCrypto(TOKEN, key, CORP_ID)
    assert isinstance(info.value, ValueError)
    if key:
        assert key not in str(info.value)


def test_the_four_spellings_of_the_last_key_character_are_the_same_key() -> None:
    # 43 Base64 characters carry 258 bits: the last one's low 2 bits are ignored.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    base = alphabet.index(KEY[-1]) & ~3
    spellings = [KEY[:42] + alphabet[base + i] for i in range(4)]
    post = signed_post("<xml/>")
    for key in spellings:
        assert CallbackCrypto(TOKEN, key, CORP_ID).decrypt(**_args(post)) == "<xml/>"


def test_empty_token_is_refused() -> None:
    with pytest.raises(ValueError, match="Token"):
        CallbackCrypto("", KEY, CORP_ID)


class TestMaxAge:
    def test_default_accepts_any_timestamp(self) -> None:
        post = signed_post("<xml/>", timestamp="1")
        assert crypto(clock=lambda: 2_000_000_000.0).decrypt(**_args(post)) == "<xml/>"

    @pytest.mark.parametrize("offset", [-301, 301])
    def test_timestamps_outside_the_window_are_stale(self, offset: int) -> None:
        post = signed_post("<xml/>", timestamp=str(1_700_000_000 + offset))
        c = crypto(clock=lambda: 1_700_000_000.0)
        with pytest.raises(StaleTimestampError, match="clock"):
            c.decrypt(**_args(post), max_age=300)

    @pytest.mark.parametrize("offset", [-300, 0, 300])
    def test_timestamps_inside_the_window_are_accepted(self, offset: int) -> None:
        post = signed_post("<xml/>", timestamp=str(1_700_000_000 + offset))
        c = crypto(clock=lambda: 1_700_000_000.0)
        assert c.decrypt(**_args(post), max_age=300) == "<xml/>"

    def test_the_signature_is_checked_before_the_age(self) -> None:
        post = signed_post("<xml/>", token="forger", timestamp="1")
        with pytest.raises(SignatureError):
            crypto().decrypt(**_args(post), max_age=300)

    def test_a_non_numeric_signed_timestamp_is_malformed(self) -> None:
        post = signed_post("<xml/>", timestamp="yesterday")
        with pytest.raises(MalformedEnvelopeError, match="timestamp"):
            crypto().decrypt(**_args(post), max_age=300)

    def test_verify_url_honours_max_age(self) -> None:
        c = CallbackCrypto(OFFICIAL["token"], OFFICIAL["key"], OFFICIAL["corp_id"])
        with pytest.raises(StaleTimestampError):
            c.verify_url("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589",
                         "263014780", OFFICIAL_ECHOSTR, max_age=300)


def test_encrypt_uses_the_injected_clock_and_randomness() -> None:
    c = crypto(clock=lambda: 1_234_567_890.9, random_bytes=lambda n: b"\x01" * n)
    sealed = c.encrypt_message("<xml/>")
    assert sealed.timestamp == "1234567890"
    assert sealed.nonce == str(0x01010101)
    assert ref_decrypt(sealed.encrypt) == (b"<xml/>", CORP_ID.encode())
    assert base64.b64decode(sealed.encrypt) == base64.b64decode(
        ref_encrypt(b"<xml/>", prefix=b"\x01" * 16)
    )


def test_reply_envelope_has_the_documented_elements() -> None:
    reply = crypto().encrypt("<xml/>", timestamp=1409659813, nonce="1372623149")
    root = ET.fromstring(reply)
    assert [child.tag for child in root] == ["Encrypt", "MsgSignature", "TimeStamp", "Nonce"]
    assert root.findtext("TimeStamp") == "1409659813"
    assert root.findtext("MsgSignature") == ref_signature(
        TOKEN, "1409659813", "1372623149", root.findtext("Encrypt") or ""
    )


def test_cdata_terminators_in_values_survive_the_envelope() -> None:
    sealed = crypto().encrypt_message("<xml/>", nonce="a]]>b")
    root = ET.fromstring(sealed.as_reply_xml())
    assert root.findtext("Nonce") == "a]]>b"
    body = sealed.as_post_body("x]]>y")
    assert ET.fromstring(body).findtext("ToUserName") == "x]]>y"


def test_secrets_appear_in_no_repr_or_error_text() -> None:
    token, key = "SeCrEtToKeN123", "SeCrEtKeYabcdefghijklmnopqrstuvwxyz01234567"
    c = CallbackCrypto(token, key, CORP_ID)
    texts = [repr(c), str(c)]
    post = signed_post("<xml/>", token=token, key=KEY)
    for call in (
        lambda: c.decrypt(**_args(post)),
        lambda: c.decrypt(**_args(signed_post("<xml/>")), max_age=1),
        lambda: c.decrypt("x", "1", "1", b"<xml/>"),
        lambda: c.verify_url("x", "1", "1", "AAAA"),
        lambda: CallbackCrypto(token, key[:40], CORP_ID),
        lambda: CallbackCrypto(token, key[:42] + "*", CORP_ID),
    ):
        with pytest.raises(Exception) as info:
            call()
        texts += [str(info.value), repr(info.value)]
    for text in texts:
        assert token not in text
        assert key not in text and key[:20] not in text


@pytest.mark.parametrize(
    "body",
    [
        CallbackCrypto(TOKEN, KEY, CORP_ID).encrypt_message("<xml/>").as_post_body(CORP_ID, "7")
        .encode(),
        b"<xml><ToUserName><![CDATA[ww1]]></ToUserName><AgentID><![CDATA[]]></AgentID>"
        b"<Encrypt><![CDATA[not base64 & <x>]]></Encrypt></xml>",
        b"<xml>\n<ToUserName><![CDATA[ww1]]></ToUserName><AgentID><![CDATA[]]></AgentID>"
        b"<Encrypt><![CDATA[abc=]]></Encrypt></xml>",
        b"<xml><ToUserName><![CDATA[ww1]]></ToUserName><AgentID><![CDATA[]]></AgentID>"
        b"<Encrypt><![CDATA[abc=]]></Encrypt><Encrypt><![CDATA[def=]]></Encrypt></xml>",
        b"<xml><ToUserName><![CDATA[ww1]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt>"
        b"<AgentID><![CDATA[]]></AgentID><Encrypt><![CDATA[def=]]></Encrypt></xml>",
        b"<xml><ToUserName><![CDATA[ww1]]></ToUserName><AgentID><![CDATA[]]></AgentID>"
        b"<Encrypt><![CDATA[AAAA=AAA]]></Encrypt></xml>",
        b"<xml><ToUserName><![CDATA[ww1]]></ToUserName><AgentID><![CDATA[]]></AgentID>"
        b"<Encrypt><![CDATA[AAAA\r\nAAAA]]></Encrypt></xml>",
    ],
)
def test_envelope_fast_path_reads_what_expat_reads(body: bytes) -> None:
    from wecom_contacts.callback.crypto import _envelope_ciphertext
    from wecom_contacts.callback.safexml import root_child_text

    text, ciphertext = _envelope_ciphertext(body)
    assert text == root_child_text(body, "Encrypt")
    if ciphertext is not None:  # decoded on the way: as the lenient decoder decodes it
        assert ciphertext == base64.b64decode(text)
