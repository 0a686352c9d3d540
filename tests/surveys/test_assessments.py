"""A bundle's ``assessments`` sheet as graph records (``spec/surveys.md``), on every store:
loaded, loaded again without change, rolled back exactly, refused whole when a row is bad,
erased with the person rated, and carried by a backup."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from openpyxl import load_workbook

from graph import measure
from graph.backup import export_store, import_store
from graph.model import KeyRole, Rater, Wave, person_id_for
from graph.settings import get_settings
from graph.store import GraphStore
from graph.surveys import Indicator
from ingest.pipeline import load_bundle
from ingest.template import write_template
from services import surveys
from services.consent import Viewer
from services.outcomes import NO_ASSESSMENTS, outcomes
from services.report import cohort_report
from tests.surveys.programme import COHORT, load_programme, member_email

TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="test-team")
COHORT_ROW = {"cohort_id": COHORT, "name": "Survey cohort", "start_date": "2026-01-12"}


def pid(i: int) -> str:
    return person_id_for(member_email(i), get_settings().id_salt.get_secret_value())


def rating(i: int, wave: str, indicator: str, rater: str, score: object) -> dict[str, object]:
    return {
        "email": member_email(i),
        "wave": wave,
        "indicator": indicator,
        "rater": rater,
        "score": score,
        "response_date": "2026-02-01" if wave == "baseline" else "2026-09-01",
    }


ROWS = [
    rating(0, "baseline", "trust", "self", 2),
    rating(0, "baseline", "trust", "peer", 3),
    rating(0, "baseline", "trust", "peer", 4),  # a second peer: averaged with the first
    rating(1, "baseline", "trust", "self", "5"),
    rating(1, "end", "systems", "manager", 1),
]


def write(folder: Path, rows: list[dict[str, object]], name: str = "ratings") -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"cohort": [COHORT_ROW], "assessments": rows}), encoding="utf-8")
    return path


def expected() -> dict[str, tuple[float, int]]:
    b, e = "baseline", "end"
    return {
        f"{COHORT}|{b}|{pid(0)}|trust|self": (2.0, 1),
        f"{COHORT}|{b}|{pid(0)}|trust|peer": (3.5, 2),
        f"{COHORT}|{b}|{pid(1)}|trust|self": (5.0, 1),
        f"{COHORT}|{e}|{pid(1)}|systems|manager": (1.0, 1),
    }


def held(store: GraphStore) -> dict[str, tuple[float, int]]:
    return {a.key: (a.score, a.ratings) for a in store.assessments(COHORT)}


def test_a_bundle_with_assessments_loads_reloads_unchanged_and_rolls_back(
    store: GraphStore, tmp_path: Path
) -> None:
    load_programme(store, tmp_path, size=4)
    before = store.dump()
    path = write(tmp_path, ROWS)
    first = load_bundle(path, store)
    assert first.ok, [str(e) for e in first.errors]
    assert first.counts["assessment"]["created"] == 4
    assert held(store) == expected()
    peer = store.assessments(COHORT, wave=Wave.BASELINE, person_id=pid(0))
    assert [(a.rater, a.response_date) for a in peer] == [
        (Rater.PEER, date(2026, 2, 1)),
        (Rater.SELF, date(2026, 2, 1)),
    ]
    assert all(a.run_id == first.run_id for a in store.assessments(COHORT))
    assert store.assessments(COHORT, wave=Wave.FOLLOW_UP) == []
    again = load_bundle(path, store)
    assert (again.total("created"), again.total("updated")) == (0, 0)
    assert first.run_id is not None and again.run_id is not None
    store.rollback(again.run_id)
    store.rollback(first.run_id)
    assert store.assessments(COHORT) == []
    assert store.dump() == before


def test_a_later_bundle_replaces_a_rating_and_rollback_restores_it(
    store: GraphStore, tmp_path: Path
) -> None:
    load_programme(store, tmp_path, size=4)
    load_bundle(write(tmp_path, ROWS), store)
    changed = [rating(0, "baseline", "trust", "self", 4)]
    report = load_bundle(write(tmp_path, changed, "changed"), store)
    assert report.counts["assessment"] == {
        "created": 0, "updated": 1, "unchanged": 0, "deleted": 0
    }  # fmt: skip
    assert held(store)[f"{COHORT}|baseline|{pid(0)}|trust|self"] == (4.0, 1)
    assert report.run_id is not None
    store.rollback(report.run_id)
    assert held(store) == expected()


def test_bad_rows_are_refused_each_named_and_nothing_is_written(
    store: GraphStore, tmp_path: Path
) -> None:
    load_programme(store, tmp_path, size=4)
    before = store.dump()
    bad = [
        rating(0, "baseline", "trust", "self", 3),  # good on its own
        rating(1, "baseline", "trust", "self", 0),
        rating(1, "end", "trust", "self", 6),
        rating(2, "baseline", "trust", "coach", 3),
        {**rating(2, "end", "trust", "self", 3), "email": "nobody@example.org"},
        rating(3, "baseline", "Trust Building", "self", 3),
        rating(0, "baseline", "trust", "self", 4),  # self twice
        rating(3, "end", "trust", "peer", "four"),
    ]
    report = load_bundle(write(tmp_path, bad), store)
    found = {(e.location.row, e.column, e.value) for e in report.errors}
    assert found == {
        (2, "score", "0"),
        (3, "score", "6"),
        (4, "rater", "coach"),
        (5, "email", "nobody@example.org"),
        (6, "indicator", "Trust Building"),
        (7, "email", None),
        (8, "score", "four"),
    }
    assert all(e.location.file == "ratings.json" for e in report.errors)
    assert all(e.location.sheet == "assessments" for e in report.errors)
    assert all(e.reason for e in report.errors)
    assert store.dump() == before


def test_an_indicator_the_wave_was_not_opened_with_is_refused(
    store: GraphStore, tmp_path: Path
) -> None:
    load_programme(store, tmp_path, size=4)
    closes = date.today() + timedelta(days=5)
    trust = [Indicator(id="trust", wording="Builds trust")]
    surveys.open_wave(store, TEAM, COHORT, Wave.BASELINE, closes, trust)
    rows = [rating(0, "baseline", "trust", "self", 3), rating(0, "baseline", "systems", "self", 3)]
    report = load_bundle(write(tmp_path, rows), store)
    assert [(e.location.row, e.column, e.value) for e in report.errors] == [
        (2, "indicator", "systems")
    ]
    assert "not an indicator of the baseline wave" in report.errors[0].reason
    assert store.assessments(COHORT) == []


def test_erasure_takes_the_persons_assessments(store: GraphStore, tmp_path: Path) -> None:
    load_programme(store, tmp_path, size=4)
    load_bundle(write(tmp_path, ROWS), store)
    store.erase_person(pid(0), actor="test")
    assert set(held(store)) == {
        f"{COHORT}|baseline|{pid(1)}|trust|self",
        f"{COHORT}|end|{pid(1)}|systems|manager",
    }
    assert all(pid(0) not in e.people for e in store.export_records().journal)


def test_a_backup_carries_the_assessments(store: GraphStore, tmp_path: Path) -> None:
    load_programme(store, tmp_path, size=4)
    report = load_bundle(write(tmp_path, ROWS), store)
    stored = store.assessments(COHORT)
    path = tmp_path / "backup.jsonl"
    export_store(store, path)
    assert report.run_id is not None
    store.rollback(report.run_id)
    assert store.assessments(COHORT) == []
    counts = import_store(store, path, replace=True)
    assert counts["assessment"] == 4
    assert held(store) == expected()
    assert store.assessments(COHORT) == stored
    assert store.runs()[-1].id == report.run_id  # and the run can still be undone
    store.rollback(report.run_id)
    assert store.assessments(COHORT) == []


def test_a_backup_without_assessments_keeps_the_header_older_files_have(
    store: GraphStore, tmp_path: Path
) -> None:
    """A store holding no assessment writes the header version 1 always had (no count of
    them), and a file whose header does count them, as zero, still reads."""
    load_programme(store, tmp_path, size=4)
    path = tmp_path / "backup.jsonl"
    export_store(store, path)
    lines = path.read_text(encoding="utf-8").split("\n")
    header = json.loads(lines[0])
    assert "assessment" not in header["counts"]
    header["counts"]["assessment"] = 0
    lines[0] = json.dumps(header)
    stated = tmp_path / "stated.jsonl"
    stated.write_text("\n".join(lines), encoding="utf-8")
    before = store.dump()
    import_store(store, stated, replace=True)
    assert store.dump() == before


# -- individual development, from the graph ------------------------------------------------

DEVELOPMENT_ROWS = [
    rating(0, "baseline", "trust", "self", 2),
    rating(0, "end", "trust", "self", 4),
    rating(0, "baseline", "trust", "peer", 3),
    rating(0, "baseline", "trust", "peer", 4),
    rating(0, "end", "trust", "peer", 5),
    rating(1, "baseline", "trust", "self", 3),
    rating(1, "end", "trust", "self", 3),
    rating(1, "follow_up", "trust", "self", 5),
    rating(1, "end", "systems", "manager", 2),
    rating(1, "follow_up", "systems", "manager", 4),
    rating(2, "baseline", "trust", "self", 1),
    rating(2, "end", "trust", "peer", 2),
    rating(3, "baseline", "trust", "self", 1),  # no analytics consent: left out
    rating(3, "end", "trust", "self", 5),
]

# By hand, m03 left out:
# systems/manager: end {m01: 2}, follow-up {m01: 4}: end -> follow-up, 1 person, 2 -> 4
# trust/peer: baseline {m00: (3 + 4) / 2}, end {m00: 5, m02: 2}: baseline -> end over
#   m00 only, 3.5 -> 5
# trust/self: baseline {m00: 2, m01: 3, m02: 1}, end {m00: 4, m01: 3}, follow-up {m01: 5}:
#   baseline -> end over m00, m01: 2.5 -> 3.5; end -> follow-up and baseline -> follow-up
#   over m01: 3 -> 5
DEVELOPMENT = [
    {"indicator": "systems", "rater": "manager", "from_wave": "end", "to_wave": "follow_up",
     "people": 1, "mean_from": 2.0, "mean_to": 4.0, "change": 2.0},
    {"indicator": "trust", "rater": "peer", "from_wave": "baseline", "to_wave": "end",
     "people": 1, "mean_from": 3.5, "mean_to": 5.0, "change": 1.5},
    {"indicator": "trust", "rater": "self", "from_wave": "baseline", "to_wave": "end",
     "people": 2, "mean_from": 2.5, "mean_to": 3.5, "change": 1.0},
    {"indicator": "trust", "rater": "self", "from_wave": "end", "to_wave": "follow_up",
     "people": 1, "mean_from": 3.0, "mean_to": 5.0, "change": 2.0},
    {"indicator": "trust", "rater": "self", "from_wave": "baseline", "to_wave": "follow_up",
     "people": 1, "mean_from": 3.0, "mean_to": 5.0, "change": 2.0},
]  # fmt: skip


def _load_development(store: GraphStore, folder: Path) -> None:
    load_programme(store, folder, size=4)
    withdrawn = {
        "email": member_email(3),
        "name": "Member 03",
        "organisation": "ECC",
        "consent_analytics": "no",
    }
    path = folder / "development.json"
    bundle = {
        "cohort": [{**COHORT_ROW, "as_of": "2026-10-01"}],
        "people": [withdrawn],
        "assessments": DEVELOPMENT_ROWS,
    }
    path.write_text(json.dumps(bundle), encoding="utf-8")
    report = load_bundle(path, store)
    assert report.ok, [str(e) for e in report.errors]


def test_development_from_the_graph_matches_the_hand_count(
    store: GraphStore, tmp_path: Path
) -> None:
    _load_development(store, tmp_path)
    found = measure.cohort_development(store, COHORT)
    assert [d.model_dump(mode="json") for d in found] == DEVELOPMENT
    served = surveys.cohort_development(store, TEAM, COHORT)
    assert [d.model_dump(mode="json") for d in served] == DEVELOPMENT


def test_the_programme_outcomes_and_the_report_show_the_development(
    store: GraphStore, tmp_path: Path
) -> None:
    _load_development(store, tmp_path)
    found = {c.cohort_id: c for c in outcomes(store, TEAM, as_of=date(2026, 11, 1)).cohorts}
    assert found[COHORT].individual.startswith(
        "systems (manager), end to follow_up: 2.00 to 4.00 (+2.00) over 1 person;"
    )
    assert "trust (self), baseline to end: 2.50 to 3.50 (+1.00) over 2 people" in (
        found[COHORT].individual
    )
    assert found["s2024"].individual == NO_ASSESSMENTS
    page = cohort_report(store, TEAM, COHORT, today=date(2026, 11, 1))
    assert [d.model_dump(mode="json") for d in page.report.development] == DEVELOPMENT
    assert 'id="development"' in page.html
    assert "<td>peer</td><td>baseline → end</td>" in page.html
    empty = cohort_report(store, TEAM, "s2024", today=date(2026, 11, 1))
    assert empty.report.development == () and 'id="development"' not in empty.html


def test_the_template_has_an_assessments_sheet_whose_example_loads(
    store: GraphStore, tmp_path: Path
) -> None:
    path = write_template(tmp_path / "template.xlsx")
    sheet = load_workbook(path, read_only=True)["assessments"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("email", "wave", "indicator", "rater", "score", "response_date")
    report = load_bundle(path, store)
    assert report.ok, [str(e) for e in report.errors]
    (found,) = store.assessments("lge-2019")
    ann = store.person_by_email("ann.example@example.org")
    assert (found.person_id, found.wave, found.indicator, found.rater, found.score) == (
        ann.id,
        Wave.BASELINE,
        "trust",
        Rater.SELF,
        4.0,
    )
