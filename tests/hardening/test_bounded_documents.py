"""YAML and JSON files are read within bounds: hostile ones end in BadFileError with a line."""

from __future__ import annotations

from typing import Any

import pytest

from wecom_contacts._structured import (
    MAX_DOCUMENT_BYTES,
    BadFileError,
    compose_yaml,
    construct_yaml,
    decode_document,
    load_json,
)

# "billion laughs": 9 levels of 9 aliases each, 342 bytes
BOMB = "\n".join(
    [f"a: &a [{', '.join(['lol'] * 9)}]"]
    + [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]"
       for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
) + "\n"


def read_yaml(data: str | bytes) -> Any:
    node, loader = compose_yaml(decode_document(data, "org.yaml"), "org.yaml")
    if node is None:
        loader.dispose()
        return None
    return construct_yaml(loader, node, "org.yaml")


@pytest.mark.parametrize(("text", "line", "words"), [
    pytest.param(BOMB, 6, "aliases expand to more than 1,000,000", id="alias-bomb"),
    pytest.param("a: &x [1, *x]\n", 1, "refers to itself", id="recursive-alias"),
    pytest.param("a: 1\nb: *nope\n", 2, "has no anchor", id="undefined-alias"),
    pytest.param("[" * 100_000, 1, "nesting", id="flow-nested-100000"),
    pytest.param("- " * 70 + "x\n", 1, "nested more than 64 levels", id="block-nested-70"),
    pytest.param("users:\n  - order: " + "7" * 5000 + "\n", 2, "5,000 digits", id="huge-int"),
    pytest.param("a: 1\n---\nb: 2\n", 2, "more than one YAML document", id="two-docs"),
    pytest.param("a: b\nc: \x07\n", 2, "control characters", id="control-char"),
    pytest.param("a: [1, 2\n", 2, "invalid YAML", id="unclosed"),
])
def test_hostile_yaml_is_refused_with_the_line(text: str, line: int, words: str) -> None:
    assert len(BOMB) < 500
    with pytest.raises(BadFileError) as info:
        read_yaml(text)
    assert info.value.source == "org.yaml" and info.value.line == line
    assert words in str(info.value) and str(info.value).startswith(f"org.yaml, line {line}")


def test_anchors_and_aliases_of_an_ordinary_file_still_work() -> None:
    data = read_yaml("common: &d [总部/研发]\nusers:\n  - {userid: a, departments: *d}\n"
                     "  - {userid: b, departments: *d}\n")
    assert data["users"][1]["departments"] == ["总部/研发"]


@pytest.mark.parametrize(("data", "text"), [
    pytest.param("users: [{name: 张三}]\n".encode("gbk"), "张三", id="gbk"),
    pytest.param(b"\x84\x31\x95\x33" + "name: 张三\n".encode("gb18030"), "name: 张三",
                 id="gb18030-bom"),
    pytest.param("name: 张三\n".encode("utf-16"), "name: 张三", id="utf-16"),
    pytest.param(b"\xef\xbb\xbfname: x\n", "name: x", id="utf-8-bom"),
])
def test_chinese_encodings_are_decoded_and_boms_dropped(data: bytes, text: str) -> None:
    decoded = decode_document(data, "org.yaml")
    assert text in decoded and not decoded.startswith("\ufeff")


def test_a_file_mixing_encodings_is_refused_with_the_line() -> None:
    data = "a: 张\n".encode() + "b: 张\n".encode("gbk")
    with pytest.raises(BadFileError, match=r"org.yaml, line 2: mixes encodings"):
        decode_document(data, "org.yaml")


def test_a_file_over_the_size_bound_is_refused_before_decoding() -> None:
    with pytest.raises(BadFileError, match="at most 67,108,864 are read"):
        decode_document(b" " * (MAX_DOCUMENT_BYTES + 1), "org.yaml")


@pytest.mark.parametrize(("text", "line", "words"), [
    pytest.param("[" * 100_000 + "]" * 100_000, 1, "nested more than 64", id="nested-100000"),
    pytest.param("{\n" + '"a": {' * 70 + "}" * 70 + "}", 2, "nested more than 64",
                 id="nested-70"),
    pytest.param('{"users": [\n {"order": ' + "9" * 5000 + "}]}", 2, "5,000 digits",
                 id="huge-int"),
    pytest.param('{"a": NaN}', 1, "NaN is not a JSON number", id="nan"),
    pytest.param('{"a": 1,\n}', 2, "invalid JSON", id="trailing-comma"),
])
def test_hostile_json_is_refused_with_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(BadFileError) as info:
        load_json(text, "org.json")
    assert info.value.line == line and words in str(info.value)


def test_ordinary_json_reads_as_before() -> None:
    assert load_json('{"users": [{"order": 12345678901234567890}]}', "org.json") == \
        {"users": [{"order": 12345678901234567890}]}
