"""Helpers for source tests: write an HR file and a mapping beside it, read them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli_runner import run  # noqa: F401  (the `run` fixture: the CLI against the emulator)
from wecom_contacts.sources import SourceResult, read_source

HR_HEADER = "工号,姓名,部门,手机,性别,邮箱,状态,用工类型,直属上级工号,标签,入职日期"
HR_ROWS = [
    "1001,张三,研发中心/平台研发部,+86 138 0000 0001,男,zhangsan@example.com,在职,正式,,"
    "技术委员会;党员,2020-01-01",
    "1002,李四,研发中心/平台研发部,138-0000-0002,女,lisi@example.com,在职,正式,1001,"
    "技术委员会,2021-03-04",
    "1003,王五,市场部,13800000003,男,wangwu@example.com,离职,正式,1001,,2019-05-06",
    "1004,赵六,市场部,13800000004,女,zhaoliu@example.com,在职,外包,1001,,2022-01-01",
]
HR_MAPPING = """\
input: {type: csv, path: hr.csv}
members:
  userid: {template: "E{工号}"}
  name: 姓名
  mobile: {column: 手机, transforms: [mobile]}
  gender: {column: 性别, transforms: [gender]}
  email: 邮箱
  department: {path: 部门, root: 总部}
  direct_leader: {column: 直属上级工号, match: 工号}
  tags: {column: 标签}
  extattr: {入职日期: 入职日期}
  drop: [{column: 用工类型, in: [外包]}]
  leavers: {when: [{column: 状态, equals: 离职}], action: disable}
  only: [{column: 状态, in: [在职]}]
"""

Reader = Callable[..., SourceResult]


@pytest.fixture
def hr(tmp_path: Path) -> Reader:
    """Write hr.csv (GB18030 unless told) and hr.yaml, then read_source the mapping."""

    def read(rows: list[str] | None = None, mapping: str = HR_MAPPING, *,
             header: str = HR_HEADER, encoding: str = "gb18030") -> SourceResult:
        lines = [header, *(HR_ROWS if rows is None else rows)]
        (tmp_path / "hr.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
        (tmp_path / "hr.yaml").write_text(mapping, encoding="utf-8")
        return read_source(tmp_path / "hr.yaml")

    return read
