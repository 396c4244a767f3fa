"""Write roster.xlsx: an HR roster as Excel keeps it (numbers as numbers, dates as dates).

    python examples/hr-export/make_roster.py     # rewrites roster.xlsx beside this script

The mobile and employee-number cells are numbers, as they are when HR types them into Excel;
the sheet to read is the second one, after an explanation sheet.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

HEADER = ["员工编号", "姓名", "英文名", "性别", "一级部门", "二级部门", "三级部门", "岗位",
          "手机", "邮箱", "座机", "状态", "入职日期"]
ROWS = [
    [1001, "陈建国", "Jason", "M", "总经办", None, None, "总经理", 13910000001,
     "chen.jianguo@example.com", "021-60000001", "在职", dt.date(2012, 3, 1)],
    [1002, "李晓梅", "Mia", "F", "研发中心", None, None, "研发总监", 13910000002,
     "li.xiaomei@example.com", None, "在职", dt.date(2014, 7, 15)],
    [1003, "王志强", None, "M", "研发中心", "平台研发部", None, "架构师", 13910000003,
     "wang.zhiqiang@example.com", None, "在职", dt.date(2016, 9, 1)],
    [1004, "张丽娜", "Lina", "F", "研发中心", "平台研发部", "基础架构组", "高级工程师",
     13910000004, "zhang.lina@example.com", None, "在职", dt.date(2018, 4, 9)],
    [1005, "刘洋", None, "M", "研发中心", "移动研发部", None, "工程师", 13910000005.0,
     "liu.yang@example.com", None, "在职", dt.date(2026, 10, 8)],
    [1006, "赵敏", None, "F", "市场中心", "品牌部", None, "品牌经理", 13910000006,
     "zhao.min@example.com", "021-60000006", "在职", dt.date(2019, 2, 18)],
    [1007, "孙磊", None, "M", "市场中心", "品牌部", None, "设计师", 13910000007,
     "sun.lei@example.com", None, "离职", dt.date(2020, 6, 1)],
]


def build(path: Path) -> None:
    book = openpyxl.Workbook()
    about = book.active
    about.title = "说明"
    about.append(["本表由人事系统导出，第二张表为在职人员花名册。"])
    sheet = book.create_sheet("在职人员")
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        cells[8].number_format = "0"             # 手机: a number shown without decimals
        cells[12].number_format = "yyyy-mm-dd"   # 入职日期
    # fixed document dates: the same rows give the same file
    book.properties.created = book.properties.modified = dt.datetime(2026, 12, 1)
    book.save(path)


if __name__ == "__main__":
    target = Path(__file__).resolve().parent / "roster.xlsx"
    build(target)
    print(f"wrote {target}")
