"""The demo bundles: shaped like the programme, valid by the spec, and loadable twice.

Every property is counted here straight from the tables, independently of the
generator's own bookkeeping.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.demo import demo
from graph.model import AMBITIONS, Sector
from graph.stores import open_store
from ingest.demo import COHORT_IDS, UNKNOWN_CONTACT, demo_tables, write_demo
from ingest.spec import TABLES

Tables = dict[str, list[dict[str, object]]]
Bundles = list[tuple[str, Tables]]


@pytest.fixture(scope="module")
def bundles() -> Bundles:
    return demo_tables()


def _list(value: object) -> list[str]:
    """A list cell as the generator gives it (a tuple of text)."""
    assert isinstance(value, tuple | list)
    return [str(item) for item in value]


def _date(value: object) -> date:
    assert isinstance(value, date)
    return value


def _cohort_id(tables: Tables) -> str:
    return str(tables["cohort"][0]["cohort_id"])


def _main(bundles: Bundles) -> dict[str, Tables]:
    """The bundle of each cohort that carries its people."""
    return {_cohort_id(t): t for _, t in bundles if t.get("people")}


def _emails(tables: Tables, table: str, *columns: str) -> set[str]:
    return {str(row[c]) for row in tables.get(table, []) for c in columns if row.get(c)}


def _canonical(bundles: Bundles) -> dict[str, str]:
    """Organisation name or alias (trimmed, any case) -> canonical name."""
    names = {}
    for _, tables in bundles:
        for org in tables.get("organisations", []):
            for name in (org["name"], *_list(org["aliases"])):
                names[" ".join(str(name).split()).casefold()] = str(org["name"])
    return names


def _employers_as_loaded(bundles: Bundles) -> list[dict[str, str]]:
    """For each bundle in load order, every known person's employer once it is loaded."""
    canonical = _canonical(bundles)
    employer: dict[str, str] = {}
    states = []
    for _, tables in bundles:
        for person in tables.get("people", []):
            name = " ".join(str(person["organisation"]).split()).casefold()
            employer[str(person["email"])] = canonical[name]
        states.append(dict(employer))
    return states


def test_demo_tables_twice_are_equal() -> None:
    assert demo_tables() == demo_tables()
    assert demo_tables(seed=7) != demo_tables()


def test_demo_bundles_come_in_load_order(bundles: Bundles) -> None:
    assert [stem for stem, _ in bundles] == [
        "01-lge-2019",
        "02-lge-2020",
        "03-lge-2019-follow-up",
        "04-lge-2021",
        "05-lge-2020-follow-up",
        "06-lge-2021-follow-up",
    ]
    for stem, tables in bundles:
        assert stem.split("-", 1)[1].startswith(_cohort_id(tables))
        assert set(tables) <= set(TABLES)
        if "follow-up" in stem:
            assert set(tables) == {"cohort", "survey"}


def test_demo_cohorts_have_about_fifty_participants_from_many_organisations(
    bundles: Bundles,
) -> None:
    employers = _employers_as_loaded(bundles)[-1]
    for cohort_id, tables in _main(bundles).items():
        participants = [m["email"] for m in tables["members"] if m["role"] == "participant"]
        assert 45 <= len(participants) <= 55, cohort_id
        assert len({employers[str(e)] for e in participants}) >= 20, cohort_id


def test_demo_cohorts_have_mentors_sponsors_and_a_facilitator(bundles: Bundles) -> None:
    for cohort_id, tables in _main(bundles).items():
        roles = Counter(str(m["role"]) for m in tables["members"])
        assert 3 <= roles["mentor"] <= 4, cohort_id
        assert 5 <= roles["sponsor"] <= 6, cohort_id
        assert roles["facilitator"] == 1, cohort_id


def test_demo_later_mentors_include_alumni_of_earlier_cohorts(bundles: Bundles) -> None:
    main = _main(bundles)
    alumni: set[str] = set()
    for cohort_id in COHORT_IDS:
        tables = main[cohort_id]
        mentors = {str(m["email"]) for m in tables["members"] if m["role"] == "mentor"}
        if alumni:
            assert mentors & alumni, cohort_id
            assert mentors <= _emails(tables, "people", "email")
        alumni |= {str(m["email"]) for m in tables["members"] if m["role"] == "participant"}


def test_demo_organisations_are_greater_essex_bodies_with_spec_sectors(bundles: Bundles) -> None:
    sectors = {s.value for s in Sector}
    orgs = {str(o["name"]): o for o in _main(bundles)["lge-2019"]["organisations"]}
    assert {str(o["sector"]) for o in orgs.values()} <= sectors
    assert "ECC" in _list(orgs["Essex County Council"]["aliases"])
    assert orgs["Essex Police"]["sector"] == "police"
    assert orgs["Essex County Fire and Rescue Service"]["sector"] == "fire"
    assert orgs["Tendring District Council"]["area"] == "Tendring"
    assert orgs["Thurrock Council"]["area"] == "Thurrock"
    assert sum(o["sector"] == "health" for o in orgs.values()) >= 6
    for _, tables in bundles:
        for org in tables.get("organisations", []):
            assert org["sector"] in sectors


def test_demo_emails_are_all_at_example_domains(bundles: Bundles) -> None:
    for _, tables in bundles:
        for table in tables.values():
            for row in table:
                for column, value in row.items():
                    if column.endswith("email"):
                        assert str(value).endswith(".example.org"), value


def test_demo_survey_contacts_are_known_people_except_the_deliberate_one(
    bundles: Bundles,
) -> None:
    known: set[str] = set()
    unknown = []
    for _, tables in bundles:
        known |= _emails(tables, "people", "email")
        for row in tables.get("survey", []):
            assert row["respondent_email"] in known
            if row["contact_email"] not in known:
                unknown.append(row["contact_email"])
    assert unknown == [UNKNOWN_CONTACT]


def test_demo_project_and_mentoring_people_are_in_the_bundles_people(bundles: Bundles) -> None:
    for cohort_id, tables in _main(bundles).items():
        people = _emails(tables, "people", "email")
        assert _emails(tables, "members", "email") == people, cohort_id
        assert _emails(tables, "project_members", "email") <= people, cohort_id
        assert _emails(tables, "projects", "sponsor_email") <= people, cohort_id
        assert _emails(tables, "mentoring", "mentor_email", "mentee_email") <= people, cohort_id
        sponsors = {m["email"] for m in tables["members"] if m["role"] == "sponsor"}
        assert _emails(tables, "projects", "sponsor_email") == sponsors, cohort_id


def _months(start: date, end: date) -> float:
    return (end - start).days / (365.25 / 12)


def test_demo_projects_start_one_to_two_months_in_and_are_due_in_twelve_to_eighteen(
    bundles: Bundles,
) -> None:
    for cohort_id, tables in _main(bundles).items():
        start = tables["cohort"][0]["start_date"]
        assert isinstance(start, date)
        assert 6 <= len(tables["projects"]) <= 8, cohort_id
        for project in tables["projects"]:
            begins, due = project["start_date"], project["due_date"]
            assert isinstance(begins, date) and isinstance(due, date)
            assert 28 <= (begins - start).days <= 62, project["project_id"]
            assert 11.9 <= _months(begins, due) <= 18.1, project["project_id"]
            assert project["issue_id"] and project["sponsor_email"] and project["outcomes"]


def test_demo_projects_have_four_to_eight_members_from_several_organisations(
    bundles: Bundles,
) -> None:
    employers = _employers_as_loaded(bundles)[-1]
    for _, tables in _main(bundles).items():
        members: dict[str, list[str]] = defaultdict(list)
        for row in tables["project_members"]:
            members[str(row["project_id"])].append(str(row["email"]))
        assert set(members) == {str(p["project_id"]) for p in tables["projects"]}
        for project_id, emails in members.items():
            assert 4 <= len(emails) <= 8, project_id
            assert len({employers[e] for e in emails}) >= 3, project_id
            leads = [r for r in tables["project_members"] if r["project_id"] == project_id]
            assert sum(r["role"] == "lead" for r in leads) == 1, project_id


def test_demo_has_a_2019_participant_moving_job_by_2021(bundles: Bundles) -> None:
    main = _main(bundles)
    canonical = _canonical(bundles)
    before = {str(p["email"]): p for p in main["lge-2019"]["people"]}
    participants = {m["email"] for m in main["lge-2019"]["members"] if m["role"] == "participant"}
    moves = [
        (before[str(p["email"])], p)
        for p in main["lge-2021"]["people"]
        if p["email"] in participants
        if canonical[str(p["organisation"]).casefold()]
        != canonical[str(before[str(p["email"])]["organisation"]).casefold()]
    ]
    assert len(moves) == 1
    old, new = moves[0]
    moved_in = _date(new["employed_from"])
    assert (
        _date(old["employed_from"]) < moved_in < _date(main["lge-2021"]["cohort"][0]["start_date"])
    )


def test_demo_handovers_come_from_projects_on_their_issue(bundles: Bundles) -> None:
    projects = {
        str(p["project_id"]): (_cohort_id(t), p) for _, t in bundles for p in t.get("projects", [])
    }
    completed = []
    for _, tables in bundles:
        for handover in tables.get("handovers", []):
            from_cohort, giving = projects[str(handover["from_project_id"])]
            assert giving["issue_id"] == handover["issue_id"]
            assert _date(handover["date"]) > _date(giving["start_date"])
            assert handover["to_cohort_id"] in COHORT_IDS
            assert handover["to_cohort_id"] > from_cohort
            assert giving["status"] == "handed_over"
            notes = str(handover["notes"])
            assert "Learned:" in notes and "Remains:" in notes and "Talk to" in notes
            if handover["to_project_id"]:
                to_cohort, receiving = projects[str(handover["to_project_id"])]
                assert to_cohort == handover["to_cohort_id"] == _cohort_id(tables)
                assert receiving["issue_id"] == handover["issue_id"]
                completed.append((from_cohort, to_cohort))
    assert ("lge-2019", "lge-2020") in completed


def test_demo_some_people_refuse_each_consent(bundles: Bundles) -> None:
    for cohort_id, tables in _main(bundles).items():
        people = tables["people"]
        for consent in ("consent_directory", "consent_contact", "consent_analytics"):
            refusals = sum(p[consent] is False for p in people)
            assert 1 <= refusals <= len(people) // 10, (cohort_id, consent)


def test_demo_issues_name_ambitions_by_key_and_by_title(bundles: Bundles) -> None:
    keys = {a.id.value for a in AMBITIONS}
    titles = {a.title for a in AMBITIONS}
    named = [
        str(a)
        for _, t in bundles
        for issue in t.get("wicked_issues", [])
        for a in _list(issue["ambitions"])
    ]
    assert set(named) <= keys | titles
    assert set(named) & keys and set(named) & titles


def test_demo_survey_respondents_name_five_to_fifteen_people_per_wave(bundles: Bundles) -> None:
    for stem, tables in bundles:
        named = Counter((r["wave"], r["respondent_email"]) for r in tables["survey"])
        assert named, stem
        assert min(named.values()) >= 5 and max(named.values()) <= 15, stem


def test_demo_survey_waves_fall_at_start_end_and_after(bundles: Bundles) -> None:
    for _, tables in bundles:
        cohort = tables["cohort"][0]
        start, end = cohort["start_date"], cohort["end_date"]
        assert isinstance(start, date) and isinstance(end, date)
        for row in tables["survey"]:
            answered = row["response_date"]
            assert isinstance(answered, date)
            if row["wave"] == "baseline":
                assert 0 <= (answered - start).days <= 14
            elif row["wave"] == "end":
                assert 0 <= (end - answered).days <= 14
            else:
                assert 6 <= _months(end, answered) <= 12


def test_demo_cross_organisation_share_grows_from_baseline_to_follow_up(
    bundles: Bundles,
) -> None:
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (_, tables), employer in zip(bundles, _employers_as_loaded(bundles), strict=True):
        for row in tables["survey"]:
            contact = str(row["contact_email"])
            if row["relationship"] == "want_to_meet" or contact not in employer:
                continue
            tally = counts[(_cohort_id(tables), str(row["wave"]))]
            tally[0] += employer[str(row["respondent_email"])] != employer[contact]
            tally[1] += 1
    for cohort_id in COHORT_IDS:
        shares = [
            counts[(cohort_id, wave)][0] / counts[(cohort_id, wave)][1]
            for wave in ("baseline", "end", "follow_up")
        ]
        assert shares == sorted(shares) and len(set(shares)) == 3, (cohort_id, shares)


def test_write_demo_uses_every_container(tmp_path: Path) -> None:
    paths = write_demo(tmp_path)
    assert [p.suffix or "folder" for p in paths] == [".xlsx", "folder", ".json"] * 2
    assert all(p.exists() for p in paths)
    csv_tables = demo_tables()[1][1]
    assert sorted(p.name for p in paths[1].iterdir()) == sorted(f"{t}.csv" for t in csv_tables)


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command("demo")(demo)

    @app.command()
    def other() -> None:
        """Present so that typer keeps ``demo`` as a named subcommand."""

    return app


def test_run_demo_twice_loads_everything_once_with_one_warning(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'graph.db'}"
    args = ["demo", "--store", url, "--out", str(tmp_path / "bundles")]
    first = CliRunner().invoke(_cli(), args)
    assert first.exit_code == 0, first.output
    assert first.output.count(": loaded,") == 6
    assert first.output.count("warning:") == 1
    assert "contact not in the graph" in first.output
    store = open_store(url)
    counts = store.counts()
    store.close()

    second = CliRunner().invoke(_cli(), args)
    assert second.exit_code == 0, second.output
    assert second.output.count("skipped") == 6
    store = open_store(url)
    assert store.counts() == counts
    store.close()
    assert counts["cohort"] == 3 and counts["ingest_run"] == 6
