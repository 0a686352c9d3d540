"""The template: every sheet, its headers, one example row, drop-downs, a README."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from graph.model import Membership, Person
from graph.store import GraphStore
from ingest.pipeline import load_bundle
from ingest.read import read_bundle
from ingest.spec import TABLES, ColumnType
from ingest.template import MORE_EXAMPLES, write_template
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
        rows = bundle.tables[name]
        assert [r.location.row for r in rows] == list(range(2, 2 + len(rows)))
        first = {c.name: c.example for c in table.columns if c.example is not None}
        expected = [first, *MORE_EXAMPLES.get(name, ())]
        got = [
            {
                k: parse_date(v).isoformat()
                if table.column(k).type is ColumnType.DATE
                else text_of(v)
                for k, v in row.cells.items()
            }
            for row in rows
        ]
        assert got == expected


def test_template_as_shipped_passes_its_own_check(template: Path, store: GraphStore) -> None:
    report = load_bundle(template, store, dry_run=True)
    assert (report.errors, report.warnings) == ([], [])
    assert store.find(Person).count == 0  # a dry run writes nothing


def test_template_as_shipped_loads_its_examples(template: Path, store: GraphStore) -> None:
    report = load_bundle(template, store)
    assert report.ok and (report.errors, report.warnings) == ([], [])
    # the examples: Ann and Bob at Essex County Council (alias ECC) in cohort lge-2019;
    # Ann mentors Bob, and named him as someone she asks for advice in the baseline survey
    people = {p.id: p for p in store.find(Person).data}
    assert sorted(p.email for p in people.values()) == [
        "ann.example@example.org",
        "bob.example@example.org",
    ]
    ids = {p.email.split(".")[0]: p.id for p in people.values()}
    members = store.find(Membership, {"cohort_id": "lge-2019"}).data
    assert {(m.person_id, m.role.value) for m in members} == {
        (ids["ann"], "participant"),
        (ids["bob"], "participant"),
    }
    ties = {
        (t.source_id, t.target_id, t.tie_kind.value)
        for t in store.ties_among([ids["ann"], ids["bob"]])
        if t.tie_kind.value != "cohort_peer"
    }
    assert ties == {(ids["ann"], ids["bob"], "mentoring"), (ids["ann"], ids["bob"], "advice")}


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
