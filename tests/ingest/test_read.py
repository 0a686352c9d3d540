"""Reading: three containers, the same raw rows; problems collected, never raised."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from ingest.read import RawBundle, read_bundle
from ingest.validate import text_of

from .conftest import CONTAINERS, Tables


def cells_as_text(bundle: RawBundle) -> dict[str, list[dict[str, str]]]:
    """Every table's rows as text, so an Excel date and ISO text compare equal."""
    return {
        name: [{k: text_of(v) for k, v in row.cells.items()} for row in rows]
        for name, rows in bundle.tables.items()
    }


def where(bundle: RawBundle, errors: bool = True) -> set[tuple[str | None, int | None, str | None]]:
    issues = bundle.errors if errors else bundle.warnings
    return {(i.location.sheet, i.location.row, i.column) for i in issues}


def test_read_containers_same_tables_give_same_cells(
    tables: Tables, write: Callable[[Tables, str], Path]
) -> None:
    read = [read_bundle(write(tables, name)) for name in CONTAINERS]
    assert [b.errors for b in read] == [[], [], []]
    first = cells_as_text(read[0])
    assert first["people"][0]["organisation"] == "ECC"
    assert len(first["survey"]) == 5
    assert all(cells_as_text(b) == first for b in read[1:])


def test_read_xlsx_date_cell_gives_real_date(
    tables: Tables, write: Callable[[Tables, str], Path]
) -> None:
    tables["cohort"][0]["start_date"] = date(2019, 5, 1)
    bundle = read_bundle(write(tables, "b.xlsx"))
    assert bundle.tables["cohort"][0].cells["start_date"] == datetime(2019, 5, 1)


def test_read_rows_numbered_as_spreadsheet_and_json_items_from_one(
    tables: Tables, write: Callable[[Tables, str], Path]
) -> None:
    xlsx = read_bundle(write(tables, "b.xlsx"))
    people = xlsx.tables["people"]
    assert [(r.location.file, r.location.sheet, r.location.row) for r in people] == [
        ("b.xlsx", "people", 2),
        ("b.xlsx", "people", 3),
        ("b.xlsx", "people", 4),
        ("b.xlsx", "people", 5),
    ]
    folder = read_bundle(write(tables, "b"))
    assert folder.tables["survey"][0].location.file == "survey.csv"
    assert folder.tables["survey"][0].location.row == 2
    js = read_bundle(write(tables, "b.json"))
    first = js.tables["people"][0].location
    assert (first.file, first.sheet, first.row, first.unit) == ("b.json", "people", 1, "item")
    assert first.describe() == "people item 1"


def test_read_csv_messy_header_bom_spaces_blank_rows(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    text = (
        " Cohort_ID ,NAME,Start_Date\r\n"
        "\r\n"
        ",,\r\n"
        "  c2019 , Leading Greater Essex 2019  ,01/05/2019\r\n"
    )
    (folder / "cohort.csv").write_bytes(text.encode("utf-8-sig"))
    bundle = read_bundle(folder)
    assert bundle.errors == [] and bundle.warnings == []
    [row] = bundle.tables["cohort"]
    assert row.location.row == 4
    assert dict(row.cells) == {
        "cohort_id": "c2019",
        "name": "Leading Greater Essex 2019",
        "start_date": "01/05/2019",
    }


def test_read_xlsx_blank_rows_keep_row_numbers(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Members"
    sheet.append(["EMAIL ", " Role"])
    sheet.append(["ann@example.org", "participant"])
    sheet.append([None, None])
    sheet.append(["  ", None])
    sheet.append(["bob@example.org ", "mentor"])
    workbook.save(tmp_path / "b.xlsx")
    bundle = read_bundle(tmp_path / "b.xlsx")
    rows = bundle.tables["members"]
    assert [(r.location.row, dict(r.cells)) for r in rows] == [
        (2, {"email": "ann@example.org", "role": "participant"}),
        (5, {"email": "bob@example.org", "role": "mentor"}),
    ]


def test_read_xlsx_formula_is_error_never_evaluated(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "cohort"
    sheet.append(["cohort_id", "name", "start_date"])
    sheet.append(["c2019", '=CONCAT("a","b")', "2019-05-01"])
    workbook.save(tmp_path / "b.xlsx")
    bundle = read_bundle(tmp_path / "b.xlsx")
    assert where(bundle) == {("cohort", 2, "name")}
    assert "formula" in bundle.errors[0].reason
    assert "name" not in bundle.tables["cohort"][0].cells


def test_read_csv_text_starting_with_equals_is_formula_error(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "cohort.csv").write_text("cohort_id,name,start_date\nc1,=1+1,2019-05-01\n")
    bundle = read_bundle(folder)
    assert where(bundle) == {("cohort", 2, "name")}
    assert bundle.errors[0].value == "=1+1"


def test_read_csv_undecodable_bytes_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "people.csv").write_bytes("email,name\na@x.org,Zoë\n".encode("cp1252"))
    bundle = read_bundle(folder)
    [error] = bundle.errors
    assert error.location.file == "people.csv"
    assert "UTF-8" in error.reason
    assert "people" not in bundle.tables


def test_read_unknown_column_and_table_warn_readme_is_silent(tmp_path: Path) -> None:
    workbook = Workbook()
    readme = workbook.active
    assert readme is not None
    readme.title = "README"
    readme.append(["anything at all"])
    cohort = workbook.create_sheet("cohort")
    cohort.append(["cohort_id", "name", "start_date", "colour"])
    cohort.append(["c1", "C", "2019-05-01", "blue"])
    workbook.create_sheet("budgets").append(["x"])
    workbook.save(tmp_path / "b.xlsx")
    bundle = read_bundle(tmp_path / "b.xlsx")
    assert bundle.errors == []
    assert sorted(str(w) for w in bundle.warnings) == [
        "budgets row 1: unknown table 'budgets', ignored",
        "cohort row 1, column colour: unknown column, ignored",
    ]
    assert dict(bundle.tables["cohort"][0].cells) == {
        "cohort_id": "c1",
        "name": "C",
        "start_date": "2019-05-01",
    }


def test_read_json_cohort_object_or_list_and_list_cells(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    document = {
        "Cohort": [{"cohort_id": "c1", "name": "C", "start_date": "2019-05-01"}],
        "people": [
            {
                "Email": "a@x.org",
                "name": " A ",
                "skills": ["data", " maps "],
                "consent_contact": True,
            },
            {},
        ],
    }
    path.write_text(json.dumps(document))
    bundle = read_bundle(path)
    assert bundle.errors == []
    [person] = bundle.tables["people"]
    assert dict(person.cells) == {
        "email": "a@x.org",
        "name": "A",
        "skills": "data; maps",
        "consent_contact": True,
    }


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be an object"),
        (b'{"people": {"email": "a@x.org"}}', "must be a list"),
        (b'{"people": [1]}', "must be an object"),
        (b"\xff\xfe{}", "not UTF-8"),
    ],
)
def test_read_json_malformed_is_error_not_traceback(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(content)
    bundle = read_bundle(path)
    assert len(bundle.errors) == 1
    assert reason in bundle.errors[0].reason
    assert bundle.errors[0].location.file == "b.json"


@pytest.mark.parametrize(
    ("name", "content"), [("b.xlsx", b"not a zip"), ("b.xls", b"old"), ("b.txt", b"")]
)
def test_read_unreadable_container_is_error(tmp_path: Path, name: str, content: bytes) -> None:
    (tmp_path / name).write_bytes(content)
    bundle = read_bundle(tmp_path / name)
    assert [e.location.file for e in bundle.errors] == [name]


def test_read_missing_path_is_error(tmp_path: Path) -> None:
    bundle = read_bundle(tmp_path / "nothing.xlsx")
    assert [e.reason for e in bundle.errors] == ["no such file or folder"]


def test_read_csv_folder_sha256_covers_names_and_bytes(
    tables: Tables, write: Callable[[Tables, str], Path]
) -> None:
    folder = write(tables, "b")
    first = read_bundle(folder).sha256
    assert read_bundle(folder).sha256 == first
    (folder / "members.csv").rename(folder / "Members.csv")
    assert read_bundle(folder).sha256 != first


def test_read_xlsx_excel_error_cell_is_error(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "cohort"
    sheet.append(["cohort_id", "name", "start_date"])
    sheet.append(["c1", "C", "2019-05-01"])
    sheet["C2"].value = "#N/A"
    sheet["C2"].data_type = "e"
    workbook.save(tmp_path / "b.xlsx")
    bundle = read_bundle(tmp_path / "b.xlsx")
    assert where(bundle) == {("cohort", 2, "start_date")}
    assert "Excel error" in bundle.errors[0].reason


def test_read_json_object_in_cell_is_error(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"people": [{"email": "a@x.org", "name": {"first": "A"}}]}))
    bundle = read_bundle(path)
    assert where(bundle) == {("people", 1, "name")}


def test_read_values_under_blank_header_warn_once(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "members.csv").write_text("email,,role\na@x.org,x,mentor\nb@x.org,y,mentor\n")
    bundle = read_bundle(folder)
    assert [str(w) for w in bundle.warnings] == [
        "members row 2: values in a column without a header, ignored"
    ]
    assert len(bundle.tables["members"]) == 2


def test_read_csv_line_past_the_limit_names_its_row(tmp_path: Path) -> None:
    """A 300,000-character name in the fifth person's row (row 6, the header row 1):
    the bundle is refused at that row, not at the header."""
    folder = tmp_path / "b"
    folder.mkdir()
    rows = [f"p{i}@x.org,Person {i}" for i in range(4)] + ["p4@x.org," + "N" * 300_000]
    (folder / "people.csv").write_text("email,name\n" + "\n".join(rows) + "\n")
    bundle = read_bundle(folder)
    [error] = bundle.errors
    assert (error.location.file, error.location.row) == ("people.csv", 6)
    assert "a line is longer than" in error.reason
