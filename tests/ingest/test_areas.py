"""A bundle's ``areas`` sheet (``spec/cohort-bundle.md``) as graph records, on every store:
loaded, loaded again without change, restated in part, rolled back exactly, refused whole
when a row is bad (each error naming file, sheet, row and column), left alone by an
erasure, and carried by a backup."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook

from graph.backup import export_store, import_store
from graph.model import Area, Person
from graph.store import GraphStore, Page
from ingest.pipeline import load_bundle
from ingest.template import write_template

COHORT_ROW = {
    "cohort_id": "lge-2019",
    "name": "Leading Greater Essex 2019",
    "start_date": "2019-06-04",
}
PEOPLE = [
    {"email": "ann.example@example.org", "name": "Ann Example", "organisation": "Tendring DC"}
]
ORGANISATIONS = [{"name": "Tendring DC", "sector": "local_government", "area": "Tendring"}]
ROWS = [
    {"area": "Tendring", "kind": "rural", "deprivation_decile": 1},
    {"area": "Chelmsford", "kind": "urban", "deprivation_decile": "8"},
    {"area": "Maldon"},  # known by name only
]


def write(folder: Path, rows: list[dict[str, object]], name: str = "areas") -> Path:
    path = folder / f"{name}.json"
    tables = {
        "cohort": [COHORT_ROW],
        "organisations": ORGANISATIONS,
        "people": PEOPLE,
        "members": [{"email": PEOPLE[0]["email"], "role": "participant"}],
        "areas": rows,
    }
    path.write_text(json.dumps(tables), encoding="utf-8")
    return path


def held(store: GraphStore) -> dict[str, tuple[str | None, int | None]]:
    return {
        a.id: (a.urban_rural.value if a.urban_rural else None, a.deprivation_decile)
        for a in store.find(Area, None, Page(limit=100)).data
    }


EXPECTED = {"Tendring": ("rural", 1), "Chelmsford": ("urban", 8), "Maldon": (None, None)}


def test_areas_load_reload_unchanged_and_roll_back(store: GraphStore, tmp_path: Path) -> None:
    before = store.dump()
    path = write(tmp_path, ROWS)
    first = load_bundle(path, store)
    assert first.ok, [str(e) for e in first.errors]
    assert first.counts["area"]["created"] == 3
    assert held(store) == EXPECTED
    again = load_bundle(path, store)
    assert again.counts["area"] == {"created": 0, "updated": 0, "unchanged": 3, "deleted": 0}
    assert first.run_id is not None and again.run_id is not None
    store.rollback(again.run_id)
    store.rollback(first.run_id)
    assert held(store) == {}
    assert store.dump() == before


def test_a_later_area_row_replaces_what_it_gives_and_keeps_the_rest(
    store: GraphStore, tmp_path: Path
) -> None:
    load_bundle(write(tmp_path, ROWS), store)
    later = load_bundle(
        write(
            tmp_path,
            [{"area": "Tendring", "deprivation_decile": 2}, {"area": "Maldon", "kind": "rural"}],
            "later",
        ),
        store,
    )
    assert later.ok, [str(e) for e in later.errors]
    assert later.counts["area"]["updated"] == 2
    assert held(store) == {**EXPECTED, "Tendring": ("rural", 2), "Maldon": ("rural", None)}
    assert later.run_id is not None
    store.rollback(later.run_id)
    assert held(store) == EXPECTED


def test_bad_area_rows_are_refused_each_named_and_nothing_is_written(
    store: GraphStore, tmp_path: Path
) -> None:
    before = store.dump()
    bad = [
        {"area": "Tendring", "kind": "rural", "deprivation_decile": 1},  # good on its own
        {"area": "Basildon", "deprivation_decile": 0},
        {"area": "Harlow", "deprivation_decile": 11},
        {"area": "Thurrock", "deprivation_decile": "two"},
        {"area": "Rochford", "kind": "suburban"},
        {"area": "tendring", "kind": "mixed"},  # the same area again, other case
        {"kind": "urban"},
    ]
    report = load_bundle(write(tmp_path, bad), store)
    found = {(e.location.row, e.column, e.value) for e in report.errors}
    assert found == {
        (2, "deprivation_decile", "0"),
        (3, "deprivation_decile", "11"),
        (4, "deprivation_decile", "two"),
        (5, "kind", "suburban"),
        (6, "area", "tendring"),
        (7, "area", None),
    }
    assert all(e.location.file == "areas.json" for e in report.errors)
    assert all(e.location.sheet == "areas" for e in report.errors)
    assert all(e.reason for e in report.errors)
    assert store.dump() == before


def test_erasure_leaves_the_areas_and_a_backup_carries_them(
    store: GraphStore, tmp_path: Path
) -> None:
    report = load_bundle(write(tmp_path, ROWS), store)
    ann = store.person_by_email("ann.example@example.org")
    store.erase_person(ann.id, actor="test")
    assert ann.id not in store.get_many(Person, [ann.id])
    assert held(store) == EXPECTED
    path = tmp_path / "backup.jsonl"
    export_store(store, path)
    assert report.run_id is not None
    store.rollback(report.run_id)
    assert held(store) == {}
    counts = import_store(store, path, replace=True)
    assert counts["area"] == 3
    assert held(store) == EXPECTED


def test_the_template_has_an_areas_sheet_whose_example_loads(
    store: GraphStore, tmp_path: Path
) -> None:
    path = write_template(tmp_path / "template.xlsx")
    rows = list(load_workbook(path, read_only=True)["areas"].iter_rows(values_only=True))
    assert rows[0] == ("area", "kind", "deprivation_decile")
    report = load_bundle(path, store)
    assert report.ok, [str(e) for e in report.errors]
    assert held(store) == {"Tendring": ("mixed", 2)}
