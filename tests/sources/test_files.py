"""File sources: CSV in any common encoding and delimiter, .xlsx as Excel shows it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]  # (no stubs installed)
import pytest

from wecom_contacts.sources import (
    InputSpec,
    SourceError,
    Value,
    csv_file,
    open_source,
    read_source,
)

ROWS = [["工号", "姓名", "手机"], ["1001", "张三", "13800000001"], ["1002", "李四", "13800000002"]]


def _csv(tmp_path: Path, data: bytes, **options: str) -> list[dict[str, Value]]:
    (tmp_path / "hr.csv").write_bytes(data)
    source = open_source(InputSpec("csv", {"path": "hr.csv", **options}, base_dir=tmp_path))
    return [dict(r.values) for r in source.records("members")]


def _text(delimiter: str = ",") -> str:
    return "\r\n".join(delimiter.join(row) for row in ROWS) + "\r\n"


EXPECTED = [{"工号": "1001", "姓名": "张三", "手机": "13800000001"},
            {"工号": "1002", "姓名": "李四", "手机": "13800000002"}]


@pytest.mark.parametrize("data", [
    _text().encode("utf-8"),
    b"\xef\xbb\xbf" + _text().encode("utf-8"),
    _text().encode("gb18030"),
    b"\x84\x31\x95\x33" + _text().encode("gb18030"),
    _text().encode("utf-16"),  # with its BOM, as Excel's "Unicode text" writes it
    _text().encode("utf-16-le"),
], ids=["utf8", "utf8-bom", "gb18030", "gb18030-bom", "utf16-bom", "utf16le"])
def test_csv_reads_every_common_encoding(tmp_path: Path, data: bytes) -> None:
    assert _csv(tmp_path, data) == EXPECTED


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_detected(tmp_path: Path, delimiter: str) -> None:
    assert _csv(tmp_path, _text(delimiter).encode("gb18030")) == EXPECTED


def test_csv_delimiter_and_encoding_can_be_named(tmp_path: Path) -> None:
    data = "工号;姓名,别名;手机\r\n1001;张三,Tom;13800000001\r\n".encode("gbk")
    [row] = _csv(tmp_path, data, delimiter=";", encoding="gbk")
    assert row["姓名,别名"] == "张三,Tom"
    rows = _csv(tmp_path, _text("\t").encode(), delimiter="tab")
    assert rows == EXPECTED


def test_csv_header_row_skips_a_title_line(tmp_path: Path) -> None:
    data = ("花名册 2026-12\r\n" + _text()).encode("gb18030")
    assert _csv(tmp_path, data, header_row="2") == EXPECTED


def test_csv_mixed_encodings_are_refused_with_the_line(tmp_path: Path) -> None:
    data = _text().encode("utf-8") + "1003,王五,13800000003\r\n".encode("gb18030")
    with pytest.raises(SourceError) as info:
        _csv(tmp_path, data)
    assert str(info.value).startswith("hr.csv, line 4: mixes encodings")


def test_csv_duplicate_header_and_extra_cells_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"hr.csv, row 1: the column '姓名' appears twice"):
        _csv(tmp_path, "姓名,姓名\r\n张三,李四\r\n".encode())
    with pytest.raises(SourceError, match=r"hr.csv, row 3: the row has 4 cells"):
        _csv(tmp_path, "工号,姓名,手机\r\n1,甲,2\r\n3,乙,4,5\r\n".encode())


def test_csv_blank_lines_are_skipped_but_rows_keep_their_numbers(tmp_path: Path) -> None:
    (tmp_path / "hr.csv").write_text("工号,姓名\n1,甲\n\n2,乙\n", encoding="utf-8")
    source = open_source(InputSpec("csv", {"path": "hr.csv"}, base_dir=tmp_path))
    assert [r.where for r in source.records("members")] == ["hr.csv, row 2", "hr.csv, row 4"]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
def test_csv_is_read_the_same_through_a_small_buffer(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     newline: str) -> None:
    # quoted cells holding line breaks, cut anywhere by the buffer, are read whole
    text = newline.join(["工号,姓名,地址", *(f'{i},员工{i},"{i}号楼{newline}{i}室"'
                                           for i in range(40))]) + newline
    (tmp_path / "hr.csv").write_bytes(text.encode("gb18030"))

    def read() -> list[tuple[str, dict[str, Value]]]:
        source = open_source(InputSpec("csv", {"path": "hr.csv"}, base_dir=tmp_path))
        return [(r.where, dict(r.values)) for r in source.records("members")]
    whole = read()
    assert len(whole) == 40
    assert whole[7] == ("hr.csv, row 9", {"工号": "7", "姓名": "员工7",
                                          "地址": f"7号楼{newline}7室"})
    monkeypatch.setattr(csv_file, "LINES_CHUNK", 5)
    assert read() == whole


def test_unreadable_csv_names_the_line_where_reading_stopped(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setattr(csv_file, "LINES_CHUNK", 1000)
    # an opening quote never closed: the cell runs on past csv's field limit (131,072
    # characters: 43,690 lines of "x\r\n" below line 3)
    data = ("工号,姓名\r\n1,甲\r\n2,\"乙\r\n" + "x\r\n" * 70_000).encode()
    with pytest.raises(SourceError, match=r"^hr.csv, line 43693: not a readable CSV file: "
                                          r"field larger than field limit"):
        _csv(tmp_path, data)


def test_unknown_csv_option_names_the_mapping_line(tmp_path: Path) -> None:
    spec = InputSpec("csv", {"path": "hr.csv", "delimeter": ";"}, base_dir=tmp_path,
                     locate=lambda key: f"m.yaml, line {4 if key == 'delimeter' else 1}")
    with pytest.raises(SourceError, match=r"m.yaml, line 4: unknown option 'delimeter'"):
        open_source(spec)


def _workbook(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "说明"
    sheet.append(["本表为花名册"])
    roster = book.create_sheet("花名册")
    roster.append(["工号", "姓名", "手机", "入职日期", "到岗", "比例", "薪级"])
    roster.append([1001, "张三", 13800000001, dt.date(2020, 1, 2), dt.datetime(2020, 1, 3),
                   0.5, 3.25])
    roster.append(["1002", "李四", 13800000002.0, dt.date(2021, 11, 30),
                   dt.datetime(2021, 12, 1, 9, 30), 0.125, 7])
    roster["D2"].number_format = 'yyyy"年"m"月"d"日"'
    roster["D3"].number_format = "yyyy/m/d"
    roster["E2"].number_format = "yyyy-mm-dd"
    roster["E3"].number_format = "yyyy-mm-dd hh:mm"
    roster["F2"].number_format = "0%"
    roster["F3"].number_format = "0.0%"
    roster["G3"].number_format = "0.00"
    book.save(path)


def test_xlsx_cells_read_as_excel_shows_them(tmp_path: Path) -> None:
    _workbook(tmp_path / "roster.xlsx")
    source = open_source(InputSpec("xlsx", {"path": "roster.xlsx", "sheet": "花名册"},
                                   base_dir=tmp_path))
    rows = [dict(r.values) for r in source.records("members")]
    assert rows == [
        {"工号": "1001", "姓名": "张三", "手机": "13800000001", "入职日期": "2020年1月2日",
         "到岗": "2020-01-03", "比例": "50%", "薪级": "3.25"},
        {"工号": "1002", "姓名": "李四", "手机": "13800000002", "入职日期": "2021/11/30",
         "到岗": "2021-12-01 09:30", "比例": "12.5%", "薪级": "7.00"},
    ]
    assert source.name == "roster.xlsx [花名册]"


def test_xlsx_sheet_by_index_and_unknown_sheet(tmp_path: Path) -> None:
    _workbook(tmp_path / "roster.xlsx")
    source = open_source(InputSpec("xlsx", {"path": "roster.xlsx", "sheet": "1"},
                                   base_dir=tmp_path))
    assert len(list(source.records("members"))) == 2
    missing = open_source(InputSpec("xlsx", {"path": "roster.xlsx", "sheet": "员工"},
                                    base_dir=tmp_path, where="m.yaml, line 2"))
    expected = r"m.yaml, line 2: no sheet '员工' \(sheets: 说明, 花名册\)"
    with pytest.raises(SourceError, match=expected):
        list(missing.records("members"))


def test_not_a_workbook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "roster.xlsx").write_text("工号,姓名\n", encoding="utf-8")
    source = open_source(InputSpec("xlsx", {"path": "roster.xlsx"}, base_dir=tmp_path))
    with pytest.raises(SourceError, match=r"roster.xlsx: not a readable .xlsx workbook"):
        source.fields("members")


def test_template_workbook_reads_without_a_mapping(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "帐号", "手机号", "所在部门"])
    sheet.append(["张三", "zhangsan", 13800000001, 1])
    book.save(tmp_path / "members.xlsx")
    result = read_source(tmp_path / "members.xlsx")
    [user] = result.directory.users or []
    assert (user.userid, user.fields["mobile"]) == ("zhangsan", "13800000001")
    assert result.counts["members"] == 1


def test_template_csv_reads_without_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "members.csv").write_bytes(
        "姓名,帐号,手机号,所在部门\n张三,zhangsan,13800000001,1\n".encode("gb18030"))
    [user] = read_source(tmp_path / "members.csv").directory.users or []
    assert user.fields["name"] == "张三"


def test_desired_state_csv_with_a_gb18030_bom_and_semicolons(tmp_path: Path) -> None:
    from wecom_contacts.sync import load_desired

    text = "姓名;帐号;手机号;所在部门\r\n张三;zhangsan;13800000001;1\r\n"
    (tmp_path / "members.csv").write_bytes(b"\x84\x31\x95\x33" + text.encode("gb18030"))
    [user] = load_desired(tmp_path / "members.csv").users or []
    assert user.departments is not None
    assert (user.fields["name"], user.departments[0].department) == ("张三", 1)


def test_desired_state_csv_names_departments_by_path(tmp_path: Path) -> None:
    from wecom_contacts.sync import load_desired

    (tmp_path / "members.csv").write_text(
        "姓名,帐号,手机号,所在部门,是否部门内领导\n"
        "张三,zhangsan,13800000001,总部/研发中心;2,1;0\n"
        "李四,lisi,13800000002,总部/研发中心/平台部,\n", encoding="utf-8")
    users = {u.userid: u for u in load_desired(tmp_path / "members.csv").users or []}
    zhang = users["zhangsan"].departments or []
    assert [(m.department, m.leader) for m in zhang] == [("总部/研发中心", True), (2, False)]
    assert [m.department for m in users["lisi"].departments or []] == ["总部/研发中心/平台部"]


def test_a_read_for_a_plan_skips_the_fingerprint_and_gives_the_same_directory(
        tmp_path: Path) -> None:
    from wecom_contacts.sources import load_source

    (tmp_path / "hr.csv").write_text("工号,姓名,邮箱\n1,张三,a@x.com\n2,李四,b@x.com\n",
                                     encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("input: {type: csv, path: hr.csv}\nmembers:\n"
                       "  userid: {template: 'E{工号}'}\n  name: 姓名\n  email: 邮箱\n",
                       encoding="utf-8")
    whole = read_source(mapping)
    bare = read_source(mapping, fingerprint=False)
    assert whole.fingerprint is not None and whole.fingerprint.counts == {"members": 2}
    assert bare.fingerprint is None
    assert [u.fields for u in bare.directory.users or ()] == \
        [u.fields for u in whole.directory.users or ()]
    assert [u.userid for u in load_source(mapping).users or ()] == ["E1", "E2"]
    source = open_source(InputSpec("csv", {"path": str(tmp_path / "hr.csv")}))
    source.skip_fingerprint()  # type: ignore[attr-defined]
    assert len(list(source.records("members"))) == 2
    with pytest.raises(SourceError, match="read without a fingerprint"):
        source.fingerprint()
