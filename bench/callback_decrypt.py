"""Callback decrypt + typed parse throughput against a bare cryptography + ElementTree baseline."""

from __future__ import annotations

import argparse
import base64
import hashlib
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

try:
    from wecom_contacts.callback import CallbackCrypto, parse_event
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from wecom_contacts.callback import CallbackCrypto, parse_event

TOKEN = "benchtoken"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CORP_ID = "ww0000000000bench"

_HEAD = (
    f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><FromUserName><![CDATA[sys]]>"
    "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType>"
)
_CONTACT = _HEAD + "<Event><![CDATA[change_contact]]></Event>"
_EXT_ATTR = (
    "<ExtAttr><Item><Name><![CDATA[爱好]]></Name><Type>0</Type><Text><Value><![CDATA[旅游]]>"
    "</Value></Text></Item><Item><Name><![CDATA[爱好2]]></Name><Type>1</Type><Web><Title>"
    "<![CDATA[标题]]></Title><Url><![CDATA[https://example.com]]></Url></Web></Item></ExtAttr>"
)
# One message of each event type in ../shared/wecom-api/callbacks.md (§6.1-6.7, §7), as
# WeCom sends them (CDATA for strings, sometimes not); update_user three ways.
MESSAGES = {
    "create_user": _CONTACT + "<ChangeType>create_user</ChangeType>"
    "<UserID><![CDATA[zhangsan]]></UserID><Name><![CDATA[张三]]></Name>"
    "<Department><![CDATA[1,2,3]]></Department><MainDepartment>1</MainDepartment>"
    "<IsLeaderInDept><![CDATA[1,0,0]]></IsLeaderInDept>"
    "<DirectLeader><![CDATA[lisi,wangwu]]></DirectLeader><Position><![CDATA[产品经理]]></Position>"
    "<Mobile>13800000000</Mobile><Gender>1</Gender><Email><![CDATA[zs@example.com]]></Email>"
    "<BizMail><![CDATA[zhangsan@corp.example]]></BizMail>"
    "<Status>1</Status><Avatar><![CDATA[http://wx.qlogo.cn/mmopen/x/0]]></Avatar>"
    "<Alias><![CDATA[zhangsan]]></Alias><Telephone><![CDATA[020-123456]]></Telephone>"
    "<Address><![CDATA[广州市]]></Address>" + _EXT_ATTR + "</xml>",
    "update_user": _CONTACT + "<ChangeType>update_user</ChangeType>"
    "<UserID><![CDATA[zhangsan]]></UserID><Department><![CDATA[1,2]]></Department></xml>",
    "update_user +NewUserID": _CONTACT + "<ChangeType><![CDATA[update_user]]></ChangeType>"
    "<UserID><![CDATA[zhangsan]]></UserID><NewUserID><![CDATA[zhangsan2]]></NewUserID>"
    "<Position><![CDATA[总监]]></Position><Mobile><![CDATA[13800000001]]></Mobile></xml>",
    "update_user +ExtAttr": _CONTACT + "<ChangeType>update_user</ChangeType>"
    "<UserID><![CDATA[zhangsan]]></UserID>" + _EXT_ATTR + "</xml>",
    "delete_user": _CONTACT + "<ChangeType>delete_user</ChangeType>"
    "<UserID><![CDATA[zhangsan]]></UserID></xml>",
    "create_party": _CONTACT + "<ChangeType>create_party</ChangeType>"
    "<Id>2</Id><Name><![CDATA[研发部]]></Name><ParentId><![CDATA[1]]></ParentId>"
    "<Order>1</Order></xml>",
    "update_party": _CONTACT + "<ChangeType>update_party</ChangeType>"
    "<Id>2</Id><Name><![CDATA[研发中心]]></Name><ParentId>3</ParentId></xml>",
    "delete_party": _CONTACT + "<ChangeType>delete_party</ChangeType><Id>2</Id></xml>",
    "update_tag": _CONTACT + "<ChangeType><![CDATA[update_tag]]></ChangeType><TagId>1</TagId>"
    "<AddUserItems><![CDATA[zhangsan,lisi]]></AddUserItems><DelUserItems><![CDATA[zhangsan1,"
    "lisi1]]></DelUserItems><AddPartyItems><![CDATA[1,2]]></AddPartyItems>"
    "<DelPartyItems><![CDATA[3,4]]></DelPartyItems></xml>",
    "batch_job_result": _HEAD + "<Event><![CDATA[batch_job_result]]></Event><BatchJob><JobId>"
    "<![CDATA[S0Mrnnd]]></JobId><JobType><![CDATA[sync_user]]></JobType><ErrCode>0</ErrCode>"
    "<ErrMsg><![CDATA[ok]]></ErrMsg></BatchJob></xml>",
}

Request = tuple[str, str, str, bytes]


def _to_dict(element: ET.Element) -> dict[str, Any]:
    # Nested elements kept (BatchJob, ExtAttr), repeated tags not: of ExtAttr's Items only
    # the last survives, so this reference does less than a receiver needs there.
    return {child.tag: _to_dict(child) if len(child) else child.text for child in element}


def _to_dict_all(element: ET.Element) -> dict[str, Any]:
    # As _to_dict, but a repeated tag (ExtAttr/Item) keeps all its values, as a list: what
    # a careful hand-written receiver does (the comprehension first, regrouping only when
    # a tag repeats), so it costs more than _to_dict only for messages with repeated tags.
    out = {child.tag: _to_dict_all(child) if len(child) else child.text for child in element}
    if len(out) == len(element):
        return out
    grouped: dict[str, Any] = {}
    for child in element:
        value = _to_dict_all(child) if len(child) else child.text
        grouped.setdefault(child.tag, []).append(value)
    return {tag: values[0] if len(values) == 1 else values for tag, values in grouped.items()}


def reference(
    key: bytes, to_dict: Callable[[ET.Element], dict[str, Any]] = _to_dict
) -> Callable[[Request], dict[str, Any]]:
    """A bare, straightforward receiver: SHA-1 check, AES-CBC, strip padding, ET → dict.

    No DTD refusal, no padding or ReceiveId checks, no types: what the library adds.
    """
    cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))

    def run(request: Request) -> dict[str, Any]:
        signature, timestamp, nonce, body = request
        encrypted = ET.fromstring(body).findtext("Encrypt") or ""
        joined = "".join(sorted((TOKEN, timestamp, nonce, encrypted))).encode()
        if hashlib.sha1(joined).hexdigest() != signature:
            raise ValueError("signature")
        decryptor = cipher.decryptor()
        plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        plain = plain[: -plain[-1]]
        length = int.from_bytes(plain[16:20], "big")
        return to_dict(ET.fromstring(plain[20 : 20 + length]))

    return run


def measure(
    candidates: dict[str, Callable[[Request], object]], requests: list[Request], rounds: int
) -> dict[str, float]:
    """Best messages/s of each candidate; rounds alternate between candidates so that load
    from other processes hits all of them alike, and the best round filters it out. The
    order turns by one each round, so that none always runs first (or after another)."""
    best = dict.fromkeys(candidates, float("inf"))
    order = list(candidates.items())
    for round_ in range(rounds):
        turn = round_ % len(order)
        for name, fn in order[turn:] + order[:turn]:
            start = time.perf_counter()
            for request in requests:
                fn(request)
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: len(requests) / seconds for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200, help="per event type and round")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--sweeps", type=int, default=4,
                        help="passes over all event types; the rounds are split among them")
    args = parser.parse_args()

    crypto = CallbackCrypto(TOKEN, KEY, CORP_ID)
    bare = reference(base64.b64decode(KEY + "="))
    bare_all = reference(base64.b64decode(KEY + "="), _to_dict_all)

    def ours(request: Request) -> object:  # what the ASGI/WSGI receivers do
        return parse_event(crypto.decrypt_bytes(*request))

    def ours_decrypt_only(request: Request) -> object:
        return crypto.decrypt_bytes(*request)

    candidates = {"reference": bare, "all": bare_all, "ours": ours, "decrypt": ours_decrypt_only}
    print(f"python {sys.version.split()[0]}, {args.messages} messages per event type and "
          f"round, best of {args.rounds} rounds (candidates alternate within each round, "
          f"in turns; the rounds of each type spread over {args.sweeps} passes over all types, "
          "so that a busy spell on the machine does not fall on all of one type's rounds)")
    print("reference: SHA-1 check + cryptography AES-CBC + ElementTree→dict, keeping only the "
          "last of repeated tags (one ExtAttr Item); all Items: the same, keeping every Item")
    print("ours: decrypt_bytes + parse_event (the receivers' path); ratio = ours / reference")
    requests_of: dict[str, list[Request]] = {}
    for kind, message in MESSAGES.items():
        requests: list[Request] = []
        for _ in range(args.messages):  # a fresh nonce and IV each, as WeCom sends them
            sealed = crypto.encrypt_message(message)
            body = sealed.as_post_body(CORP_ID).encode()
            requests.append((sealed.msg_signature, sealed.timestamp, sealed.nonce, body))
        event = ours(requests[0])
        assert type(event).__name__ != "UnknownEvent", kind
        assert bare(requests[0]).get("UserID") == getattr(event, "user_id", None), kind
        items = bare_all(requests[0]).get("ExtAttr", {"Item": [{}, {}]})["Item"]
        assert len(items) == len(getattr(event, "ext_attr", None) or [{}, {}]) == 2, kind
        requests_of[kind] = requests
    best: dict[str, dict[str, float]] = {kind: dict.fromkeys(candidates, 0.0) for kind in MESSAGES}
    for sweep in range(args.sweeps):
        rounds = args.rounds // args.sweeps + (sweep < args.rounds % args.sweeps)
        for kind in MESSAGES:
            rates = measure(candidates, requests_of[kind], rounds)
            best[kind] = {name: max(best[kind][name], rates[name]) for name in candidates}
    print(f"  {'event':24} {'reference':>11} {'all Items':>11} {'ours':>11} {'decrypt only':>13}"
          f" {'ratio':>6} {'vs all Items':>12}")
    worst = worst_all = float("inf")
    for kind, rates in best.items():
        ratio = rates["ours"] / rates["reference"]
        ratio_all = rates["ours"] / rates["all"]
        worst, worst_all = min(worst, ratio), min(worst_all, ratio_all)
        print(f"  {kind:24} {rates['reference']:>9,.0f}/s {rates['all']:>9,.0f}/s "
              f"{rates['ours']:>9,.0f}/s {rates['decrypt']:>11,.0f}/s {ratio:5.2f}x "
              f"{ratio_all:11.2f}x")
    print(f"worst ratio ours / reference: {worst:.2f}x, ours / reference keeping all Items: "
          f"{worst_all:.2f}x  (goal >= 0.85x for every event type)")


if __name__ == "__main__":
    main()
