"""The template: every sheet, its headers, one example row, drop-downs, a README."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ingest.read import read_bundle
from ingest.spec import TABLES, ColumnType
from ingest.template import write_template
from ingest.validate import parse_date, text_of


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "template.xlsx")


def test_template_read_back_gives_headers_and_example_rows(template: Path) -> None:
    bundle = read_bundle(template)
    assert bundle.errors == [] and bundle.warnings == []
    assert list(bundle.tables) == list(TABLES)
    for name, table in TABLES.items():
        assert bundle.headers[name] == table.column_names
        [row] = bundle.tables[name]
        assert row.location.row == 2
        expected = {c.name: c.example for c in table.columns if c.example is not None}
        got = {
            k: parse_date(v).isoformat() if table.column(k).type is ColumnType.DATE else text_of(v)
            for k, v in row.cells.items()
        }
        assert got == expected


def test_template_date_examples_are_real_date_cells(template: Path) -> None:
    bundle = read_bundle(template)
    start = bundle.tables["cohort"][0].cells["start_date"]
    assert not isinstance(start, str)
    assert parse_date(start).isoformat() == "2019-05-01"


def test_template_has_dropdowns_for_every_enumeration(template: Path) -> None:
    workbook = load_workbook(template)
    for name, table in TABLES.items():
        sheet = workbook[name]
        lists = {
            str(v.sqref): v.formula1
            for v in sheet.data_validations.dataValidation
            if v.type == "list"
        }
        expected = {}
        for index, column in enumerate(table.columns, start=1):
            if column.choices:
                letter = get_column_letter(index)
                expected[f"{letter}2:{letter}1001"] = '"' + ",".join(column.choices) + '"'
        assert lists == expected, name
    people = {str(v.sqref): v.formula1 for v in workbook["people"].data_validations.dataValidation}
    assert people["I2:I1001"] == '"yes,no"'
    sectors = workbook["organisations"].data_validations.dataValidation[0].formula1
    assert sectors is not None and "local_government" in sectors
    workbook.close()


def test_template_readme_explains_every_column(template: Path) -> None:
    workbook = load_workbook(template, read_only=True)
    rows = list(workbook["README"].iter_rows(values_only=True))
    workbook.close()
    explained = {(r[0], r[1]) for r in rows[3:] if r[1]}
    assert explained == {(t, c) for t, table in TABLES.items() for c in table.column_names}
    required = {(r[0], r[1]) for r in rows[3:] if r[2] == "required"}
    assert ("people", "email") in required and ("people", "job_title") not in required
