"""``GET /people/filters`` (issue 18, item 1): every key, alumni too, can find the ids
the search's filters take, and each one filters ``GET /people``; on each store.

On the hand-drawn sample programme (tests/contract/sample.py): organisations ecc,
mse-icb and essex-police; cohorts c2019 and c2021; issue domestic-abuse; Dan (no
directory consent) is the only person an alumna (Ann) may not see.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.model import Sector
from graph.store import GraphStore

from ..contract.sample import programme
from .conftest import SETTINGS, Keys, make_keys, sample_run

SAMPLE = programme()


@pytest.fixture
def keys(store: GraphStore) -> Keys:
    store.apply(SAMPLE, sample_run())
    return make_keys(store)


@pytest.fixture
def client(store: GraphStore, keys: Keys) -> Iterator[TestClient]:
    app = create_app(store=store, settings=SETTINGS)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.mark.parametrize("role", ["alumni", "programme"])
def test_every_key_lists_the_filters_the_search_takes(
    client: TestClient, keys: Keys, role: str
) -> None:
    answer = client.get("/people/filters", headers=keys.header(role))
    assert answer.status_code == 200
    found = answer.json()
    assert {o["id"] for o in found["organisations"]} == {o.id for o in SAMPLE.organisations}
    assert {c["id"] for c in found["cohorts"]} == {c.id for c in SAMPLE.cohorts}
    assert {i["id"] for i in found["issues"]} == {i.id for i in SAMPLE.issues}
    assert found["sectors"] == [s.value for s in Sector]
    # areas of the people the caller sees: an alumna does not learn Dan's through them
    seen = [p for p in SAMPLE.people if role != "alumni" or p.consent_directory or p.id == "ann"]
    assert set(found["areas"]) == {p.area for p in seen if p.area}


def test_an_alumna_filters_the_search_by_an_organisation_listed(
    client: TestClient, keys: Keys
) -> None:
    listed = client.get("/people/filters", headers=keys.header("alumni")).json()
    [police] = [o["id"] for o in listed["organisations"] if o["name"] == "Essex Police"]
    answer = client.get("/people", params={"organisation": police}, headers=keys.header("alumni"))
    assert answer.status_code == 200
    staff = {
        e.person_id for e in SAMPLE.employments if e.organisation_id == police and e.end is None
    }
    visible = {p.id for p in SAMPLE.people if p.consent_directory}
    assert {p["id"] for p in answer.json()["data"]} == staff & visible != set()
