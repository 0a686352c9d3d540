"""``graph.snapshot.build_snapshot`` turns a store's rows into the snapshot: which people
and ties it keeps, the kinds on each tie, and an order that does not depend on the rows'.
Expected graphs are worked out by hand from the rows below."""

from __future__ import annotations

import gc
import random
from datetime import date

from graph.model import TieKind
from graph.snapshot import SnapshotRows, build_snapshot

DAY = date(2024, 6, 30)
PEOPLE = ["cat", "ann", "bob", "dan"]
EMPLOYMENTS = [
    ("ann", "o1", date(2020, 1, 1)),
    ("ann", "o2", date(2023, 1, 1)),  # ann's latest spell started by DAY: o2
    ("ann", "o3", date(2025, 1, 1)),  # starts after DAY: not yet
    ("bob", "o3", date(2025, 1, 1)),  # only a later spell: the earliest, o3
    ("eve", "o1", date(2020, 1, 1)),  # not in the snapshot
]
ORGANISATIONS = {"o1": ("One", "health"), "o2": ("Two", None), "o3": ("Three", "education")}
TIES = [
    ("bob", "ann", "advice"),
    ("ann", "bob", "project"),  # the same pair, another kind
    ("ann", "bob", "advice"),  # a repeated row
    ("cat", "bob", "cohort_peer"),
    ("dan", "dan", "advice"),  # a self-tie: dropped
    ("ann", "eve", "advice"),  # eve is not a snapshot person: dropped
    ("dan", "cat", "project"),
    ("cat", "dan", "advice"),
]


def _rows(ties: list[tuple[str, str, str]], people: list[str]) -> SnapshotRows:
    kinds = (TieKind.ADVICE, TieKind.PROJECT, TieKind.COHORT_PEER)
    return SnapshotRows(DAY, kinds, people, EMPLOYMENTS, ORGANISATIONS, ties)


def test_snapshot_keeps_people_with_their_organisation_on_the_day() -> None:
    graph = build_snapshot(_rows(TIES, PEOPLE))
    assert list(graph.nodes(data=True)) == [
        ("ann", {"organisation": "Two", "organisation_id": "o2", "sector": None}),
        ("bob", {"organisation": "Three", "organisation_id": "o3", "sector": "education"}),
        ("cat", {"organisation": None, "organisation_id": None, "sector": None}),
        ("dan", {"organisation": None, "organisation_id": None, "sector": None}),
    ]
    assert graph.graph == {"as_of": DAY, "kinds": ("advice", "project", "cohort_peer")}


def test_snapshot_joins_each_pair_once_with_every_kind_sorted() -> None:
    graph = build_snapshot(_rows(TIES, PEOPLE))
    assert list(graph.edges(data="kinds")) == [
        ("ann", "bob", ("advice", "project")),
        ("bob", "cat", ("cohort_peer",)),
        ("cat", "dan", ("advice", "project")),
    ]


def test_snapshot_is_the_same_whatever_the_order_of_the_rows() -> None:
    expected = build_snapshot(_rows(TIES, PEOPLE))
    shuffler = random.Random(7)
    for _ in range(5):
        ties, people = TIES[:], PEOPLE[:]
        shuffler.shuffle(ties)
        shuffler.shuffle(people)
        graph = build_snapshot(_rows(ties, people))
        assert list(graph.nodes(data=True)) == list(expected.nodes(data=True))
        assert list(graph.edges(data=True)) == list(expected.edges(data=True))
        neighbours = {v: list(graph.adj[v]) for v in graph}
        assert neighbours == {v: list(expected.adj[v]) for v in expected}


def test_snapshot_edges_share_kind_tuples_and_stay_out_of_the_cyclic_collector() -> None:
    first = build_snapshot(_rows(TIES, PEOPLE))
    gc.collect()  # passes the shared kind tuples once: strings only, so they are untracked
    graph = build_snapshot(_rows(TIES, PEOPLE))
    kinds = [data["kinds"] for _, _, data in graph.edges(data=True)]
    assert [id(k) for k in kinds] == [id(d) for _, _, d in first.edges(data="kinds")]
    assert not any(gc.is_tracked(data) for _, _, data in graph.edges(data=True))
