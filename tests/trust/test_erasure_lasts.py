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

from ..ingest.conftest import CONTAINERS, Tables, pid, sample_tables
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
        assert f"{name.title()} Example" not in text


def naming_them_in_free_text(tables: Tables) -> Tables:
    """The sample with free text naming Cat by name and Dan by name and by email (in
    three spellings of case): the issue's description, the project's outcomes, the
    handover's notes."""
    tables["wicked_issues"][0]["description"] = "Cat Example's survivors' panel; Dan Example chairs"
    tables["projects"][0]["outcomes"] = "Ask DAN@example.org for the pathway map"
    tables["handovers"][0]["notes"] = "Talk to Cat Example and the refuge network"
    return tables


TEXT_AFTER_ERASURE = {
    "description": "[erased]'s survivors' panel; [erased] chairs",
    "outcomes": "Ask [erased] for the pathway map",
    "notes": "Talk to [erased] and the refuge network",
}
"""Worked by hand: each mention of Cat or Dan, by name or email, as ``[erased]``."""

TEXT_CELLS = {
    ("wicked_issues", 2, "description"),
    ("projects", 2, "outcomes"),
    ("handovers", 2, "notes"),
}


def free_text(store: GraphStore) -> dict[str, str | None]:
    (issue,) = store.dump()["wicked_issue"]
    (project,) = store.dump()["project"]
    (handover,) = store.dump()["handover"]
    return {
        "description": issue["description"],
        "outcomes": project["outcomes"],
        "notes": handover["notes"],
    }


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


def test_reload_keeps_free_text_naming_erased_people_as_erasure_left_it(
    store: GraphStore, tmp_path: Path
) -> None:
    """Reloading an old bundle after an erasure writes their name back nowhere: the
    cells that named them are stored as ``[erased]``, each with a warning, and the
    reload changes nothing."""
    path = write_bundle(naming_them_in_free_text(sample_tables()), tmp_path / "2019.xlsx")
    loaded(load_bundle(path, store))
    erase(store)
    assert free_text(store) == TEXT_AFTER_ERASURE
    after_erasure = content(store)
    again = loaded(load_bundle(path, store))
    record("erasures_retried", 1)
    assert erasure_warnings(again) == NAMING_ROWS | TEXT_CELLS
    assert (again.total("created"), again.total("updated")) == (0, 0)
    assert content(store) == after_erasure
    names_nobody_erased(store)


def test_later_bundle_naming_an_erased_person_in_free_text_says_erased(
    store: GraphStore, tmp_path: Path
) -> None:
    """Cat's row in the later bundle gives her name; Dan, without a row in it, is
    recognised by his email alone (a later bundle naming him by name alone cannot be:
    the store keeps nothing that would recognise it)."""
    loaded(load_bundle(write_bundle(sample_tables(), tmp_path / "2019.xlsx"), store))
    erase(store)
    later = bundle_2021()
    later["projects"][0]["outcomes"] = "Cat Example and dan@example.org know the refuges"
    report = loaded(load_bundle(write_bundle(later, tmp_path / "2021.xlsx"), store))
    assert erasure_warnings(report) == {("people", 4, "email"), ("projects", 2, "outcomes")}
    (project,) = store.dump()["project"]
    assert project["outcomes"] == "[erased] and [erased] know the refuges"
    names_nobody_erased(store)


def test_backup_from_before_an_erasure_restores_free_text_as_erasure_left_it(
    store: GraphStore, tmp_path: Path
) -> None:
    """A backup taken before the erasure, imported over the store (``--replace``),
    brings back neither the people nor their names in free text or in the journal (a
    rollback restores the journal's before-images)."""
    tables = naming_them_in_free_text(sample_tables())
    loaded(load_bundle(write_bundle(tables, tmp_path / "2019.xlsx"), store))
    tables["handovers"][0]["notes"] = "Dan Example has the refuge contacts"
    loaded(load_bundle(write_bundle(tables, tmp_path / "2019-again.xlsx"), store))
    backup = tmp_path / "before.jsonl"
    export_store(store, backup)
    erase(store)

    import_store(store, backup, replace=True)
    record("erasures_retried", 1)
    assert free_text(store) == {**TEXT_AFTER_ERASURE, "notes": "[erased] has the refuge contacts"}
    names_nobody_erased(store)
    exported = tmp_path / "after.jsonl"
    export_store(store, exported)
    for name in ERASED:
        assert f"{name.title()} Example" not in exported.read_text(encoding="utf-8")
    (latest, *_) = sorted(store.runs(), key=lambda r: r.started_at, reverse=True)
    store.rollback(latest.id)  # the journal's before-image of the notes: scrubbed too
    assert free_text(store) == TEXT_AFTER_ERASURE
    names_nobody_erased(store)


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
