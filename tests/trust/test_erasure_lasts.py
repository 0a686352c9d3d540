"""Erasure lasts: a bundle or a backup naming an erased person brings nothing of them back.

The sample bundle (tests/ingest/conftest.py) names Cat (a participant) and Dan
(the sponsor of pr-da and Ann's mentor). Erase both, then load the bundle
again. Worked out from its rows (header = row 1 in a workbook and a CSV file,
items from 1 in JSON), the rows that name them are:

- people: Cat row 4, Dan row 5; members: Cat row 4, Dan row 5;
- projects row 2 (sponsor Dan): kept, without a sponsor, as erasure left it;
- project_members row 4 (Cat); mentoring row 2 (Dan mentors Ann);
- survey row 3 (Bob names Cat), row 4 (Ann names Cat), row 5 (Cat names Dan).

Each is a warning with its file, sheet and row; nothing else changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.backup import export_store, import_store
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from ingest.pipeline import IngestReport, load_bundle
from ingest.read import read_bundle
from ingest.validate import validate_bundle
from ingest.write import write_bundle

from ..ingest.conftest import CONTAINERS, pid, sample_tables
from .figures import record
from .test_load_order import bundle_2021, content

ERASED = ("cat", "dan")

NAMING_ROWS = {
    ("people", 4, "email"),
    ("people", 5, "email"),
    ("members", 4, "email"),
    ("members", 5, "email"),
    ("projects", 2, "sponsor_email"),
    ("project_members", 4, "email"),
    ("mentoring", 2, "mentor_email"),
    ("survey", 3, "contact_email"),
    ("survey", 4, "contact_email"),
    ("survey", 5, "respondent_email"),
}


def loaded(report: IngestReport) -> IngestReport:
    assert report.errors == [], [str(e) for e in report.errors]
    return report


def erasure_warnings(report: IngestReport) -> set[tuple[str | None, int | None, str | None]]:
    """Where the report says a row named an erased person (file checked too)."""
    found = set()
    for w in report.warnings:
        if "erased person" in w.reason:
            # the file: the workbook or JSON file, or the table's file of a CSV folder
            assert w.location.file in {report.file_name, f"{w.location.sheet}.csv"}
            assert w.value is None  # a warning never repeats the email
            found.add((w.location.sheet, w.location.row, w.column))
    return found


def names_nobody_erased(store: GraphStore) -> None:
    text = json.dumps(store.dump())
    for name in ERASED:
        assert pid(name) not in text
        assert f"{name}@example.org" not in text


def erase(store: GraphStore) -> None:
    for name in ERASED:
        store.erase_person(pid(name), actor="test-admin")


@pytest.mark.parametrize("container", CONTAINERS)
def test_reload_bundle_naming_erased_people_warns_per_row_and_stores_nothing_of_them(
    store: GraphStore, tmp_path: Path, container: str
) -> None:
    path = write_bundle(sample_tables(), tmp_path / container)
    loaded(load_bundle(path, store))
    erase(store)
    after_erasure = content(store)
    again = loaded(load_bundle(path, store))
    record("erasures_retried", 1)
    offset = -1 if container.endswith(".json") else 0  # JSON numbers items from 1
    assert erasure_warnings(again) == {(t, r + offset, c) for t, r, c in NAMING_ROWS}
    assert (again.total("created"), again.total("updated")) == (0, 0)
    assert content(store) == after_erasure
    names_nobody_erased(store)
    assert {e.person_id for e in store.erasures()} == {pid(n) for n in ERASED}


def test_later_bundle_naming_an_erased_person_does_not_bring_them_back(
    store: GraphStore, tmp_path: Path
) -> None:
    loaded(load_bundle(write_bundle(sample_tables(), tmp_path / "2019.xlsx"), store))
    erase(store)
    report = loaded(load_bundle(write_bundle(bundle_2021(), tmp_path / "2021.xlsx"), store))
    record("erasures_retried", 1)
    assert erasure_warnings(report) == {("people", 4, "email")}  # Cat, moved to ECC
    names_nobody_erased(store)


def test_import_of_a_backup_holding_an_erased_person_keeps_them_erased(
    store: GraphStore, tmp_path: Path
) -> None:
    """A backup written while an erased person had been brought back (by a re-load on
    the old service, replayed here through the store) restores them erased."""
    source = SqliteStore(f"sqlite:///{tmp_path / 'old.db'}")
    path = write_bundle(sample_tables(), tmp_path / "2019.xlsx")
    loaded(load_bundle(path, source))
    stale = validate_bundle(read_bundle(path), source).batch  # checked before the erasure
    erase(source)
    source.apply(stale)  # what the old service let a re-load do
    assert pid("cat") in json.dumps(source.dump())
    backup = tmp_path / "old.jsonl"
    export_store(source, backup)
    source.close()

    import_store(store, backup)
    record("erasures_retried", 1)
    names_nobody_erased(store)
    assert {e.person_id for e in store.erasures()} == {pid(n) for n in ERASED}
    again = loaded(load_bundle(path, store))  # the list came with the backup
    record("erasures_retried", 1)
    assert erasure_warnings(again) == NAMING_ROWS
    names_nobody_erased(store)
