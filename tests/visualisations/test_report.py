"""The programme report of the sample's cohort c2019, and the two routes, on each store.

c2019 ran its baseline (2019-05-10) and end (2020-04-20) waves. At the end wave the
network is the triangle ann-bob-cat with dan hanging off cat: cat is the one broker
(betweenness 2/3) and nobody is isolated. The baseline-to-end change over the four
people in both: ann-cat and cat-dan new, none lost, retention 2/2 = 1. Its project
"Domestic abuse pathways" (3 members) was handed over to c2021 on 2020-12-01.
"""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from api.problems import PROBLEM_JSON
from graph.errors import NotFound
from graph.store import GraphStore
from visualisations import report

from ..api.conftest import Keys
from .conftest import TEAM, map_data


class _Sections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.svgs = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.ids.append(dict(attrs).get("id") or "")
        if tag == "svg":
            self.svgs += 1


def test_report_of_cohort_holds_every_section_and_the_hand_worked_figures(
    sample: GraphStore,
) -> None:
    found = report.build_report(sample, "c2019", visible=TEAM.sees, today=date(2024, 1, 1))
    assert found.waves == (("baseline", "2019-05-10"), ("end", "2020-04-20"))
    assert found.changes == (("baseline → end", 2, 0, 1.0),)
    assert dict(found.growth_rows)["ties"] == ("2", "4")
    assert [(b.name, round(b.betweenness, 4)) for b in found.brokers] == [
        ("Cat Example", round(2 / 3, 4))
    ]
    assert found.isolated == ()
    (project,) = found.projects
    assert (project.title, project.members) == ("Domestic abuse pathways", 3)
    assert project.handovers == ("2020-12-01: to Leading Greater Essex 2021",)
    assert (found.members, found.members_in_analytics) == (4, 4)

    html = report.to_html(found)
    parsed = _Sections()
    parsed.feed(html)
    assert parsed.ids == [section for section, _ in report.SECTIONS]
    assert parsed.svgs == len(found.figures) == 5  # every plot inlined
    for name, _ in report.DEFINITIONS:
        assert f"<dt>{name}</dt>" in html
    assert "<script" not in html and "default-src 'none'" in html


def test_report_of_cohort_without_waves_says_so(sample: GraphStore) -> None:
    found = report.build_report(sample, "c2021", visible=TEAM.sees, today=date(2024, 1, 1))
    assert found.waves == () and found.figures == {}
    assert "No survey wave has been run for this cohort yet." in report.to_html(found)
    assert "Leading Greater Essex 2021" in report.to_html(found)


def test_report_of_unknown_cohort_is_not_found(sample: GraphStore) -> None:
    with pytest.raises(NotFound):
        report.build_report(sample, "c1999", visible=TEAM.sees)


# -- the routes --------------------------------------------------------------------------


def test_report_route_serves_the_page_to_the_team(client: TestClient, keys: Keys) -> None:
    response = client.get("/reports/cohort/c2019", headers=keys.header("programme"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Cat Example" in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("url", "role", "status"),
    [
        ("/reports/cohort/c1999", "programme", 404),
        ("/reports/cohort/c2019", "alumni", 403),
        ("/reports/cohort/c2019", None, 401),
        ("/visualisations/network.html?cohort=c1999&wave=end", "programme", 404),
        ("/visualisations/network.html?organisation=nowhere", "programme", 404),
        ("/visualisations/network.html?person=eve", "programme", 404),
        ("/visualisations/network.html?as_of=2020-06-01&cohort=c2019&wave=end", "programme", 422),
        ("/visualisations/network.html?cohort=c2019", "programme", 422),
        ("/visualisations/network.html?person=ann&collapse=organisations", "programme", 422),
        ("/visualisations/network.html?compare=waves", "programme", 422),
        ("/visualisations/network.html?sector=ministry", "programme", 422),
        ("/visualisations/network.html?person=ann&radius=3", "alumni", 422),
        ("/visualisations/network.html", "alumni", 403),
        ("/visualisations/network.html?person=dan", "alumni", 403),
        ("/visualisations/network.html", None, 401),
    ],
)
def test_routes_refuse_bad_requests_with_a_problem(
    sqlite_client: tuple[TestClient, Keys], url: str, role: str | None, status: int
) -> None:
    client, keys = sqlite_client
    response = client.get(url, headers=keys.header(role))
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["detail"]


def test_map_route_draws_what_the_caller_may_see(client: TestClient, keys: Keys) -> None:
    url = "/visualisations/network.html?as_of=2020-06-01&person=ann&radius=2"
    team = map_data(client.get(url, headers=keys.header("programme")).text)
    alumni = map_data(client.get(url, headers=keys.header("alumni")).text)
    assert {n["id"] for n in team[0]["nodes"]} == {"ann", "bob", "cat", "dan"}
    assert {n["id"] for n in alumni[0]["nodes"]} == {"ann", "bob", "cat"}


def test_map_route_compares_waves_side_by_side(client: TestClient, keys: Keys) -> None:
    url = "/visualisations/network.html?cohort=c2019&compare=waves"
    response = client.get(url, headers=keys.header("programme"))
    assert response.status_code == 200
    baseline, end = map_data(response.text)
    assert len(baseline["edges"]) == 2 and len(end["edges"]) == 4
