"""An empty bundle workbook to fill in: every sheet, its headers, one example row,
drop-downs for the closed lists and a README sheet explaining every column.

Generated from ``ingest.spec``, so the template always offers exactly what the
validator accepts.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ingest.spec import TABLES, Column, ColumnType
from ingest.validate import parse_date

__all__ = ["MORE_EXAMPLES", "TEMPLATE_ROWS", "write_template"]

TEMPLATE_ROWS = 1000
"""How many rows of each sheet carry the drop-downs."""

_INTRO = (
    "A cohort bundle: one sheet per table. Fill in the sheets you need; every sheet but"
    " 'cohort' may stay empty. Delete the example rows first. Column names may be in any"
    " case; columns marked required must be filled. Dates: YYYY-MM-DD, DD/MM/YYYY or a"
    " date cell. Yes/no: yes, no, y, n, true, false, 1, 0. Lists: separate items with ;"
)


MORE_EXAMPLES: dict[str, tuple[dict[str, str], ...]] = {
    "people": (
        {
            "email": "bob.example@example.org",
            "name": "Bob Example",
            "organisation": "ECC",
            "job_title": "Policy Officer",
            "employed_from": "2018-01-08",
            "consent_directory": "yes",
            "consent_contact": "no",
            "consent_analytics": "yes",
        },
    ),
    "members": ({"email": "bob.example@example.org", "role": "participant"},),
}
"""Example rows after each sheet's first (the columns' own examples, ``ingest.spec``): the
mentoring and survey examples name Bob, so he is in the people and members sheets too,
and the template as shipped passes its own check."""


def _value(column: Column, text: str | None) -> object:
    if text is None:
        return None
    if column.type is ColumnType.DATE:
        return parse_date(text)
    return text


def _example(column: Column) -> object:
    return _value(column, column.example)


def _readme(sheet: Worksheet) -> None:
    sheet.append([_INTRO])
    sheet.append([])
    sheet.append(["table", "column", "required", "allowed values", "default", "meaning"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for table in TABLES.values():
        sheet.append([table.name, "", "", "", "", table.meaning])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        for column in table.columns:
            sheet.append(
                [
                    table.name,
                    column.name,
                    "required" if column.required else "",
                    ", ".join(column.choices),
                    column.default or "",
                    column.meaning,
                ]
            )
    for letter, width in zip("ABCDEF", (16, 20, 10, 40, 10, 80), strict=True):
        sheet.column_dimensions[letter].width = width


def _table_sheet(sheet: Worksheet, name: str) -> None:
    table = TABLES[name]
    sheet.append(list(table.column_names))
    sheet.append([_example(c) for c in table.columns])
    for extra in MORE_EXAMPLES.get(name, ()):
        sheet.append([_value(c, extra.get(c.name)) for c in table.columns])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(1, index)
        header.font = Font(bold=column.required)
        sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
        if column.type is ColumnType.DATE:
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row, index).number_format = "yyyy-mm-dd"
        if column.choices:
            listing = ",".join(column.choices)
            validation = DataValidation(
                type="list",
                formula1=f'"{listing}"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=f"{column.name}",
                error=f"Choose one of: {', '.join(column.choices)}",
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"


def write_template(path: Path) -> Path:
    """Write the template workbook to ``path`` (an ``.xlsx``) and return the path."""
    path = Path(path)
    workbook = Workbook()
    readme = workbook.active
    assert readme is not None
    readme.title = "README"
    _readme(readme)
    for name in TABLES:
        _table_sheet(workbook.create_sheet(name), name)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
