"""Introduction paths are exactly the best ones, checked against brute force.

The service searches only part of the network and cuts branches that cannot win.
Here networkx lists *every* simple path of random small networks, filters them by
the documented rules (intermediaries visible and routable, no target passed on
the way, at most one hop longer than the shortest, at most ``max_hops``) and ranks
them by the documented order (hops, weakest hop, total strength, ids). The
service's answer must be the top of that list, path for path.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import networkx as nx
import pytest

from graph.adjacency import AdjacencyCache
from graph.connections import STRENGTH, WARM_KINDS
from graph.model import (
    UNDIRECTED_KINDS,
    Cohort,
    Employment,
    Organisation,
    Person,
    Sector,
    Tie,
    TieKind,
    Wave,
)
from graph.paths import introduction_paths
from graph.store import Batch, GraphStore

PEOPLE = [f"p{n:02d}" for n in range(14)]
ORGANISATIONS = ["org-a", "org-b", "org-c"]
Predicate = Callable[[Person], bool]


@dataclass(frozen=True)
class Rules:
    """A ``graph.viewer.Visibility`` made of two rules written out here."""

    visible: Predicate
    route_through: Predicate

    def sees(self, person: Person) -> bool:
        return self.visible(person)

    def may_route_through(self, person: Person) -> bool:
        return self.route_through(person)


def _network(seed: int) -> Batch:
    """14 people in 3 organisations, about 30 random pairs with 1-3 ties each (of every
    kind, want_to_meet included, which must never carry a path)."""
    rng = random.Random(seed)
    people = [
        Person(
            id=p,
            email=f"{p}@example.org",
            name=f"Person {p}",
            consent_directory=rng.random() < 0.75,
        )
        for p in PEOPLE
    ]
    jobs = [
        Employment(person_id=p, organisation_id=rng.choice(ORGANISATIONS), start=date(2019, 1, 1))
        for p in PEOPLE
    ]
    ties: dict[str, Tie] = {}
    for _ in range(30):
        a, b = rng.sample(PEOPLE, 2)
        for kind in rng.sample(list(TieKind), rng.randint(1, 3)):
            if kind in UNDIRECTED_KINDS:
                a, b = sorted((a, b))
            survey = kind in {
                TieKind.ADVICE,
                TieKind.COLLABORATION,
                TieKind.KNEW_BEFORE,
                TieKind.WANT_TO_MEET,
            }
            tie = Tie(
                source_id=a,
                target_id=b,
                tie_kind=kind,
                start=date(2019, 6, rng.randint(1, 28)),
                wave=rng.choice(list(Wave)) if survey else None,
                cohort_id="c1" if survey else None,
                context="c1" if kind is not TieKind.MENTORING else None,
            )
            ties[tie.key] = tie
    return Batch(
        organisations=[
            Organisation(id=o, name=o.upper(), sector=Sector.LOCAL_GOVERNMENT)
            for o in ORGANISATIONS
        ],
        cohorts=[Cohort(id="c1", name="Cohort 1", start_date=date(2019, 5, 1))],
        people=people,
        employments=jobs,
        ties=list(ties.values()),
    )


def _brute_force(
    batch: Batch,
    source: str,
    targets: list[str],
    visible: Predicate,
    route_through: Predicate,
    max_hops: int,
) -> list[list[str]]:
    """Every simple path, filtered and ranked as the documentation says; the best 3."""
    people = {p.id: p for p in batch.people}
    strength: Counter[frozenset[str]] = Counter()
    for t in batch.ties:
        if t.tie_kind in WARM_KINDS and t.source_id != t.target_id:
            strength[frozenset((t.source_id, t.target_id))] += STRENGTH[t.tie_kind]
    graph = nx.Graph(tuple(pair) for pair in strength)
    graph.add_nodes_from(people)
    reachable = [t for t in targets if t != source and visible(people[t])]
    between = {p for p in people if visible(people[p]) and route_through(people[p])}
    between -= set(reachable)
    paths = [
        path
        for t in reachable
        for path in nx.all_simple_paths(
            graph.subgraph(between | {source, t}), source, t, cutoff=max_hops
        )
    ]
    if not paths:
        return []
    longest = min(max_hops, min(len(p) for p in paths))  # nodes = hops + 1

    def rank(path: list[str]) -> tuple[int, float, float, list[str]]:
        hops = [strength[frozenset(pair)] for pair in zip(path, path[1:], strict=False)]
        return (len(path), -min(hops), -sum(hops), path)

    return sorted((p for p in paths if len(p) - 1 <= longest), key=rank)[:3]


def _everyone(_: Person) -> bool:
    return True


def _listed(person: Person) -> bool:
    return person.consent_directory


def _alumni_of(me: str) -> tuple[Predicate, Predicate]:
    """What an alumni key's consent rules are (``services.consent.Viewer``), written out."""

    def sees(person: Person) -> bool:
        return person.consent_directory or person.id == me

    def may_route(person: Person) -> bool:
        return person.consent_directory

    return sees, may_route


@pytest.mark.parametrize("seed", range(6))
def test_paths_are_the_best_of_every_path_by_brute_force(store: GraphStore, seed: int) -> None:
    batch = _network(seed)
    store.apply(batch)
    network = AdjacencyCache(store, WARM_KINDS).current()
    rng = random.Random(seed)
    checked = nonempty = 0
    for source in PEOPLE[:6]:
        rules = [(_everyone, _listed), _alumni_of(source)]
        for target in rng.sample([p for p in PEOPLE if p != source], 5):
            for visible, route_through in rules:
                for max_hops in (2, 3, 4):
                    found = introduction_paths(
                        store,
                        source,
                        target_id=target,
                        viewer=Rules(visible, route_through),
                        max_hops=max_hops,
                        network=network,
                    )
                    expected = _brute_force(
                        batch, source, [target], visible, route_through, max_hops
                    )
                    assert [[x.person.id for x in p.people] for p in found] == expected, (
                        source,
                        target,
                        max_hops,
                    )
                    checked += 1
                    nonempty += bool(expected)
    assert nonempty > checked // 3  # the networks are not so sparse that nothing is tested


@pytest.mark.parametrize("seed", range(3))
def test_paths_to_an_organisation_are_the_best_to_any_of_its_staff(
    store: GraphStore, seed: int
) -> None:
    batch = _network(100 + seed)
    store.apply(batch)
    network = AdjacencyCache(store, WARM_KINDS).current()
    staff = {
        o: [j.person_id for j in batch.employments if j.organisation_id == o] for o in ORGANISATIONS
    }
    nonempty = 0
    for source in PEOPLE[:8]:
        for organisation in ORGANISATIONS:
            found = introduction_paths(
                store,
                source,
                organisation_id=organisation,
                viewer=Rules(_everyone, _listed),
                network=network,
            )
            expected = _brute_force(batch, source, staff[organisation], _everyone, _listed, 4)
            assert [[x.person.id for x in p.people] for p in found] == expected, (
                source,
                organisation,
            )
            nonempty += bool(expected)
    assert nonempty >= 8
