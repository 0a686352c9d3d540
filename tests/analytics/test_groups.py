"""Group metrics and mixing matrices against hand-worked values."""

from __future__ import annotations

import itertools
from typing import Any

import networkx as nx
import pytest

from graph.analytics import group_metrics, mixing_matrix
from graph.analytics.groups import cross_group_ties


def test_group_metrics_hand_graph_organisations_match_hand_values(hand: Any) -> None:
    assert group_metrics(hand, "organisation") == {
        # A: within a1-a2, a1-a3; out a1-b1, a2-b1
        "A": {"size": 3, "internal": 2, "external": 2, "ei": 0.0},
        # B: within b1-b2; out a1-b1, a2-b1, b1-c1
        "B": {"size": 2, "internal": 1, "external": 3, "ei": 0.5},
        "C": {"size": 1, "internal": 0, "external": 1, "ei": 1.0},
        "D": {"size": 1, "internal": 0, "external": 0, "ei": None},
    }


def test_group_metrics_hand_graph_sectors_match_hand_values(hand: Any) -> None:
    assert group_metrics(hand, "sector") == {
        "education": {"size": 1, "internal": 0, "external": 0, "ei": None},
        "health": {"size": 3, "internal": 2, "external": 2, "ei": 0.0},
        # police = b1 b2 c1: within b1-b2, b1-c1; out a1-b1, a2-b1
        "police": {"size": 3, "internal": 2, "external": 2, "ei": 0.0},
    }


def test_group_metrics_keys_come_sorted(hand: Any) -> None:
    assert list(group_metrics(hand, "sector")) == ["education", "health", "police"]


def test_group_metrics_karate_clubs_match_plain_code(club: Any) -> None:
    result = group_metrics(club, "organisation")
    for name in ("Mr. Hi", "Officer"):
        members = {v for v in club if club.nodes[v]["club"] == name}
        internal = club.subgraph(members).number_of_edges()
        external = sum((u in members) != (v in members) for u, v in club.edges())
        assert result[name] == {
            "size": len(members),
            "internal": internal,
            "external": external,
            "ei": (external - internal) / (external + internal),
        }


def test_group_metrics_unknown_members_belong_to_no_group() -> None:
    # x(A) - y(unknown) - z(A): no group sees the ties of y
    G = nx.path_graph(["x", "y", "z"])
    nx.set_node_attributes(G, {"x": "A", "y": None, "z": "A"}, "organisation")
    assert group_metrics(G, "organisation") == {
        "A": {"size": 2, "internal": 0, "external": 0, "ei": None}
    }
    assert cross_group_ties(G, "organisation") == (0, 0)


def test_mixing_matrix_hand_graph_organisations_match_hand_values(hand: Any) -> None:
    M = mixing_matrix(hand, "organisation")
    assert list(M) == ["A", "B", "C", "D"]
    assert M["A"]["A"] == {"ties": 2, "density": 2 * 2 / (3 * 2)}
    assert M["A"]["B"] == {"ties": 2, "density": 2 / (3 * 2)}
    assert M["A"]["C"] == {"ties": 0, "density": 0.0}
    assert M["B"]["B"] == {"ties": 1, "density": 1.0}
    assert M["B"]["C"] == {"ties": 1, "density": 1 / (2 * 1)}
    assert M["C"]["C"] == {"ties": 0, "density": None}  # one member: no pair
    assert M["D"]["D"] == {"ties": 0, "density": None}
    assert M["C"]["D"] == {"ties": 0, "density": 0.0}


def test_mixing_matrix_is_full_and_symmetric(club: Any) -> None:
    M = mixing_matrix(club, "sector")
    groups = list(M)
    assert all(list(M[x]) == groups for x in groups)
    for x, y in itertools.product(groups, repeat=2):
        assert M[x][y] == M[y][x]


def test_mixing_matrix_karate_sectors_ties_add_up_to_all_ties(club: Any) -> None:
    M = mixing_matrix(club, "sector")
    groups = list(M)
    upper = sum(M[x][y]["ties"] for i, x in enumerate(groups) for y in groups[i:])
    assert upper == club.number_of_edges()
    health = [v for v in club if v % 3 == 1]
    police = [v for v in club if v % 3 == 2]
    between = sum(
        1 for u, v in club.edges() if {u % 3, v % 3} == {1, 2}
    )  # health (1) to police (2)
    assert M["health"]["police"] == {
        "ties": between,
        "density": between / (len(health) * len(police)),
    }


@pytest.mark.parametrize("attribute", ["organisation", "sector"])
def test_cross_group_ties_match_group_totals(club: Any, attribute: str) -> None:
    across, within = cross_group_ties(club, attribute)
    groups = group_metrics(club, attribute).values()
    assert within == sum(g["internal"] for g in groups)
    assert 2 * across == sum(g["external"] for g in groups)
    assert across + within == club.number_of_edges()
