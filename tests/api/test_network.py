"""Contacts, introduction paths and recommendations on the sample: they cross
organisation boundaries, and every hop names the real tie behind it.

The sample's ties (tests/contract/sample.py): project pr-da joins ann, bob, cat;
dan mentors fay; surveys of c2019: ann->bob advice and bob->cat knew_before
(baseline), ann->cat collaboration, cat->dan advice, ann->fay want_to_meet (end).
Employers now: ann ECC, bob NHS, cat POL (moved from ECC), dan POL, fay POL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.keys import issue_key
from graph.model import Cohort, KeyRole, Person, Project, Tie
from graph.store import Batch, GraphStore, Page, PersonQuery
from ingest.demo import demo_tables
from ingest.pipeline import load_bundle
from ingest.write import write_bundle

from ..contract.sample import programme
from .conftest import Keys, api_for

PROJECTS = {"pr-da": "Domestic abuse pathways"}
COHORTS = {"c2019": "Leading Greater Essex 2019", "c2021": "Leading Greater Essex 2021"}
WAVES = {"baseline": "baseline", "end": "end-of-programme", "follow_up": "follow-up"}


def ties_by_pair(ties: list[Tie]) -> dict[frozenset[str], list[Tie]]:
    pairs: dict[frozenset[str], list[Tie]] = {}
    for t in ties:
        pairs.setdefault(frozenset((t.source_id, t.target_id)), []).append(t)
    return pairs


def assert_hop_is_real(
    hop: dict[str, Any],
    ties: dict[frozenset[str], list[Tie]],
    projects: dict[str, str] = PROJECTS,
    cohorts: dict[str, str] = COHORTS,
) -> None:
    """Every connection of the hop is a stored tie between its two people, and its
    text names that tie's project, cohort and wave, or the mentoring's direction."""
    a, b = hop["from_id"], hop["to_id"]
    real = {
        (t.tie_kind.value, t.source_id, t.context, t.wave.value if t.wave else None)
        for t in ties.get(frozenset((a, b)), [])
    }
    assert hop["connections"], hop
    for c in hop["connections"]:
        source = {"out": a, "in": b}.get(c["direction"])
        key = (c["kind"], source, c["context"]["id"] if c["context"] else None, c["wave"])
        if c["direction"] == "mutual":
            assert any(r[0] == key[0] and r[2] == key[2] for r in real), (c, real)
        else:
            assert key in real, (c, real)
        if c["kind"] == "project":
            assert c["text"] == f"worked together on project {projects[c['context']['id']]}"
        elif c["kind"] == "cohort_peer":
            assert c["text"] == f"both in cohort {cohorts[c['context']['id']]}"
        elif c["kind"] == "mentoring":
            assert c["text"] == ("mentor of" if c["direction"] == "out" else "mentored by")
        else:
            survey = f"the {WAVES[c['wave']]} survey of {cohorts[c['context']['id']]}"
            assert c["text"].endswith(survey), c["text"]


SAMPLE_TIES = ties_by_pair(programme().ties)


def organisation(person: dict[str, Any]) -> str | None:
    return person["organisation"]["id"] if person["organisation"] else None


# -- contacts ---------------------------------------------------------------------------


def test_get_contacts_ranks_warmest_first_and_explains_every_tie(
    client: TestClient, keys: Keys
) -> None:
    body = client.get("/people/ann/contacts", headers=keys.header("alumni")).json()
    assert [(c["person"]["id"], c["hops"], c["score"]) for c in body["data"]] == [
        ("cat", 1, 6.0),  # project + collaboration
        ("bob", 1, 5.0),  # project + advice
    ]
    for contact in body["data"]:
        for hop in contact["path"]:
            assert_hop_is_real(hop, SAMPLE_TIES)
    texts = {c["text"] for contact in body["data"] for c in contact["path"][0]["connections"]}
    assert (
        "named them as an advice contact in the baseline survey of Leading Greater Essex 2019"
        in texts
    )


def test_get_contacts_in_other_organisations_cross_a_boundary(
    client: TestClient, keys: Keys
) -> None:
    body = client.get(
        "/people/ann/contacts?scope=other-organisations", headers=keys.header("alumni")
    ).json()
    assert body["count"] >= 1
    assert {organisation(c["person"]) for c in body["data"]} == {"mse-icb", "essex-police"}


def test_get_contacts_two_hops_away_go_through_consenting_people_only(
    client: TestClient, keys: Keys, sample: GraphStore
) -> None:
    team = keys.header("programme")
    body = client.get("/people/ann/contacts?max_hops=2", headers=team).json()
    far = [c for c in body["data"] if c["hops"] == 2]
    assert [(c["person"]["id"], [v["id"] for v in c["via"]]) for c in far] == [("dan", ["cat"])]
    assert [(h["from_id"], h["to_id"]) for h in far[0]["path"]] == [("ann", "cat"), ("cat", "dan")]
    for hop in far[0]["path"]:
        assert_hop_is_real(hop, SAMPLE_TIES)
    alumni = client.get("/people/ann/contacts?max_hops=2", headers=keys.header("alumni")).json()
    assert "dan" not in {c["person"]["id"] for c in alumni["data"]}
    # once cat withdraws from the directory, nobody is introduced through her
    batch = programme()
    batch.people = [
        p.model_copy(update={"consent_directory": False}) if p.id == "cat" else p
        for p in batch.people
    ]
    sample.apply(batch)
    body = client.get("/people/ann/contacts?max_hops=2", headers=team).json()
    assert {(c["person"]["id"], c["hops"]) for c in body["data"]} == {("cat", 1), ("bob", 1)}


# -- introduction paths ---------------------------------------------------------------------


def test_get_introduction_paths_to_an_organisation_cross_its_boundary(
    client: TestClient, keys: Keys
) -> None:
    body = client.get(
        "/paths/introduction?to_organisation=essex-police", headers=keys.header("alumni")
    ).json()
    assert body["from_person"]["id"] == "ann"
    assert body["to_organisation"] == {"id": "essex-police", "name": "Essex Police"}
    assert [[p["id"] for p in path["people"]] for path in body["paths"]] == [
        ["ann", "cat"],
        ["ann", "bob", "cat"],
    ]
    for path in body["paths"]:
        assert organisation(path["people"][0]) == "ecc"
        assert organisation(path["people"][-1]) == "essex-police"
        assert path["hops"] == len(path["steps"]) == len(path["people"]) - 1
        for hop in path["steps"]:
            assert_hop_is_real(hop, SAMPLE_TIES)


def dan_consents(batch: Batch) -> Batch:
    batch.people = [
        p.model_copy(update={"consent_directory": True}) if p.id == "dan" else p
        for p in batch.people
    ]
    return batch


def test_get_introduction_path_explains_every_hop_across_three_organisations(
    sample: GraphStore, shared_client: TestClient
) -> None:
    sample.apply(dan_consents(programme()))
    key, _ = issue_key(sample, KeyRole.ALUMNI, "bob")
    client = api_for(shared_client, sample)
    body = client.get(
        "/paths/introduction?to=fay", headers={"Authorization": f"Bearer {key}"}
    ).json()
    (path,) = [p for p in body["paths"] if p["hops"] == 3]
    assert [p["id"] for p in path["people"]] == ["bob", "cat", "dan", "fay"]
    assert [organisation(p) for p in path["people"]] == [
        "mse-icb",
        "essex-police",
        "essex-police",
        "essex-police",
    ]
    for hop in path["steps"]:
        assert_hop_is_real(hop, SAMPLE_TIES)
    assert [[c["kind"] for c in hop["connections"]] for hop in path["steps"]] == [
        ["project", "knew_before"],
        ["advice"],
        ["mentoring"],
    ]
    assert path["steps"][2]["connections"][0]["text"] == "mentor of"


def test_get_introduction_path_never_goes_through_someone_without_consent(
    client: TestClient, keys: Keys
) -> None:
    # ann -> cat -> dan -> fay is the only chain, and dan is not in the directory
    for role in ("alumni", "programme"):
        body = client.get("/paths/introduction?from=ann&to=fay", headers=keys.header(role)).json()
        assert body["paths"] == []


@pytest.mark.parametrize(
    "query",
    ["", "?to=bob&to_organisation=ecc", "?to=ann", "?to=bob&max_hops=0"],
    ids=["no-target", "two-targets", "to-myself", "zero-hops"],
)
def test_get_introduction_path_with_bad_targets_is_invalid(
    client: TestClient, keys: Keys, query: str
) -> None:
    response = client.get(f"/paths/introduction{query}", headers=keys.header("alumni"))
    assert response.status_code == 422
    assert response.json()["errors"]


def test_two_targets_are_named_with_both_values(client: TestClient, keys: Keys) -> None:
    response = client.get(
        "/paths/introduction?to=bob&to_organisation=ecc", headers=keys.header("alumni")
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["value"], error["reason"]) == ("bob/ecc", "give one of them, not both")


def test_get_introduction_path_to_hidden_person_is_not_found(
    client: TestClient, keys: Keys
) -> None:
    response = client.get("/paths/introduction?to=dan", headers=keys.header("alumni"))
    assert response.status_code == 404
    assert response.json()["detail"] == "person 'dan' not found"


def test_get_introduction_path_from_a_team_key_needs_a_start(
    client: TestClient, keys: Keys
) -> None:
    response = client.get("/paths/introduction?to=bob", headers=keys.header("programme"))
    assert response.status_code == 422


# -- recommendations ------------------------------------------------------------------------


def test_get_recommendations_give_reasons_from_answers_interests_and_issues(
    client: TestClient, keys: Keys
) -> None:
    alumni = client.get("/people/ann/recommendations", headers=keys.header("alumni")).json()
    assert [r["person"]["id"] for r in alumni["data"]] == ["fay"]
    assert [r["kind"] for r in alumni["data"][0]["reasons"]] == [
        "want_to_meet",
        "shared_interest",
        "other_sector",
    ]
    assert alumni["data"][0]["reasons"][0]["text"] == (
        "you named them as someone you want to meet in the end-of-programme survey"
        " of Leading Greater Essex 2019"
    )
    team = client.get("/people/ann/recommendations", headers=keys.header("programme")).json()
    dan = next(r for r in team["data"] if r["person"]["id"] == "dan")
    assert [r["kind"] for r in dan["reasons"]] == ["near", "shared_issue", "other_sector"]
    assert [v["id"] for v in dan["via"]] == ["cat"]
    known = {"bob", "cat"}  # already tied to ann: never recommended
    assert not known & {r["person"]["id"] for r in team["data"]}


# -- the demo programme ---------------------------------------------------------------------


def test_contacts_and_paths_on_the_demo_cross_organisations_with_real_ties(
    store: GraphStore, shared_client: TestClient, tmp_path: Path
) -> None:
    for stem, tables in demo_tables()[:2]:  # two cohorts: enough people, quicker to load
        assert load_bundle(write_bundle(tables, tmp_path / f"{stem}.json"), store).ok
    projects = {p.id: p.title for p in store.find(Project, page=Page(limit=1000)).data}
    cohorts = {c.id: c.name for c in store.find(Cohort, page=Page(limit=100)).data}
    listed = store.search_people(PersonQuery(cohort_id="lge-2020"), Page(limit=1000)).data
    me = next(p for p in listed if p.consent_directory)
    key, _ = issue_key(store, KeyRole.ALUMNI, me.id)
    client = api_for(shared_client, store)
    headers = {"Authorization": f"Bearer {key}"}
    my_org = organisation(client.get("/me", headers=headers).json()["person"])

    def check(hop: dict[str, Any]) -> None:
        assert_hop_is_real(hop, ties_by_pair(store.ties_of([hop["from_id"]])), projects, cohorts)

    contacts = client.get(
        f"/people/{me.id}/contacts?scope=other-organisations&max_hops=2&limit=500",
        headers=headers,
    ).json()
    assert contacts["count"] > 0
    assert {c["hops"] for c in contacts["data"]} == {1, 2}
    for contact in contacts["data"]:
        assert organisation(contact["person"]) not in (None, my_org)
        for hop in contact["path"]:
            check(hop)
    far = contacts["data"][-1]["person"]["id"]
    paths = client.get(f"/paths/introduction?to={far}", headers=headers).json()["paths"]
    assert paths
    for path in paths:
        assert organisation(path["people"][-1]) != my_org
        between = store.get_many(Person, [p["id"] for p in path["people"][1:-1]])
        assert all(p.consent_directory for p in between.values())
        for hop in path["steps"]:
            check(hop)
