"""POST /mentoring/match, /mentoring/match/accept and /selection/plan on both stores:
the hand-worked answers of tests/services (same network), roles, and problem+json."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.store import GraphStore
from tests.decisions.network import POOL, load_programme

from .conftest import Keys, api_for, make_keys


@pytest.fixture
def programme(store: GraphStore, tmp_path: Path) -> GraphStore:
    load_programme(store, tmp_path)
    return store


@pytest.fixture
def keys(programme: GraphStore) -> Keys:
    return make_keys(programme, programme.person_by_email("p1@x.org").id)


@pytest.fixture
def client(programme: GraphStore, shared_client: TestClient) -> TestClient:
    return api_for(shared_client, programme)


def test_post_mentoring_match_answers_the_optimum(client: TestClient, keys: Keys) -> None:
    body = {"cohort_id": "c-2019", "pool": POOL}
    response = client.post("/mentoring/match", json=body, headers=keys.header("programme"))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"pairs", "unmatched", "total_score"}
    assert answer["total_score"] == 11
    assert set(answer["pairs"][0]) == {
        "mentor", "mentee", "score", "new_sector", "new_orgs", "shared_interests", "opens",
    }  # fmt: skip


def test_post_mentoring_match_refuses_alumni_and_bad_pools(client: TestClient, keys: Keys) -> None:
    body = {"cohort_id": "c-2019", "pool": POOL}
    refused = client.post("/mentoring/match", json=body, headers=keys.header("alumni"))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    bad = {"cohort_id": "c-2019", "pool": [{"email": "x@y.org", "capacity": 1, "name": "X",
                                            "organisation": "Org Z"}]}  # fmt: skip
    response = client.post("/mentoring/match", json=bad, headers=keys.header("programme"))
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["record"], error["field"], error["value"]) == (
        "pool item 1",
        "organisation",
        "Org Z",
    )
    missing = client.post(
        "/mentoring/match", json={**body, "cohort_id": "nope"}, headers=keys.header("programme")
    )
    assert missing.status_code == 404


def test_accept_then_rollback_through_the_api(client: TestClient, keys: Keys) -> None:
    body = {"cohort_id": "c-2019", "pool": POOL}
    accepted = client.post("/mentoring/match/accept", json=body, headers=keys.header("programme"))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["ties"] == 2
    again = client.post("/mentoring/match", json=body, headers=keys.header("programme")).json()
    assert again["total_score"] < 11  # the accepted pairs are tied now, so not allowed again
    run_id = accepted.json()["run_id"]
    undone = client.post(f"/ingest/runs/{run_id}/rollback", headers=keys.header("programme"))
    assert undone.status_code == 200, undone.text
    restored = client.post("/mentoring/match", json=body, headers=keys.header("programme"))
    assert restored.json()["total_score"] == 11


def test_post_selection_plan_answers_and_refuses(client: TestClient, keys: Keys) -> None:
    from tests.services.test_selection import APPLICANTS

    body = {"applicants": APPLICANTS, "places": 2}
    response = client.post("/selection/plan", json=body, headers=keys.header("programme"))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert sorted(s["email"] for s in answer["selected"]) == ["x1@x.org", "x2@x.org"]
    assert answer["objective"] == pytest.approx(11 / 6 + 0.8)
    assert {"objective", "network_value"} <= set(answer["by_score"])
    too_many = {**body, "places": 1, "sector_min": {"health": 1, "police": 1}}
    refused = client.post("/selection/plan", json=too_many, headers=keys.header("programme"))
    assert refused.status_code == 422
    assert "past the 1 places" in refused.json()["errors"][0]["reason"]
    alumni = client.post("/selection/plan", json=body, headers=keys.header("alumni"))
    assert alumni.status_code == 403


def test_openapi_documents_the_decisions(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/mentoring/match", "/mentoring/match/accept", "/selection/plan"):
        assert "application/problem+json" in paths[path]["post"]["responses"]["422"]["content"]
