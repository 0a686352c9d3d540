"""Person metrics against hand-worked values and plain networkx code."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import pytest

from graph.analytics import Backend, person_metrics, reach2_groups
from graph.analytics.people import betweenness, betweenness_is_estimated
from tests.analytics.graphs import BACKENDS, canonical


@pytest.mark.parametrize("backend", BACKENDS)
def test_person_metrics_hand_graph_match_hand_values(hand: Any, backend: Backend) -> None:
    m = person_metrics(hand, backend=backend)
    assert list(m) == ["a1", "a2", "a3", "b1", "b2", "c1", "d1"]
    expected = {
        # person: degree, cross_org_degree, ego_ei, reach2_orgs, reach2_sectors
        "a1": (3, 1, (1 - 2) / 3, 2, 1),
        "a2": (2, 1, 0.0, 2, 1),
        "a3": (1, 0, -1.0, 1, 1),
        "b1": (4, 3, (3 - 1) / 4, 2, 1),
        "b2": (1, 0, -1.0, 2, 1),
        "c1": (1, 1, 1.0, 2, 1),
        "d1": (0, 0, None, 0, 0),
    }
    for person, (degree, cross, ei, orgs, sectors) in expected.items():
        got = m[person]
        assert (got["degree"], got["cross_org_degree"], got["reach2_orgs"]) == (
            degree,
            cross,
            orgs,
        )
        assert got["reach2_sectors"] == sectors
        assert got["ego_ei"] == (None if ei is None else pytest.approx(ei))
    # betweenness over (7-1)(7-2)/2 = 15 pairs: a1 sits on a3's 4 paths out;
    # b1 on b2-c1 and on b2's and c1's paths to a1, a2, a3 (7)
    between = {p: m[p]["betweenness"] for p in m}
    assert between == pytest.approx(
        {"a1": 4 / 15, "a2": 0.0, "a3": 0.0, "b1": 7 / 15, "b2": 0.0, "c1": 0.0, "d1": 0.0}
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_person_metrics_hand_graph_burt_measures_match_hand_values(
    hand: Any, backend: Backend
) -> None:
    m = person_metrics(hand, backend=backend)
    # constraint = sum over neighbours j of (p_ij + sum_q p_iq p_qj)^2, p_ij = 1/deg(i)
    # a1 (a2, a3, b1 at 1/3): a2 (1/3 + 1/3*1/4)^2, a3 (1/3)^2, b1 (1/3 + 1/3*1/2)^2
    # a2 (a1, b1 at 1/2): a1 (1/2 + 1/2*1/4)^2, b1 (1/2 + 1/2*1/3)^2
    # b1 (a1, a2, b2, c1 at 1/4): a1 (1/4 + 1/4*1/2)^2, a2 (1/4 + 1/4*1/3)^2, 2 * (1/4)^2
    constraint = {
        "a1": (5 / 12) ** 2 + (1 / 3) ** 2 + (1 / 2) ** 2,
        "a2": (5 / 8) ** 2 + (2 / 3) ** 2,
        "a3": 1.0,
        "b1": (3 / 8) ** 2 + (1 / 3) ** 2 + 2 * (1 / 4) ** 2,
        "b2": 1.0,
        "c1": 1.0,
    }
    # effective size (Borgatti): n - 2t/n, n neighbours, t ties among them
    effective = {"a1": 3 - 2 / 3, "a2": 2 - 2 / 2, "a3": 1.0, "b1": 4 - 2 / 4, "b2": 1.0, "c1": 1.0}
    for person in constraint:
        assert m[person]["constraint"] == pytest.approx(constraint[person])
        assert m[person]["effective_size"] == pytest.approx(effective[person])
    assert m["d1"]["constraint"] is None
    assert m["d1"]["effective_size"] is None


def test_person_metrics_florentine_betweenness_match_published_values(families: Any) -> None:
    m = person_metrics(families)
    # Padgett's families: the Medici broker (e.g. Wasserman & Faust; networkx docs)
    published = {
        "Medici": 0.522,
        "Guadagni": 0.255,
        "Albizzi": 0.212,
        "Salviati": 0.143,
        "Ridolfi": 0.114,
        "Strozzi": 0.103,
        "Pazzi": 0.0,
    }
    for family, value in published.items():
        assert m[family]["betweenness"] == pytest.approx(value, abs=5e-4)


@pytest.mark.parametrize("backend", BACKENDS)
def test_person_metrics_karate_match_networkx(club: Any, backend: Backend) -> None:
    m = person_metrics(club, backend=backend)
    unweighted = nx.Graph(club.edges())
    between = nx.betweenness_centrality(unweighted)
    constraint = nx.constraint(unweighted)
    effective = nx.effective_size(unweighted)
    for v in club:
        own = club.nodes[v]["organisation"]
        other = [u for u in club[v] if club.nodes[u]["organisation"] != own]
        near = nx.single_source_shortest_path_length(club, v, cutoff=2)
        assert m[v]["degree"] == club.degree(v)
        assert m[v]["cross_org_degree"] == len(other)
        assert m[v]["ego_ei"] == pytest.approx(
            (len(other) - (club.degree(v) - len(other))) / club.degree(v)
        )
        assert m[v]["reach2_sectors"] == len(
            {club.nodes[u]["sector"] for u in near} - {club.nodes[v]["sector"]}
        )
        assert m[v]["betweenness"] == pytest.approx(between[v], abs=1e-12)
        assert m[v]["constraint"] == pytest.approx(constraint[v], abs=1e-12)
        assert m[v]["effective_size"] == pytest.approx(effective[v], abs=1e-12)


def test_person_metrics_above_limit_estimate_betweenness_as_networkx(club: Any) -> None:
    m = person_metrics(club, exact_limit=10, sample_size=5)
    expected = nx.betweenness_centrality(canonical(club), k=5, seed=42, normalized=True)
    assert {v: m[v]["betweenness"] for v in club} == pytest.approx(expected, abs=1e-12)
    exact = nx.betweenness_centrality(club, weight=None)
    assert {v: m[v]["betweenness"] for v in club} != pytest.approx(exact, abs=1e-6)


def test_betweenness_is_estimated_above_five_thousand_people() -> None:
    assert not betweenness_is_estimated(nx.empty_graph(5000))
    assert betweenness_is_estimated(nx.empty_graph(5001))


def test_betweenness_sample_size_capped_at_people(club: Any) -> None:
    # asking for more sources than people samples every person: the exact value
    estimate = betweenness(club, exact_limit=0, sample_size=500)
    assert estimate == pytest.approx(nx.betweenness_centrality(club, weight=None), abs=1e-12)


def test_person_metrics_unknown_organisation_count_as_neither() -> None:
    # ego x(A) ties to y(A), z(B), u(unknown); u ties to nobody else
    G = nx.star_graph(["x", "y", "z", "u"])
    nx.set_node_attributes(G, {"x": "A", "y": "A", "z": "B", "u": None}, "organisation")
    nx.set_node_attributes(G, "health", "sector")
    m = person_metrics(G)
    assert m["x"]["cross_org_degree"] == 1
    assert m["x"]["ego_ei"] == 0.0  # (1 - 1) / 2 over the two comparable neighbours
    assert m["u"]["cross_org_degree"] == 0
    assert m["u"]["ego_ei"] is None
    assert m["u"]["reach2_orgs"] == 2  # A and B, the person's own being unknown
    assert m["y"]["reach2_orgs"] == 1  # B; unknown is not an organisation


def test_reach2_groups_path_count_distance_two_only() -> None:
    # A - B - C - D - E (one person per organisation): distance 3 is out of reach
    G = nx.path_graph(5)
    nx.set_node_attributes(G, dict(enumerate("ABCDE")), "organisation")
    assert reach2_groups(G, "organisation") == {0: 2, 1: 3, 2: 4, 3: 3, 4: 2}


def test_person_metrics_empty_graph_give_empty_dict() -> None:
    assert person_metrics(nx.Graph()) == {}


def test_person_metrics_never_return_nan(club: Any) -> None:
    club.add_node("loner", organisation="Officer", sector="health")
    for metrics in person_metrics(club).values():
        for value in metrics.values():
            assert not (isinstance(value, float) and math.isnan(value))
