"""One validator for every format: a value WeCom would refuse is refused at plan time, before
any write, whether the desired state is YAML, JSON or the CSV template (exit 2, nothing sent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wecom_contacts.testing import EmulatorControl

from .conftest import Invoke

# (field, the value as YAML / JSON text, the same value as a CSV cell, words of the refusal)
BAD = [
    ("mobile", '"138-abc"', "138-abc", "'138-abc' is not a phone number"),
    ("name", '"张\\u0001三"', "张\x01三", "contains the control character '\\x01'"),
    ("email", '"zhang@"', "zhang@", "'zhang@' is not an e-mail address"),
    ("telephone", '"010-abc"', "010-abc", "'010-abc': at most 32 digits"),
    ("position", '"工程师\\u0007"', "工程师\x07", "control character '\\x07'"),
]
CSV_COLUMN = {"mobile": "手机号", "name": "姓名", "email": "邮箱", "telephone": "座机",
              "position": "职位"}


def _document(field: str, value: str) -> str:
    user = {"userid": "zhangsan", "name": '"张三"', "mobile": '"13800000001"',
            "departments": '["总部/新部门"]', field: value}
    body = ", ".join(f'"{k}": {v}' if k != "userid" else f'"{k}": "{v}"' for k, v in user.items())
    return ('{"departments": [{"path": "总部"}, {"path": "总部/新部门"}],\n'
            f' "users": [{{{body}}}]}}\n')


def _csv(field: str, cell: str) -> bytes:
    header = ["姓名", "帐号", "手机号", "邮箱", "所在部门", "职位", "座机"]
    row = {"姓名": "张三", "帐号": "zhangsan", "手机号": "13800000001", "邮箱": "",
           "所在部门": "1", "职位": "", "座机": ""}
    row[CSV_COLUMN[field]] = cell
    return (",".join(header) + "\n" + ",".join(row[h] for h in header) + "\n").encode()


@pytest.mark.parametrize("fmt", ["yaml", "json", "csv"])
@pytest.mark.parametrize(("field", "text", "cell", "words"), BAD, ids=[b[0] for b in BAD])
def test_a_value_wecom_refuses_is_refused_at_plan_time_in_every_format(
    cli: Invoke, wecom_emulator: EmulatorControl, tmp_path: Path, fmt: str, field: str,
    text: str, cell: str, words: str,
) -> None:
    path = tmp_path / f"org.{fmt}"
    if fmt == "csv":
        path.write_bytes(_csv(field, cell))
    else:  # JSON text is YAML too: the same document, read by each parser
        path.write_text(_document(field, text), encoding="utf-8")
    result = cli("--json", "sync", "apply", "--yes", str(path))
    assert result.exit_code == 2, (result.stdout, result.stderr)
    error = json.loads(result.stderr)["error"]
    assert error["type"] == "DesiredStateError" and words in error["message"]
    assert str(path.name) in error["message"]
    assert not wecom_emulator.stats().get("writes")  # refused before any write
