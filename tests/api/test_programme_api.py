"""``GET /metrics/programme`` on the sample (tests/contract/sample.py): the programme
view's rows, worked out by hand in tests/services/test_programme.py, over HTTP."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from graph.model import Employment, Organisation, Sector
from graph.store import Batch, GraphStore

from .conftest import Keys

URL = "/metrics/programme?from=2019-07-01&to=2021-07-01&every=year"


def test_programme_view_gives_every_cohort_and_everyone_over_time(
    client: TestClient, keys: Keys
) -> None:
    response = client.get(URL, headers=keys.header("programme"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["start"], body["end"], body["every"]) == ("2019-07-01", "2021-07-01", "year")
    assert [c["id"] for c in body["cohorts"]] == ["c2019", "c2021"]
    rows = {(p["date"], p["scope"]): p for p in body["points"]}
    # 2019-07-01: ann (ECC), bob (NHS), cat (ECC), dan (police); ann-bob, bob-cat cross,
    # ann-cat does not: E-I 1/3; sizes 2, 1, 1: by chance 1 - 2 * 2/12 = 2/3
    first = rows["2019-07-01", "programme"]
    assert first["ei_org"] == pytest.approx(1 / 3)
    assert first["ei_org_expected"] == pytest.approx(2 / 3)
    assert first["ei_org_excess"] == pytest.approx(-1 / 3)
    assert ("2019-07-01", "c2021") not in rows  # c2021 starts on 2021-05-01
    assert rows["2021-07-01", "c2021"]["people"] == 1


def test_programme_view_refuses_alumni_keys(client: TestClient, keys: Keys) -> None:
    assert client.get(URL, headers=keys.header("alumni")).status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2021-01-01&to=2020-01-01", "to"),
        ("from=1990-01-01&to=2021-01-01&every=quarter", "from/to"),
        ("every=month", "every"),
        ("ties=want_to_meet", "kinds"),
    ],
)
def test_programme_view_bad_input_is_a_problem_naming_it(
    client: TestClient, keys: Keys, query: str, field: str
) -> None:
    response = client.get(f"/metrics/programme?{query}", headers=keys.header("programme"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in response.text


@pytest.mark.parametrize(
    "door",
    [
        "/metrics/programme",
        "/metrics/programme/table.csv",
        "/metrics/groups",
        "/metrics/groups/areas.csv",
        "/reports/programme",
    ],
)
def test_every_programme_door_reads_dates_and_ties_alike(
    client: TestClient, keys: Keys, door: str
) -> None:
    # One set of parameters for all of them (api/questions.py): a download of the
    # organisations-and-areas table once ignored the ties it was asked for.
    team = keys.header("programme")
    for query, field in (("ties=want_to_meet", "kinds"), ("every=month", "every")):
        response = client.get(f"{door}?{query}", headers=team)
        assert response.status_code == 422, (door, query)
        assert field in response.text
    fine = client.get(f"{door}?from=2019-07-01&to=2021-07-01&every=year&ties=advice", headers=team)
    assert fine.status_code == 200, fine.text


# -- downloads ---------------------------------------------------------------------------------


def test_programme_table_downloads_the_same_rows_as_csv_and_xlsx(
    client: TestClient, keys: Keys
) -> None:
    team = keys.header("programme")
    points = client.get(URL, headers=team).json()["points"]
    span = "from=2019-07-01&to=2021-07-01&every=year"
    got = client.get(f"/metrics/programme/table.csv?{span}", headers=team)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert (
        'filename="programme-2019-07-01-2021-07-01-year.csv"' in got.headers["content-disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert [(r["date"], r["scope"], int(r["ties"])) for r in rows] == [
        (p["date"], p["scope"], p["ties"]) for p in points
    ]
    book = client.get(f"/metrics/programme/table.xlsx?{span}", headers=team)
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[0][:3] == ("date", "scope", "people")
    assert [(v[1], v[3]) for v in values[1:]] == [(p["scope"], p["ties"]) for p in points]
    assert values[1][8] == pytest.approx(-1 / 3)  # ei_org_excess, a number


def test_dashboard_organisations_table_matches_hand_values(client: TestClient, keys: Keys) -> None:
    """On 2020-06-01: ann (ECC), bob (NHS), cat and dan (police); ties ann-bob, ann-cat,
    bob-cat, cat-dan. ECC: 0 inside, 2 out (E-I 1); NHS the same; police: cat-dan
    inside, ann-cat and bob-cat out: E-I (2 - 1) / 3."""
    got = client.get(
        "/metrics/dashboard/organisations.csv?as_of=2020-06-01", headers=keys.header("programme")
    )
    assert got.status_code == 200
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows == [
        ["organisation", "size", "internal", "external", "ei"],
        ["Essex County Council", "1", "0", "2", "1.0"],
        ["Essex Police", "2", "1", "2", str(1 / 3)],
        ["Mid and South Essex ICB", "1", "0", "2", "1.0"],
    ]


def test_dashboard_table_neutralises_a_formula_in_an_organisation_name(
    client: TestClient, keys: Keys, sample: GraphStore
) -> None:
    hostile = Organisation(id="evil", name='=HYPERLINK("http://x","y")', sector=Sector.OTHER)
    sample.apply(
        Batch(
            organisations=[hostile],
            employments=[
                Employment(person_id="dan", organisation_id="evil", start=date(2020, 1, 1))
            ],
        )
    )
    got = client.get(
        "/metrics/dashboard/organisations.xlsx?as_of=2020-06-01", headers=keys.header("programme")
    )
    sheet = load_workbook(io.BytesIO(got.content)).active
    assert sheet is not None
    names = {row[0].value: row[0].data_type for row in sheet.iter_rows(min_row=2)}
    assert names['\'=HYPERLINK("http://x","y")'] == "s"


def test_dashboard_table_unknown_name_or_format_is_refused(client: TestClient, keys: Keys) -> None:
    team = keys.header("programme")
    assert client.get("/metrics/dashboard/people.csv", headers=team).status_code == 422
    assert client.get("/metrics/dashboard/sectors.pdf", headers=team).status_code == 422


# -- organisations and areas ---------------------------------------------------------------


def test_groups_view_names_the_under_reached_areas(client: TestClient, keys: Keys) -> None:
    got = client.get(
        "/metrics/groups?from=2019-07-01&to=2021-07-01&every=year",
        headers=keys.header("programme"),
    )
    assert got.status_code == 200, got.text
    body = got.json()
    # Tendring 2, Basildon 3, Chelmsford (ECC's area) 0 alumni: half the mean is 5/6
    assert [s["name"] for s in body["summaries"] if s["under_reached"]] == ["Chelmsford"]
    police = [p for p in body["points"] if p["name"] == "Essex Police"]
    assert [p["people"] for p in police] == [1, 1, 2, 3]  # cat joins 2020-06-01, fay 2021


def test_groups_over_time_downloads_as_xlsx(client: TestClient, keys: Keys) -> None:
    got = client.get(
        "/metrics/groups/over-time.xlsx?from=2019-07-01&to=2021-07-01&every=year",
        headers=keys.header("programme"),
    )
    assert got.status_code == 200
    sheet = load_workbook(io.BytesIO(got.content)).active
    assert sheet is not None
    rows = list(sheet.values)
    assert rows[0] == ("date", "kind", "name", "people", "ei", "mean_cross_org_degree")
    assert ("organisation", "Essex County Council", 2) in {r[1:4] for r in rows[1:]}


# -- the programme report --------------------------------------------------------------------


def test_programme_report_is_one_page_that_loads_nothing(client: TestClient, keys: Keys) -> None:
    got = client.get(
        "/reports/programme?from=2019-07-01&to=2021-07-01", headers=keys.header("programme")
    )
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in got.headers["content-security-policy"]
    assert '<section id="summary">' in got.text and "Figure 1." in got.text
    refused = client.get("/reports/programme", headers=keys.header("alumni"))
    assert refused.status_code == 403


def test_outcomes_give_three_levels_per_cohort(client: TestClient, keys: Keys) -> None:
    got = client.get("/metrics/outcomes?as_of=2021-07-01", headers=keys.header("programme"))
    assert got.status_code == 200, got.text
    c2019 = got.json()["cohorts"][0]
    assert c2019["projects_long"]["handed_over"] == 1 and c2019["projects_long"]["overdue"] == 1
    assert c2019["organisational_short"]["cross_org_share"] == 0.75
