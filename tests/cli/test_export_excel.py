"""`export` for Excel: CSV with a BOM (default) or in GB18030, and `.xlsx` with text cells."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]  # (no stubs installed)

from wecom_contacts.sync import load_desired
from wecom_contacts.testing import EmulatorControl

from .conftest import Invoke

SEED = {
    "departments": [{"id": 2, "name": "研发中心", "parentid": 1}],
    "users": [{"userid": "zhangsan", "name": "张三", "department": [2], "mobile": "13800000001",
               "position": "=HYPERLINK(\"x\")"}],
}


@pytest.fixture(autouse=True)
def seeded(wecom_emulator: EmulatorControl) -> None:
    wecom_emulator.seed(SEED)


def test_csv_file_is_utf8_with_bom_and_crlf_and_plans_empty(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "members.csv"
    result = cli("--json", "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["encoding"] == "utf-8-bom"
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "张三,zhangsan,13800000001".encode() in data and b"\r\n" in data
    assert out.stat().st_mode & 0o777 == 0o600
    departments = tmp_path / "departments.csv"
    cli("export", "-f", "csv-departments", "-o", str(departments))
    planned = cli("--json", "sync", "plan", str(departments), str(out))
    assert planned.exit_code == 0, planned.output
    assert json.loads(planned.stdout)["changes"] == 0
    assert load_desired(departments, out).users is not None


def test_csv_in_gb18030_for_excel_on_chinese_windows(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "members.csv"
    assert cli("export", "-o", str(out), "--encoding", "gb18030").exit_code == 0
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert "张三".encode("gb18030") in data
    assert data.decode("gb18030").splitlines()[1].startswith("张三,zhangsan")
    piped = cli("export", "-f", "csv", "--encoding", "gb18030")
    assert piped.exit_code == 0 and "张三".encode("gb18030") in piped.stdout_bytes


def test_xlsx_has_a_sheet_each_with_text_cells(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "directory.xlsx"
    result = cli("export", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_mode & 0o777 == 0o600
    book = load_workbook(out)
    assert book.sheetnames == ["成员 members", "部门 departments"]
    members = [[c.value for c in row] for row in book["成员 members"].iter_rows()]
    assert members[0][:3] == ["姓名", "帐号", "手机号"]
    zhangsan = members[1]
    assert zhangsan[:3] == ["张三", "zhangsan", "13800000001"]  # text, not 1.38E+10
    assert zhangsan[5] == "=HYPERLINK(\"x\")"
    assert book["成员 members"].cell(row=2, column=6).data_type == "s"  # never a formula
    departments = [[c.value for c in row] for row in book["部门 departments"].iter_rows()]
    assert departments[2][:3] == ["研发中心", "2", "1"]


def test_encoding_and_xlsx_misuse_are_usage_errors(cli: Invoke) -> None:
    assert cli("export", "-f", "yaml", "--encoding", "gb18030").exit_code == 2
    refused = cli("export", "-f", "xlsx")
    assert refused.exit_code == 2 and "-o FILE.xlsx" in refused.stderr
