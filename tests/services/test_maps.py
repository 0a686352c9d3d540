"""``services.maps`` and ``services.report`` give what the routes and the CLI give: the
adapters parse, call the one door and write its page, nothing else. On each store.

Expected people are worked out by hand from the sample (tests/contract/sample.py; see
tests/visualisations/test_maps.py): as of 2020-06-01 the triangle ann-bob-cat with dan
hanging off cat; dan has no directory consent, so Ann (alumni) never sees him; c2019
ran its baseline and end waves.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from graph.errors import Forbidden
from graph.model import KeyRole
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from services import maps, report
from services.consent import Viewer

from ..api.conftest import Keys, api_for, make_keys, sample_run
from ..api.conftest import sample as sample  # the sample programme, on each store
from ..api.conftest import shared_client as shared_client  # the session-wide app
from ..contract.sample import programme

TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="test-team")
ANN = Viewer(role=KeyRole.ALUMNI, key_id="test-ann", person_id="ann")
JUNE_2020 = date(2020, 6, 1)


@pytest.fixture
def api(sample: GraphStore, shared_client: TestClient) -> tuple[TestClient, Keys]:
    return api_for(shared_client, sample), make_keys(sample)


def _nodes(html: str) -> list[set[str]]:
    found = re.findall(r'<script type="application/json" id="map-\d+-data">(.*?)</script>', html)
    data: list[dict[str, Any]] = [json.loads(text) for text in found]
    return [{n["id"] for n in panel["nodes"]} for panel in data]


@pytest.mark.parametrize(
    ("query", "role", "viewer", "request_", "waves", "people"),
    [
        (
            "as_of=2020-06-01",
            "programme",
            TEAM,
            maps.MapRequest(as_of=JUNE_2020),
            False,
            [{"ann", "bob", "cat", "dan"}],
        ),
        (
            "as_of=2020-06-01&person=ann&radius=2",
            "alumni",
            ANN,
            maps.MapRequest(as_of=JUNE_2020, person_id="ann", radius=2),
            False,
            [{"ann", "bob", "cat"}],  # dan: no directory consent
        ),
        (
            "as_of=2020-06-01&person=ann&radius=2",
            "programme",
            TEAM,
            maps.MapRequest(as_of=JUNE_2020, person_id="ann", radius=2),
            False,
            [{"ann", "bob", "cat", "dan"}],  # dan reached through cat
        ),
        (
            "cohort=c2019&compare=waves",
            "programme",
            TEAM,
            maps.MapRequest(cohort_id="c2019"),
            True,
            [{"ann", "bob", "cat", "dan"}] * 2,  # baseline and end
        ),
    ],
    ids=["network", "alumni-ego", "team-ego", "waves"],
)
def test_map_service_gives_the_page_the_route_serves(
    api: tuple[TestClient, Keys],
    sample: GraphStore,
    query: str,
    role: str,
    viewer: Viewer,
    request_: maps.MapRequest,
    waves: bool,
    people: list[set[str]],
) -> None:
    client, keys = api
    served = client.get(f"/visualisations/network.html?{query}", headers=keys.header(role))
    assert served.status_code == 200
    drawn = maps.draw_map(sample, viewer, request_, compare_waves=waves)
    assert drawn.html == served.text
    assert _nodes(drawn.html) == people


def test_map_service_refuses_alumni_a_map_that_is_not_their_own(sample: GraphStore) -> None:
    with pytest.raises(Forbidden):
        maps.draw_map(sample, ANN, maps.MapRequest(as_of=JUNE_2020))
    with pytest.raises(Forbidden):
        maps.ego_map(sample, ANN, "bob")
    with pytest.raises(Forbidden):
        maps.wave_comparison(sample, ANN, "c2019")


def test_ego_map_service_draws_radius_one_unless_asked(sample: GraphStore) -> None:
    one = maps.ego_map(sample, TEAM, "ann", maps.MapRequest(as_of=JUNE_2020))
    two = maps.ego_map(sample, TEAM, "ann", maps.MapRequest(as_of=JUNE_2020, radius=2))
    assert {n.id for n in one.panels[0].nodes} == {"ann", "bob", "cat"}
    assert {n.id for n in two.panels[0].nodes} == {"ann", "bob", "cat", "dan"}


def test_report_service_gives_the_page_the_route_serves(
    api: tuple[TestClient, Keys], sample: GraphStore
) -> None:
    client, keys = api
    served = client.get("/reports/cohort/c2019", headers=keys.header("programme"))
    assert served.status_code == 200
    found = report.cohort_report(sample, TEAM, "c2019")
    assert found.html == served.text
    assert served.headers["content-disposition"] == 'inline; filename="report-c2019.html"'
    assert found.report.members == 4  # ann, bob, cat (participants), dan (sponsor)


def test_cli_writes_the_pages_the_services_give(tmp_path: Path) -> None:
    """The commands' own logic (store-independent: they open a store by URL), on SQLite."""
    from cli.main import app

    url = f"sqlite:///{tmp_path / 'sample.db'}"
    store = SqliteStore(url)
    store.apply(programme(), sample_run())
    runner = CliRunner()
    try:
        shown = runner.invoke(
            app, ["visualise", "-o", str(tmp_path / "m.html"), "--as-of", "2020-06-01",
                  "--person", "ann", "--radius", "2", "--store", url],
        )  # fmt: skip
        assert shown.exit_code == 0, shown.output
        drawn = maps.draw_map(
            store, TEAM, maps.MapRequest(as_of=JUNE_2020, person_id="ann", radius=2)
        )
        assert (tmp_path / "m.html").read_text(encoding="utf-8") == drawn.html
        assert f"({drawn.summary})" in shown.output
        told = runner.invoke(
            app, ["report", "--cohort", "c2019", "-o", str(tmp_path / "r.html"), "--store", url]
        )
        assert told.exit_code == 0, told.output
        assert (tmp_path / "r.html").read_text(encoding="utf-8") == report.cohort_report(
            store, TEAM, "c2019"
        ).html
    finally:
        store.close()
