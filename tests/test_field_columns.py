"""A whole column's check (sources read thousands of values) decides exactly what the
value-by-value rules decide: a column is accepted only when every value is, and kept as is."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wecom_contacts._fieldrules import member_column_accepted, member_field_problem
from wecom_contacts.sources.transforms import COLUMN_FORMS, TransformError, _mobile
from wecom_contacts.sync.desired.model import unique_key, unique_texts
from wecom_contacts.sync.desired.schema import SchemaError, check_member_column, check_member_field

FIELDS = ("userid", "name", "alias", "mobile", "email", "biz_mail", "position", "telephone",
          "address", "external_position")
# letters, digits, the punctuation the patterns know, spaces of every kind, controls, CJK
ALPHABET = "aZ09_@.-+, %\t\n\u3000\u00a0\x00\x7f张三\ud800"
values = st.text(alphabet=ALPHABET, min_size=0, max_size=70)


def _checked(key: str, text: str) -> str | None:
    try:
        return check_member_field(key, text, (key,))  # type: ignore[no-any-return]
    except SchemaError:
        return None


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(FIELDS[1:]), st.lists(values, min_size=1, max_size=6))
def test_an_accepted_column_has_no_refused_value(field: str, column: list[str]) -> None:
    if member_column_accepted(field, column):
        assert [member_field_problem(field, v) for v in column] == [None] * len(column)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(FIELDS), st.lists(values, min_size=1, max_size=6))
def test_a_kept_column_is_what_each_value_check_keeps(key: str, column: list[str]) -> None:
    kept = check_member_column(key, column)
    if kept is not None:
        assert kept == [_checked(key, v) for v in column] == column


@pytest.mark.parametrize(("key", "column"), [
    ("userid", ["E100001", "zhang.san@x", "a-b_c"]),
    ("name", ["张三", "Li Si", "x" * 64]),
    ("mobile", ["13800000000", "+852 61234567", "+86-138-0000-0000"]),
    ("email", ["u000001@example.com", "a.b+c@mail.example.cn"]),
    ("position", ["职位1", "p" * 128]),
    ("telephone", ["010-12345678", "+86,123"]),
])
def test_a_column_of_valid_values_is_kept_at_once(key: str, column: list[str]) -> None:
    assert check_member_column(key, column) == column


@pytest.mark.parametrize(("key", "column"), [
    ("userid", ["E1", "bad id"]), ("userid", ["x" * 65]), ("name", ["张三", ""]),
    ("name", ["x" * 65]), ("name", ["a\tb"]), ("mobile", ["138 0000\u30000000"]),
    ("email", ["a@b"]), ("email", ["张@example.com"]), ("position", [" 有空格"]),
    ("external_position", ["x" * 13]), ("gender", ["1"]),
])
def test_a_column_with_one_doubtful_value_is_checked_value_by_value(
        key: str, column: list[str]) -> None:
    assert check_member_column(key, column) is None


# The other column forms a source uses: each gives every value what its one-value form does.
MOBILES = st.text(alphabet="0123456789+-() 86\u3000\u00a0\t\x00x١", min_size=0, max_size=20)
DIGITS = st.text(alphabet="0123456789", min_size=10, max_size=10).map(lambda d: "1" + d)
MAINLAND = st.builds(lambda head, d, sep: head + sep.join([d[:3], d[3:7], d[7:]]),
                     st.sampled_from(["", "+86", "+86 ", "0086 ", "86"]), DIGITS,
                     st.sampled_from(["", " ", "-", "\u3000"]))


def _mobile_or_refused(text: str) -> str | None:
    try:
        return _mobile(text)
    except TransformError:
        return None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(MOBILES, MAINLAND), min_size=1, max_size=8))
def test_the_mobile_column_form_gives_each_value_what_mobile_gives_it(column: list[str]) -> None:
    expected = [_mobile_or_refused(t) for t in column]
    if None in expected:  # a refused value: the column form refuses too (then value by value)
        with pytest.raises(TransformError):
            COLUMN_FORMS[_mobile](column)
    else:
        assert COLUMN_FORMS[_mobile](column) == expected


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["mobile", "email", "biz_mail"]),
       st.lists(st.one_of(MOBILES, MAINLAND, values), min_size=0, max_size=8))
def test_unique_texts_are_the_unique_keys_of_each_value(field: str, column: list[str]) -> None:
    assert unique_texts(field, column) == [unique_key(field, v)[1] for v in column]
