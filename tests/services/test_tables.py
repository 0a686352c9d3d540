"""Downloads (services/tables.py): a spreadsheet never runs a cell as a formula, and the
numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from graph.errors import Invalid
from services.tables import Table, download, to_csv, to_xlsx

HOSTILE = Table(
    "hostile: names?",
    ("name", "value", "day"),
    [
        ['=HYPERLINK("http://x")', -0.5, date(2020, 1, 1)],
        ["+44 1245", 3, None],
        ["-2", 0.25, None],
        ["@SUM(A1)", None, None],
        ["\tTab", 1, None],
        ["Tendring", 2, None],
    ],
)


def test_csv_neutralises_formula_text_and_keeps_numbers() -> None:
    raw = to_csv(HOSTILE)
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads the file as UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows == [
        ["name", "value", "day"],
        ['\'=HYPERLINK("http://x")', "-0.5", "2020-01-01"],
        ["'+44 1245", "3", ""],
        ["'-2", "0.25", ""],
        ["'@SUM(A1)", "", ""],
        ["'\tTab", "1", ""],
        ["Tendring", "2", ""],
    ]


def test_xlsx_holds_formula_text_as_text_and_numbers_as_numbers() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(HOSTILE))).active
    assert sheet is not None
    assert sheet.title == "hostile- names-"
    cells = [list(row) for row in sheet.iter_rows(min_row=2)]
    assert [c[0].value for c in cells] == [
        "'=HYPERLINK(\"http://x\")", "'+44 1245", "'-2", "'@SUM(A1)", "'\tTab", "Tendring",
    ]  # fmt: skip
    assert all(c[0].data_type == "s" for c in cells)  # text, never a formula ("f")
    assert [c[1].value for c in cells] == [-0.5, 3, 0.25, None, 1, 2]
    assert cells[0][2].value.date() == date(2020, 1, 1)
    assert sheet["A1"].font.bold


def test_download_names_the_file_and_refuses_other_formats() -> None:
    found = download(HOSTILE, "xlsx")
    assert found.file_name == "hostile-names.xlsx"
    assert found.media_type.startswith("application/vnd.openxmlformats")
    with pytest.raises(Invalid, match="not one of csv, xlsx"):
        download(HOSTILE, "pdf")
