"""Pins the errcode table: kinds of the codes the client acts on, texts, errors.md coverage."""

import re
from pathlib import Path

import pytest

from wecom_contacts._errcodes import ERRCODES, REAL_ERRMSG, ErrcodeInfo, lookup

ERRORS_MD = Path(__file__).resolve().parents[1].parent / "shared" / "wecom-api" / "errors.md"
KINDS = {
    "token", "rate_limit", "busy", "not_found", "conflict", "invalid_argument", "permission",
    "other",
}


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (-1, "busy"),
        (6000, "busy"),
        (40014, "token"),
        (42001, "token"),
        (41001, "token"),
        (40001, "permission"),
        (40013, "permission"),
        (40091, "permission"),
        (41002, "permission"),
        (41004, "permission"),
        (45031, "permission"),
        (45009, "rate_limit"),
        (45033, "rate_limit"),
        (60102, "conflict"),
        (60104, "conflict"),
        (60106, "conflict"),
        (60008, "conflict"),
        (40071, "conflict"),
        (60005, "conflict"),
        (60006, "conflict"),
        (302008, "conflict"),
        (60111, "not_found"),
        (60003, "not_found"),
        (60123, "not_found"),
        (46004, "not_found"),
        (40068, "not_found"),
        (40088, "not_found"),
        (48002, "permission"),
        (48009, "permission"),
        (60011, "permission"),
        (60020, "permission"),
        (81011, "permission"),
        (50002, "permission"),
        (40058, "invalid_argument"),
        (60001, "invalid_argument"),
        (60103, "invalid_argument"),
        (40033, "invalid_argument"),
    ],
)
def test_code_has_the_kind_the_client_acts_on(code: int, kind: str) -> None:
    assert lookup(code).kind == kind


def test_texts_are_copied_from_the_official_table() -> None:
    assert ERRCODES[60102].zh == "UserID已存在"
    assert ERRCODES[60102].en == "userid already exists"
    assert ERRCODES[60111].zh == "UserID不存在"
    assert ERRCODES[45009].zh == "接口调用超过限制"
    assert ERRCODES[-1].zh == "系统繁忙"
    assert ERRCODES[42001].zh == "access_token已过期"
    # errors.md corrects a common mistake: 60001 is the department name length, not the mobile.
    assert ERRCODES[60001].zh == "部门长度不符合限制"
    assert ERRCODES[60103].zh == "手机号码不合法"


def test_success_code_is_in_the_table() -> None:
    assert ERRCODES[0].zh == "请求成功"
    assert ERRCODES[0].kind == "other"


def test_every_row_is_keyed_by_its_own_code_and_has_a_valid_kind() -> None:
    for code, info in ERRCODES.items():
        assert info.code == code
        assert info.kind in KINDS


def test_every_error_row_has_chinese_english_and_a_hint() -> None:
    for code, info in ERRCODES.items():
        if code == 0:
            continue
        assert info.zh.strip(), code
        assert info.en.strip(), code
        assert info.hint.strip(), code
        assert "\n" not in info.en and "\n" not in info.hint, code


def test_hint_does_not_merely_repeat_the_meaning() -> None:
    for code, info in ERRCODES.items():
        if code == 0:
            continue
        assert info.hint.lower().rstrip(".") != info.en.lower().rstrip("."), code


def test_unknown_code_maps_to_other_with_a_query_link() -> None:
    info = lookup(123456)
    assert info == ErrcodeInfo(
        123456, "other", "", "unknown errcode",
        "see https://open.work.weixin.qq.com/devtool/query?e=123456",
    )
    assert 123456 not in ERRCODES


def test_lookup_returns_the_table_row_for_known_codes() -> None:
    assert lookup(60111) is ERRCODES[60111]


def test_rows_are_immutable() -> None:
    with pytest.raises(AttributeError):
        ERRCODES[60111].kind = "other"  # type: ignore[misc]


def test_observed_errmsg_phrases_match_the_real_server() -> None:
    assert REAL_ERRMSG[42001] == "access_token expired"
    assert REAL_ERRMSG[41001] == "access_token missing"
    assert REAL_ERRMSG[40001] == "invalid credential"
    assert REAL_ERRMSG[60111] == "userid not found"
    assert REAL_ERRMSG[60102] == "userid existed"
    assert REAL_ERRMSG[45009] == "api freq out of limit"
    assert REAL_ERRMSG[45033] == "api concurrent out of limit"
    assert REAL_ERRMSG[60020] == "not allow to access from your ip"
    assert REAL_ERRMSG[40071] == "UserTag Name Already Exist"
    # The official tag samples differ: add answers with a trailing space, delete without.
    assert REAL_ERRMSG[40070] == "all list invalid "
    assert REAL_ERRMSG[40031] == "all list invalid"


def test_every_observed_errmsg_belongs_to_a_known_code() -> None:
    assert set(REAL_ERRMSG) <= set(ERRCODES)
    assert all(msg.strip() for msg in REAL_ERRMSG.values())


def _codes_in_tables(text: str) -> set[int]:
    codes = set()
    for line in text.splitlines():
        m = re.match(r"^\|\s*(-?\d+)\s*\|", line)
        if m:
            codes.add(int(m.group(1)))
    return codes


@pytest.mark.skipif(not ERRORS_MD.exists(), reason="../shared/wecom-api/errors.md not present")
def test_every_code_in_errors_md_tables_is_in_the_table() -> None:
    documented = _codes_in_tables(ERRORS_MD.read_text(encoding="utf-8"))
    assert len(documented) > 100  # the parser found the tables
    missing = sorted(documented - set(ERRCODES))
    assert not missing, f"codes in errors.md missing from ERRCODES: {missing}"


@pytest.mark.skipif(not ERRORS_MD.exists(), reason="../shared/wecom-api/errors.md not present")
def test_chinese_titles_match_errors_md() -> None:
    titles: dict[int, str] = {}
    for line in ERRORS_MD.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*(-?\d+)\s*\|\s*([^|]+?)\s*\|", line)
        if m:
            titles.setdefault(int(m.group(1)), m.group(2))
    wrong = {c: (lookup(c).zh, zh) for c, zh in titles.items() if lookup(c).zh != zh}
    assert not wrong


def test_exactly_the_token_codes_and_40001_drop_the_token_and_resend_once() -> None:
    # 40001 from a business API: the token predates a secret reset (errors.md); the pipeline
    # reads this field and has no list of its own.
    assert {c for c, info in ERRCODES.items() if info.refresh_token} == {40001, 40014, 42001}
    assert not lookup(999999).refresh_token
