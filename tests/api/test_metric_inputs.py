"""What the metric and report routes accept, on each store: tie kinds a metric may count
(never ``want_to_meet``, an intention, not a tie) and dates far in the future.

The sample (tests/contract/sample.py) has cohort c2019 with baseline and end waves; the
far-future cohort added here, c9999, starts 9999-11-01 and ran its baseline wave on
9999-12-20: gus -> ann advice.
"""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from api.problems import PROBLEM_JSON
from graph import measure
from graph.model import Cohort, Employment, Membership, Role, Tie, TieKind, Wave
from graph.store import Batch, GraphStore
from visualisations.report import build_report

from ..contract.sample import person
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


@pytest.mark.parametrize(
    "query", ["cohort=c2019", "wave=end", "cohort=c2019&wave=end&as_of=2020-01-01"]
)
def test_a_wave_asked_for_by_halves_names_the_parameters_not_command_flags(
    client: TestClient, keys: Keys, query: str
) -> None:
    response = client.get(f"/metrics/network?{query}", headers=keys.header("programme"))
    assert response.status_code == 422, response.text[:500]
    [error] = response.json()["errors"]
    assert error["reason"] == "give cohort and wave together, without as_of"


def test_metric_routes_still_take_every_other_kind(client: TestClient, keys: Keys) -> None:
    every = "cohort_peer,project,mentoring,advice,collaboration,knew_before"
    response = client.get(
        f"/metrics/network?as_of=2020-05-01&ties={every}", headers=keys.header("programme")
    )
    assert response.status_code == 200, response.text[:500]
    # as of 2020-05-01: c2019's ann bob cat dan; project ties ab ac bc, advice cd (the
    # sample stores no cohort_peer ties: it is applied without the ingest's derivation)
    assert (response.json()["network"]["people"], response.json()["network"]["ties"]) == (4, 4)


@pytest.fixture
def far_future(sample: GraphStore) -> GraphStore:
    """The sample plus cohort c9999 (start 9999-11-01), its baseline wave on 9999-12-20."""
    sample.apply(
        Batch(
            people=[person("gus", consent_directory=True)],
            cohorts=[Cohort(id="c9999", name="Far ahead", start_date=date(9999, 11, 1))],
            memberships=[Membership(person_id="gus", cohort_id="c9999", role=Role.PARTICIPANT)],
            employments=[
                Employment(person_id="gus", organisation_id="mse-icb", start=date(9999, 11, 1))
            ],
            ties=[
                Tie(
                    source_id="gus",
                    target_id="ann",
                    tie_kind=TieKind.ADVICE,
                    start=date(9999, 12, 20),
                    wave=Wave.BASELINE,
                    cohort_id="c9999",
                    context="c9999",
                ),
            ],  # fmt: skip
        )
    )
    return sample


def test_report_of_far_future_cohort_is_a_report(
    far_future: GraphStore, client: TestClient, keys: Keys
) -> None:
    response = client.get("/reports/cohort/c9999", headers=keys.header("programme"))
    assert response.status_code == 200, response.text[:500]
    assert "baseline (9999-12-20)" in response.text
    network = client.get(
        "/metrics/network?cohort=c9999&wave=baseline", headers=keys.header("programme")
    ).json()["network"]
    # c2019's ann bob cat dan, c2021's fay (eve refuses analytics), gus; gus-ann advice and
    # the project ties ab ac bc (dan's mentoring of fay ended in 2022)
    assert (network["people"], network["ties"]) == (6, 4)
    growth = client.get("/metrics/growth?cohort=c9999", headers=keys.header("programme"))
    assert growth.json() == {"baseline_to_end": None, "end_to_follow_up": None}


@pytest.mark.parametrize(
    "url",
    [
        "/metrics/network?as_of=9999-12-31",
        "/metrics/network?as_of=10000-01-01",
        "/metrics/timeline?from=2019-01-01&to=9999-12-31",
        "/metrics/timeline?from=9999-01-01&to=9999-12-31&every=month",
        "/visualisations/network.html?as_of=9999-12-31",
        "/projects?overdue=true&as_of=9999-12-31",
    ],
)
def test_metric_routes_answer_dates_far_ahead_with_a_problem(
    client: TestClient, keys: Keys, url: str
) -> None:
    response = client.get(url, headers=keys.header("programme"))
    assert response.status_code == 422, response.text[:500]
    assert response.headers["content-type"] == PROBLEM_JSON


def test_report_leaves_out_shares_figure_past_200_quarters(sample: GraphStore) -> None:
    # a follow-up answer of c2019 dated 2400: 1,525 quarters after its start (2019-05-01)
    sample.apply(
        Batch(
            ties=[
                Tie(
                    source_id="ann",
                    target_id="dan",
                    tie_kind=TieKind.ADVICE,
                    start=date(2400, 5, 10),
                    wave=Wave.FOLLOW_UP,
                    cohort_id="c2019",
                    context="c2019",
                ),
            ]
        )
    )
    found = build_report(sample, "c2019", visible=lambda p: True, today=date(2024, 1, 1))
    assert found.waves[-1] == ("follow_up", "2400-05-10")
    assert len(measure.dates_between(date(2019, 5, 1), date(2400, 5, 10), "quarter")) > 200
    assert "shares" not in found.figures
    assert {"ties_per_wave", "ei_by_sector", "mixing", "reach"} <= set(found.figures)
