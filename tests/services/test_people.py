"""services/people.py is the one door: each function returns exactly what its route
returns (the same public model), for an alumni key and for the programme team, on
both stores.

The sample programme (tests/contract/sample.py): ann (ECC) shares project pr-da with
bob (NHS) and cat (Essex Police, moved from ECC), names bob an advice contact and cat
a collaborator, and fay (Essex Police) someone she wants to meet; cat names dan
(Essex Police, not in the directory) an advice contact. ann's key is the alumni key.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from api.app import create_app
from api.keys import issue_key
from graph.adjacency import AdjacencyCache
from graph.connections import WARM_KINDS
from graph.errors import Forbidden, NotFound
from graph.model import Employment, KeyRole, Organisation, Person, Sector
from graph.store import Batch, GraphStore, Page, PersonQuery
from services import people
from services.consent import Viewer
from services.schemas import (
    CohortDetailOut,
    CohortOut,
    ContactOut,
    IntroductionPathsOut,
    MeOut,
    OrganisationDetailOut,
    OrganisationOut,
    Paged,
    PersonOut,
    ProjectDetailOut,
    ProjectOut,
    RecommendationOut,
)

from ..api.conftest import SETTINGS, api_for, sample_run
from ..contract.sample import programme

PAGE = Page()


class Caller:
    """One key: its secret for the route, its ``Viewer`` for the service."""

    def __init__(self, store: GraphStore, role: KeyRole, person_id: str | None = None) -> None:
        self.secret, record = issue_key(store, role, person_id)
        self.viewer = Viewer(role=record.role, key_id=record.id, person_id=record.person_id)

    def get(self, client: TestClient, url: str, **params: Any) -> Any:
        response = client.get(
            url, params=params, headers={"Authorization": f"Bearer {self.secret}"}
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def app_client() -> Iterator[TestClient]:
    with TestClient(create_app(store_url="sqlite:///:memory:", settings=SETTINGS)) as client:
        yield client


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.apply(programme(), sample_run())
    return store


@pytest.fixture
def client(loaded: GraphStore, app_client: TestClient) -> TestClient:
    return api_for(app_client, loaded)


@pytest.fixture
def ann(loaded: GraphStore) -> Caller:
    return Caller(loaded, KeyRole.ALUMNI, "ann")


@pytest.fixture
def team(loaded: GraphStore) -> Caller:
    return Caller(loaded, KeyRole.PROGRAMME)


def same(model: type[BaseModel], route_json: Any, service_answer: BaseModel) -> None:
    assert isinstance(service_answer, model)
    assert model.model_validate(route_json) == service_answer


def ids(found: Paged[Any]) -> list[str]:
    return [x.person.id if hasattr(x, "person") else x.id for x in found.data]


@pytest.mark.parametrize("role", ["ann", "team"])
def test_search_returns_what_get_people_returns(
    loaded: GraphStore, client: TestClient, role: str, request: pytest.FixtureRequest
) -> None:
    caller: Caller = request.getfixturevalue(role)
    found = people.search(loaded, caller.viewer, PersonQuery(text="Example"), PAGE)
    same(Paged[PersonOut], caller.get(client, "/people", q="Example"), found)
    # dan withheld from the directory: alumni do not find him, the team does
    expected = {"ann", "bob", "cat", "eve", "fay"} | ({"dan"} if role == "team" else set())
    assert set(ids(found)) == expected


def test_person_and_me_return_what_their_routes_return(
    loaded: GraphStore, client: TestClient, ann: Caller
) -> None:
    same(PersonOut, ann.get(client, "/people/cat"), people.person(loaded, ann.viewer, "cat"))
    same(MeOut, ann.get(client, "/me"), people.me(loaded, ann.viewer))
    with pytest.raises(NotFound):
        people.person(loaded, ann.viewer, "dan")  # hidden, exactly as absent


@pytest.mark.parametrize("role", ["ann", "team"])
@pytest.mark.parametrize("scope", ["all", "other-organisations"])
def test_contacts_of_returns_what_the_route_returns(
    loaded: GraphStore, client: TestClient, role: str, scope: str, request: pytest.FixtureRequest
) -> None:
    caller: Caller = request.getfixturevalue(role)
    found = people.contacts_of(
        loaded,
        caller.viewer,
        "ann",
        scope=scope,
        max_hops=2,
        page=PAGE,  # type: ignore[arg-type]
    )
    route = caller.get(client, "/people/ann/contacts", scope=scope, max_hops=2)
    same(Paged[ContactOut], route, found)
    # bob and cat directly; dan through cat, for the team only (not in the directory)
    expected = {"bob", "cat"} | ({"dan"} if role == "team" else set())
    assert set(ids(found)) == expected


def test_contacts_of_refuses_an_alumni_key_another_persons_network(
    loaded: GraphStore, ann: Caller
) -> None:
    with pytest.raises(Forbidden):
        people.contacts_of(loaded, ann.viewer, "bob")


@pytest.mark.parametrize("role", ["ann", "team"])
def test_recommendations_for_returns_what_the_route_returns(
    loaded: GraphStore, client: TestClient, role: str, request: pytest.FixtureRequest
) -> None:
    caller: Caller = request.getfixturevalue(role)
    found = people.recommendations_for(loaded, caller.viewer, "ann", PAGE)
    same(Paged[RecommendationOut], caller.get(client, "/people/ann/recommendations"), found)
    assert "fay" in ids(found)  # ann wants to meet her; she is elsewhere (Essex Police)


@pytest.mark.parametrize(
    ("target", "first"),
    [
        ({"to": "bob"}, ["ann", "bob"]),
        ({"to_organisation": "essex-police"}, ["ann", "cat"]),  # cat works there now
        ({"to": "fay"}, None),  # only through dan, who is not in the directory
    ],
)
def test_introduction_returns_what_the_route_returns(
    loaded: GraphStore,
    client: TestClient,
    ann: Caller,
    target: dict[str, str],
    first: list[str] | None,
) -> None:
    warm = AdjacencyCache(loaded, WARM_KINDS)
    found = people.introduction(loaded, warm, ann.viewer, start=None, **target)
    same(IntroductionPathsOut, ann.get(client, "/paths/introduction", **target), found)
    assert found.from_person.id == "ann"
    paths = [[p.id for p in path.people] for path in found.paths]
    assert (paths[0] if paths else None) == first


def test_cohorts_organisations_and_projects_return_what_their_routes_return(
    loaded: GraphStore, client: TestClient, team: Caller
) -> None:
    v = team.viewer
    same(Paged[CohortOut], team.get(client, "/cohorts"), people.cohorts(loaded, v, PAGE))
    same(CohortDetailOut, team.get(client, "/cohorts/c2019"), people.cohort(loaded, v, "c2019"))
    same(
        Paged[OrganisationOut],
        team.get(client, "/organisations"),
        people.organisations(loaded, v, PAGE),
    )
    same(
        OrganisationDetailOut,
        team.get(client, "/organisations/essex-police"),
        people.organisation(loaded, v, "essex-police"),
    )
    assert people.organisation(loaded, v, "essex-police").people_now == 3  # cat, dan, fay
    same(Paged[ProjectOut], team.get(client, "/projects"), people.projects(loaded, v, PAGE))
    same(
        Paged[ProjectOut],
        team.get(client, "/projects", sponsored="true", as_of="2024-01-01", overdue="true"),
        people.projects(loaded, v, PAGE, sponsored=True, overdue=True, as_of=date(2024, 1, 1)),
    )
    detail = people.project(loaded, v, "pr-da")
    same(ProjectDetailOut, team.get(client, "/projects/pr-da"), detail)
    assert [m.person.id for m in detail.members] == ["ann", "bob", "cat"]  # lead, then by name
    assert detail.sponsor is not None and detail.sponsor.id == "dan"


def test_worth_meeting_keeps_recommendations_in_organisations_not_yet_reached(
    loaded: GraphStore, ann: Caller
) -> None:
    # ann reaches ECC (her own), Mid and South Essex ICB (bob) and Essex Police (cat):
    # fay, recommended, works at Essex Police; gil, sharing ann's interest, at the fire
    # service, which nobody ann knows works for
    fire = Organisation(id="ecfrs", name="Essex County Fire and Rescue", sector=Sector.FIRE)
    gil = Person(id="gil", email="gil@example.org", name="Gil Example",
                 interests=("loneliness",), consent_directory=True)  # fmt: skip
    job = Employment(person_id="gil", organisation_id="ecfrs", start=date(2020, 1, 1))
    loaded.apply(Batch(organisations=[fire], people=[gil], employments=[job]))
    every = people.recommendations_for(loaded, ann.viewer, "ann")
    assert {"fay", "gil"} <= set(ids(every))
    fresh = people.worth_meeting(loaded, ann.viewer, "ann")
    assert ids(fresh) == ["gil"]
    assert [r.text for r in fresh.data[0].reasons] == ["shares your interest in loneliness",
                                                       "works in another sector: fire"]  # fmt: skip


def test_person_page_shows_a_network_only_to_its_person_and_the_team(
    loaded: GraphStore, ann: Caller, team: Caller
) -> None:
    other = people.person_page(loaded, ann.viewer, "bob")
    assert (other.person.id, other.contacts, other.worth_meeting) == ("bob", None, None)
    own = people.person_page(loaded, ann.viewer, "ann")
    assert (
        own.contacts
        == people.contacts_of(loaded, ann.viewer, "ann", scope="other-organisations").data
    )
    assert {c.person.id for c in own.contacts} == {"bob", "cat"}  # both outside ECC
    assert people.person_page(loaded, team.viewer, "bob").contacts is not None
