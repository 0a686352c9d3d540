"""Writing bundles: what is written is read back by plain openpyxl, csv and json as meant.

The files are read here with the standard readers, not ``ingest.read``, so a
bug shared by the writer and the bundle reader cannot hide itself.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from graph.errors import Invalid
from ingest.spec import TABLES
from ingest.write import write_bundle

Tables = dict[str, list[dict[str, object]]]


def _tables() -> Tables:
    return {
        "cohort": [
            {
                "cohort_id": "lge-2019",
                "name": "Leading Greater Essex 2019",
                "start_date": date(2019, 6, 4),
            }
        ],
        "people": [
            {
                "email": "sian.evans@ecc.example.org",
                "name": "Siân Evans",
                "organisation": "ECC",
                "employed_from": date(2014, 3, 1),
                "interests": ("rural communities", "ageing well"),
                "consent_directory": True,
                "consent_contact": False,
            },
            {"email": "tomasz.nowak@ecfrs.example.org", "name": "Tomasz Nowak", "skills": []},
        ],
        "survey": [],
    }


EXPECTED: dict[str, list[list[str]]] = {
    "cohort": [["lge-2019", "Leading Greater Essex 2019", "2019-06-04", "", ""]],
    "people": [
        [
            "sian.evans@ecc.example.org",
            "Siân Evans",
            "ECC",
            "",
            "2014-03-01",
            "rural communities; ageing well",
            "",
            "",
            "yes",
            "no",
            "",
        ],
        ["tomasz.nowak@ecfrs.example.org", "Tomasz Nowak", *[""] * 9],
    ],
    "survey": [],
}
"""The same tables as text, in the spec's column order; empty cells as ``""``."""


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def _read_xlsx(path: Path) -> dict[str, list[list[str]]]:
    workbook = load_workbook(path)
    sheets = {}
    for sheet in workbook.worksheets:
        rows = [[_as_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        assert rows[0] == list(TABLES[sheet.title].column_names)
        sheets[sheet.title] = rows[1:]
    return sheets


def _read_csv(folder: Path) -> dict[str, list[list[str]]]:
    tables = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == list(TABLES[path.stem].column_names)
        tables[path.stem] = rows[1:]
    return tables


def _read_json(path: Path) -> dict[str, list[list[str]]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    tables = {}
    for name, items in document.items():
        objects = [items] if name == "cohort" else items
        for item in objects:
            assert list(item) == list(TABLES[name].column_names)
        tables[name] = [[_as_text(v) for v in item.values()] for item in objects]
    return tables


def test_write_xlsx_round_trips_cell_values(tmp_path: Path) -> None:
    path = write_bundle(_tables(), tmp_path / "b.xlsx")
    assert _read_xlsx(path) == EXPECTED


def test_write_xlsx_stores_dates_as_date_cells(tmp_path: Path) -> None:
    path = write_bundle(_tables(), tmp_path / "b.xlsx")
    cell = load_workbook(path)["people"]["E2"]
    assert cell.is_date
    assert cell.value == datetime(2014, 3, 1)


def test_write_csv_round_trips_cell_values(tmp_path: Path) -> None:
    folder = write_bundle(_tables(), tmp_path / "bundle")
    assert _read_csv(folder) == EXPECTED


def test_write_json_round_trips_cell_values(tmp_path: Path) -> None:
    path = write_bundle(_tables(), tmp_path / "b.json")
    assert _read_json(path) == EXPECTED
    document = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(document["cohort"], dict)
    assert document["people"][1]["skills"] is None


def test_write_tables_in_spec_order_whatever_the_input_order(tmp_path: Path) -> None:
    tables = dict(reversed(list(_tables().items())))
    path = write_bundle(tables, tmp_path / "b.xlsx")
    assert load_workbook(path).sheetnames == ["cohort", "people", "survey"]


@pytest.mark.parametrize("name", ["b.xlsx", "b.json", "bundle"])
def test_write_bundle_twice_gives_identical_bytes(tmp_path: Path, name: str) -> None:
    def snapshot(path: Path) -> dict[str, bytes]:
        files = sorted(path.iterdir()) if path.is_dir() else [path]
        return {f.name: f.read_bytes() for f in files}

    first = snapshot(write_bundle(_tables(), tmp_path / "one" / name))
    second = snapshot(write_bundle(_tables(), tmp_path / "two" / name))
    assert first == second


RISKY = ["+44 1245 000000", "-20% falls after discharge", "@ECFRS on social media"]


def _risky_tables(text: str) -> Tables:
    cohort = {"cohort_id": "lge-2019", "name": "LGE 2019", "start_date": date(2019, 6, 4)}
    project = {"project_id": "p1", "title": "Falls", "start_date": date(2019, 7, 1)}
    return {"cohort": [cohort], "projects": [project | {"outcomes": text}]}


@pytest.mark.parametrize("text", RISKY)
def test_write_xlsx_keeps_formula_like_text_as_quoted_text(tmp_path: Path, text: str) -> None:
    path = write_bundle(_risky_tables(text), tmp_path / "b.xlsx")
    cell = load_workbook(path)["projects"]["H2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


@pytest.mark.parametrize("text", RISKY)
def test_write_json_keeps_formula_like_text_verbatim(tmp_path: Path, text: str) -> None:
    path = write_bundle(_risky_tables(text), tmp_path / "b.json")
    assert json.loads(path.read_text(encoding="utf-8"))["projects"][0]["outcomes"] == text


@pytest.mark.parametrize("text", [*RISKY, "\tindented", "\rreturn"])
def test_write_csv_refuses_formula_like_text(tmp_path: Path, text: str) -> None:
    with pytest.raises(Invalid) as caught:
        write_bundle(_risky_tables(text), tmp_path / "bundle")
    (problem,) = caught.value.problems
    assert (problem.record, problem.field, problem.value) == ("projects row 1", "outcomes", text)
    assert "formula" in problem.reason
    assert not (tmp_path / "bundle").exists()


@pytest.mark.parametrize("name", ["b.xlsx", "b.json", "bundle"])
def test_write_any_container_refuses_text_starting_with_equals(tmp_path: Path, name: str) -> None:
    with pytest.raises(Invalid) as caught:
        write_bundle(_risky_tables('=HYPERLINK("http://x.example","go")'), tmp_path / name)
    assert [p.field for p in caught.value.problems] == ["outcomes"]
    assert not (tmp_path / name).exists()


def test_write_bundle_refuses_unknown_tables_columns_and_values_all_at_once(
    tmp_path: Path,
) -> None:
    tables: Tables = {
        "cohort": [{"cohort_id": "c", "name": "C", "start_date": datetime(2019, 6, 4, 9, 30)}],
        "peoples": [],
        "members": [{"email": "a@example.org", "role": "participant", "shoe_size": 9}],
        "people": [{"email": "a@example.org", "interests": ("a;b",), "name": object()}],
    }
    with pytest.raises(Invalid) as caught:
        write_bundle(tables, tmp_path / "b.json")
    assert {(p.record, p.field) for p in caught.value.problems} == {
        ("peoples", "table"),
        ("cohort row 1", "start_date"),
        ("members row 1", "shoe_size"),
        ("people row 1", "interests"),
        ("people row 1", "name"),
    }
    assert not (tmp_path / "b.json").exists()


@pytest.mark.parametrize("rows", [0, 2])
def test_write_bundle_refuses_cohort_without_exactly_one_row(tmp_path: Path, rows: int) -> None:
    cohort = {"cohort_id": "c", "name": "C", "start_date": date(2019, 6, 4)}
    with pytest.raises(Invalid, match="exactly one row"):
        write_bundle({"cohort": [cohort] * rows}, tmp_path / "b.json")


def test_write_csv_removes_stale_table_files_only(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    write_bundle(_tables(), folder)
    (folder / "notes.txt").write_text("kept", encoding="utf-8")
    write_bundle({"cohort": _tables()["cohort"]}, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["cohort.csv", "notes.txt"]


def test_write_csv_refuses_a_file_in_the_folders_place(tmp_path: Path) -> None:
    (tmp_path / "bundle").write_text("not a folder", encoding="utf-8")
    with pytest.raises(Invalid, match="in the way"):
        write_bundle(_tables(), tmp_path / "bundle")
