"""Mapping file mistakes are named by their line; the checked-in JSON Schema is current."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wecom_contacts.sources import SourceError, mapping_json_schema, parse_mapping

ROOT = Path(__file__).resolve().parents[2]
GOOD = """\
input:
  type: csv
  path: hr.csv
members:
  userid: {template: "E{工号}"}
  name: 姓名
  mobile: {column: 手机, transforms: [mobile]}
  only:
    - {column: 状态, in: [在职]}
"""


def _error(text: str) -> str:
    with pytest.raises(SourceError) as info:
        parse_mapping(text, source="m.yaml")
    return str(info.value)


def test_a_good_mapping_reads_with_its_input_options() -> None:
    loaded = parse_mapping(GOOD, source="m.yaml")
    spec = loaded.input_spec()
    assert (spec.type, dict(spec.options)) == ("csv", {"path": "hr.csv"})
    assert spec.where_of("path") == "m.yaml, line 3"


@pytest.mark.parametrize(("change", "expected"), [
    (("transforms: [mobile]", "transforms: [mobil]"),
     "m.yaml, line 7: Input should be 'trim', 'lower'"),
    (("{column: 手机,", "{colum: 手机,"), "m.yaml, line 7: unknown key 'colum': did you mean "
     "'column'?"),
    (("in: [在职]", "inn: [在职]"), "m.yaml, line 9: unknown key 'inn': did you mean 'in'?"),
    (("  name: 姓名\n", ""), "m.yaml, line 4: 'name' is required here"),
    (("  name: 姓名\n", "  name: 姓名\n  name: 名字\n"),
     "m.yaml, line 7: the key 'name' appears twice in one mapping"),
    (('{template: "E{工号}"}', '{template: "E{工号}", column: 工号}'),
     "m.yaml, line 5: give exactly one of column, template, value (not column and template)"),
    (("in: [在职]", "matches: '[在'"), "m.yaml, line 9: invalid regular expression"),
    (("  type: csv\n", ""), "m.yaml, line 1: 'type' is required here"),
    (('userid: {template: "E{工号}"}', "userid: [工号]"),
     "m.yaml, line 5: Input should be a valid"),
])
def test_mapping_mistakes_name_the_line(change: tuple[str, str], expected: str) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    if "matches" in change[1]:
        # a regular expression is compiled when the mapping is used with a source
        from wecom_contacts.sources.members import MemberReader
        with pytest.raises(SourceError) as info:
            MemberReader(parse_mapping(text, source="m.yaml"))
        assert str(info.value).startswith(expected)
        return
    assert _error(text).startswith(expected)


def test_invalid_yaml_names_line_and_column() -> None:
    assert _error("input: {type: csv\nmembers: x\n").startswith("m.yaml, line 2, column")


def test_yes_and_numbers_stay_as_written() -> None:
    text = GOOD.replace("in: [在职]", "in: [yes, 007]")
    loaded = parse_mapping(text, source="m.yaml")
    assert loaded.mapping.members.only[0].in_ == ["yes", "007"]


def test_checked_in_json_schema_is_current() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_mapping_schema.py"),
                             "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    schema = json.loads(mapping_json_schema())
    assert schema["required"] == ["input", "members"]
    assert "MembersSpec" in schema["$defs"]
