"""The pytest plugin as our users meet it: fixtures, markers, the callback inbox."""

from __future__ import annotations

import pytest

from wecom_contacts import Client, PermissionDenied
from wecom_contacts.callback import CreatePartyEvent, CreateUserEvent, DeletePartyEvent
from wecom_contacts.testing import CallbackInbox, EmulatorControl

pytest_plugins = ["pytester"]

SEED = {"departments": [{"id": 2, "name": "研发中心", "parentid": 1}],
        "users": [{"userid": "zhangsan", "name": "张三", "department": [2],
                   "mobile": "13800000001"}]}


@pytest.mark.wecom_emulator(seed=SEED, block_new_ip_detail_reads=True)
def test_the_marker_seeds_and_sets_switches_for_one_test(
    wecom_client: Client, wecom_emulator: EmulatorControl
) -> None:
    assert [u["userid"] for u in wecom_emulator.directory()["users"]] == ["zhangsan"]
    with pytest.raises(PermissionDenied):
        wecom_client.users.get("zhangsan")


def test_the_next_test_starts_from_a_reset_emulator(wecom_client: Client) -> None:
    assert [d.id for d in wecom_client.departments.list()] == [1]


def test_callbacks_of_the_tests_own_changes_arrive_as_typed_events(
    wecom_client: Client, wecom_callbacks: CallbackInbox
) -> None:
    dept = wecom_client.departments.create("研发中心", parent_id=1)
    wecom_client.users.create("lisi", "李四", department=[dept], mobile="13800000002")
    wecom_client.departments.create("市场部", parent_id=1)
    events = wecom_callbacks.wait(3)
    assert [type(e) for e in events] == [CreatePartyEvent, CreateUserEvent, CreatePartyEvent]
    assert isinstance(events[0], CreatePartyEvent) and isinstance(events[1], CreateUserEvent)
    assert events[1].user_id == "lisi" and events[0].id == dept
    wecom_callbacks.clear()
    wecom_client.departments.delete(dept + 1)
    assert [type(e) for e in wecom_callbacks.wait(1)] == [DeletePartyEvent]


@pytest.mark.wecom_callbacks(echo_own_changes=False)
def test_without_echo_only_changes_made_elsewhere_arrive(
    wecom_client: Client, wecom_emulator: EmulatorControl, wecom_callbacks: CallbackInbox
) -> None:
    wecom_client.departments.create("研发中心", parent_id=1)  # the secret's own change
    wecom_emulator.seed({"departments": [{"id": 9, "name": "市场部", "parentid": 1}]})  # console
    events = wecom_callbacks.wait()
    assert [type(e) for e in events] == [CreatePartyEvent]
    assert isinstance(events[0], CreatePartyEvent) and events[0].id == 9


def test_wait_says_how_many_events_came_when_too_few_did(
    wecom_callbacks: CallbackInbox
) -> None:
    with pytest.raises(TimeoutError, match="0 callback events arrived, 1 expected"):
        wecom_callbacks.wait(1, timeout=0.2)


def test_a_bad_switch_names_itself(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.wecom_emulator(no_such_switch=True)
        def test_it(wecom_emulator):
            pass

        @pytest.mark.wecom_callbacks(minimal_fields=True)
        def test_registered(wecom_callbacks):
            assert wecom_callbacks.wait() == []
    """)
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*unknown setting 'no_such_switch'*"])
