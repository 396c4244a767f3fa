"""Workbook cells as Excel shows them, through both readers: calamine for the cells with
openpyxl's styles (the usual path), and openpyxl's own cell parser (the fallback)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]  # (no stubs installed)
import pytest

from wecom_contacts.sources import InputSpec, SourceError, open_source
from wecom_contacts.sources.xlsx_read import Row, open_sheet, openpyxl_rows

Reader = Callable[[Path, str], list[Row]]


def _calamine(path: Path, title: str) -> list[Row]:
    return list(open_sheet(path, title, where="m.yaml")[1])


def _openpyxl(path: Path, title: str) -> list[Row]:
    return list(openpyxl_rows(path, title, where="m.yaml"))


BOTH = pytest.mark.parametrize("read", [_calamine, _openpyxl], ids=["calamine", "openpyxl"])

CASES: list[tuple[object, str | None, str]] = [
    (1001, None, "1001"),                    # an integer stays an integer
    (13800000001, None, "13800000001"),      # a mobile typed as a number: never 1.38E+10
    (13800000002.0, None, "13800000002"),
    (3.25, None, "3.25"),
    (123, "000000", "000123"),               # an employee number keeps its leading zeros
    (-5, "000", "-005"),
    (7, "0.00", "7.00"),
    (1234.5, "#,##0.00", "1,234.50"),
    (0.5, "0%", "50%"),
    (0.125, "0.0%", "12.5%"),
    (13800000003, "@", "13800000003"),       # a number in a text-formatted cell
    ("0123", "000000", "0123"),              # a text cell is its text, whatever the format
    (dt.date(2020, 1, 2), 'yyyy"年"m"月"d"日"', "2020年1月2日"),
    (dt.date(2021, 11, 30), "yyyy/m/d", "2021/11/30"),
    (dt.datetime(2020, 1, 3), "yyyy-mm-dd", "2020-01-03"),
    (dt.datetime(2021, 12, 1, 9, 30), "yyyy-mm-dd hh:mm", "2021-12-01 09:30"),
    (dt.time(9, 5), "h:mm", "9:05"),
    (True, None, "TRUE"),
    ("张三", None, "张三"),
]


def _cases_workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "说明"
    sheet = book.create_sheet("花名册")
    sheet.append(["值"])
    for i, (value, fmt, _) in enumerate(CASES, 2):
        sheet.cell(i, 1, value)
        if fmt is not None:
            sheet.cell(i, 1).number_format = fmt
    book.save(path)


@BOTH
def test_each_cell_reads_as_excel_shows_it(read: Reader, tmp_path: Path) -> None:
    _cases_workbook(tmp_path / "cases.xlsx")
    shown = [row[0] for row in read(tmp_path / "cases.xlsx", "花名册")[1:]]
    assert shown == [text for _, _, text in CASES]


@BOTH
def test_rows_and_columns_count_from_a1_when_the_data_starts_lower(
        read: Reader, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C3"], sheet["D3"], sheet["C4"], sheet["E6"] = "工号", "姓名", 1001, "x"
    sheet["C4"].number_format = "000000"
    book.save(tmp_path / "lower.xlsx")
    rows = read(tmp_path / "lower.xlsx", "Sheet")
    assert rows[2][:4] == ["", "", "工号", "姓名"]
    assert rows[3][2] == "001001"
    assert [row[4] if len(row) > 4 else "" for row in rows] == ["", "", "", "", "", "x"]


def _rewrite_sheet(path: Path, new_path: Path, change: Callable[[bytes], bytes]) -> None:
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(new_path, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                changed = change(data)
                assert changed != data
                data = changed
            new.writestr(item, data)


@pytest.mark.parametrize("change", [
    # cells placed by their order alone (no r): the scan cannot follow, openpyxl reads them
    lambda xml: re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", xml),
    # the style before the reference, single quotes: the scan follows
    lambda xml: re.sub(rb'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"', rb"<c s='\2'  r='\1'", xml),
    # a row number written with a leading zero: the thorough scan reads it as the same cell
    lambda xml: re.sub(rb'<c r="([A-Z]+)([0-9]+)" s=', rb'<c r="\g<1>0\2" s=', xml),
], ids=["no-references", "other-attribute-order", "leading-zero-row"])
def test_sheets_written_another_way_read_the_same(change: Callable[[bytes], bytes],
                                                  tmp_path: Path) -> None:
    _cases_workbook(tmp_path / "cases.xlsx")
    _rewrite_sheet(tmp_path / "cases.xlsx", tmp_path / "other.xlsx", change)
    rows = _calamine(tmp_path / "other.xlsx", "花名册")
    assert [row[0] for row in rows[1:]] == [text for _, _, text in CASES]


def test_a_workbook_source_reads_the_sheet_once_for_header_and_records(
        tmp_path: Path) -> None:
    _cases_workbook(tmp_path / "cases.xlsx")
    source = open_source(InputSpec("xlsx", {"path": "cases.xlsx", "sheet": "花名册"},
                                   base_dir=tmp_path))
    assert source.fields("members") == ["值"]
    records = list(source.records("members"))
    assert [r.get("值") for r in records][:5] == ["1001", "13800000001", "13800000002",
                                                  "3.25", "000123"]
    assert records[0].where == "cases.xlsx [花名册], row 2"
    again = list(source.records("members"))  # a second read opens the workbook again
    assert [r.values for r in again] == [r.values for r in records]


def test_an_empty_sheet_has_no_header(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.save(tmp_path / "empty.xlsx")
    source = open_source(InputSpec("xlsx", {"path": "empty.xlsx"}, base_dir=tmp_path))
    with pytest.raises(SourceError, match=r"empty.xlsx \[Sheet\]: the sheet has no header"):
        source.fields("members")


def test_without_python_calamine_the_extra_is_named_in_one_line(tmp_path: Path) -> None:
    _cases_workbook(tmp_path / "cases.xlsx")
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path

        class Hide:
            def find_spec(self, name, path=None, target=None):
                if name == "python_calamine" or name.startswith("python_calamine."):
                    raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
                return None

        sys.meta_path.insert(0, Hide())
        from wecom_contacts.sources.xlsx_read import open_sheet
        try:
            open_sheet(Path({str(tmp_path / "cases.xlsx")!r}), 0, where="x")
        except ImportError as exc:
            print(type(exc).__name__, "|", exc)
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("MissingExtra | reading .xlsx workbooks needs "
                                   "python-calamine: pip install 'wecom-contacts[xlsx]'")


@BOTH
def test_a_value_that_recurs_under_other_formats_reads_through_each(
        read: Reader, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    day, formats = dt.date(2020, 1, 2), ["yyyy-mm-dd", "yyyy/m/d", "d/m/yyyy", "000000"]
    for row in range(1, 4):  # each format's cells far apart: the styles live in one column
        for column, fmt in enumerate(formats, 27):  # AA onwards: two-letter references
            cell = sheet.cell(row * 50, column, day if fmt != "000000" else 7)
            cell.number_format = fmt
    book.save(tmp_path / "recur.xlsx")
    rows = read(tmp_path / "recur.xlsx", "Sheet")
    assert [rows[r][26:30] for r in (49, 99, 149)] == \
        [["2020-01-02", "2020/1/2", "2/1/2020", "000007"]] * 3
