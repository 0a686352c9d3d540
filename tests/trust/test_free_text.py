"""Free text names nobody the reader may not see, and erasure scrubs it (issue 14, items
2 and 3), on the hand-worked sample of tests/trust/free_text_sample.py, on each store.

Every free-text value of every answer is scanned for the full name, first and last
name and email of everyone the reader may not see; the count scanned is the trust
figure ``free_text_fields_scanned``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.keys import issue_key
from graph import lineage as baton
from graph.model import Handover, IngestRun, KeyRole, Project, WickedIssue
from graph.store import Batch, GraphStore, Page
from ingest.pipeline import load_bundle
from ingest.write import write_bundle
from services import consent
from services.consent import Viewer
from services.wicked import build_pack
from visualisations.handover_pack import to_html, to_markdown
from visualisations.report import build_report
from visualisations.report import to_html as report_html

from ..api.conftest import Keys, api_for, make_keys
from ..api.conftest import shared_client as shared_client  # one app for the session
from ..ingest.conftest import sample_tables
from .figures import record
from .free_text_sample import (
    DESCRIPTION,
    ERASED_PEOPLE,
    ERASED_TRACES,
    NOTES,
    OUTCOMES,
    SEEN_BY_ALUMNI,
    dump_text,
    fold,
    free_text_values,
    load,
    traces,
)

ISSUES = ("domestic-abuse", "rural-isolation", "county-lines")
ALUMNI = Viewer(role=KeyRole.ALUMNI, key_id="k", person_id="ann")
TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="t")


@pytest.fixture
def texts(store: GraphStore) -> GraphStore:
    return load(store)


@pytest.fixture
def client(texts: GraphStore, shared_client: TestClient) -> TestClient:
    return api_for(shared_client, texts)


@pytest.fixture
def keys(texts: GraphStore) -> Keys:
    return make_keys(texts)


def _stored_texts(store: GraphStore, issue_id: str) -> int:
    """How many free-text values a document about the issue renders (description,
    each project's outcomes, each handover's notes): what scanning it scans."""
    found = baton.lineage(store, issue_id)
    values = [found.issue.description, *(s.project.outcomes for s in found.steps)]
    values += [h.notes for h in found.handovers]
    return sum(1 for v in values if v)


def _alumni_answers(client: TestClient, keys: Keys, store: GraphStore) -> tuple[list[str], int]:
    """Every document an alumni key can read about wicked issues, and how many free-text
    values they hold."""
    header = keys.header("alumni")
    documents: list[str] = []
    scanned = 0
    json_urls = ["/wicked-issues"]
    for issue in ISSUES:
        json_urls += [
            f"/wicked-issues/{issue}",
            f"/wicked-issues/{issue}/lineage",
            f"/wicked-issues/{issue}/supporters",
        ]
    for url in json_urls:
        response = client.get(url, headers=header)
        assert response.status_code == 200, url
        values = free_text_values(response.json())
        documents += values
        scanned += len(values)
        documents.append(response.text)
    for issue in ISSUES:
        for fmt in ("markdown", "html"):
            response = client.get(
                f"/wicked-issues/{issue}/handover-pack?format={fmt}", headers=header
            )
            assert response.status_code == 200
            documents.append(response.text)
            scanned += _stored_texts(store, issue)
    return documents, scanned


# -- alumni read no one they may not see -------------------------------------------------


def test_alumni_reads_of_wicked_issues_name_nobody_hidden_from_them(
    client: TestClient, keys: Keys, texts: GraphStore
) -> None:
    documents, scanned = _alumni_answers(client, keys, texts)
    record("free_text_fields_scanned", scanned)
    assert scanned >= 3 * 5  # the lineage alone carries the five texts
    leaks = {p for d in documents for p in traces(d)}
    assert leaks == set()


def test_alumni_lineage_withholds_exactly_the_hidden_mentions(
    client: TestClient, keys: Keys
) -> None:
    body = client.get("/wicked-issues/domestic-abuse/lineage", headers=keys.header("alumni")).json()
    record("free_text_fields_scanned", len(free_text_values(body)))
    outcomes = {s["project"]["id"]: s["outcomes"] for s in body["steps"]}
    notes = [h["notes"] for s in body["steps"] for h in s["handed_over"]]
    assert body["issue"]["description"] == SEEN_BY_ALUMNI["description"]
    assert outcomes == {"pr-da": SEEN_BY_ALUMNI["pr-da"], "pr-da2": SEEN_BY_ALUMNI["pr-da2"]}
    assert notes == [SEEN_BY_ALUMNI["notes"]]
    (handed,) = body["steps"][0]["handed_over"]
    assert handed["talk_to"] == ["Talk to [name withheld], [name withheld] and Ann Example."]
    rural = client.get("/wicked-issues/rural-isolation/lineage", headers=keys.header("alumni"))
    assert rural.json()["steps"][0]["outcomes"] == SEEN_BY_ALUMNI["pr-ri"]


def test_alumni_issue_list_withholds_hidden_people_in_descriptions(
    client: TestClient, keys: Keys
) -> None:
    body = client.get("/wicked-issues", headers=keys.header("alumni")).json()
    record("free_text_fields_scanned", len(free_text_values(body)))
    described = {i["id"]: i["description"] for i in body["data"]}
    assert described["domestic-abuse"] == SEEN_BY_ALUMNI["description"]


def test_alumni_handover_pack_withholds_hidden_people_and_keeps_the_rest(
    texts: GraphStore,
) -> None:
    pack = build_pack(texts, ALUMNI, "domestic-abuse", date(2024, 1, 1))
    for text in (to_markdown(pack), to_html(pack)):
        record("free_text_fields_scanned", _stored_texts(texts, "domestic-abuse"))
        assert traces(text) == []
        # what they may see is kept: consenting names, emails with contact consent,
        # a first name alone, a longer name that starts like a hidden one
        for kept in ("cat example", "cat@example.org", "jo smithson", "bob example", "with sian"):
            assert kept in _plain(text), kept


def _plain(text: str) -> str:
    return fold(text)


def test_alumni_cohort_report_withholds_hidden_people_in_outcomes(texts: GraphStore) -> None:
    shown = build_report(
        texts,
        "c2019",
        visible=ALUMNI.sees,
        free_text=consent.free_text(texts, ALUMNI),
        today=date(2024, 1, 1),
    )
    assert {p.id: p.outcomes for p in shown.projects} == {
        "pr-da": SEEN_BY_ALUMNI["pr-da"],
        "pr-ri": SEEN_BY_ALUMNI["pr-ri"],
    }
    record("free_text_fields_scanned", len(shown.projects))
    assert traces(report_html(shown)) == []


# -- the programme team reads it whole ---------------------------------------------------


def test_programme_reads_every_free_text_whole(
    client: TestClient, keys: Keys, texts: GraphStore
) -> None:
    header = keys.header("programme")
    body = client.get("/wicked-issues/domestic-abuse/lineage", headers=header).json()
    rural = client.get("/wicked-issues/rural-isolation/lineage", headers=header).json()
    record("free_text_fields_scanned", len(free_text_values(body)) + len(free_text_values(rural)))
    assert body["issue"]["description"] == DESCRIPTION
    outcomes = {s["project"]["id"]: s["outcomes"] for s in [*body["steps"], *rural["steps"]]}
    assert outcomes == OUTCOMES
    assert [h["notes"] for s in body["steps"] for h in s["handed_over"]] == [NOTES]
    pack = to_markdown(build_pack(texts, TEAM, "domestic-abuse", date(2024, 1, 1)))
    assert len(traces(pack)) == 6  # every hidden mention but Bob's email (pr-ri's own)
    report = build_report(
        texts, "c2019", visible=TEAM.sees, free_text=consent.free_text(texts, TEAM)
    )
    assert {p.outcomes for p in report.projects} == {OUTCOMES["pr-da"], OUTCOMES["pr-ri"]}


# -- erasure scrubs free text ------------------------------------------------------------


def test_erase_person_scrubs_their_name_and_email_from_every_free_text(
    texts: GraphStore,
) -> None:
    before = dump_text(texts)
    assert len(traces(before, ERASED_TRACES)) == 7  # each is somewhere before
    for person_id in ERASED_PEOPLE:
        texts.erase_person(person_id, actor="test")
    after = dump_text(texts)
    dumped = texts.dump()
    fields = {"wicked_issue": ("title", "description"), "project": ("title", "outcomes")}
    fields["handover"] = ("notes",)
    scanned = sum(1 for kind, names in fields.items() for r in dumped[kind] for n in names if r[n])
    record("free_text_fields_scanned", scanned)  # and the rest of the dump with them
    assert traces(after, ERASED_TRACES) == []
    issue = texts.get(WickedIssue, "domestic-abuse")
    assert issue.description == "Raised by [erased] ([erased]) with Cat Example, cat@example.org."
    outcomes = {p.id: p.outcomes for p in texts.find(Project, None, Page(limit=50)).data}
    assert outcomes == {
        "pr-da": "A shared referral pathway, drafted with [erased] and [erased];"
        " Jo Smithson reviewed it.",
        "pr-da2": "Interim: a model workplace policy. Ask [erased], or Cat Example.",
        "pr-ri": "Twelve villages mapped by [erased] and Bob Example (bob@example.org).",
    }
    (handover,) = texts.find(Handover, None, Page(limit=50)).data
    assert handover.notes == (
        "Learned: one front door works. Remains: who funds the refuge?\n"
        "Talk to [erased], [erased] and Ann Example. [erased]'s map is with Siân."
    )


def test_erased_person_stays_out_of_what_alumni_and_team_read(
    client: TestClient, keys: Keys, texts: GraphStore
) -> None:
    for person_id in ERASED_PEOPLE:
        texts.erase_person(person_id, actor="test")
    for role in ("alumni", "programme"):
        body = client.get("/wicked-issues/domestic-abuse/lineage", headers=keys.header(role))
        values = free_text_values(body.json())
        record("free_text_fields_scanned", len(values))
        assert traces(body.text, ERASED_TRACES) == []
        assert "[erased]" in body.json()["issue"]["description"]


# -- a bundle that names someone without consent loads, with a warning where ---------------


def test_load_bundle_naming_people_without_consent_warns_with_each_cell(
    store: GraphStore, tmp_path: Path
) -> None:
    tables = sample_tables()
    # Bob and Dan have not consented to the directory (the sample's people table)
    tables["wicked_issues"][0]["description"] = "Raised by Ann Example, ann@example.org."
    tables["projects"][0]["outcomes"] = "Drafted with BOB EXAMPLE."
    tables["handovers"][0]["notes"] = "Talk to the refuge network, or mail dan@example.org."
    path = write_bundle(tables, tmp_path / "bundle.xlsx")
    report = load_bundle(path, store)
    assert report.errors == []
    warned = {
        (w.location.file, w.location.sheet, w.location.row, w.column)
        for w in report.warnings
        if "directory consent" in w.reason
    }
    record("free_text_fields_scanned", 3)
    assert warned == {
        ("bundle.xlsx", "projects", 2, "outcomes"),
        ("bundle.xlsx", "handovers", 2, "notes"),
    }
    shown = json.dumps([str(w) for w in report.warnings])
    assert "Bob" not in shown and "dan@" not in shown


def test_load_later_bundle_naming_an_earlier_sponsor_without_consent_warns(
    store: GraphStore, tmp_path: Path
) -> None:
    assert load_bundle(write_bundle(sample_tables(), tmp_path / "c2019.xlsx"), store).errors == []
    later = {
        "cohort": [{"cohort_id": "c2021", "name": "LGE 2021", "start_date": "2021-05-01"}],
        "handovers": [
            {
                "issue_id": "domestic-abuse",
                "from_project_id": "pr-da",
                "to_cohort_id": "c2021",
                "date": "2020-12-01",
                "notes": "Dan Example, its sponsor, knows the refuges.",
            },
        ],
    }
    report = load_bundle(write_bundle(later, tmp_path / "c2021.xlsx"), store)
    assert report.errors == []
    record("free_text_fields_scanned", 1)
    assert [(w.location.sheet, w.location.row, w.column) for w in report.warnings] == [
        ("handovers", 2, "notes")
    ]


def test_alumni_read_their_own_name_and_email_even_without_consent(
    client: TestClient, texts: GraphStore
) -> None:
    # Dan has no directory or contact consent: hidden from others, never from himself
    dan_key, _ = issue_key(texts, KeyRole.ALUMNI, "dan")
    body = client.get(
        "/wicked-issues/domestic-abuse/lineage", headers={"Authorization": f"Bearer {dan_key}"}
    ).json()
    record("free_text_fields_scanned", len(free_text_values(body)))
    outcomes = {s["project"]["id"]: s["outcomes"] for s in body["steps"]}
    assert outcomes == {
        "pr-da": "A shared referral pathway, drafted with [name withheld] and Dan Example;"
        " Jo Smithson reviewed it.",
        "pr-da2": "Interim: a model workplace policy. Ask DAN@example.org, or Cat Example.",
    }


def test_rollback_after_erasure_does_not_write_the_name_back(texts: GraphStore) -> None:
    # run-4 rewrites pr-da's outcomes, so its journal keeps the text naming Siân
    rewritten = texts.get(Project, "pr-da").model_copy(update={"outcomes": "Rewritten."})
    run = IngestRun(id="run-4", file_name="t", sha256="4" * 64, started_at=datetime.now(UTC))
    texts.apply(Batch(projects=[rewritten]), run)
    texts.erase_person("sian", actor="test")
    texts.rollback("run-4")
    assert texts.get(Project, "pr-da").outcomes == (
        "A shared referral pathway, drafted with [erased] and Dan Example; Jo Smithson reviewed it."
    )
    record("free_text_fields_scanned", 1)
    assert traces(dump_text(texts), ERASED_TRACES[:3]) == []
