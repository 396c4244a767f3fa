"""The transforms a mapping names, one by one, with the values HR files hold."""

from __future__ import annotations

import pytest

from wecom_contacts.sources import Record, SourceError
from wecom_contacts.sources import mapping as m
from wecom_contacts.sources.mapping_file import is_mapping_document
from wecom_contacts.sources.transforms import (
    TransformError,
    compile_condition,
    compile_steps,
    compile_template,
)

RECORD = Record({"邮箱": "Zhang.San@Example.com", "工号": "007", "状态": "在职"}, "t, row 2")


def _run(steps: list[m.Step], value: str | list[str] | None) -> object:
    from pathlib import Path
    return compile_steps(steps, base_dir=Path("."), where=lambda i: "m.yaml")(value, RECORD)


@pytest.mark.parametrize(("given", "expected"), [
    ("+86 138 0000 0000", "13800000000"), ("138-0000-0000", "13800000000"),
    ("0086 13800000000", "13800000000"), ("8613800000000", "13800000000"),
    ("(+86) 138 0000 0000", "13800000000"), ("+852 6123 4567", "+852-61234567"),
    ("+85261234567", "+85261234567"), ("13800000000", "13800000000"),
])
def test_mobile_normalisation(given: str, expected: str) -> None:
    assert _run(["mobile"], given) == expected


@pytest.mark.parametrize("given", ["1380000", "138000000001", "23800000000", "138-abc", "+"])
def test_mobile_refuses_what_is_not_a_number(given: str) -> None:
    with pytest.raises(TransformError, match="not a"):
        _run(["mobile"], given)


@pytest.mark.parametrize("column", [
    [f"+86 139 {i // 10000:04d} {i % 10000:04d}" for i in range(20_000)],  # every one mainland
    ["13800000000", "+86 138-0000-0001", "+852 6123 4567", "0086 13800000002",
     "8613800000003", "138 0000 0004"],
    ["13800000000", "13800000001\x0013800000002"],  # a value holding the column's joiner
    ["+861380000000", "13800000000"],  # +86 and ten digits: not a mainland number
])
def test_a_mobile_column_gives_what_each_value_gives(column: list[str]) -> None:
    from wecom_contacts.sources.transforms import _mobile, _mobile_column

    def one(text: str) -> str:
        try:
            return _mobile(text)
        except TransformError as exc:
            return f"error: {exc}"

    try:
        whole: list[str] = _mobile_column(column)
    except TransformError as exc:
        whole = [f"error: {exc}"]
    expected = [one(t) for t in column]
    if any(e.startswith("error") for e in expected):
        assert whole[0].startswith("error") and whole[0] in expected
    else:
        assert whole == expected


@pytest.mark.parametrize(("given", "expected"), [
    ("男", "1"), ("女", "2"), ("M", "1"), ("female", "2"), ("先生", "1"), ("女士", "2")])
def test_gender_words(given: str, expected: str) -> None:
    assert _run(["gender"], given) == expected


@pytest.mark.parametrize(("given", "expected"), [
    ("是", "1"), ("否", "0"), ("Y", "1"), ("n", "0"), ("TRUE", "1"), ("0", "0"), ("√", "1")])
def test_boolean_words(given: str, expected: str) -> None:
    assert _run(["boolean"], given) == expected


def test_steps_apply_in_order_and_per_item_after_split() -> None:
    steps: list[m.Step] = [m.SplitStep(split="、"), m.ReplaceStep(replace={"部": "部门"}),
                           "upper"]
    assert _run(steps, "研发部、qa部") == ["研发部门", "QA部门"]
    assert _run(["email_local_part", "lower"], "Zhang.San@Example.com") == "zhang.san"
    assert _run(["digits"], "A-00 7") == "007"
    with pytest.raises(TransformError, match="not an e-mail address"):
        _run(["email_local_part"], "zhangsan")


def test_map_with_default_and_keep_unknown() -> None:
    assert _run([m.MapStep(map={"在职": "1"}, default="0")], "离职") == "0"
    assert _run([m.MapStep(map={"在职": "1"}, keep_unknown=True)], "离职") == "离职"
    with pytest.raises(TransformError, match="'离职' is not in the map"):
        _run([m.MapStep(map={"在职": "1"})], "离职")


def test_template_placeholders_transforms_and_braces() -> None:
    assert compile_template("E{工号}", "m")(RECORD) == "E007"
    assert compile_template("{邮箱|email_local_part|lower}", "m")(RECORD) == "zhang.san"
    assert compile_template("{{{工号}}}", "m")(RECORD) == "{007}"
    assert compile_template("E{缺}", "m")(RECORD) is None  # an empty field: no value
    with pytest.raises(SourceError, match="m: unknown transform 'nope'"):
        compile_template("{工号|nope}", "m")
    with pytest.raises(SourceError, match="names no field"):
        compile_template("E001", "m")


@pytest.mark.parametrize(("condition", "holds"), [
    ({"column": "状态", "in": ["在职", "试用"]}, True),
    ({"column": "状态", "not_in": ["在职"]}, False),
    ({"column": "状态", "equals": "在职"}, True),
    ({"column": "状态", "not_equals": "在职"}, False),
    ({"column": "工号", "matches": r"\d+"}, True),
    ({"column": "工号", "matches": r"\d"}, False),  # the whole value
    ({"column": "缺", "empty": True}, True),
    ({"column": "状态", "empty": True}, False),
    ({"column": "状态", "in": ["在职"], "equals": "离职"}, False),  # every test must hold
])
def test_conditions(condition: dict[str, object], holds: bool) -> None:
    test = compile_condition(m.Condition.model_validate(condition), "m")
    assert test(RECORD) is holds


def test_a_mapping_file_is_told_from_a_desired_state_document() -> None:
    assert is_mapping_document("# a mapping\ninput:\n  type: csv\nmembers: {}\n")
    assert not is_mapping_document("users:\n  - userid: input\n    name: x\n")
