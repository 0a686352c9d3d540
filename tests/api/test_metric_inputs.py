"""What the metric and report routes accept, on each store: tie kinds a metric may count
(never ``want_to_meet``, an intention, not a tie).

The sample (tests/contract/sample.py) has cohort c2019 with baseline and end waves.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.problems import PROBLEM_JSON

from .conftest import Keys

METRIC_URLS = [
    "/metrics/network",
    "/metrics/network?cohort=c2019&wave=end",
    "/metrics/growth?cohort=c2019",
    "/metrics/timeline?from=2019-05-01&to=2020-05-01",
    "/metrics/people/ann",
    "/reports/cohort/c2019",
    "/visualisations/network.html",
]


@pytest.mark.parametrize("url", METRIC_URLS)
@pytest.mark.parametrize("ties", ["want_to_meet", "advice,want_to_meet"])
def test_metric_routes_refuse_want_to_meet_as_a_kind(
    client: TestClient, keys: Keys, url: str, ties: str
) -> None:
    joiner = "&" if "?" in url else "?"
    response = client.get(f"{url}{joiner}ties={ties}", headers=keys.header("programme"))
    assert response.status_code == 422, response.text[:500]
    assert response.headers["content-type"] == PROBLEM_JSON
    errors = response.json()["errors"]
    assert [(e["field"], e["value"]) for e in errors] == [("kinds", "want_to_meet")]
    assert "never feeds the metrics" in errors[0]["reason"]


def test_metric_routes_still_take_every_other_kind(client: TestClient, keys: Keys) -> None:
    every = "cohort_peer,project,mentoring,advice,collaboration,knew_before"
    response = client.get(
        f"/metrics/network?as_of=2020-05-01&ties={every}", headers=keys.header("programme")
    )
    assert response.status_code == 200, response.text[:500]
    # as of 2020-05-01: c2019's ann bob cat dan; project ties ab ac bc, advice cd (the
    # sample stores no cohort_peer ties: it is applied without the ingest's derivation)
    assert (response.json()["network"]["people"], response.json()["network"]["ties"]) == (4, 4)
