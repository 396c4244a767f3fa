"""Desired-state files that used to crash `sync plan`: each is read, or refused as a bad file
(exit 2) naming the file and the line; never a traceback, never minutes of CPU."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Invoke

DOC = """departments:
- path: 总部
- path: 总部/研发
users:
- userid: zs
  name: 张三
  mobile: '13800000001'
  departments: [总部/研发]
"""
BOMB = "\n".join(
    [f"a: &a [{', '.join(['lol'] * 9)}]"]
    + [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]"
       for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
) + "\n"

BAD = [
    ("deep.json", ('{"users":\n' + "[" * 100_000 + "]" * 100_000 + "}").encode(), 2,
     "nested more than 64 levels deep"),
    ("bigint.json", ('{"departments": [\n{"path": "总部", "order": ' + "9" * 5000 + "}]}")
     .encode(), 2, "a number of 5,000 digits"),
    ("bomb.yaml", BOMB.encode(), 6, "aliases expand to more than 1,000,000 values"),
    ("deep.yaml", ("users:\n  " + "- " * 80 + "x\n").encode(), 2, "nested more than 64"),
    ("bigint.yaml", ("departments:\n- path: 总部\n  order: " + "7" * 5000 + "\n").encode(), 3,
     "a number of 5,000 digits"),
    ("mixed.yaml", DOC.encode()[:40] + "  name: 张三\n".encode("gbk"), 3, "mixes encodings"),
    ("undecodable.yaml", "users: []\nname: 张三\n".encode("gbk") + b"\x80\xff\n", 3,
     "not valid gb18030"),
]


@pytest.mark.parametrize(("name", "data", "line", "words"), BAD, ids=[b[0] for b in BAD])
def test_a_hostile_desired_file_is_a_bad_file_error_naming_file_and_line(
    cli: Invoke, tmp_path: Path, name: str, data: bytes, line: int, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = cli("--json", "sync", "plan", str(path))
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit)  # a refusal, not a traceback
    error = json.loads(result.stderr)["error"]
    assert error["type"] == "DesiredStateError"
    assert f"{name}, line {line}" in error["message"] and words in error["message"]


@pytest.mark.parametrize(("name", "data"), [
    ("gbk.yaml", DOC.encode("gbk")),
    ("gb18030-bom.yaml", b"\x84\x31\x95\x33" + DOC.encode("gb18030")),
    ("utf16.yaml", DOC.encode("utf-16")),
    ("utf8-bom.json", b"\xef\xbb\xbf" + json.dumps(
        {"departments": [{"path": "总部"}, {"path": "总部/研发"}],
         "users": [{"userid": "zs", "name": "张三", "mobile": "13800000001",
                    "departments": ["总部/研发"]}]}, ensure_ascii=False).encode()),
])
def test_chinese_encodings_and_boms_are_read_as_text(
    cli: Invoke, tmp_path: Path, name: str, data: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = cli("--json", "sync", "plan", str(path))
    assert result.exit_code == 0, result.stderr
    steps = json.loads(result.stdout)["steps"]
    assert {"op": "user.create", "name": "张三"}.items() <= {
        "op": steps[-1]["op"], "name": steps[-1]["params"].get("name")}.items()
    assert any(s["op"] == "department.create" and s["params"]["name"] == "研发" for s in steps)
