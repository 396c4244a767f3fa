"""The one text decoder: BOMs, detection, named encodings, and refusals that name the line."""

from __future__ import annotations

import codecs

import pytest

from wecom_contacts._textio import TextDecodeError, decode_text

TEXT = "姓名,账号,手机号\n张三,zhangsan,13800000001\n李四,lisi,13800000002\n"


@pytest.mark.parametrize(
    ("data", "encoding", "bom"),
    [
        (TEXT.encode("utf-8"), "utf-8", False),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8", True),
        (TEXT.encode("gb18030"), "gb18030", False),
        (TEXT.encode("gbk"), "gb18030", False),
        (b"\x84\x31\x95\x33" + TEXT.encode("gb18030"), "gb18030", True),
        (TEXT.encode("utf-16"), "utf-16-le", True),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be", True),
        (TEXT.encode("utf-16-le"), "utf-16-le", False),
        (TEXT.encode("utf-16-be"), "utf-16-be", False),
    ],
)
def test_every_common_encoding_decodes_to_the_same_text_without_a_bom(
    data: bytes, encoding: str, bom: bool
) -> None:
    decoded = decode_text(data, source="hr.csv")
    assert decoded.text == TEXT
    assert not decoded.text.startswith("\ufeff")
    assert (decoded.encoding, decoded.had_bom) == (encoding, bom)


def test_a_mostly_chinese_utf16_file_is_still_detected() -> None:
    text = "部门路径\n总部/研发中心/平台研发部/基础架构组/存储小组\n"
    assert decode_text(text.encode("utf-16-le"), source="f").text == text


def test_a_named_encoding_wins_and_its_bom_is_dropped() -> None:
    data = codecs.BOM_UTF8 + TEXT.encode("utf-8")
    assert decode_text(data, source="f", encoding="utf-8-sig").text == TEXT
    assert decode_text(data, source="f", encoding="UTF8").text == TEXT
    assert decode_text(TEXT.encode("gbk"), source="f", encoding="gbk").encoding == "gb18030"
    assert decode_text(TEXT.encode("utf-16"), source="f", encoding="utf-16").text == TEXT


def test_an_unknown_encoding_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(TextDecodeError, match=r"f: unknown encoding 'latin-9x'.*gb18030"):
        decode_text(b"a", source="f", encoding="latin-9x")


def test_a_gbk_file_with_one_undecodable_byte_names_its_line() -> None:
    data = "姓名\n张三\n".encode("gbk") + b"\xff\xff\n" + "李四\n".encode("gbk")
    with pytest.raises(TextDecodeError) as info:
        decode_text(data, source="hr.csv")
    assert info.value.line == 3
    assert str(info.value).startswith("hr.csv, line 3: not valid gb18030")


def test_a_file_mixing_utf8_and_gbk_lines_is_refused_not_read_as_mojibake() -> None:
    data = "姓名\n张三\n".encode() + "李四\n".encode("gbk")
    with pytest.raises(TextDecodeError, match="mixes encodings: line 1 is UTF-8") as info:
        decode_text(data, source="hr.csv")
    assert info.value.line == 3


def test_a_named_encoding_that_does_not_fit_names_the_line() -> None:
    data = "a\nb\n张三\n".encode("gbk")
    with pytest.raises(TextDecodeError, match=r"hr\.csv, line 3: not valid utf-8"):
        decode_text(data, source="hr.csv", encoding="utf-8")


def test_nul_characters_are_refused_as_binary() -> None:
    with pytest.raises(TextDecodeError, match="line 2: contains NUL"):
        decode_text(b"a\nb\x00c\n", source="f", encoding="utf-8")


def test_an_empty_file_is_empty_text() -> None:
    assert decode_text(b"", source="f").text == ""
