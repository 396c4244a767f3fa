"""parse_event: typed models for every documented event, UnknownEvent for the rest."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import datetime, timezone

import pytest

import wecom_contacts.callback as cb
from wecom_contacts.callback import (
    BatchJobResultEvent,
    ChangeContactEvent,
    CreatePartyEvent,
    CreateUserEvent,
    EventParseError,
    ExtAttrItem,
    UnknownEvent,
    UpdatePartyEvent,
    UpdateTagEvent,
    UpdateUserEvent,
    event_from_raw,
    parse_event,
)

from .support import CORP_ID, EXPECTED, SAMPLES, sample

HEAD = ("<xml><ToUserName>ww1</ToUserName><FromUserName>sys</FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType>event</MsgType>")


def contact(change_type: str, body: str) -> str:
    return (f"{HEAD}<Event>change_contact</Event><ChangeType>{change_type}</ChangeType>"
            f"{body}</xml>")


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_each_documented_event_parses_to_its_typed_model(kind: str) -> None:
    xml, create_time = sample(kind)
    event = parse_event(xml)
    class_name, fields = EXPECTED[kind]
    assert type(event).__name__ == class_name
    assert event.to_user_name == CORP_ID
    assert event.from_user_name == "sys"
    assert event.create_time == create_time
    assert event.msg_type == "event"
    for name, value in fields.items():
        assert getattr(event, name) == value, name


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_bytes_and_str_parse_alike(kind: str) -> None:
    xml, _ = sample(kind, create_time=1)
    assert parse_event(xml) == parse_event(xml.encode())


def test_ext_attr_items_are_typed() -> None:
    event = parse_event(sample("create_user")[0])
    assert isinstance(event, CreateUserEvent)
    assert event.ext_attr is not None
    text, web = event.ext_attr
    assert (text.name, text.type, text.value, text.web_url) == ("爱好", 0, "旅游", None)
    assert (web.name, web.type, web.web_title, web.web_url) == (
        "爱好2", 1, "标题", "https://example.com"
    )
    assert isinstance(text, ExtAttrItem) and text.raw["Text"] == {"Value": "旅游"}


def test_a_single_ext_attr_item_is_still_a_list() -> None:
    xml = contact("update_user", "<UserID>u</UserID><ExtAttr><Item><Name>k</Name>"
                  "<Type>0</Type><Text><Value>v</Value></Text></Item></ExtAttr>")
    event = parse_event(xml)
    assert isinstance(event, UpdateUserEvent)
    assert event.ext_attr == [ExtAttrItem(name="k", type=0, value="v",
                                          raw={"Name": "k", "Type": "0",
                                               "Text": {"Value": "v"}})]


def test_empty_ext_attr_is_an_empty_list_and_absent_is_none() -> None:
    empty = parse_event(contact("update_user", "<UserID>u</UserID><ExtAttr></ExtAttr>"))
    absent = parse_event(contact("update_user", "<UserID>u</UserID>"))
    assert getattr(empty, "ext_attr", "?") == []
    assert getattr(absent, "ext_attr", "?") is None


def test_cdata_and_plain_text_read_the_same() -> None:
    plain = parse_event(
        contact("create_party", "<Id>2</Id><Name>研发部</Name><ParentId>1</ParentId>")
    )
    cdata = parse_event(contact(
        "create_party",
        "<Id><![CDATA[2]]></Id><Name><![CDATA[研发部]]></Name><ParentId><![CDATA[1]]></ParentId>",
    ))
    assert plain == cdata


def test_minimal_fields_mode_user_event_leaves_the_rest_none() -> None:
    # Contacts-sync URLs configured after 2022-08-15 get only UserID and Department.
    event = parse_event(contact("create_user", "<UserID>u1</UserID><Department>1,2</Department>"))
    assert isinstance(event, CreateUserEvent)
    assert (event.user_id, event.department) == ("u1", [1, 2])
    assert [event.name, event.mobile, event.main_department, event.ext_attr] == [None] * 4


def test_minimal_fields_mode_party_event() -> None:
    event = parse_event(contact("update_party", "<Id>5</Id><ParentId>1</ParentId>"))
    assert isinstance(event, UpdatePartyEvent)
    assert (event.id, event.parent_id, event.name) == (5, 1, None)


def test_update_user_distinguishes_unchanged_from_cleared() -> None:
    event = parse_event(contact("update_user", "<UserID>u</UserID><Position></Position>"
                                "<Department></Department>"))
    assert isinstance(event, UpdateUserEvent)
    assert event.position == ""
    assert event.department == []
    assert event.email is None and event.new_user_id is None


def test_lists_tolerate_spaces_and_empty_items() -> None:
    event = parse_event(contact("update_tag", "<TagId>3</TagId>"
                                "<AddUserItems> a , b,,c </AddUserItems>"
                                "<DelPartyItems>1, 2 ,</DelPartyItems>"))
    assert isinstance(event, UpdateTagEvent)
    assert event.add_user_items == ["a", "b", "c"]
    assert event.del_party_items == [1, 2]
    assert event.del_user_items == [] and event.add_party_items == []


def test_every_event_keeps_all_raw_fields_including_unknown_ones() -> None:
    event = parse_event(contact("delete_user", "<UserID>u</UserID><EnglishName>x</EnglishName>"))
    assert event.raw["EnglishName"] == "x"
    assert event.raw["ChangeType"] == "delete_user"
    assert event.raw["CreateTime"] == "1700000000"


def test_batch_job_result_keeps_the_nested_job() -> None:
    event = parse_event(sample("batch_job_result")[0])
    assert isinstance(event, BatchJobResultEvent)
    assert event.raw["BatchJob"]["JobType"] == "sync_user"


@pytest.mark.parametrize(
    "xml",
    [
        contact("create_chat", "<ChatId>1</ChatId>"),
        f"{HEAD}<Event>click</Event><EventKey>k</EventKey></xml>",
        "<xml><ToUserName>ww1</ToUserName><MsgType>text</MsgType><Content>hi</Content></xml>",
        "<xml><SuiteId>s</SuiteId><InfoType>change_contact</InfoType><TimeStamp>1</TimeStamp>"
        "<ChangeType>create_user</ChangeType><UserID>u</UserID></xml>",
        f"{HEAD}<Event>change_contact</Event><ChangeType><x/></ChangeType></xml>",
    ],
)
def test_unknown_kinds_come_back_as_unknown_event_with_all_fields(xml: str) -> None:
    event = parse_event(xml)
    assert isinstance(event, UnknownEvent)
    assert event.raw == cb.safexml.element_to_dict(cb.safexml.parse_xml(xml))


def test_unknown_event_exposes_the_common_fields() -> None:
    event = parse_event(contact("create_chat", ""))
    assert isinstance(event, UnknownEvent)
    assert (event.event, event.change_type, event.create_time, event.to_user_name) == (
        "change_contact", "create_chat", 1700000000, "ww1"
    )


@pytest.mark.parametrize(
    ("xml", "field"),
    [
        (contact("create_party", "<Id>two</Id>"), "Id"),
        (contact("create_user", "<UserID>u</UserID><Department>1,x</Department>"), "Department"),
        (contact("create_user", "<UserID>u</UserID><Gender>male</Gender>"), "Gender"),
        (contact("create_user", "<UserID><a>u</a></UserID>"), "UserID"),
        (contact("create_user", "<UserID>u</UserID><ExtAttr><Item>x</Item></ExtAttr>"),
         "ExtAttr"),
        (contact("create_user", "<Name>n</Name>"), "UserID"),
        (contact("delete_party", "<Id></Id>"), "Id"),
        (contact("update_tag", ""), "TagId"),
        (contact("delete_user", "<UserID>u</UserID>").replace("1700000000", "soon"), "CreateTime"),
        (f"{HEAD}<Event>batch_job_result</Event></xml>", "BatchJob"),
        (f"{HEAD}<Event>batch_job_result</Event><BatchJob><JobId>j</JobId>"
         "<ErrCode>bad</ErrCode></BatchJob></xml>", "ErrCode"),
    ],
)
def test_known_events_with_invalid_fields_name_the_field(xml: str, field: str) -> None:
    with pytest.raises(EventParseError, match=field):
        parse_event(xml)


def test_events_are_frozen() -> None:
    event = parse_event(sample("delete_user")[0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.user_id = "someone else"  # type: ignore[misc,union-attr]


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_parsed_events_equal_their_constructor_built_twins(kind: str) -> None:
    # parse_event fills __dict__ directly for speed; the result must be indistinguishable.
    event = parse_event(sample(kind)[0])
    values = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    twin = type(event)(**values)
    assert event == twin and repr(event) == repr(twin)
    assert dataclasses.replace(event) == event
    assert pickle.loads(pickle.dumps(event)) == event
    assert dataclasses.asdict(event) == dataclasses.asdict(twin)


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_event_from_raw_rebuilds_the_event(kind: str) -> None:
    event = parse_event(sample(kind)[0])
    assert event_from_raw(event.raw) == event


def test_change_contact_events_share_a_base_class() -> None:
    for kind in SAMPLES:
        event = parse_event(sample(kind)[0])
        assert isinstance(event, ChangeContactEvent) == (kind != "batch_job_result")


def test_created_at_is_an_aware_utc_datetime() -> None:
    event = parse_event(contact("delete_party", "<Id>1</Id>"))
    assert isinstance(event, ChangeContactEvent)
    assert event.created_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)


def test_repr_leaves_out_the_raw_dict() -> None:
    event = parse_event(contact("delete_party", "<Id>1</Id>"))
    assert "raw=" not in repr(event) and "DeletePartyEvent(" in repr(event)


def test_create_party_order_is_optional() -> None:
    event = parse_event(contact("create_party", "<Id>2</Id>"))
    assert isinstance(event, CreatePartyEvent) and event.order is None


EXT_ATTR = ("<ExtAttr><Item><Name>a</Name><Type>0</Type><Text><Value>1</Value></Text></Item>"
            "<Item><Name>b</Name><Type>1</Type><Web><Title>t</Title><Url>u</Url></Web></Item>"
            "</ExtAttr>")


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        ("<a>1</a><a>2</a><a>3</a>", {"a": ["1", "2", "3"]}),
        ("<a>1</a><a>2</a><b>3</b>", {"a": ["1", "2"], "b": "3"}),
        ("<a>1</a><b>2</b><a>3</a><a></a>", {"a": ["1", "3", ""], "b": "2"}),
        ("<b>0</b><a><c>1</c></a><a><c>2</c><c>3</c></a>",
         {"b": "0", "a": [{"c": "1"}, {"c": ["2", "3"]}]}),
        ("<a>1</a>", {"a": "1"}),
    ],
)
def test_repeated_tags_keep_every_value_in_document_order(
    children: str, expected: dict[str, object]
) -> None:
    assert cb.safexml.element_to_dict(cb.safexml.parse_xml(f"<xml>{children}</xml>")) == expected


def test_every_ext_attr_item_is_typed_in_order() -> None:
    three = EXT_ATTR.replace("</ExtAttr>", "<Item><Name>c</Name><Type>0</Type></Item></ExtAttr>")
    event = parse_event(contact("update_user", f"<UserID>u</UserID>{three}"))
    assert isinstance(event, UpdateUserEvent) and event.ext_attr is not None
    assert [(i.name, i.type, i.value, i.web_url) for i in event.ext_attr] == [
        ("a", 0, "1", None), ("b", 1, None, "u"), ("c", 0, None, None)
    ]


@pytest.mark.parametrize("field", ["Name", "Position", "Address", "Department"])
def test_a_text_field_holding_elements_is_refused_beside_ext_attr(field: str) -> None:
    # Beside ExtAttr (a legitimate nested value) a nested value where text belongs must
    # still be found and named.
    xml = contact("create_user", f"<UserID>u</UserID>{EXT_ATTR}<{field}><x>1</x></{field}>")
    with pytest.raises(EventParseError, match=f"{field} in a create_user event .*expected text"):
        parse_event(xml)


def test_unknown_nested_elements_beside_ext_attr_stay_in_raw() -> None:
    event = parse_event(contact("create_user", f"<UserID>u</UserID>{EXT_ATTR}"
                                "<Extra><Deep>1</Deep></Extra>"))
    assert isinstance(event, CreateUserEvent) and event.ext_attr is not None
    assert event.raw["Extra"] == {"Deep": "1"} and len(event.ext_attr) == 2


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1700000000", 1700000000),
        ("0", 0),
        ("99999999999", 99999999999),
        ("000000001700000000", 1700000000),
        (" 1700000000 ", 1700000000),
        ("253402300799", 253402300799),
        ("253402300800", None),
        ("+1700000000", None),
        ("١٧٠٠٠٠٠٠٠٠", None),
    ],
)
def test_create_time_reads_decimal_seconds_up_to_the_year_9999(
    text: str, seconds: int | None
) -> None:
    xml = contact("delete_user", "<UserID>u</UserID>").replace("1700000000", text)
    if seconds is None:
        with pytest.raises(EventParseError, match="CreateTime"):
            parse_event(xml)
    else:
        assert parse_event(xml).create_time == seconds
