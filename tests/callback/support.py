"""Callback test support: a separate WXBizMsgCrypt implementation, samples, live servers."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import logging
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TOKEN = "testtoken4callbacks"
KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"  # a published WeCom sample key
CORP_ID = "ww0000000000callback"

# ---- an independent, deliberately plain implementation of the scheme (callbacks.md §2-§3)


def ref_signature(token: str, timestamp: str, nonce: str, data: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, data])).encode()).hexdigest()


def ref_encrypt(
    plaintext: bytes,
    *,
    key: str = KEY,
    receive_id: bytes = CORP_ID.encode(),
    prefix: bytes = b"0123456789abcdef",
    pad: bytes | None = None,
    length: int | None = None,
) -> str:
    """Base64 ciphertext; `pad` and `length` override the correct values to build bad ones."""
    aes_key = base64.b64decode(key + "=")
    buf = prefix + (len(plaintext) if length is None else length).to_bytes(4, "big")
    buf += plaintext + receive_id
    if pad is None:
        n = 32 - len(buf) % 32
        pad = bytes([n]) * n
    buf += pad
    enc = Cipher(algorithms.AES(aes_key), modes.CBC(aes_key[:16])).encryptor()
    return base64.b64encode(enc.update(buf) + enc.finalize()).decode()


def ref_decrypt(encrypted: str, *, key: str = KEY) -> tuple[bytes, bytes]:
    aes_key = base64.b64decode(key + "=")
    dec = Cipher(algorithms.AES(aes_key), modes.CBC(aes_key[:16])).decryptor()
    buf = dec.update(base64.b64decode(encrypted)) + dec.finalize()
    buf = buf[: -buf[-1]]
    n = int.from_bytes(buf[16:20], "big")
    return buf[20 : 20 + n], buf[20 + n :]


@dataclass
class SignedPost:
    """A POST as WeCom sends it: query parameters and the XML envelope."""

    params: dict[str, str]
    body: bytes

    def url(self, base: str) -> str:
        return f"{base}/?{urlencode(self.params)}"


def signed_post(
    plaintext: str | bytes,
    *,
    token: str = TOKEN,
    timestamp: str | None = None,
    nonce: str = "1372623149",
    encrypted: str | None = None,
    **encrypt_options: Any,
) -> SignedPost:
    data = plaintext.encode() if isinstance(plaintext, str) else plaintext
    encrypted = encrypted if encrypted is not None else ref_encrypt(data, **encrypt_options)
    timestamp = timestamp if timestamp is not None else str(int(time.time()))
    params = {
        "msg_signature": ref_signature(token, timestamp, nonce, encrypted),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    body = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><AgentID><![CDATA[]]></AgentID>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    ).encode()
    return SignedPost(params, body)


def signed_get(echo: str, *, timestamp: str | None = None, **options: Any) -> dict[str, str]:
    encrypted = ref_encrypt(echo.encode(), **options)
    timestamp = timestamp if timestamp is not None else str(int(time.time()))
    nonce = "263014780"
    return {
        "msg_signature": ref_signature(TOKEN, timestamp, nonce, encrypted),
        "timestamp": timestamp,
        "nonce": nonce,
        "echostr": encrypted,
    }


# ---- sample messages (callbacks.md §6-§7), with a CreateTime that differs per call

_create_times = itertools.count(1_700_000_000)

_HEAD = (
    "<xml><ToUserName><![CDATA[{corp}]]></ToUserName><FromUserName><![CDATA[sys]]>"
    "</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
)
_CONTACT = _HEAD + "<Event><![CDATA[change_contact]]></Event>"

SAMPLES: dict[str, str] = {
    "create_user": _CONTACT + """<ChangeType><![CDATA[create_user]]></ChangeType>
  <UserID><![CDATA[zhangsan]]></UserID>
  <Name><![CDATA[张三]]></Name>
  <Department><![CDATA[1,2,3]]></Department>
  <MainDepartment>1</MainDepartment>
  <IsLeaderInDept><![CDATA[1,0,0]]></IsLeaderInDept>
  <DirectLeader><![CDATA[lisi,wangwu]]></DirectLeader>
  <Position><![CDATA[产品经理]]></Position>
  <Mobile><![CDATA[13800000000]]></Mobile>
  <Gender>1</Gender>
  <Email><![CDATA[zhangsan@example.com]]></Email>
  <BizMail><![CDATA[zhangsan@corp.example]]></BizMail>
  <Status>1</Status>
  <Avatar><![CDATA[http://wx.qlogo.cn/mmopen/xxx/0]]></Avatar>
  <Alias><![CDATA[zhangsan]]></Alias>
  <Telephone><![CDATA[020-123456]]></Telephone>
  <Address><![CDATA[广州市]]></Address>
  <ExtAttr>
    <Item><Name><![CDATA[爱好]]></Name><Type>0</Type><Text><Value><![CDATA[旅游]]></Value></Text></Item>
    <Item><Name><![CDATA[爱好2]]></Name><Type>1</Type><Web><Title><![CDATA[标题]]></Title><Url><![CDATA[https://example.com]]></Url></Web></Item>
  </ExtAttr>
</xml>""",
    "update_user": _CONTACT + """<ChangeType>update_user</ChangeType>
  <UserID><![CDATA[zhangsan]]></UserID>
  <NewUserID><![CDATA[zhangsan001]]></NewUserID>
  <Department><![CDATA[2]]></Department>
  <Position><![CDATA[]]></Position>
  <Status>5</Status>
</xml>""",
    "delete_user": _CONTACT + """<ChangeType>delete_user</ChangeType>
  <UserID><![CDATA[zhangsan]]></UserID>
</xml>""",
    "create_party": _CONTACT + """<ChangeType>create_party</ChangeType>
  <Id>2</Id>
  <Name><![CDATA[研发部]]></Name>
  <ParentId><![CDATA[1]]></ParentId>
  <Order>1</Order>
</xml>""",
    "update_party": _CONTACT + """<ChangeType>update_party</ChangeType>
  <Id>2</Id>
  <Name><![CDATA[研发中心]]></Name>
  <ParentId>3</ParentId>
</xml>""",
    "delete_party": _CONTACT + """<ChangeType>delete_party</ChangeType>
  <Id>2</Id>
</xml>""",
    "update_tag": _CONTACT + """<ChangeType><![CDATA[update_tag]]></ChangeType>
  <TagId>1</TagId>
  <AddUserItems><![CDATA[zhangsan,lisi]]></AddUserItems>
  <DelUserItems><![CDATA[zhangsan1,lisi1]]></DelUserItems>
  <AddPartyItems><![CDATA[1,2]]></AddPartyItems>
  <DelPartyItems><![CDATA[3,4]]></DelPartyItems>
</xml>""",
    "batch_job_result": _HEAD + """<Event><![CDATA[batch_job_result]]></Event>
  <BatchJob>
    <JobId><![CDATA[S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4]]></JobId>
    <JobType><![CDATA[sync_user]]></JobType>
    <ErrCode>0</ErrCode>
    <ErrMsg><![CDATA[ok]]></ErrMsg>
  </BatchJob>
</xml>""",
}

# What a handler must see for each sample: attribute -> value.
EXPECTED: dict[str, tuple[str, dict[str, Any]]] = {
    "create_user": ("CreateUserEvent", {
        "change_type": "create_user", "user_id": "zhangsan", "name": "张三",
        "department": [1, 2, 3], "main_department": 1, "is_leader_in_dept": [1, 0, 0],
        "direct_leader": ["lisi", "wangwu"], "position": "产品经理", "mobile": "13800000000",
        "gender": 1, "email": "zhangsan@example.com", "biz_mail": "zhangsan@corp.example",
        "status": 1, "avatar": "http://wx.qlogo.cn/mmopen/xxx/0", "alias": "zhangsan",
        "telephone": "020-123456", "address": "广州市",
    }),
    "update_user": ("UpdateUserEvent", {
        "change_type": "update_user", "user_id": "zhangsan", "new_user_id": "zhangsan001",
        "department": [2], "position": "", "status": 5, "name": None, "mobile": None,
        "main_department": None, "ext_attr": None,
    }),
    "delete_user": ("DeleteUserEvent", {"change_type": "delete_user", "user_id": "zhangsan"}),
    "create_party": ("CreatePartyEvent", {
        "change_type": "create_party", "id": 2, "name": "研发部", "parent_id": 1, "order": 1,
    }),
    "update_party": ("UpdatePartyEvent", {
        "change_type": "update_party", "id": 2, "name": "研发中心", "parent_id": 3,
    }),
    "delete_party": ("DeletePartyEvent", {"change_type": "delete_party", "id": 2}),
    "update_tag": ("UpdateTagEvent", {
        "change_type": "update_tag", "tag_id": 1, "add_user_items": ["zhangsan", "lisi"],
        "del_user_items": ["zhangsan1", "lisi1"], "add_party_items": [1, 2],
        "del_party_items": [3, 4],
    }),
    "batch_job_result": ("BatchJobResultEvent", {
        "event": "batch_job_result", "job_id": "S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4",
        "job_type": "sync_user", "err_code": 0, "err_msg": "ok",
    }),
}


def sample(kind: str, *, create_time: int | None = None) -> tuple[str, int]:
    """The sample message of `kind` with a fresh (or given) CreateTime."""
    ts = next(_create_times) if create_time is None else create_time
    return SAMPLES[kind].format(corp=CORP_ID, ts=ts), ts


# ---- live servers on 127.0.0.1


class Recorder:
    """A handler that records events and lets a test wait for them."""

    def __init__(self, action: Callable[[Any], object] | None = None) -> None:
        self.events: list[Any] = []
        self.threads: list[str] = []
        self._cond = threading.Condition()
        self._action = action

    def __call__(self, event: Any) -> None:
        if self._action is not None:
            self._action(event)
        with self._cond:
            self.events.append(event)
            self.threads.append(threading.current_thread().name)
            self._cond.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Any]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.events) >= count, timeout), self.events
            return list(self.events)


ASGI_SERVER_THREAD = "uvicorn-test-server"


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def serve_asgi(app: Any) -> Iterator[str]:
    """Run `app` on uvicorn in a background thread; yield its base URL."""
    import uvicorn

    sock = _free_socket()
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", ws="none", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name=ASGI_SERVER_THREAD)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        logging.getLogger("tests.wsgiref").debug(format, *args)


@contextlib.contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """Run `app` on wsgiref in a background thread; yield its base URL."""

    class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = True

    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer,
                         handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
