"""Every table downloadable (issue 17): one table, as CSV or as an Excel workbook,
safe to open in a spreadsheet.

A text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) is neutralised with a leading apostrophe,
in both formats; numbers stay numbers (a negative E-I is a number, not a formula).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from graph.errors import Invalid, Problem

__all__ = [
    "FORMATS",
    "Download",
    "Table",
    "TableFormat",
    "download",
    "neutralise",
    "to_csv",
    "to_xlsx",
]

TableFormat = Literal["csv", "xlsx"]
FORMATS: tuple[TableFormat, ...] = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPES: dict[TableFormat, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Table:
    """A table as a user downloads it: a name (the file and sheet name), the column
    headings and the rows."""

    name: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True)
class Download:
    """A table's bytes, ready to send: content, media type and file name."""

    content: bytes
    media_type: str
    file_name: str


def neutralise(value: Any) -> Any:
    """``value``, with a leading apostrophe when it is text a spreadsheet would run.

    >>> neutralise("=HYPERLINK(1)"), neutralise("-1"), neutralise(-1), neutralise("Tendring")
    ("'=HYPERLINK(1)", "'-1", -1, 'Tendring')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _text(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def to_csv(table: Table) -> bytes:
    """RFC 4180 lines (CRLF), UTF-8 with a byte-order mark (so Excel reads accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([neutralise(_text(v)) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _sheet_title(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31] or "table"


def to_xlsx(table: Table) -> bytes:
    """One sheet named after the table, headings in bold, numbers and dates typed."""
    from openpyxl import Workbook  # here: only a download pays for openpyxl
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _sheet_title(table.name)
    sheet.append([neutralise(c) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([neutralise(v) for v in row])
    for cell in (c for row in sheet.iter_rows() for c in row):
        if isinstance(cell.value, str):
            cell.data_type = "s"  # never a formula, whatever openpyxl guessed
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def download(table: Table, fmt: str) -> Download:
    """The table in ``fmt`` (``csv`` or ``xlsx``); ``Invalid`` naming any other."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", table.name).strip("-") or "table"
    if fmt == "csv":
        return Download(to_csv(table), MEDIA_TYPES["csv"], f"{slug}.csv")
    if fmt == "xlsx":
        return Download(to_xlsx(table), MEDIA_TYPES["xlsx"], f"{slug}.xlsx")
    raise Invalid([Problem("download", "format", fmt, "not one of csv, xlsx")])
