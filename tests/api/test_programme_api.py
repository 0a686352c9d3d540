"""``GET /metrics/programme`` on the sample (tests/contract/sample.py): the programme
view's rows, worked out by hand in tests/services/test_programme.py, over HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

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
