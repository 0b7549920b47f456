#!/usr/bin/env python3
"""Claims CSV files written as Excel and Python write them, and what Python's csv module reads
from each (issue 14 point 3; SPEC §12). Run from anywhere: python3 cli/tests/data/csv/make.py

Writes the .csv files beside this script and expected.json: for each file, the rows that
csv.reader (default dialect; the file opened with newline='' and encoding utf-8-sig, as the
csv docs say) gives, blank rows left out ([] and a single field of spaces), each with the line
it starts on. csv/tests/python_agrees.rs checks skill-subsidy-csv reads the same, and
cli/tests/csv_files.rs that `subsidy assess` gives one record per row, in order.
"""
import csv
import io
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
HEADER = ["claim_id", "program", "person_id", "enterprise_id", "event_date", "applied_on", "district"]


def claim(i, district):
    return [f"C{i:03}", "pre_job", f"P{i:03}", "E1", "2021-05-10", "2021-05-20", district]


def written(rows, lineterminator="\r\n"):
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=lineterminator).writerows(rows)
    return out.getvalue()


FILES = {
    # Excel "CSV UTF-8": a BOM, CRLF between rows, Alt+Enter as LF inside a quoted cell.
    "excel_alt_enter.csv": "\ufeff" + written([HEADER, claim(1, "滨湖\n区"), claim(2, "梁溪区"), claim(3, "新吴\n区\n")]),
    # Python's csv.writer: CRLF rows, a cell holding CRLF and a lone CR.
    "python_crlf.csv": written([HEADER, claim(1, "滨湖\r\n区"), claim(2, "惠山\r区"), claim(3, "a,\"b\"")]),
    # Old Mac line ends: a lone CR between rows.
    "lone_cr.csv": written([HEADER, claim(1, "滨湖区"), claim(2, "锡山\r区"), claim(3, "")], lineterminator="\r"),
    # A bare CR inside a data row (not quoted): Python reads two rows; none may be dropped.
    "bare_cr_in_row.csv": ",".join(HEADER) + "\n" + ",".join(claim(1, "滨湖区")) + "\r" + ",".join(claim(2, "梁溪区")) + "\n"
    + ",".join(claim(3, "新吴区")) + "\n",
    # An 80 KB multi-line field (20,000 line breaks) is one record.
    "big_multiline_field.csv": written([HEADER, claim(1, "区\n" * 20000), claim(2, "梁溪区")]),
    # A quote left open on the last row: Python reads the row to the end of the file.
    "open_quote_at_end.csv": ",".join(HEADER) + "\n" + ",".join(claim(1, "滨湖区")) + "\n"
    + ",".join(claim(2, "梁溪区")) + "\nC003,pre_job,P003,E1,2021-05-10,2021-05-20,\"滨湖区\n",
}


def blank(row):
    return not row or (len(row) == 1 and row[0].strip(" \t") == "")


def python_rows(path):
    rows = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        before = 0
        for row in reader:
            if not blank(row):
                rows.append({"line": before + 1, "fields": row})
            before = reader.line_num
    return rows


def main():
    expected = {}
    for name, text in FILES.items():
        path = HERE / name
        path.write_bytes(text.encode("utf-8"))
        expected[name] = python_rows(path)
    (HERE / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
