"""A "not found" suggests what its caller may know of, and nothing else (issue 18, item
6), through the API, the pages and the command line's helper alike, on each store.

People are suggested to the programme team only (who may see everyone); an alumna is
never told of anyone, least of all Dan, who has not agreed to be in the directory. On the
hand-drawn sample programme (tests/contract/sample.py): people ann..fay with emails
``<id>@example.org`` and names "<Id> Example"; organisations ecc, mse-icb, essex-police.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.errors import NotFound
from graph.model import KeyRole
from graph.store import GraphStore
from services.consent import Viewer
from services.people import person_id_of, suggestions_for, with_suggestions

from ..contract.sample import programme
from ..pages.conftest import sign_in
from .conftest import SETTINGS, Keys, make_keys, sample_run

ALUMNA = Viewer(role=KeyRole.ALUMNI, key_id="a", person_id="ann")
TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="t")
TYPED_FOR_DAN = ["dann", "Dan Exampel", "DAN", "dan@exampel.org"]


@pytest.fixture
def sample(store: GraphStore) -> GraphStore:
    store.apply(programme(), sample_run())
    return store


@pytest.fixture
def keys(sample: GraphStore) -> Keys:
    return make_keys(sample)


@pytest.fixture
def client(sample: GraphStore) -> Iterator[TestClient]:
    app = create_app(store=sample, settings=SETTINGS)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


# -- the one helper ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", TYPED_FOR_DAN)
def test_an_alumna_is_never_suggested_dan_whatever_she_types(
    sample: GraphStore, typed: str
) -> None:
    for kind in ("person", "person in the network"):
        assert with_suggestions(sample, ALUMNA, NotFound(kind, typed)).suggestions == ()
        assert suggestions_for(sample, ALUMNA, NotFound(kind, typed)) == []
    if "@" in typed:
        with pytest.raises(NotFound) as refused:
            person_id_of(sample, ALUMNA, typed)
        assert refused.value.suggestions == ()


def test_the_team_is_suggested_people_by_id_with_their_names(sample: GraphStore) -> None:
    assert suggestions_for(sample, TEAM, NotFound("person", "Dan Exampel")) == [
        ("dan", "Dan Example")
    ]
    # as alike as each other, so both
    assert suggestions_for(sample, TEAM, NotFound("person", "dann")) == [
        ("ann", "Ann Example"),
        ("dan", "Dan Example"),
    ]
    assert suggestions_for(sample, TEAM, NotFound("organisation", "essex polise")) == [
        ("essex-police", "Essex Police")
    ]


# -- the API ----------------------------------------------------------------------------------


def test_api_person_not_found_suggests_people_to_the_team(client: TestClient, keys: Keys) -> None:
    answer = client.get("/people/Dan%20Exampel", headers=keys.header("programme"))
    assert answer.status_code == 404
    assert answer.json()["detail"] == "person 'Dan Exampel' not found; did you mean dan?"


@pytest.mark.parametrize("typed", ["dann", "anne", "Dan%20Exampel"])
def test_api_person_not_found_suggests_no_one_to_an_alumna(
    client: TestClient, keys: Keys, typed: str
) -> None:
    answer = client.get(f"/people/{typed}", headers=keys.header("alumni"))
    assert answer.status_code == 404
    assert "did you mean" not in answer.json()["detail"]


# -- the pages --------------------------------------------------------------------------------


def suggested_links(html: str) -> list[str]:
    import re

    block = re.search(r'<p id="suggested">(.*?)</p>', html, re.S)
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', block.group(1)) if block else []


def test_person_page_not_found_links_the_team_to_the_closest_person(
    client: TestClient, keys: Keys
) -> None:
    sign_in(client, keys.programme)
    answer = client.get("/person/Dan%20Exampel")
    assert answer.status_code == 404
    assert suggested_links(answer.text) == [("/person/dan", "Dan Example")]


@pytest.mark.parametrize("typed", ["dann", "anne", "Dan%20Exampel"])
def test_person_page_not_found_suggests_no_one_to_an_alumna(
    client: TestClient, keys: Keys, typed: str
) -> None:
    sign_in(client, keys.alumni)
    answer = client.get(f"/person/{typed}")
    assert answer.status_code == 404
    assert suggested_links(answer.text) == []
    assert "Dan Example" not in answer.text and "/person/dan" not in answer.text


def test_introduction_to_a_mistyped_organisation_links_the_same_request_fixed(
    client: TestClient, keys: Keys
) -> None:
    sign_in(client, keys.alumni)
    answer = client.get("/introduction?to_organisation=essex-polise")
    assert answer.status_code == 404
    assert suggested_links(answer.text) == [
        ("/introduction?to_organisation=essex-police", "Essex Police")
    ]


def test_issue_page_not_found_links_the_closest_issue(client: TestClient, keys: Keys) -> None:
    sign_in(client, keys.alumni)
    answer = client.get("/issues/domestic-abuses")
    assert answer.status_code == 404
    assert suggested_links(answer.text) == [("/issues/domestic-abuse", "Domestic abuse")]
