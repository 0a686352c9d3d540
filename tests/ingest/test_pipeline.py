"""Loading through the store: all or nothing, idempotent, stamped, undoable; on every store."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from graph.model import Cohort, Employment, Person, Project, Tie, TieKind
from graph.store import GraphStore
from ingest.pipeline import IngestReport, load_bundle

from .conftest import CONTAINERS, TOTAL_RECORDS, Tables, pid, survey_row

Write = Callable[[Tables, str], Path]


def without_runs(dump: dict[str, list[dict[str, object]]]) -> dict[str, list[dict[str, object]]]:
    """A dump without provenance: two loads of the same data by different runs compare equal."""
    return {
        k: [{f: v for f, v in r.items() if f != "run_id"} for r in rs] for k, rs in dump.items()
    }


def loaded(report: IngestReport) -> IngestReport:
    assert report.errors == [], [str(e) for e in report.errors]
    return report


def later_bundle() -> Tables:
    """A 2021 cohort bundle: cat moves to ECC; eve joins; a survey names ann from 2019."""
    return {
        "cohort": [{"cohort_id": "c2021", "name": "LGE 2021", "start_date": "2021-05-01"}],
        "people": [
            {
                "email": "cat@example.org",
                "name": "Cat Example",
                "organisation": "ECC",
                "employed_from": "2020-06-01",
            },
            {"email": "eve@example.org", "name": "Eve Example", "organisation": "Essex Police"},
        ],
        "members": [
            {"email": "cat@example.org", "role": "alumni_supporter"},
            {"email": "eve@example.org", "role": "participant"},
        ],
        "survey": [survey_row("eve", "ann", "advice", "baseline", "2021-05-20")],
    }


def test_load_each_container_gives_same_dump(
    store: GraphStore, tables: Tables, write: Write
) -> None:
    dumps = []
    for name in CONTAINERS:
        report = loaded(load_bundle(write(tables, name), store))
        assert report.total("created") == TOTAL_RECORDS
        dumps.append(without_runs(store.dump()))
        assert report.run_id is not None
        store.rollback(report.run_id)
    assert dumps[0] == dumps[1] == dumps[2]
    assert len(dumps[0]["tie"]) == 17


def test_load_bundle_twice_changes_nothing(store: GraphStore, tables: Tables, write: Write) -> None:
    path = write(tables, "bundle.xlsx")
    first = loaded(load_bundle(path, store))
    before = store.dump()
    second = loaded(load_bundle(path, store))
    assert (first.total("created"), first.total("updated")) == (TOTAL_RECORDS, 0)
    assert (second.total("created"), second.total("updated")) == (0, 0)
    assert second.total("unchanged") == TOTAL_RECORDS
    assert store.dump() == before
    assert [r.file_name for r in store.runs()] == ["bundle.xlsx", "bundle.xlsx"]


def test_load_bundle_with_errors_leaves_store_as_it_was(
    store: GraphStore, tables: Tables, write: Write
) -> None:
    loaded(load_bundle(write(tables, "first.json"), store))
    dump, counts = store.dump(), store.counts()
    bad = later_bundle()
    bad["people"][0]["organisation"] = "Essex Fire"
    bad["members"][1]["role"] = "observer"
    bad["survey"][0]["response_date"] = "20 May 2021"
    report = load_bundle(write(bad, "bad.xlsx"), store)
    assert not report.ok and report.run_id is None
    assert {(e.location.sheet, e.location.row, e.column) for e in report.errors} == {
        ("people", 2, "organisation"),
        ("members", 3, "role"),
        ("survey", 2, "response_date"),
    }
    assert store.dump() == dump
    assert store.counts() == counts


def test_load_dry_run_counts_and_writes_nothing(
    store: GraphStore, tables: Tables, write: Write
) -> None:
    before = store.counts()
    report = loaded(load_bundle(write(tables, "b.json"), store, dry_run=True))
    assert report.dry_run and report.run_id is None
    assert report.total("created") == TOTAL_RECORDS
    assert store.counts() == before


def test_rollback_latest_run_restores_previous_dump(
    store: GraphStore, tables: Tables, write: Write
) -> None:
    loaded(load_bundle(write(tables, "first.xlsx"), store))
    before = store.dump()
    second = loaded(load_bundle(write(later_bundle(), "later.xlsx"), store))
    assert store.dump() != before
    assert second.run_id is not None
    store.rollback(second.run_id)
    assert store.dump() == before
    assert [r.status for r in store.runs()] == ["applied", "rolled_back"]


def test_load_job_move_across_bundles_closes_old_employment(
    store: GraphStore, tables: Tables, write: Write
) -> None:
    loaded(load_bundle(write(tables, "first.xlsx"), store))
    loaded(load_bundle(write(later_bundle(), "later.xlsx"), store))
    spells = store.find(Employment, {"person_id": pid("cat")}).data
    assert {(e.organisation_id, e.start, e.end) for e in spells} == {
        ("essex-police", date(2018, 1, 15), date(2020, 5, 31)),
        ("essex-county-council", date(2020, 6, 1), None),
    }


def test_load_survey_contact_from_earlier_bundle_is_fine(
    store: GraphStore, tables: Tables, write: Write
) -> None:
    loaded(load_bundle(write(tables, "first.xlsx"), store))
    report = loaded(load_bundle(write(later_bundle(), "later.xlsx"), store))
    assert report.warnings == []
    [tie] = store.ties_of([pid("eve")], [TieKind.ADVICE])
    assert (tie.source_id, tie.target_id, tie.cohort_id, tie.start) == (
        pid("eve"),
        pid("ann"),
        "c2021",
        date(2021, 5, 20),
    )


def test_load_survey_only_bundle_of_known_people(
    store: GraphStore, tables: Tables, write: Write
) -> None:
    loaded(load_bundle(write(tables, "first.xlsx"), store))
    wave: Tables = {
        "cohort": tables["cohort"],
        "survey": [survey_row("bob", "ann", "collaboration", "follow_up", "2021-04-01")],
    }
    report = loaded(load_bundle(write(wave, "follow-up"), store))
    assert report.counts["tie"]["created"] == 1
    assert report.total("created") == 1
    # The cohort row, restated as of the wave's date (2021-04-01), is its only update:
    # its facts are now known true on that later day (graph.facts).
    assert {k: c["updated"] for k, c in report.counts.items() if c["updated"]} == {"cohort": 1}
    assert store.get(Cohort, "c2019").stated_on == dict.fromkeys(
        ("end_date", "name", "start_date"), "2021-04-01"
    )


def test_load_later_bundle_empty_cells_keep_stored_values(
    store: GraphStore, tables: Tables, write: Write
) -> None:
    loaded(load_bundle(write(tables, "first.xlsx"), store))
    loaded(load_bundle(write(later_bundle(), "later.xlsx"), store))
    ann = store.get(Person, pid("ann"))
    assert (ann.consent_directory, ann.consent_contact) == (True, True)
    cat = store.get(Person, pid("cat"))
    assert cat.consent_analytics is False  # not given again: the stored "no" stands


def test_load_second_bundle_of_same_cohort_ties_new_member_to_stored_ones(
    store: GraphStore, tables: Tables, write: Write
) -> None:
    loaded(load_bundle(write(tables, "first.xlsx"), store))
    more: Tables = {
        "cohort": tables["cohort"],
        "people": [{"email": "fay@example.org", "name": "Fay Example", "organisation": "ECC"}],
        "members": [{"email": "fay@example.org", "role": "facilitator"}],
    }
    report = loaded(load_bundle(write(more, "more.json"), store))
    assert report.counts["tie"] == {"created": 4, "updated": 0, "unchanged": 6, "deleted": 0}
    peers = store.ties_of([pid("fay")], [TieKind.COHORT_PEER])
    assert len(peers) == 4


def test_load_records_run_with_sha_counts_and_warnings_without_people(
    store: GraphStore, tables: Tables, write: Write
) -> None:
    path = write(tables, "bundle.xlsx")
    report = loaded(load_bundle(path, store))
    [run] = store.runs()
    assert run.id == report.run_id
    assert run.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert run.counts["tie"]["created"] == 17
    assert run.warnings == (
        "survey row 6, column contact_email: contact not in the graph, row skipped",
    )
    assert "example.org" not in " ".join(run.warnings)


def test_report_to_json_lists_errors_with_place_and_suggestions(
    store: GraphStore, tables: Tables, write: Write
) -> None:
    tables["people"][0]["organisation"] = "Essex Polic"
    report = load_bundle(write(tables, "bundle.xlsx"), store)
    document = json.loads(report.to_json())
    assert document["ok"] is False
    [error] = document["errors"]
    assert {k: error[k] for k in ("file", "sheet", "row", "column", "value")} == {
        "file": "bundle.xlsx",
        "sheet": "people",
        "row": 2,
        "column": "organisation",
        "value": "Essex Polic",
    }
    assert error["suggestions"][0] == "Essex Police"


def test_load_unreadable_file_reports_error(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "b.xlsx"
    path.write_bytes(b"no zip here")
    report = load_bundle(path, store)
    assert [e.location.file for e in report.errors] == ["b.xlsx"]
    assert store.runs() == []


def test_load_progress_reports_every_step(store: GraphStore, tables: Tables, write: Write) -> None:
    seen: list[tuple[str, int, int]] = []
    loaded(load_bundle(write(tables, "b.json"), store, progress=lambda *a: seen.append(a)))
    assert seen == [("reading", 0, 3), ("checking", 1, 3), ("writing", 2, 3), ("done", 3, 3)]


@pytest.mark.parametrize("container", CONTAINERS)
def test_load_cohort_peer_ties_are_undirected(
    store: GraphStore, tables: Tables, write: Write, container: str
) -> None:
    loaded(load_bundle(write(tables, container), store))
    ties = [Tie.model_validate(t) for t in store.dump()["tie"]]
    undirected = [t for t in ties if t.tie_kind in {TieKind.COHORT_PEER, TieKind.PROJECT}]
    assert len(undirected) == 12
    assert all(t.source_id < t.target_id for t in undirected)


def test_load_later_bundle_restating_project_keeps_its_cohort(
    store: GraphStore, tables: Tables, write: Write
) -> None:
    loaded(load_bundle(write(tables, "first.xlsx"), store))
    later = later_bundle()
    later["projects"] = [
        {
            "project_id": "pr-da",
            "title": "Domestic abuse pathways",
            "start_date": "2019-06-01",
            "status": "handed_over",
        }
    ]
    report = loaded(load_bundle(write(later, "later.xlsx"), store))
    assert report.counts["project"]["updated"] == 1
    project = store.get(Project, "pr-da")
    assert (project.cohort_id, project.status.value, project.sponsor_id) == (
        "c2019",
        "handed_over",
        pid("dan"),
    )
