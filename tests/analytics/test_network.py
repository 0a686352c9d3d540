"""Whole-network metrics against values worked out by hand or by plain code."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import pytest

from graph.analytics import NETWORK_METRICS, Backend, network_metrics, normalized_mutual_information
from graph.analytics.network import louvain_communities
from tests.analytics.graphs import BACKENDS, canonical


@pytest.mark.parametrize("backend", BACKENDS)
def test_network_metrics_hand_graph_match_hand_values(hand: Any, backend: Backend) -> None:
    m = network_metrics(hand, backend=backend)
    assert list(m) == list(NETWORK_METRICS)
    assert m["people"] == 7
    assert m["ties"] == 6
    assert m["density"] == pytest.approx(12 / 42)
    # organisations: within a1-a2, a1-a3, b1-b2; across a1-b1, a2-b1, b1-c1
    assert m["cross_org_share"] == pytest.approx(3 / 6)
    assert m["ei_org"] == pytest.approx(0.0)
    # sectors: within a1-a2, a1-a3, b1-b2, b1-c1; across a1-b1, a2-b1
    assert m["cross_sector_share"] == pytest.approx(2 / 6)
    assert m["ei_sector"] == pytest.approx((2 - 4) / 6)
    assert m["components"] == 2
    assert m["largest_component_share"] == pytest.approx(6 / 7)
    assert m["isolates"] == 1
    # distances in the big component (15 pairs):
    # a1: a2 1, a3 1, b1 1, b2 2, c1 2 = 7;  a2: a3 2, b1 1, b2 2, c1 2 = 7
    # a3: b1 2, b2 3, c1 3 = 8;  b1: b2 1, c1 1 = 2;  b2: c1 2 = 2   -> 26
    assert m["avg_path_length"] == pytest.approx(26 / 15)
    # reach2_orgs: a1 2, a2 2, a3 1, b1 2, b2 2, c1 2, d1 0
    assert m["mean_reach2_orgs"] == pytest.approx(11 / 7)


def test_network_metrics_two_triangles_find_the_triangles(triangles: Any) -> None:
    m = network_metrics(triangles)
    # communities {1,2,3}, {4,5,6}: each has 3 inner ties and degree sum 7; m = 7
    assert m["modularity"] == pytest.approx(2 * (3 / 7 - (7 / 14) ** 2))
    assert m["org_alignment"] == pytest.approx(1.0)
    assert m["avg_path_length"] == pytest.approx(
        # from 1: 2 1, 3 1, 4 2, 5 3, 6 3 (=10); 2 likewise (10); 3: 1,1,1,2,2 (=7)
        # and symmetrically on the right: (10 + 10 + 7) * 2 / 30 ordered pairs
        (10 + 10 + 7) * 2 / 30
    )


def test_network_metrics_two_triangles_crossed_organisations_align_weakly(
    triangles: Any,
) -> None:
    # organisations cut across the triangles: X = {1, 2, 4}, Y = {3, 5, 6}
    for v in triangles:
        triangles.nodes[v]["organisation"] = "X" if v in (1, 2, 4) else "Y"
    m = network_metrics(triangles)
    # contingency [[2, 1], [1, 2]] over 6 people; both entropies log 2
    mi = 2 * (2 / 6) * math.log((2 / 6) / (1 / 4)) + 2 * (1 / 6) * math.log((1 / 6) / (1 / 4))
    assert m["org_alignment"] == pytest.approx(mi / math.log(2))
    assert m["org_alignment"] == pytest.approx(0.08170416594551044)


@pytest.mark.parametrize("backend", BACKENDS)
def test_network_metrics_karate_match_plain_code(club: Any, backend: Backend) -> None:
    m = network_metrics(club, backend=backend)
    n, edges = 34, list(club.edges())
    across = sum(club.nodes[u]["organisation"] != club.nodes[v]["organisation"] for u, v in edges)
    across_sectors = sum(club.nodes[u]["sector"] != club.nodes[v]["sector"] for u, v in edges)
    assert (m["people"], m["ties"]) == (34, 78)
    assert m["density"] == pytest.approx(2 * 78 / (n * (n - 1)))
    assert m["cross_org_share"] == pytest.approx(across / 78)
    assert m["ei_org"] == pytest.approx((across - (78 - across)) / 78)
    assert m["cross_sector_share"] == pytest.approx(across_sectors / 78)
    assert (m["components"], m["largest_component_share"], m["isolates"]) == (1, 1.0, 0)
    assert m["avg_path_length"] == pytest.approx(nx.average_shortest_path_length(club))
    # Louvain on the sorted ordering of the snapshot, unweighted
    communities = nx.community.louvain_communities(canonical(club), seed=42, resolution=1)
    assert m["modularity"] == pytest.approx(nx.community.modularity(club, communities, weight=None))
    reach = [
        len(
            {
                club.nodes[u]["organisation"]
                for u in nx.single_source_shortest_path_length(club, v, cutoff=2)
            }
            - {club.nodes[v]["organisation"]}
        )
        for v in club
    ]
    assert m["mean_reach2_orgs"] == pytest.approx(sum(reach) / n)


def test_network_metrics_florentine_match_plain_code(families: Any) -> None:
    m = network_metrics(families)
    edges = list(families.edges())
    across = sum((u[0] <= "L") != (v[0] <= "L") for u, v in edges)
    across_sectors = sum((len(u) <= 7) != (len(v) <= 7) for u, v in edges)
    assert (m["people"], m["ties"], m["components"], m["isolates"]) == (15, 20, 1, 0)
    assert m["density"] == pytest.approx(40 / (15 * 14))
    assert m["cross_org_share"] == pytest.approx(across / 20)
    assert m["ei_org"] == pytest.approx((2 * across - 20) / 20)
    assert m["cross_sector_share"] == pytest.approx(across_sectors / 20)
    # Padgett's network: mean distance 2.4857 (= 261 / 105)
    assert m["avg_path_length"] == pytest.approx(261 / 105)


def test_network_metrics_empty_graph_give_nulls() -> None:
    m = network_metrics(nx.Graph())
    assert m == {
        "people": 0,
        "ties": 0,
        "density": 0.0,
        "cross_org_share": None,
        "cross_sector_share": None,
        "ei_org": None,
        "ei_sector": None,
        "components": 0,
        "largest_component_share": None,
        "isolates": 0,
        "avg_path_length": None,
        "modularity": None,
        "org_alignment": None,
        "mean_reach2_orgs": None,
        "ei_org_expected": None,
        "ei_org_excess": None,
        "ei_sector_expected": None,
        "ei_sector_excess": None,
        "cross_area_share": None,
        "ei_area": None,
        "ei_area_expected": None,
        "ei_area_excess": None,
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_network_metrics_graph_without_ties_give_nulls_for_tie_metrics(backend: Backend) -> None:
    G = nx.Graph()
    G.add_node("x", organisation="A", sector="health")
    G.add_node("y", organisation="B", sector="police")
    m = network_metrics(G, backend=backend)
    assert m["density"] == 0.0
    assert m["cross_org_share"] is None and m["ei_org"] is None
    assert m["modularity"] is None and m["org_alignment"] is None
    assert (m["components"], m["isolates"], m["largest_component_share"]) == (2, 2, 0.5)
    # the largest component is a single person: no pair, mean length 0
    assert m["avg_path_length"] == 0.0
    assert m["mean_reach2_orgs"] == 0.0


def test_network_metrics_single_person_have_zero_density() -> None:
    G = nx.Graph()
    G.add_node("x", organisation="A", sector="health")
    m = network_metrics(G)
    assert (m["density"], m["components"], m["largest_component_share"]) == (0.0, 1, 1.0)
    assert m["avg_path_length"] == 0.0


def test_network_metrics_tied_largest_components_pool_their_pairs() -> None:
    # path p1 - p2 - p3 (mean 4/3) and triangle q1 q2 q3 (mean 1): both of size 3
    G = nx.Graph([("q1", "q2"), ("q2", "q3"), ("q1", "q3"), ("p1", "p2"), ("p2", "p3")])
    G.add_node("r1")
    nx.set_node_attributes(G, "A", "organisation")
    nx.set_node_attributes(G, "health", "sector")
    m = network_metrics(G)
    assert m["largest_component_share"] == pytest.approx(3 / 7)
    assert m["avg_path_length"] == pytest.approx((4 / 3 + 1) / 2)


def test_network_metrics_unknown_organisation_skip_its_ties() -> None:
    # x(A) - y(A) - z(unknown) - w(B): only x-y is comparable (within)
    G = nx.path_graph(["x", "y", "z", "w"])
    nx.set_node_attributes(G, {"x": "A", "y": "A", "z": None, "w": "B"}, "organisation")
    nx.set_node_attributes(G, "health", "sector")
    m = network_metrics(G)
    assert m["cross_org_share"] == 0.0
    assert m["ei_org"] == -1.0
    assert m["cross_sector_share"] == 0.0


def test_network_metrics_ignore_edge_weights(club: Any) -> None:
    unweighted = nx.Graph(club)
    for _, _, data in unweighted.edges(data=True):
        data.clear()
    assert network_metrics(club) == network_metrics(unweighted)


def test_louvain_communities_cover_every_person(club: Any) -> None:
    communities = louvain_communities(club)
    assert set().union(*communities) == set(club)
    assert sum(len(c) for c in communities) == len(club)


def test_normalized_mutual_information_unequal_entropies_match_hand_value() -> None:
    # a = x x x y, b = 0 0 1 1: joint (x,0) 2, (x,1) 1, (y,1) 1 over 4 items
    a = {1: "x", 2: "x", 3: "x", 4: "y"}
    b = {1: 0, 2: 0, 3: 1, 4: 1}
    mi = (
        (2 / 4) * math.log((2 / 4) / ((3 / 4) * (2 / 4)))
        + (1 / 4) * math.log((1 / 4) / ((3 / 4) * (2 / 4)))
        + (1 / 4) * math.log((1 / 4) / ((1 / 4) * (2 / 4)))
    )
    h_a = -(3 / 4) * math.log(3 / 4) - (1 / 4) * math.log(1 / 4)
    h_b = math.log(2)
    assert normalized_mutual_information(a, b) == pytest.approx(mi / ((h_a + h_b) / 2))
    # scikit-learn: normalized_mutual_info_score([0,0,0,1], [0,0,1,1]) = 0.3437110184854...
    assert normalized_mutual_information(a, b) == pytest.approx(0.3437110184854507)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({}, {}, 1.0),
        ({1: "x", 2: "x"}, {1: 0, 2: 0}, 1.0),
        ({1: "x", 2: "x"}, {1: 0, 2: 1}, 0.0),
        ({1: "x", 2: "y"}, {1: 0, 2: 0}, 0.0),
        ({1: "x", 2: "y", 3: "y"}, {1: 7, 2: 8, 3: 8}, 1.0),
        # independent: each block of a meets each block of b equally
        ({1: "x", 2: "x", 3: "y", 4: "y"}, {1: 0, 2: 1, 3: 0, 4: 1}, 0.0),
    ],
)
def test_normalized_mutual_information_limit_cases_match_sklearn(
    a: dict[int, object], b: dict[int, object], expected: float
) -> None:
    assert normalized_mutual_information(a, b) == pytest.approx(expected)


def test_normalized_mutual_information_different_items_raise() -> None:
    with pytest.raises(ValueError, match="same items"):
        normalized_mutual_information({1: "x"}, {2: "x"})
