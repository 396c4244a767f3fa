"""A seeded mutation fuzzer over the callback envelope, query and ciphertext, for both receivers.

Every request starts as a valid signed event; a few of its parts are then mutated (the body's
bytes, the query's values, the ciphertext, the plaintext inside it), re-signing where the
mutation is of something signed, so that each layer gets inputs that pass the layers before it.
The oracle: a 4xx and no event, or a 200 and exactly the event that was validly signed, fresh and
addressed to us (checked with the independent reference implementation in support.py). Never
a 5xx.

Seeded: ``WECOM_FUZZ_SEED=n`` reproduces a run (the failure message names the seed and the
case); ``WECOM_FUZZ_CASES`` sets the number of cases per receiver (default 1,200, a few seconds).
"""

from __future__ import annotations

import base64
import io
import os
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from anyio.from_thread import start_blocking_portal

from wecom_contacts.callback import CallbackCrypto, make_asgi_app, make_wsgi_app, parse_event

from .support import (
    CORP_ID,
    EXPECTED,
    KEY,
    SAMPLES,
    TOKEN,
    ref_decrypt,
    ref_encrypt,
    ref_signature,
)

SEED = int(os.environ.get("WECOM_FUZZ_SEED", "20261202"))
CASES = int(os.environ.get("WECOM_FUZZ_CASES", "1200"))
NOW = 1_800_000_000  # the receivers' clock
MAX_AGE = 300
ALLOWED = {200, 400, 403, 405, 413}
MAX_BODY = 64 * 1024
ENCRYPT = re.compile(rb"<Encrypt>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</Encrypt>", re.S)
SPLICES = [b"<![CDATA[", b"]]>", b"<Encrypt>", b"</Encrypt>", b"</xml>", b"&amp;", b"&#0;",
           b"<!DOCTYPE x>", b'<?xml version="1.0" encoding="utf-16"?>', b"\x00", b"\xff\xfe",
           "张三".encode("gbk"), b"<x>" * 50]
TIMESTAMPS = ["", " ", "-1", "1e9", "0x10", "１２３", "9" * 20, "9" * 309, "9" * 5000,
              str(NOW - MAX_AGE - 1), str(NOW + MAX_AGE + 1), "0" * 30 + str(NOW)]


@dataclass
class Case:
    """One request and what was done to it."""

    method: str
    query: dict[str, str]
    body: bytes
    kind: str
    plaintext_intact: bool
    echo: bytes = b""
    steps: list[str] = field(default_factory=list)

    def describe(self, index: int) -> str:
        return (f"seed {SEED}, case {index} ({self.kind}; {', '.join(self.steps) or 'intact'}):"
                f" query={dict((k, v[:40]) for k, v in self.query.items())} "
                f"body={self.body[:160]!r}")


def _mutate_bytes(rng: random.Random, data: bytes, steps: list[str], what: str) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["flip", "insert", "delete", "truncate", "splice", "repeat"])
        pos = rng.randrange(len(buf) + 1)
        if op == "flip" and buf:
            pos = min(pos, len(buf) - 1)
            buf[pos] ^= 1 << rng.randrange(8)
        elif op == "insert":
            buf[pos:pos] = rng.randbytes(rng.randint(1, 8))
        elif op == "delete":
            del buf[pos:pos + rng.randint(1, 16)]
        elif op == "truncate":
            del buf[pos:]
        elif op == "splice":
            buf[pos:pos] = rng.choice(SPLICES)
        else:
            buf[pos:pos] = bytes(buf[pos:pos + 8]) * rng.randint(2, 200)
        steps.append(f"{what}:{op}@{pos}")
    return bytes(buf)


def _envelope(encrypted: str) -> bytes:
    return (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><AgentID><![CDATA[]]>"
            f"</AgentID><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>").encode()


def make_case(rng: random.Random, index: int) -> Case:
    kind = rng.choice(sorted(SAMPLES))
    plaintext = SAMPLES[kind].format(corp=CORP_ID, ts=NOW - 10_000 + index).encode()
    steps: list[str] = []
    targets = rng.sample(["plaintext", "ciphertext", "envelope", "query", "receive_id"],
                         k=rng.choice([0, 1, 1, 1, 2]))
    intact = "plaintext" not in targets and "receive_id" not in targets
    if "plaintext" in targets:
        plaintext = _mutate_bytes(rng, plaintext, steps, "plaintext")
    receive_id = CORP_ID.encode()
    if "receive_id" in targets:
        receive_id = rng.choice([b"", b"wwother", CORP_ID.encode() + b"x", CORP_ID[:-1].encode()])
        steps.append(f"receive_id={receive_id!r}")
    encrypted = ref_encrypt(plaintext, receive_id=receive_id)
    if "ciphertext" in targets:
        if rng.random() < 0.5:  # the Base64 text itself
            encrypted = _mutate_bytes(rng, encrypted.encode(), steps, "base64").decode("latin-1")
        else:  # the AES blocks, re-encoded: padding and length checks get garbage
            raw = _mutate_bytes(rng, base64.b64decode(encrypted), steps, "aes")
            encrypted = base64.b64encode(raw).decode()
    timestamp, nonce = str(NOW + rng.randint(-MAX_AGE, MAX_AGE)), str(rng.randrange(10**9))
    method = rng.choice(["POST"] * 8 + ["GET", "PUT"])
    echo = b""
    if method == "GET":
        echo = str(rng.randrange(10**12)).encode()
        encrypted = ref_encrypt(echo)
    query = {"msg_signature": ref_signature(TOKEN, timestamp, nonce, encrypted),
             "timestamp": timestamp, "nonce": nonce}
    if method == "GET":
        query["echostr"] = encrypted
    body = _envelope(encrypted) if method != "GET" else b""
    if "envelope" in targets and method != "GET":
        body = _mutate_bytes(rng, body, steps, "envelope")
    if "query" in targets:
        name = rng.choice(sorted(query))
        action = rng.choice(["drop", "mutate", "timestamp", "resign"])
        if action == "drop":
            query.pop(name)
        elif action == "mutate":
            query[name] = _mutate_bytes(rng, query[name].encode(), steps, name).decode(
                "utf-8", "replace")
        else:  # an odd timestamp, validly signed when "resign": the freshness check is reached
            query["timestamp"] = rng.choice(TIMESTAMPS)
            if action == "resign":
                query["msg_signature"] = ref_signature(
                    TOKEN, query["timestamp"], nonce, query.get("echostr", encrypted))
        steps.append(f"query:{action}:{name}")
    return Case(method, query, body, kind, intact, echo, steps)


def _signed_and_fresh(case: Case) -> list[bytes]:
    """The Encrypt values of the body that carry a valid signature and a fresh timestamp."""
    q = case.query
    stamp = q.get("timestamp", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp.lstrip("0")) < 20
            and abs(int(stamp) - NOW) <= MAX_AGE):
        return []
    found = [m.group(1) for m in ENCRYPT.finditer(case.body)]
    return [e for e in found if ref_signature(
        TOKEN, stamp, q.get("nonce", ""), e.decode("latin-1")) == q.get("msg_signature")]


def check(case: Case, index: int, status: int, answer: bytes, events: list[Any]) -> None:
    where = case.describe(index)
    assert status in ALLOWED, f"HTTP {status} {answer[:200]!r} for {where}"
    if status != 200 or case.method != "POST":
        assert events == [], f"HTTP {status} but the handler ran, for {where}"
    if case.method == "GET" and status == 200:
        assert answer == case.echo, f"verification answered {answer!r}, for {where}"
    if case.method != "POST" or status != 200:
        return
    assert len(events) == 1, f"200 with {len(events)} events, for {where}"
    candidates = _signed_and_fresh(case)
    assert candidates, f"an unsigned or stale request was accepted: {where}"
    message, receive_id = ref_decrypt(candidates[0].decode("latin-1"))
    assert receive_id == CORP_ID.encode(), f"accepted for {receive_id!r}: {where}"
    (event,) = events
    assert event == parse_event(message), f"the event is not the signed one: {where}"
    if case.plaintext_intact:
        name, fields = EXPECTED[case.kind]
        assert type(event).__name__ == name, where
        for attr, value in fields.items():
            assert getattr(event, attr) == value, f"{attr}: {where}"


# ---- the two receivers, driven in-process


def _apps(events: list[Any]) -> tuple[Any, Any]:
    crypto = CallbackCrypto(TOKEN, KEY, CORP_ID, clock=lambda: NOW)
    options: dict[str, Any] = {"max_age": MAX_AGE, "dedup": False, "max_body_size": MAX_BODY}
    return (make_asgi_app(crypto, events.append, **options),
            make_wsgi_app(crypto, events.append, **options))


def _chunked(body: bytes, rng: random.Random) -> bytes:
    out = bytearray()
    while body:
        size = rng.randint(1, 300)
        out += f"{size if size <= len(body) else len(body):x}\r\n".encode()
        out += body[:size] + b"\r\n"
        body = body[size:]
    return bytes(out + b"0\r\n\r\n")


def wsgi_send(app: Any, case: Case, rng: random.Random) -> tuple[int, bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": case.method, "QUERY_STRING": urlencode(case.query),
        "PATH_INFO": "/", "REMOTE_ADDR": "127.0.0.1",
    }
    if case.method == "POST" and rng.random() < 0.3:  # chunked, as some proxies forward it
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
        environ["wsgi.input"] = io.BytesIO(_chunked(case.body, rng))
    else:
        environ["CONTENT_LENGTH"] = str(len(case.body))
        environ["wsgi.input"] = io.BytesIO(case.body)
    statuses: list[str] = []
    chunks = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    return int(statuses[0].split()[0]), b"".join(chunks)


@pytest.fixture(scope="module")
def asgi_send() -> Iterator[tuple[Callable[[Case], tuple[int, bytes]], list[Any]]]:
    events: list[Any] = []
    app, _ = _apps(events)
    with start_blocking_portal() as portal:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://fuzz")

        def send(case: Case) -> tuple[int, bytes]:
            response = portal.call(lambda: client.request(
                case.method, "/", params=case.query, content=case.body))
            return response.status_code, response.content

        yield send, events
        portal.call(client.aclose)


def test_the_wsgi_receiver_refuses_cleanly_or_hands_over_the_signed_event() -> None:
    rng = random.Random(SEED)
    events: list[Any] = []
    _, app = _apps(events)
    accepted = 0
    for index in range(CASES):
        case = make_case(rng, index)
        events.clear()
        status, answer = wsgi_send(app, case, rng)
        check(case, index, status, answer, events)
        accepted += status == 200 and case.method == "POST"
    assert 0 < accepted < CASES  # the mix reaches the handler and the refusals alike


def test_the_asgi_receiver_refuses_cleanly_or_hands_over_the_signed_event(
    asgi_send: tuple[Callable[[Case], tuple[int, bytes]], list[Any]],
) -> None:
    send, events = asgi_send
    rng = random.Random(SEED + 1)
    accepted = 0
    for index in range(CASES):
        case = make_case(rng, index)
        events.clear()
        status, answer = send(case)
        check(case, index, status, answer, events)
        accepted += status == 200 and case.method == "POST"
    assert 0 < accepted < CASES


def test_the_same_seed_makes_the_same_cases() -> None:
    first = [make_case(random.Random(SEED), i).describe(i) for i in range(50)]
    again = [make_case(random.Random(SEED), i).describe(i) for i in range(50)]
    assert first == again
