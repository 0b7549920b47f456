"""Writes openpyxl.xlsx next to this script: a claims workbook as Python's openpyxl makes it, for
the .xlsx reader's tests (cli/tests/excel.rs; issue 19, docs/columns.md).

Run with openpyxl installed (a throwaway venv will do):
    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install openpyxl
    /tmp/venv/bin/python cli/tests/data/xlsx/make_openpyxl.py

The first sheet holds notes, the claims are on the sheet 申请 (read with --sheet 申请). Dates
are date cells, fees numbers (1000.1 is a double, to be read as 1000.10), the person id text.
"""

import datetime
import pathlib

import openpyxl

book = openpyxl.Workbook()
notes = book.active
notes.title = "说明"
notes["A1"] = "2021 年 3 月职业技能培训补贴申请（测试数据）"

claims = book.create_sheet("申请")
claims.append(["申请编号", "补贴项目", "身份证号", "人员类别", "职业编码", "技能等级", "取证日期", "申请日期", "培训机构", "实际缴费"])
rows = [
    ("PY-1", "skills_training", "P0000396", "unemployed", "4-03-02-05", "4", datetime.date(2021, 3, 21), datetime.date(2021, 3, 23), "WX-JG-003", 1000.1),
    ("PY-2", "skills_training", "P0000397", "unemployed", "4-03-02-05", 4, datetime.date(2021, 3, 21), "2021/3/23", "WX-JG-003", "1,150.00元"),
]
for row in rows:
    claims.append(row)
for cell in claims["G"][1:] + claims["H"][1:2]:
    cell.number_format = "yyyy/m/d"
# An empty row, then a claim whose date is a plain number (an Excel serial) and whose fee is an int.
claims.append([])
claims.append(["PY-3", "skills_training", "P0000398", "unemployed", "4-03-02-05", "4", 44276, datetime.date(2021, 3, 23), "WX-JG-003", 1200])

book.save(pathlib.Path(__file__).with_name("openpyxl.xlsx"))
