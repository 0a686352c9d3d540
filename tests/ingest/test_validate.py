"""Validation: every error with its place, nothing half-built, cells parsed one way."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import Problem
from graph.model import (
    AmbitionKey,
    Employment,
    Person,
    ProjectRole,
    ProjectStatus,
    Tie,
    TieKind,
    Wave,
)
from graph.sqlite_store import SqliteStore
from graph.store import Batch
from ingest import derive
from ingest.read import Location, read_bundle
from ingest.validate import (
    Validated,
    issues_from_problems,
    parse_choice,
    parse_date,
    parse_yes_no,
    validate_bundle,
)

from .conftest import CONTAINERS, Tables, pid, survey_row


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[SqliteStore]:
    store = SqliteStore(f"sqlite:///{tmp_path / 'v.db'}")
    yield store
    store.close()


Check = Callable[[Tables, str], Validated]


@pytest.fixture
def check(write: Callable[[Tables, str], Path], empty: SqliteStore) -> Check:
    def _check(tables: Tables, name: str = "bundle.xlsx") -> Validated:
        return validate_bundle(read_bundle(write(tables, name)), empty)

    return _check


def places(result: Validated) -> set[tuple[str | None, int | None, str | None]]:
    return {(e.location.sheet, e.location.row, e.column) for e in result.errors}


def tie_kinds(batch: Batch) -> Counter[str]:
    """The batch's tie rows, and the co-membership ties of the groups it names (which
    the store derives from memberships: here from the batch's own, a first load)."""
    ties = list(batch.ties)
    for kind, context in batch.derived:
        if kind is TieKind.COHORT_PEER:
            [cohort] = [c for c in batch.cohorts if c.id == context]
            ties += derive.cohort_peer_ties(
                cohort, [m.person_id for m in batch.memberships if m.cohort_id == context]
            )
        else:
            [project] = [p for p in batch.projects if p.id == context]
            ties += derive.project_ties(
                project, [m.person_id for m in batch.project_members if m.project_id == context]
            )
    return Counter(t.tie_kind.value for t in ties)


# -- the sample, record by record ----------------------------------------------------


def test_validate_sample_gives_batch_worked_out_by_hand(tables: Tables, check: Check) -> None:
    result = check(tables, "bundle.xlsx")
    assert result.errors == []
    batch = result.batch
    assert [o.id for o in batch.organisations] == [
        "essex-county-council",
        "mid-and-south-essex-icb",
        "essex-police",
    ]
    assert batch.organisations[0].aliases == ("ECC", "Essex CC")
    ann = batch.people[0]
    assert ann == Person(
        id=pid("ann"),
        email="ann@example.org",
        name="Ann Example",
        job_title="Head of Service",
        interests=("loneliness", "housing"),
        consent_directory=True,
        consent_contact=True,
        consent_analytics=True,
        # the facts her row states, dated with the bundle's as_of: no as_of column, so
        # the latest date in the bundle, the handover's 2020-12-01
        stated_on=dict.fromkeys(
            ("consent_contact", "consent_directory", "interests", "job_title", "name"),
            "2020-12-01",
        ),
    )
    cat = batch.people[2]
    assert (cat.consent_directory, cat.consent_contact, cat.consent_analytics) == (
        False,
        False,
        False,
    )
    assert {(e.person_id, e.organisation_id, e.start) for e in batch.employments} == {
        (pid("ann"), "essex-county-council", date(2019, 5, 1)),
        (pid("bob"), "mid-and-south-essex-icb", date(2019, 5, 1)),
        (pid("cat"), "essex-police", date(2018, 1, 15)),
        (pid("dan"), "essex-police", date(2019, 5, 1)),
    }
    assert batch.employments[0] == Employment(
        person_id=pid("ann"),
        organisation_id="essex-county-council",
        start=date(2019, 5, 1),
        job_title="Head of Service",
        as_of=date(2020, 12, 1),
    )
    assert {(m.person_id, m.role.value) for m in batch.memberships} == {
        (pid("ann"), "participant"),
        (pid("bob"), "participant"),
        (pid("cat"), "participant"),
        (pid("dan"), "sponsor"),
    }
    assert batch.issues[0].ambitions == (AmbitionKey.COMMUNITIES, AmbitionKey.EQUAL_START)
    [project] = batch.projects
    assert (project.cohort_id, project.sponsor_id, project.status) == (
        "c2019",
        pid("dan"),
        ProjectStatus.ACTIVE,
    )
    assert [m.role for m in batch.project_members] == [
        ProjectRole.LEAD,
        ProjectRole.MEMBER,
        ProjectRole.MEMBER,
    ]
    assert tie_kinds(batch) == {
        "cohort_peer": 6,
        "project": 6,
        "mentoring": 1,
        "advice": 2,
        "knew_before": 1,
        "collaboration": 1,
    }
    advice = next(t for t in batch.ties if t.tie_kind is TieKind.ADVICE)
    assert advice == Tie(
        source_id=pid("ann"),
        target_id=pid("bob"),
        tie_kind=TieKind.ADVICE,
        start=date(2019, 5, 10),
        wave=Wave.BASELINE,
        cohort_id="c2019",
        context="c2019",
        frequency="monthly",
    )


def test_validate_each_container_gives_same_batch(tables: Tables, check: Check) -> None:
    batches = [check(tables, name).batch for name in CONTAINERS]
    assert batches[0] == batches[1] == batches[2]


def test_validate_messy_cells_give_same_batch_as_clean(
    tables: Tables, check: Check, empty: SqliteStore, tmp_path: Path
) -> None:
    clean = check(tables, "clean.json").batch
    folder = tmp_path / "messy"
    folder.mkdir()
    (folder / "cohort.csv").write_bytes(
        "\ufeff Cohort_ID , Name ,START_DATE,end_date\r\n"
        "\r\n"
        "c2019 ,Leading Greater Essex 2019  , 01/05/2019,30/04/2020\r\n".encode()
    )
    (folder / "organisations.csv").write_text(
        "NAME,Sector,org_type,ALIASES,area\n"
        "Essex County Council ,Local Government,County council,ECC ;Essex CC;,Chelmsford\n"
        ",,,,\n"
        "Mid and South Essex ICB,HEALTH,,,\n"
        "Essex Police,police,,,\n",
        encoding="utf-8",
    )
    (folder / "people.csv").write_text(
        "Email,Name,Organisation,Job_Title,employed_from,interests,"
        "consent_directory,consent_contact,consent_analytics\n"
        " ANN@Example.org ,Ann Example,  ecc ,Head of Service,,loneliness;housing,Y,TRUE,1\n"
        "bob@example.org,Bob Example,mid  and south essex icb,,,,,N,\n"
        "cat@example.org,Cat Example,Essex Police,,15/01/2018,,no,false,0\n"
        "dan@example.org,Dan Example,ESSEX POLICE,,,,,,yes\n",
        encoding="utf-8",
    )
    for name in ("members", "wicked_issues", "projects", "project_members", "handovers"):
        (folder / f"{name}.csv").write_text(_csv(tables[name]), encoding="utf-8")
    (folder / "mentoring.csv").write_text(
        "mentor_email,mentee_email,start_date,end_date\n"
        "Dan@Example.org,ann@example.org,1/7/2019,30/06/2020\n",
        encoding="utf-8",
    )
    (folder / "survey.csv").write_text(_csv(tables["survey"]), encoding="utf-8")
    messy = validate_bundle(read_bundle(folder), empty)
    assert messy.errors == []
    # the messy rows state consents the clean ones leave to their defaults: the
    # values are the same, the dates of what each states are not
    assert messy.batch.people == [
        p.model_copy(update={"stated_on": m.stated_on})
        for p, m in zip(clean.people, messy.batch.people, strict=True)
    ]
    assert replace(messy.batch, people=[]) == replace(clean, people=[])


def _csv(rows: list[dict[str, object]]) -> str:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    lines = [",".join(columns)]
    lines += [",".join(str(row.get(c, "")) for c in columns) for row in rows]
    return "\n".join(lines) + "\n"


def test_validate_excel_date_cells_give_same_batch_as_text(tables: Tables, check: Check) -> None:
    text = check(tables, "text.xlsx").batch
    tables["cohort"][0]["start_date"] = date(2019, 5, 1)
    tables["projects"][0]["start_date"] = date(2019, 6, 1)
    tables["survey"][0]["response_date"] = date(2019, 5, 10)
    dated = check(tables, "dated.xlsx")
    assert dated.errors == []
    assert dated.batch == text


# -- errors: every one, with its place --------------------------------------------------


def test_validate_errors_in_several_sheets_lists_each_with_location(
    tables: Tables, check: Check
) -> None:
    tables["people"][1]["organisation"] = "Mid Essex ICB"  # row 3
    tables["people"][2]["employed_from"] = "2018-13-01"  # row 4
    tables["members"][3]["role"] = "chief"  # row 5
    tables["projects"][0]["due_date"] = "2019-01-01"  # row 2, before its start
    tables["survey"][1]["wave"] = "midline"  # row 3
    tables["mentoring"][0]["mentee_email"] = "zed@example.org"  # row 2
    result = check(tables, "bundle.xlsx")
    assert places(result) == {
        ("people", 3, "organisation"),
        ("people", 4, "employed_from"),
        ("members", 5, "role"),
        ("projects", 2, "due_date"),
        ("survey", 3, "wave"),
        ("mentoring", 2, "mentee_email"),
    }
    assert {e.location.file for e in result.errors} == {"bundle.xlsx"}
    by_column = {e.column: e for e in result.errors}
    assert by_column["role"].value == "chief"
    assert "must be one of: participant, mentor, sponsor" in by_column["role"].reason
    assert by_column["mentee_email"].value == "zed@example.org"
    assert by_column["organisation"].suggestions[0] == "Mid and South Essex ICB"


def test_validate_unknown_organisation_suggests_three_closest(tables: Tables, check: Check) -> None:
    tables["organisations"].append({"name": "Essex Fire and Rescue", "sector": "fire"})
    tables["people"][0]["organisation"] = "Essex County Counsil"
    result = check(tables, "bundle.json")
    [error] = result.errors
    assert (error.location.sheet, error.location.row, error.column) == ("people", 1, "organisation")
    assert len(error.suggestions) == 3
    assert error.suggestions[0] == "Essex County Council"
    assert set(error.suggestions) <= {
        "Essex County Council",
        "Essex Police",
        "Essex Fire and Rescue",
        "Mid and South Essex ICB",
    }


def test_validate_organisation_known_only_to_store_resolves(
    tables: Tables, check: Check, write: Callable[[Tables, str], Path], empty: SqliteStore
) -> None:
    first = check(tables, "first.json")
    empty.apply(first.batch)
    later: Tables = {
        "cohort": [{"cohort_id": "c2021", "name": "LGE 2021", "start_date": "2021-05-01"}],
        "people": [{"email": "eve@example.org", "name": "Eve", "organisation": "essex  cc"}],
    }
    result = validate_bundle(read_bundle(write(later, "later.json")), empty)
    assert result.errors == []
    assert result.batch.employments[0].organisation_id == "essex-county-council"


def test_validate_survey_unknown_contact_warns_without_personal_data(
    tables: Tables, check: Check
) -> None:
    result = check(tables, "bundle.xlsx")
    [warning] = result.warnings
    assert (
        str(warning) == "survey row 6, column contact_email: contact not in the graph, row skipped"
    )
    assert warning.value is None
    assert "zed" not in str(warning.to_dict())
    assert all(t.target_id != pid("zed") for t in result.batch.ties)


def test_validate_survey_pair_named_twice_gives_one_tie(tables: Tables, check: Check) -> None:
    tables["survey"].append(survey_row("ann", "bob", "advice", "baseline", "2019-05-11"))
    result = check(tables, "bundle.json")
    assert result.errors == []
    assert tie_kinds(result.batch)["advice"] == 2
    assert [str(w) for w in result.warnings][-1] == (
        "survey item 6: repeats item 1 (same pair, relationship and wave), row skipped"
    )


def test_validate_survey_unknown_respondent_is_error(tables: Tables, check: Check) -> None:
    tables["survey"][0]["respondent_email"] = "zed@example.org"
    result = check(tables, "bundle.xlsx")
    assert places(result) == {("survey", 2, "respondent_email")}


@pytest.mark.parametrize("count", [0, 2])
def test_validate_cohort_not_exactly_one_row_is_error(
    tables: Tables, empty: SqliteStore, tmp_path: Path, count: int
) -> None:
    cohorts = [
        {"cohort_id": f"c{n}", "name": "C", "start_date": "2019-05-01"} for n in range(count)
    ]
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"cohort": cohorts, "organisations": tables["organisations"]}))
    result = validate_bundle(read_bundle(path), empty)
    expected = {("cohort", None, None)} if count == 0 else {("cohort", 2, None)}
    assert places(result) == expected
    assert "exactly one cohort row" in result.errors[0].reason


def test_validate_missing_required_column_is_one_error(
    tables: Tables, write: Callable[[Tables, str], Path], empty: SqliteStore
) -> None:
    folder = write(tables, "bundle")
    (folder / "members.csv").write_text("email\nann@example.org\nbob@example.org\n")
    result = validate_bundle(read_bundle(folder), empty)
    assert places(result) == {("members", 1, "role")}
    assert result.errors[0].reason == "required column is missing"
    assert result.errors[0].location.file == "members.csv"


def test_validate_required_cell_empty_is_error(tables: Tables, check: Check) -> None:
    del tables["people"][3]["name"]
    result = check(tables, "bundle.xlsx")
    assert places(result) == {("people", 5, "name")}


def test_validate_duplicate_keys_are_errors(tables: Tables, check: Check) -> None:
    tables["people"].append(
        {"email": " ANN@example.org", "name": "Ann Again", "organisation": "ECC"}
    )
    tables["projects"].append(dict(tables["projects"][0]))
    tables["organisations"].append({"name": "essex police", "sector": "police"})
    result = check(tables, "bundle.xlsx")
    assert places(result) == {
        ("people", 6, "email"),
        ("projects", 3, "project_id"),
        ("organisations", 5, "name"),
    }
    people = next(e for e in result.errors if e.location.sheet == "people")
    assert people.reason == "the same email is given twice (also row 2)"


def test_validate_alias_naming_another_organisation_is_error(tables: Tables, check: Check) -> None:
    tables["organisations"][2]["aliases"] = "ECC"
    result = check(tables, "bundle.xlsx")
    assert places(result) == {("organisations", 4, "aliases")}


def test_validate_handover_from_project_on_other_issue_is_error(
    tables: Tables, check: Check
) -> None:
    tables["wicked_issues"].append({"issue_id": "loneliness", "title": "Loneliness"})
    tables["handovers"][0]["issue_id"] = "loneliness"
    tables["handovers"].append(
        {
            "issue_id": "domestic-abuse",
            "from_project_id": "pr-da",
            "to_cohort_id": "c2022",
            "date": "2019-01-01",
        }
    )
    result = check(tables, "bundle.xlsx")
    assert places(result) == {("handovers", 2, "from_project_id"), ("handovers", 3, "date")}


def test_validate_unknown_project_and_issue_suggest_known_ids(tables: Tables, check: Check) -> None:
    tables["project_members"][0]["project_id"] = "pr-db"
    tables["projects"][0]["issue_id"] = "domestic_abuse"
    result = check(tables, "bundle.xlsx")
    assert {(e.location.sheet, e.column, e.suggestions) for e in result.errors} == {
        ("project_members", "project_id", ("pr-da",)),
        ("projects", "issue_id", ("domestic-abuse",)),
    }


def test_validate_unknown_ambition_suggests_closest(tables: Tables, check: Check) -> None:
    tables["wicked_issues"][0]["ambitions"] = "communities; old age"
    result = check(tables, "bundle.xlsx")
    [error] = result.errors
    assert (error.column, error.value, error.suggestions[0]) == ("ambitions", "old age", "old_age")


def test_validate_end_before_start_is_error(tables: Tables, check: Check) -> None:
    tables["cohort"][0]["end_date"] = "2019-04-30"
    tables["mentoring"][0]["end_date"] = "2019-06-30"
    result = check(tables, "bundle.xlsx")
    assert places(result) == {("cohort", 2, "end_date"), ("mentoring", 2, "end_date")}


def test_validate_mentor_mentoring_themselves_is_error(tables: Tables, check: Check) -> None:
    tables["mentoring"][0]["mentee_email"] = "DAN@example.org"
    assert places(check(tables, "bundle.xlsx")) == {("mentoring", 2, "mentee_email")}


def test_validate_bad_email_is_error(tables: Tables, check: Check) -> None:
    tables["people"][1]["email"] = "bob at example.org"
    result = check(tables, "bundle.xlsx")
    assert ("people", 3, "email") in places(result)


# -- cell parsers ---------------------------------------------------------------------


def _cased(word: str, upper: list[bool]) -> str:
    return "".join(
        c.upper() if u else c for c, u in zip(word, upper + [False] * len(word), strict=False)
    )


@given(
    st.sampled_from(["yes", "y", "true", "1", "no", "n", "false", "0"]),
    st.lists(st.booleans(), max_size=5),
    st.sampled_from(["", " ", "  "]),
)
def test_parse_yes_no_any_spelling_gives_same_value(word: str, upper: list[bool], pad: str) -> None:
    expected = word in {"yes", "y", "true", "1"}
    assert parse_yes_no(pad + _cased(word, upper) + pad) is expected
    assert parse_yes_no(expected) is expected
    assert parse_yes_no(int(expected)) is expected


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.sampled_from(["iso", "uk", "uk-short", "date", "datetime"]),
)
def test_parse_date_any_accepted_format_gives_same_date(day: date, form: str) -> None:
    cell: object = {
        "iso": day.isoformat(),
        "uk": f"{day.day:02d}/{day.month:02d}/{day.year}",
        "uk-short": f" {day.day}/{day.month}/{day.year} ",
        "date": day,
        "datetime": datetime(day.year, day.month, day.day),
    }[form]
    assert parse_date(cell) == day  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "cell", ["2019/05/01", "1 May 2019", "01-05-2019", "31/02/2019", "2019-5-1", "05/01/19", 43586]
)
def test_parse_date_other_formats_refused(cell: str | int) -> None:
    with pytest.raises(ValueError):
        parse_date(cell)


@pytest.mark.parametrize("cell", ["maybe", "2", "", "yess", 2])
def test_parse_yes_no_other_words_refused(cell: str | int) -> None:
    with pytest.raises(ValueError):
        parse_yes_no(cell)


def test_validate_survey_respondent_naming_themselves_is_skipped(
    tables: Tables, check: Check
) -> None:
    tables["survey"][0]["contact_email"] = "ANN@example.org"
    result = check(tables, "bundle.xlsx")
    assert result.errors == []
    assert "survey row 2, column contact_email: names the respondent, row skipped" in [
        str(w) for w in result.warnings
    ]
    assert tie_kinds(result.batch)["advice"] == 1


def test_issues_from_problems_places_store_problems_on_rows() -> None:
    origins = {"person p-1": Location("b.xlsx", "people", 7)}
    fallback = Location("b.xlsx")
    issues = issues_from_problems(
        [
            Problem("person p-1", "email", "x", "taken"),
            Problem("batch", "reference", None, "FOREIGN KEY constraint failed"),
        ],
        origins,
        fallback,
    )
    assert [(i.location, i.column, i.reason) for i in issues] == [
        (Location("b.xlsx", "people", 7), "email", "person p-1: taken"),
        (fallback, "reference", "batch: FOREIGN KEY constraint failed"),
    ]


def test_validate_repeated_bad_cells_are_each_an_error_on_their_own_row(
    tables: Tables, check: Check
) -> None:
    """A cell is parsed once per distinct value (issue 15): every row repeating a bad
    value still gets its own error, with the reason and suggestions the parser gives."""
    tables["survey"] = [
        survey_row("ann", "bob", "advice", "basline", "2019-05-10"),
        survey_row("bob", "cat", "advice", "basline", "2019-05-10"),
        survey_row("cat", "dan", "advise", "end", "not a date"),
        survey_row("ann", "cat", "advise", "end", "not a date"),
        survey_row("ann", "dan", "advice", "end", "2020-04-20"),
    ]
    tables["survey"][4]["respondent_email"] = "ann at example.org"
    tables["survey"][1]["contact_email"] = "ann at example.org"
    result = check(tables, "bundle.xlsx")
    survey = [e for e in result.errors if e.location.sheet == "survey"]
    assert sorted((e.location.row or 0, e.column or "") for e in survey) == [
        (2, "wave"),
        (3, "contact_email"),
        (3, "wave"),
        (4, "relationship"),
        (4, "response_date"),
        (5, "relationship"),
        (5, "response_date"),
        (6, "respondent_email"),
    ]
    by_column: dict[str, set[tuple[str, tuple[str, ...]]]] = {}
    for e in survey:
        by_column.setdefault(e.column or "", set()).add((e.reason, e.suggestions))
    with pytest.raises(ValueError) as wave:
        parse_choice("basline", Wave)
    assert by_column["wave"] == {(str(wave.value), ("baseline",))}
    assert {s[0] for _, s in by_column["relationship"]} == {"advice"}
    assert len(by_column["relationship"]) == 1
    with pytest.raises(ValueError) as day:
        parse_date("not a date")
    assert by_column["response_date"] == {(str(day.value), ())}
    assert {r for r, _ in by_column["contact_email"] | by_column["respondent_email"]} == {
        "is not an email address"
    }
