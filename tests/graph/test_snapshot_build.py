"""``graph.snapshot.build_snapshot`` turns a store's rows into the snapshot: which people
and ties it keeps, the kinds on each tie, and an order that does not depend on the rows'.
Expected graphs are worked out by hand from the rows below."""

from __future__ import annotations

import gc
import random
from datetime import date

import networkx as nx

from graph.analytics import accel
from graph.analytics.edges import EdgeIndex, edge_index
from graph.model import TieKind
from graph.snapshot import SnapshotRows, build_snapshot, organisation_on

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


def _through_networkx(rows: SnapshotRows) -> nx.Graph:
    """The snapshot built by networkx's own ``add_nodes_from`` and ``add_edges_from``,
    from the expected nodes and ties worked out here in plain Python."""
    graph = nx.Graph(as_of=rows.as_of, kinds=tuple(k.value for k in rows.kinds))
    people = sorted(set(rows.people))
    spells: dict[str, list[tuple[str, date]]] = {}
    for person_id, organisation_id, start in rows.employments:
        spells.setdefault(person_id, []).append((organisation_id, start))
    for person_id in people:
        employer = organisation_on(spells.get(person_id, []), rows.as_of)
        name, sector = rows.organisations.get(employer or "", (None, None))
        graph.add_nodes_from(
            [(person_id, {"organisation": name, "organisation_id": employer, "sector": sector})]
        )
    kinds: dict[tuple[str, str], set[str]] = {}
    for source, target, kind in rows.ties:
        if source in graph and target in graph and source != target:
            kinds.setdefault((min(source, target), max(source, target)), set()).add(kind)
    graph.add_edges_from((u, v, {"kinds": tuple(sorted(k))}) for (u, v), k in sorted(kinds.items()))
    return graph


def test_snapshot_the_graph_networkx_builds_from_the_same_rows() -> None:
    chance = random.Random(11)
    people = [f"p{i:03d}" for i in range(120)]
    kinds = ["advice", "project", "cohort_peer"]
    ties = [
        (chance.choice(people + ["gone"]), chance.choice(people), chance.choice(kinds))
        for _ in range(900)
    ]
    rows = _rows(ties, people[:100])
    expected = _through_networkx(rows)
    graph = build_snapshot(rows)
    assert graph.graph == expected.graph
    assert list(graph.nodes(data=True)) == list(expected.nodes(data=True))
    assert list(graph.edges(data=True)) == list(expected.edges(data=True))
    assert {v: list(graph.adj[v]) for v in graph} == {v: list(expected.adj[v]) for v in expected}
    assert graph.number_of_edges() == expected.number_of_edges() > 300
    # each tie's data is one dict of its own, seen from both ends, and each node's too
    assert all(graph.adj[u][v] is graph.adj[v][u] for u, v in graph.edges)
    assert len({id(d) for _, _, d in graph.edges(data=True)}) == graph.number_of_edges()
    assert len({id(d) for _, d in graph.nodes(data=True)}) == graph.number_of_nodes()
    # and the graph behaves as any other: a change shows everywhere networkx looks
    graph.add_edge("p000", "p001", kinds=("advice",))
    graph.remove_node("p002")
    expected.add_edge("p000", "p001", kinds=("advice",))
    expected.remove_node("p002")
    assert nx.utils.graphs_equal(graph, expected)


def _by_hand(graph: nx.Graph) -> list[tuple[str, str, tuple[str, ...]]]:
    return sorted((min(u, v), max(u, v), d["kinds"]) for u, v, d in graph.edges(data=True))


def _listed(index: EdgeIndex) -> list[tuple[str, str, tuple[str, ...]]]:
    ends = zip(index.smaller.tolist(), index.larger.tolist(), index.data, strict=True)
    return [(str(index.nodes[i]), str(index.nodes[j]), d["kinds"]) for i, j, d in ends]


def test_the_edge_index_kept_by_the_build_lists_every_tie_once_in_order() -> None:
    chance = random.Random(5)
    people = [f"p{i:03d}" for i in range(80)]
    ties = [(chance.choice(people), chance.choice(people), "advice") for _ in range(400)]
    graph = build_snapshot(_rows(ties, people))
    kept = edge_index(graph)
    assert kept is edge_index(graph)  # the build's own, not worked out again
    assert kept.nodes == sorted(graph.nodes)
    assert _listed(kept) == _by_hand(graph) and len(kept.data) > 150
    assert all(kept.data[k] is graph.adj[u][v] for k, (u, v, _) in enumerate(_listed(kept)))
    # a graph networkx built from the same rows: the index is worked out from it, the same
    worked_out = edge_index(_through_networkx(_rows(ties, people)))
    assert worked_out is not edge_index(_through_networkx(_rows(ties, people)))
    assert _listed(worked_out) == _listed(kept) and worked_out.nodes == kept.nodes
    # igraph's copy and networkx's canonical one are made from it: the same ties
    prepared = accel.prepare(graph, backend="networkx")
    place = {v: i for i, v in enumerate(sorted(graph))}
    assert prepared.nodes == sorted(graph)
    assert prepared.pairs == sorted((place[u], place[v]) for u, v, _ in _by_hand(graph))


def test_the_edge_index_follows_a_snapshot_that_was_changed() -> None:
    graph = build_snapshot(_rows(TIES, PEOPLE))
    before = edge_index(graph)
    graph.add_edge("ann", "dan", kinds=("advice",))
    after = edge_index(graph)
    assert after is not before
    assert _listed(after) == _by_hand(graph)
    assert ("ann", "dan", ("advice",)) in _listed(after)
