"""Custom attributes (extattr) are managed one by one, from YAML/JSON and from CSV columns."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wecom_contacts import Client
from wecom_contacts.sync import (
    DesiredStateError,
    apply_plan,
    export_directory,
    make_plan,
    parse_desired,
    read_live,
)
from wecom_contacts.testing import EmulatorControl

from .conftest import desired, live
from .test_sources import MEMBERS


def _text(name: str, value: str) -> dict[str, Any]:
    return {"type": 0, "name": name, "text": {"value": value}}


def _holder(**attrs: str) -> Any:
    return live([(2, "部", 1)], [{"userid": "a", "name": "A", "department": [2],
                                  "mobile": "13800000001",
                                  "extattr": {"attrs": [_text(k, v) for k, v in attrs.items()]}}])


def _wants(*attrs: str) -> Any:
    return desired("users:\n  - {userid: a, name: A, departments: [总部/部], "
                   f"extattr: {{attrs: [{', '.join(attrs)}]}}}}\n")


def test_attributes_the_desired_state_does_not_name_are_left_alone() -> None:
    plan = make_plan(_wants("{type: 0, name: 工号, text: {value: '1'}}"),
                     _holder(工号="1", 爱好="跑步"))
    assert plan.steps == []


def test_only_the_changed_attribute_is_sent() -> None:
    plan = make_plan(_wants("{type: 0, name: 工号, text: {value: '1'}}",
                            "{type: 0, name: 爱好, text: {value: 读书}}"),
                     _holder(工号="1", 爱好="跑步"))
    (step,) = plan.steps
    assert step.params == {"userid": "a", "extattr": {"attrs": [_text("爱好", "读书")]}}
    assert step.changes["extattr"] == ({"attrs": [_text("爱好", "跑步")]},
                                       {"attrs": [_text("爱好", "读书")]})


def test_an_empty_attribute_clears_it_and_a_cleared_one_is_not_sent_again() -> None:
    clear = "{type: 0, name: 爱好, text: {value: ''}}"
    (step,) = make_plan(_wants(clear), _holder(爱好="跑步")).steps
    assert step.params["extattr"] == {"attrs": [_text("爱好", "")]}
    assert make_plan(_wants(clear), _holder(爱好="")).steps == []
    assert make_plan(_wants(clear), _holder()).steps == []


def test_csv_columns_beyond_the_template_are_custom_text_attributes() -> None:
    text = MEMBERS.replace(",禁用\n", ",禁用,工号,爱好\n", 1).replace(",0\n", ",0,A001,\n", 1)
    doc = parse_desired(text, "csv", source="m.csv")
    assert doc.users is not None
    assert doc.users[0].fields["extattr"] == {"attrs": [_text("工号", "A001")]}  # 爱好 empty
    assert "extattr" not in doc.users[1].fields  # no cell filled: nothing managed


def test_a_column_that_looks_like_a_misspelt_template_column_is_refused() -> None:
    text = MEMBERS.replace("手机号", "手机", 1)
    with pytest.raises(DesiredStateError) as err:
        parse_desired(text, "csv", source="m.csv")
    assert str(err.value) == ("m.csv, row 1, column 3: unknown column '手机': did you mean "
                              "'手机号'? (other columns are read as custom attributes)")


def test_custom_attributes_from_csv_apply_export_and_plan_empty(
    wecom_client: Client, wecom_emulator: EmulatorControl, tmp_path: Path
) -> None:
    homepage = {"type": 1, "name": "主页", "web": {"url": "https://example.com", "title": "主页"}}
    wecom_emulator.seed({
        "departments": [{"id": 2, "name": "研发中心", "parentid": 1},
                        {"id": 3, "name": "后端组", "parentid": 2}],
        "users": [{"userid": "zhangsan", "name": "张三", "department": [2], "mobile": "13800000001",
                   "extattr": {"attrs": [_text("爱好", "跑步"), homepage]}}],
    })
    text = MEMBERS.replace(",禁用\n", ",禁用,工号\n", 1).replace(",0\n", ",0,A001\n", 1)
    wanted = parse_desired(text, "csv", source="m.csv")
    report = apply_plan(wecom_client, make_plan(wanted, read_live(wecom_client)),
                        tmp_path / "j.sqlite")
    assert report.ok, report.summary()
    (zhangsan,) = [u for u in wecom_emulator.directory()["users"] if u["userid"] == "zhangsan"]
    names = {a["name"]: a for a in zhangsan["extattr"]["attrs"]}
    assert names["工号"]["text"]["value"] == "A001" and names["爱好"]["text"]["value"] == "跑步"
    assert names["主页"]["web"]["url"] == "https://example.com"  # kept: the file does not name it
    assert make_plan(wanted, read_live(wecom_client)).steps == []
    exported = export_directory(wecom_client, "csv-members")
    assert exported.splitlines()[0].split(",")[-2:] == ["爱好", "工号"]  # text ones only
    again = parse_desired(exported, "csv", source="export.csv")
    assert make_plan(again, read_live(wecom_client)).steps == []
