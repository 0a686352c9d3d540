"""Snapshots for the analytics tests, with the rules that label them."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest

from graph.analytics.accel import igraph_available

needs_igraph = pytest.mark.skipif(
    not igraph_available(), reason="igraph is not installed (alumni-graph[fast])"
)
"""For tests that run igraph: it is an optional dependency (in the dev extra)."""

BACKENDS = ["networkx", pytest.param("igraph", marks=needs_igraph)]
"""Both backends, igraph skipped when it is not installed."""

SECTORS = (
    "local_government",
    "health",
    "police",
    "fire",
    "education",
    "voluntary_community",
    "business",
    "central_government",
    "other",
)


def hand_graph() -> Any:
    r"""The small snapshot whose metrics the tests work out by hand.

    ::

        a3 --- a1 --- a2             organisation / sector
                 \    |              a1 a2 a3  A / health
                  \   |              b1 b2     B / police
                   b1 --- b2         c1        C / police
                   |                 d1        D / education
                   c1        d1

    Ties: a1-a2, a1-a3, a1-b1, a2-b1, b1-b2, b1-c1 (n = 7, m = 6); d1 is an
    isolate.
    """
    G = nx.Graph(as_of="2025-03-31", kinds=("advice", "project"))
    labels = {
        "a1": ("A", "health"),
        "a2": ("A", "health"),
        "a3": ("A", "health"),
        "b1": ("B", "police"),
        "b2": ("B", "police"),
        "c1": ("C", "police"),
        "d1": ("D", "education"),
    }
    for person, (organisation, sector) in labels.items():
        G.add_node(person, organisation=organisation, sector=sector)
    for u, v in [
        ("a1", "a2"),
        ("a1", "a3"),
        ("a1", "b1"),
        ("a2", "b1"),
        ("b1", "b2"),
        ("b1", "c1"),
    ]:
        G.add_edge(u, v, kinds=("advice",))
    return G


def karate() -> Any:
    """Zachary's karate club: organisation = the member's club after the split
    ("Mr. Hi" or "Officer"); sector = SECTORS[node % 3] (local_government,
    health, police in turn). Its edges carry ``weight``, which metrics ignore."""
    G = nx.karate_club_graph()
    for v, data in G.nodes(data=True):
        data["organisation"] = data["club"]
        data["sector"] = SECTORS[v % 3]
    return G


def florentine() -> Any:
    """Padgett's Florentine families (marriage ties): organisation = "A-L"
    for families whose name starts with A to L, else "M-Z"; sector =
    "business" for names of at most 7 letters, else "voluntary_community"."""
    G = nx.florentine_families_graph()
    for v, data in G.nodes(data=True):
        data["organisation"] = "A-L" if v[0] <= "L" else "M-Z"
        data["sector"] = "business" if len(v) <= 7 else "voluntary_community"
    return G


def two_triangles() -> Any:
    r"""Two triangles joined by one bridge; organisation by triangle::

    1           5
    | \       / |
    |  3 --- 4  |       left: 1 2 3    right: 4 5 6
    | /       \ |       every sector: health
    2           6
    """
    G = nx.Graph([(1, 2), (1, 3), (2, 3), (3, 4), (4, 5), (4, 6), (5, 6)])
    for v in G:
        G.nodes[v]["organisation"] = "left" if v <= 3 else "right"
        G.nodes[v]["sector"] = "health"
    return G


def canonical(G: Any) -> Any:
    """The same nodes and ties, nodes inserted in sorted order and ties in
    sorted order: the ordering the analytics run Louvain (and sampling) on."""
    H = nx.Graph()
    H.add_nodes_from(sorted(G))
    H.add_edges_from(sorted(tuple(sorted(e)) for e in G.edges()))
    return H
