"""Personal data rights: subject access returns everything held about a person;
erasure leaves no trace in later searches, contacts, paths or metrics."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graph.model import Tie
from graph.store import GraphStore

from ..contract.sample import programme
from .conftest import Keys


def sample_ties_of(person_id: str) -> list[Tie]:
    return [t for t in programme().ties if person_id in (t.source_id, t.target_id)]


def test_export_own_data_returns_everything_held(client: TestClient, keys: Keys) -> None:
    body = client.get("/people/cat/export", headers=keys.header("admin")).json()
    assert body["person"] == {
        "id": "cat",
        "email": "cat@example.org",
        "name": "Cat Example",
        "job_title": "Head of Service",
        "interests": [],
        "skills": [],
        "area": "Basildon",
        "consent_directory": True,
        "consent_contact": True,
        "consent_analytics": True,
    }
    assert [(e["organisation"]["id"], e["start"], e["end"]) for e in body["employments"]] == [
        ("ecc", "2019-05-01", "2020-05-31"),
        ("essex-police", "2020-06-01", None),
    ]
    assert [(m["cohort"]["id"], m["role"]) for m in body["memberships"]] == [
        ("c2019", "participant")
    ]
    assert [(p["project"]["id"], p["role"]) for p in body["projects"]] == [("pr-da", "member")]
    assert {(t["kind"], t["other_person_id"]) for t in body["ties"]} == {
        (t.tie_kind.value, t.target_id if t.source_id == "cat" else t.source_id)
        for t in sample_ties_of("cat")
    }


def test_export_by_alumni_withholds_people_they_may_not_see(
    client: TestClient, keys: Keys, sample: GraphStore
) -> None:
    body = client.get("/people/ann/export", headers=keys.header("alumni")).json()
    assert body["person"]["id"] == "ann"
    assert len(body["ties"]) == len(sample_ties_of("ann"))
    assert len(body["api_keys"]) == 1
    assert "secret_sha256" not in body["api_keys"][0]
    # once Bob leaves the directory, Ann's export keeps her ties to him, without his id
    batch = programme()
    batch.people = [
        p.model_copy(update={"consent_directory": False}) if p.id == "bob" else p
        for p in batch.people
    ]
    sample.apply(batch)
    body = client.get("/people/ann/export", headers=keys.header("alumni")).json()
    withheld = [t for t in body["ties"] if t["other_withheld"]]
    assert withheld and all(t["other_person_id"] is None for t in withheld)
    assert "bob" not in str(body)


def test_erase_person_leaves_no_trace_in_search_contacts_paths_or_metrics(
    client: TestClient, keys: Keys, sample: GraphStore
) -> None:
    team, admin = keys.header("programme"), keys.header("admin")
    before = client.get("/metrics/network?as_of=2020-06-01&people=true", headers=team).json()
    assert "bob" in before["people"]
    response = client.delete("/people/bob", headers=admin)
    assert response.status_code == 204
    assert response.content == b""
    after = client.get("/metrics/network?as_of=2020-06-01&people=true", headers=team).json()
    assert after["network"]["people"] == before["network"]["people"] - 1
    assert "bob" not in after["people"]
    growth = client.get("/metrics/growth?cohort=c2019", headers=team).json()
    assert "bob" not in str(growth)
    assert client.get("/metrics/people/bob", headers=team).status_code == 404
    assert client.get("/people/bob", headers=team).status_code == 404
    listed = client.get("/people?limit=500", headers=team).json()
    assert "bob" not in {p["id"] for p in listed["data"]}
    contacts = client.get("/people/ann/contacts?max_hops=2", headers=team).json()
    assert "bob" not in str(contacts)
    paths = client.get("/paths/introduction?from=ann&to_organisation=mse-icb", headers=team)
    assert "Bob" not in paths.text
    assert sample.ties_of(["bob"]) == []
    (audit,) = sample.erasures()
    assert audit.model_dump(exclude={"erased_at", "run_id"}) == {
        "person_id": "bob",
        "actor": next(k.id for k in sample.keys() if k.role.value == "admin"),
    }
    assert client.delete("/people/bob", headers=admin).status_code == 404


def test_erase_person_takes_their_keys_with_them(client: TestClient, keys: Keys) -> None:
    assert client.get("/me", headers=keys.header("alumni")).status_code == 200
    assert client.delete("/people/ann", headers=keys.header("admin")).status_code == 204
    assert client.get("/me", headers=keys.header("alumni")).status_code == 401
