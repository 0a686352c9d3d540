"""Every table command on the demo at 80 columns (issue 18, item 6): no line is wider
than the terminal, and what a later command takes (person ids, emails, organisation,
cohort and issue ids, run ids) is printed whole, on one line, never cut or folded.

What must appear is read from the demo's data (its bundles, the mentor pool and
applicants files, the store's records), never from the commands' output.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cli.main import app
from demo import path as demo_file
from graph.model import Cohort, Organisation, WickedIssue
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore, Page
from ingest.read import read_bundle
from services.survey_demo import open_demo_wave

from ..conftest import Demo
from ..services.test_people_search import bundle_people

YES = {"yes", "y", "true", "1"}
ALL = Page(limit=10_000)


@pytest.fixture(scope="module")
def demo_url(demo_programme: Demo, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo, with its survey wave open (as ``alumni-graph demo`` leaves it)."""
    path = demo_programme.sqlite_copy(tmp_path_factory.mktemp("tables") / "demo.db")
    store = SqliteStore(f"sqlite:///{path}")
    try:
        assert open_demo_wave(store) is not None
    finally:
        store.close()
    return f"sqlite:///{path}"


@pytest.fixture
def store(demo_url: str) -> Iterator[GraphStore]:
    opened = SqliteStore(demo_url)
    yield opened
    opened.close()


def run(url: str, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--store", url], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output


def lines_of(output: str) -> list[str]:
    lines = output.splitlines()
    wide = [line for line in lines if len(line) > 80]
    assert wide == [], f"{len(wide)} lines wider than 80 columns, the first: {wide[:1]}"
    return lines


def whole(key: str, lines: list[str]) -> bool:
    """``key`` printed in one piece, set off by spaces (not the start of a longer word)."""
    return any(f" {key} " in f" {line} " for line in lines)


def bundle_rows(demo: Demo, sheet: str) -> list[dict[str, object]]:
    return [row.cells for path in demo.bundles for row in read_bundle(path).rows(sheet)]


def test_people_shows_every_id_and_every_shown_email_whole(
    demo_programme: Demo, demo_url: str, store: GraphStore
) -> None:
    listed = bundle_people(demo_programme.bundles)
    police = [
        store.person_by_email(email)
        for email, p in listed.items()
        if p.organisation == "Essex Police" and p.directory
    ]
    lines = lines_of(run(demo_url, "people", "--organisation", "Essex Police"))
    assert len(police) > 5 and [p.id for p in police if not whole(p.id, lines)] == []
    # the programme team reads an email where its person agreed to be contacted
    emails = [p.email for p in police if p.consent_contact and p.email]
    assert emails and [e for e in emails if not whole(e, lines)] == []


def test_organisations_and_cohorts_show_every_id_whole(demo_url: str, store: GraphStore) -> None:
    organisations = [o.id for o in store.find(Organisation, page=ALL).data]
    listed = lines_of(run(demo_url, "organisations")) + lines_of(
        run(demo_url, "organisations", "--page", "2")
    )
    assert len(organisations) > 25 and [o for o in organisations if not whole(o, listed)] == []
    cohorts = [c.id for c in store.find(Cohort, page=ALL).data]
    lines = lines_of(run(demo_url, "cohorts"))
    assert len(cohorts) == 3 and all(whole(c, lines) for c in cohorts)


def test_wicked_list_shows_every_issue_id_from_the_bundles_whole(
    demo_programme: Demo, demo_url: str, store: GraphStore
) -> None:
    issues = {str(r["issue_id"]).strip() for r in bundle_rows(demo_programme, "wicked_issues")}
    assert issues == {i.id for i in store.find(WickedIssue, page=ALL).data}
    lines = lines_of(run(demo_url, "wicked", "list"))
    assert sorted(i for i in issues if not whole(i, lines)) == []


def test_ingest_runs_shows_every_run_id_whole(demo_url: str, store: GraphStore) -> None:
    runs = [r.id for r in store.runs()]
    lines = lines_of(run(demo_url, "ingest", "runs"))
    assert len(runs) >= 3 and all(whole(r, lines) for r in runs)


def test_mentors_match_shows_every_participant_and_mentor_whole(
    demo_programme: Demo, demo_url: str, store: GraphStore
) -> None:
    participants = {
        str(r["email"]).strip().casefold()
        for path in demo_programme.bundles
        for bundle in [read_bundle(path)]
        if str(bundle.rows("cohort")[0].cells["cohort_id"]) == "lge-2021"
        for r in (row.cells for row in bundle.rows("members"))
        if str(r["role"]).strip() == "participant"
    }
    with demo_file("mentor-pool.csv").open(newline="", encoding="utf-8") as pool:
        mentors = {row["email"].strip().casefold() for row in csv.DictReader(pool)}
    pool_path = str(demo_file("mentor-pool.csv"))
    lines = lines_of(run(demo_url, "mentors", "match", "--cohort", "lge-2021", "--pool", pool_path))
    # matched or not, every participant is named whole: by email, or by id where the
    # programme may not show the email
    missing = []
    for email in sorted(participants):
        person = store.person_by_email(email)
        if not (whole(email, lines) or whole(person.id, lines)):
            missing.append(email)
    assert len(participants) > 30 and missing == []
    # and every email printed is one of the pool's or the cohort's, not a stump of one
    printed = {w.strip("(),") for line in lines for w in line.split() if "@" in w}
    assert printed and printed <= mentors | participants


def test_selection_plan_shows_every_applicant_whole(demo_url: str) -> None:
    applicants_path = demo_file("applicants.csv")
    with applicants_path.open(newline="", encoding="utf-8") as applicants:
        emails = [row["email"].strip() for row in csv.DictReader(applicants)]
    lines = lines_of(run(demo_url, "selection", "plan", str(applicants_path), "--places", "20"))
    assert len(emails) > 40 and [e for e in emails if not whole(e, lines)] == []


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["metrics", "--as-of", "2024-01-01"], []),
        (["metrics", "--cohort", "lge-2021", "--wave", "follow_up"], []),
        (["metrics", "growth", "--cohort", "lge-2021"], ["lge-2021"]),
        (["metrics", "timeline", "--from", "2019-06-01", "--to", "2022-01-01"], []),
        (["metrics", "programme"], ["lge-2019", "lge-2020", "lge-2021"]),
    ],
    ids=["network", "wave", "growth", "timeline", "programme"],
)
def test_metrics_tables_fit_80_columns_and_name_the_cohorts_whole(
    demo_url: str, store: GraphStore, args: list[str], names: list[str]
) -> None:
    lines = lines_of(run(demo_url, *args))
    assert set(names) <= {c.id for c in store.find(Cohort, page=ALL).data}
    words = {w for line in lines for w in line.replace(":", " ").split()}
    assert [c for c in names if c not in words] == []
    assert "…" not in "\n".join(lines)  # numbers are never cut


def test_survey_status_fits_80_columns(demo_url: str, store: GraphStore) -> None:
    latest = max(store.find(Cohort, page=ALL).data, key=lambda c: c.start_date)
    args = ["survey", "status", "--cohort", latest.id, "--wave", "follow_up"]
    lines = lines_of(run(demo_url, *args))
    assert lines[0].startswith(f"{latest.id} follow_up: open")
