"""services.mentoring on both stores: the match worked out by hand, consent on who is named,
and accepting a match as one ingest run that rollback undoes.

Snapshot at 2019-01-01 (default kinds + cohort_peer): alum1-alum2-alum3 and p1-p2 are
cliques. reach(alum1) = reach(alum2) = {A, B, C}; reach(p1) = reach(p2) = {A, D};
reach(out) = {Acme}. Allowed: all but alum1-p1 (both Org A). Scores:
alum1->p2 3+2+1 = 6 (housing), alum2->p1 3+2 = 5, alum2->p2 5, out->p1 3+1 = 4,
out->p2 4. Two pairs at most; the best is alum1->p2 + alum2->p1 = 11.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.errors import Forbidden, Invalid, NotFound
from graph.model import KeyRole, Person, Tie, TieKind
from graph.store import GraphStore, Page
from services.consent import Viewer
from services.mentoring import accept_match, match_for
from tests.decisions.network import POOL, load_programme

TEAM = Viewer(KeyRole.PROGRAMME, "k-team")


@pytest.fixture
def programme(store: GraphStore, tmp_path: Path) -> GraphStore:
    load_programme(store, tmp_path)
    return store


def _mentoring(store: GraphStore) -> set[tuple[str, str]]:
    ties = store.find(Tie, {"tie_kind": TieKind.MENTORING.value}, Page(limit=1000)).data
    emails = {p.id: p.email for p in store.find(Person, None, Page(limit=1000)).data}
    return {(emails[t.source_id], emails[t.target_id]) for t in ties}


def test_match_for_finds_the_hand_worked_optimum(programme: GraphStore) -> None:
    found = match_for(programme, TEAM, "c-2019", POOL)
    p2 = programme.person_by_email("p2@x.org")
    # p2 gave no contact consent: named by id, not email
    got = {
        (p.mentor, p.mentee): (p.score, p.new_sector, p.new_orgs, p.shared_interests)
        for p in found.pairs
    }
    assert got == {("alum1@x.org", p2.id): (6, 1, 2, 1), ("alum2@x.org", "p1@x.org"): (5, 1, 2, 0)}
    assert found.total_score == 11
    assert found.unmatched == []
    by_mentor = {p.mentor: p.opens for p in found.pairs}
    assert by_mentor["alum2@x.org"] == ["the police sector", "Org B", "Org C"]


def test_match_for_keeps_locked_pairs_and_names_bad_locks_by_email(programme: GraphStore) -> None:
    locked = match_for(programme, TEAM, "c-2019", POOL, {"locked": [["out@acme.com", "p1@x.org"]]})
    pairs = {(p.mentor, p.mentee, p.score) for p in locked.pairs}
    assert ("out@acme.com", "p1@x.org", 4) in pairs
    assert locked.total_score == 4 + 6
    with pytest.raises(Invalid) as caught:
        match_for(programme, TEAM, "c-2019", POOL, {"locked": [["alum1@x.org", "p1@x.org"]]})
    (problem,) = caught.value.problems
    assert problem.value == "alum1@x.org -> p1@x.org" and "same organisation" in problem.reason


def test_match_for_refuses_alumni_unknown_cohorts_and_bad_pools(programme: GraphStore) -> None:
    with pytest.raises(Forbidden):
        match_for(programme, Viewer(KeyRole.ALUMNI, "k-a", "p-x"), "c-2019", POOL)
    with pytest.raises(NotFound):
        match_for(programme, TEAM, "c-2099", POOL)
    with pytest.raises(Invalid) as caught:
        match_for(programme, TEAM, "c-2019", [{"email": "alum1@x.org", "capacity": 0}])
    assert [(p.record, p.field) for p in caught.value.problems] == [("pool item 1", "capacity")]


def test_accept_match_writes_one_run_that_rollback_undoes(programme: GraphStore) -> None:
    rules = {"locked": [["out@acme.com", "p1@x.org"]]}
    accepted = accept_match(programme, TEAM, "c-2019", POOL, rules)
    assert accepted.ties == 2
    assert _mentoring(programme) == {("out@acme.com", "p1@x.org"), ("alum1@x.org", "p2@x.org")}
    assert programme.person_by_email("out@acme.com").name == "Outside Mentor"
    assert [r.id for r in programme.runs()][-1] == accepted.run_id
    # the pairs now have a mentoring tie: the same pool matches no one again to them
    again = match_for(programme, TEAM, "c-2019", POOL)
    assert {(p.mentor, p.mentee) for p in again.pairs}.isdisjoint(
        {("out@acme.com", "p1@x.org"), ("alum1@x.org", programme.person_by_email("p2@x.org").id)}
    )
    programme.rollback(accepted.run_id)
    assert _mentoring(programme) == set()
    with pytest.raises(NotFound):
        programme.person_by_email("out@acme.com")
    assert programme.person_by_email("p1@x.org").email == "p1@x.org"


def test_accept_match_from_a_pool_file(programme: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "pool.json"
    path.write_text(json.dumps(POOL[:2]))
    accepted = accept_match(programme, TEAM, "c-2019", path)
    assert _mentoring(programme) == {("alum1@x.org", "p2@x.org"), ("alum2@x.org", "p1@x.org")}
    assert accepted.match.total_score == 11
