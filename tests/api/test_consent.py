"""Consent, whatever it is: no response to an alumni key names a person who has not
consented to the directory, and no email leaves without consent to contact."""

from __future__ import annotations

from collections.abc import Iterator

import hypothesis.strategies as st
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from api.keys import issue_key
from graph.model import KeyRole, Person
from graph.store import Batch, GraphStore

from ..contract.sample import programme
from .conftest import Keys, api_for

PEOPLE = ("ann", "bob", "cat", "dan", "eve", "fay")
ORGANISATIONS = ("ecc", "mse-icb", "essex-police")

Consents = dict[str, tuple[bool, bool]]
"""person id -> (consent_directory, consent_contact)."""


def with_consents(consents: Consents) -> Batch:
    """The sample programme with these consent settings (everything else unchanged)."""
    batch = programme()
    batch.people = [
        p.model_copy(
            update={"consent_directory": consents[p.id][0], "consent_contact": consents[p.id][1]}
        )
        for p in batch.people
    ]
    return batch


def strings(value: object) -> Iterator[str]:
    """Every string in a JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def alumni_responses(client: TestClient, key: str, me: str) -> list[object]:
    """What an alumni key can ask about people: search, get, contacts, paths, recommendations."""
    headers = {"Authorization": f"Bearer {key}"}
    urls = [
        "/people?limit=500",
        "/people?issue=domestic-abuse",
        "/me",
        *(f"/people/{p}" for p in PEOPLE),
        f"/people/{me}/contacts?max_hops=2&limit=500",
        f"/people/{me}/recommendations?limit=500",
        *(f"/paths/introduction?to={p}" for p in PEOPLE if p != me),
        *(f"/paths/introduction?to_organisation={o}&max_hops=5" for o in ORGANISATIONS),
    ]
    bodies = []
    for url in urls:
        response = client.get(url, headers=headers)
        assert response.status_code in (200, 404), (url, response.text)
        bodies.append(response.json())
    return bodies


consents = st.fixed_dictionaries({p: st.tuples(st.booleans(), st.booleans()) for p in PEOPLE})


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(consents=consents, me=st.sampled_from(PEOPLE))
def test_alumni_responses_never_name_people_without_consent(
    store: GraphStore, shared_client: TestClient, consents: Consents, me: str
) -> None:
    store.apply(with_consents(consents))
    key, record = issue_key(store, KeyRole.ALUMNI, me)
    try:
        client = api_for(shared_client, store)
        bodies = alumni_responses(client, key, me)
    finally:
        store.revoke_key(record.id, record.created_at)
    people = store.get_many(Person, PEOPLE)
    seen = [s for body in bodies for s in strings(body)]
    for pid, (directory, contact) in consents.items():
        person = people[pid]
        if pid != me and not directory:
            assert pid not in seen, f"{pid}'s id reached {me}"
            assert not any(person.name in s for s in seen), f"{pid}'s name reached {me}"
        if pid != me and not contact:
            assert not any(person.email in s for s in seen), f"{pid}'s email reached {me}"


def test_get_hidden_person_looks_exactly_like_an_absent_one(client: TestClient, keys: Keys) -> None:
    hidden = client.get("/people/dan", headers=keys.header("alumni"))
    absent = client.get("/people/nobody", headers=keys.header("alumni"))
    assert (hidden.status_code, absent.status_code) == (404, 404)
    assert hidden.json()["detail"].replace("dan", "X") == absent.json()["detail"].replace(
        "nobody", "X"
    )
    same = {k: v for k, v in hidden.headers.items() if k != "content-length"}
    assert same == {k: v for k, v in absent.headers.items() if k != "content-length"}


def test_search_by_team_shows_everyone_but_emails_only_with_consent(
    client: TestClient, keys: Keys
) -> None:
    body = client.get("/people", headers=keys.header("programme")).json()
    emails = {p["id"]: p["email"] for p in body["data"]}
    assert body["count"] == 6
    assert emails == {
        "ann": "ann@example.org",
        "bob": None,
        "cat": "cat@example.org",
        "dan": None,
        "eve": None,
        "fay": "fay@example.org",
    }


def test_search_by_alumni_counts_only_consenting_people(client: TestClient, keys: Keys) -> None:
    body = client.get("/people?limit=2&offset=1", headers=keys.header("alumni")).json()
    assert body["count"] == 5  # everyone but Dan
    assert [p["id"] for p in body["data"]] == ["bob", "cat"]


def test_get_me_without_consent_still_shows_myself(
    sample: GraphStore, shared_client: TestClient
) -> None:
    key, _ = issue_key(sample, KeyRole.ALUMNI, "dan")
    client = api_for(shared_client, sample)
    headers = {"Authorization": f"Bearer {key}"}
    me = client.get("/me", headers=headers).json()
    assert (me["role"], me["person"]["id"], me["person"]["email"]) == (
        "alumni",
        "dan",
        "dan@example.org",
    )
    assert client.get("/people/dan", headers=headers).status_code == 200
    listed = client.get("/people?q=dan", headers=headers).json()
    assert [p["id"] for p in listed["data"]] == ["dan"]


def test_team_keys_see_no_email_without_consent_even_on_projects(
    client: TestClient, keys: Keys
) -> None:
    body = client.get("/projects/pr-da", headers=keys.header("admin")).json()
    assert body["sponsor"]["id"] == "dan"
    assert body["sponsor"]["email"] is None
    assert {m["person"]["id"]: m["person"]["email"] for m in body["members"]} == {
        "ann": "ann@example.org",
        "bob": None,
        "cat": "cat@example.org",
    }
