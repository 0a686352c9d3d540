"""The /mentors and /selection pages: the programme team's forms (CSRF), one services
call each, on the hand-worked network of tests/decisions/network.py (SQLite: the
services run on both stores in tests/services)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth import FailedAuthLimiter
from api.pages.sessions import Sessions
from graph.model import Tie, TieKind
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore, Page
from tests.decisions.network import POOL, load_programme
from tests.services.test_selection import APPLICANTS

from ..api.conftest import SETTINGS, Keys, make_keys
from .conftest import sign_in


@pytest.fixture
def programme(tmp_path: Path) -> Iterator[GraphStore]:
    store = SqliteStore(f"sqlite:///{tmp_path / 'graph.db'}")
    load_programme(store, tmp_path)
    yield store
    store.close()


@pytest.fixture
def keys(programme: GraphStore) -> Keys:
    return make_keys(programme, programme.person_by_email("p1@x.org").id)


@pytest.fixture
def client(pages_client: TestClient, programme: GraphStore) -> TestClient:
    app = pages_client.app
    assert isinstance(app, FastAPI)
    app.state.store = programme
    app.state.sessions = Sessions()
    app.state.auth_limiter = FailedAuthLimiter(
        SETTINGS.auth_failures_per_minute, SETTINGS.auth_failure_window_seconds
    )
    pages_client.cookies.clear()
    return pages_client


def _pool() -> tuple[str, bytes, str]:
    return ("pool.json", json.dumps(POOL).encode(), "application/json")


def test_mentors_page_is_for_the_team_only(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.alumni)
    assert client.get("/mentors").status_code == 403
    assert client.get("/selection").status_code == 403


def test_mentors_page_matches_and_refuses_a_form_without_its_token(
    client: TestClient, keys: Keys
) -> None:
    token = sign_in(client, keys.programme)
    page = client.get("/mentors")
    assert page.status_code == 200 and 'value="c-2019"' in page.text
    without = client.post("/mentors", data={"cohort_id": "c-2019"}, files={"pool": _pool()})
    assert without.status_code == 403
    found = client.post(
        "/mentors", data={"cohort_id": "c-2019", "csrf_token": token}, files={"pool": _pool()}
    )
    assert found.status_code == 200, found.text
    assert "2 pairs, total score 11" in found.text
    assert "the police sector, Org B, Org C" in found.text


def test_mentors_page_accepts_a_match_as_one_run(
    client: TestClient, keys: Keys, programme: GraphStore
) -> None:
    token = sign_in(client, keys.programme)
    accepted = client.post(
        "/mentors",
        data={"cohort_id": "c-2019", "csrf_token": token, "accept": "1"},
        files={"pool": _pool()},
    )
    assert accepted.status_code == 200, accepted.text
    assert 'id="run"' in accepted.text
    ties = programme.find(Tie, {"tie_kind": TieKind.MENTORING.value}, Page(limit=10)).data
    assert len(ties) == 2


def test_mentors_page_lists_bad_rows(client: TestClient, keys: Keys) -> None:
    token = sign_in(client, keys.programme)
    bad = ("pool.csv", b"email,capacity\nalum1@x.org,0\n", "text/csv")
    refused = client.post(
        "/mentors", data={"cohort_id": "c-2019", "csrf_token": token}, files={"pool": bad}
    )
    assert refused.status_code == 422
    assert "pool.csv row 2" in refused.text and "must be a whole number ≥ 1" in refused.text


def test_selection_page_plans_and_explains_unmet_quotas(client: TestClient, keys: Keys) -> None:
    token = sign_in(client, keys.programme)
    applicants = ("applicants.json", json.dumps(APPLICANTS).encode(), "application/json")
    planned = client.post(
        "/selection", data={"places": "2", "csrf_token": token}, files={"applicants": applicants}
    )
    assert planned.status_code == 200, planned.text
    assert "first from New Co" in planned.text and 'id="compare"' in planned.text
    unmet = client.post(
        "/selection",
        data={"places": "2", "csrf_token": token, "sector_min": "police=1"},
        files={"applicants": applicants},
    )
    assert unmet.status_code == 200
    assert "sector_min police=1: short by 1" in unmet.text
    wrong = client.post(
        "/selection",
        data={"places": "2", "csrf_token": token, "sector_min": "planet=1"},
        files={"applicants": applicants},
    )
    assert wrong.status_code == 422 and "planet=1" in wrong.text
