"""Two `mirror serve` processes on one Redis: each event applied once, one reconcile leader,
and a new leader after the old one dies."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from subprocess import Popen

import httpx
import pytest

from wecom_contacts import Client
from wecom_contacts.callback import CallbackCrypto
from wecom_contacts.mirror import mirror_sync, open_target
from wecom_contacts.testing import EmulatorControl

from ..redis.conftest import free_port, redis_server, redis_url  # noqa: F401 - fixtures
from .conftest import COMPANY, callback_keys, rows, wait_for
from .test_cli import serve_process, status, stop

pytestmark = pytest.mark.redis


class Fleet:
    def __init__(self, url: str, ports: list[int], token: str, key: str) -> None:
        self.url = url
        self.ports = ports
        self.token = token
        self.key = key


@pytest.fixture
def fleet(request: pytest.FixtureRequest, wecom_emulator: EmulatorControl,
          redis_url: str,  # noqa: F811 - the fixture
          tmp_path: Path) -> Iterator[tuple[Fleet, list[Popen[bytes]]]]:
    wecom_emulator.seed(COMPANY)
    url = f"sqlite:///{tmp_path / 'm.db'}"
    token, key = callback_keys()
    ports = [free_port(), free_port()]
    procs = [serve_process(wecom_emulator, url, port, token, key, tmp_path,
                           "--redis", redis_url, "--reconcile-interval",
                           str(getattr(request, "param", 1)),
                           "--retry-interval", "0.2", "--leader-ttl", "2")
             for port in ports]
    try:
        wait_for(lambda: all(status(p) is not None for p in ports), what="both processes",
                 timeout=90)  # two interpreters starting on a loaded machine
        yield Fleet(url, ports, token, key), procs
    finally:
        for proc in procs:
            stop(proc)


def counter(port: int, name: str) -> int:
    """One counter of a process's status; 0 when the process does not answer."""
    value = (status(port) or {}).get(name, 0)
    return int(value) if isinstance(value, int) else 0


def post_event(fleet: Fleet, port: int, corp_id: str, xml: str) -> int:
    """POST one signed, encrypted delivery, as WeCom sends it, to one process."""
    message = CallbackCrypto(fleet.token, fleet.key, receive_id=corp_id).encrypt_message(xml)
    answer = httpx.post(f"http://127.0.0.1:{port}/wecom", params=message.as_query(),
                        content=message.as_post_body(corp_id), timeout=10)
    return answer.status_code


def test_the_same_delivery_to_both_processes_is_applied_once(
    fleet: tuple[Fleet, list[Popen[bytes]]], wecom_emulator: EmulatorControl,
    wecom_client: Client
) -> None:
    group, _procs = fleet
    corp = wecom_emulator.corp_id
    wait_for(lambda: rows(group.url, "select count(*) from members") == [(12,)],
             what="the first reconcile")
    wecom_client.users.update("lisi", position="舰队")  # what the event reports
    xml = (f"<xml><ToUserName><![CDATA[{corp}]]></ToUserName><FromUserName><![CDATA[sys]]>"
           f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA["
           "event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA["
           "update_user]]></ChangeType><UserID><![CDATA[lisi]]></UserID><Position><![CDATA["
           "舰队]]></Position></xml>")
    assert [post_event(group, port, corp, xml) for port in group.ports] == [200, 200]
    applied = [counter(p, "applied") for p in group.ports]
    assert sorted(applied) == [0, 1]
    assert rows(group.url, "select position from members where userid='lisi'") == [("舰队",)]


def test_one_leader_reconciles_and_another_takes_over_when_it_dies(
    fleet: tuple[Fleet, list[Popen[bytes]]], wecom_client: Client
) -> None:
    group, procs = fleet

    def reconciles() -> list[int]:
        return [counter(p, "reconciles") for p in group.ports]

    wait_for(lambda: max(reconciles()) >= 3, what="three reconciles")
    counts = reconciles()
    assert min(counts) == 0  # only one of the two ever reconciled
    leader = counts.index(max(counts))
    other = 1 - leader
    procs[leader].kill()  # no clean release: the lock must expire
    procs[leader].wait()
    wecom_client.users.update("zhaoliu", position="接班")
    wait_for(lambda: reconciles()[other] >= 1, what="the other process to reconcile")
    wait_for(lambda: rows(group.url, "select position from members where userid='zhaoliu'")
             == [("接班",)], what="the missed change to be repaired")
    assert (status(group.ports[other]) or {})["leader"] is True


@pytest.mark.parametrize("fleet", [3600], indirect=True)  # the leader reconciles at start only
def test_an_event_kept_by_a_follower_is_covered_by_a_later_full_pass(
    fleet: tuple[Fleet, list[Popen[bytes]]], wecom_client: Client,
    wecom_emulator: EmulatorControl
) -> None:
    group, _procs = fleet
    corp = wecom_emulator.corp_id
    wait_for(lambda: max(counter(p, "reconciles") for p in group.ports) >= 1,
             what="a first reconcile")
    follower = next(p for p in group.ports if counter(p, "reconciles") == 0)
    wecom_emulator.configure(block_new_ip_detail_reads=True)  # user/get now answers 48009
    wecom_client.users.create("fleetnew", "新成员", department=[3], mobile="13900000020")
    xml = (f"<xml><ToUserName><![CDATA[{corp}]]></ToUserName><FromUserName><![CDATA[sys]]>"
           f"</FromUserName><CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA["
           "event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType><![CDATA["
           "create_user]]></ChangeType><UserID><![CDATA[fleetnew]]></UserID><Department>"
           "3</Department></xml>")  # the minimal event of URLs configured since 2022-08
    assert post_event(group, follower, corp, xml) == 200
    assert counter(follower, "queued") == 1
    # a full pass by any process writing the target (here: this one) covers the kept event
    target = open_target(group.url)
    mirror_sync(wecom_client, target)
    target.close()
    wait_for(lambda: counter(follower, "covered_by_reconcile") == 1,
             what="the full pass to cover the follower's event")
    assert counter(follower, "pending") == 0 and counter(follower, "reconciles") == 0
    assert rows(group.url, "select name from members where userid='fleetnew'") == [("新成员",)]
