"""Each group's people, E-I and mean cross-organisation degree (``group_reach``), on the
hand graph of tests/analytics/graphs.py, worked out by hand."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.analytics.groups import group_reach


def test_group_reach_by_sector_matches_hand_values(hand: nx.Graph) -> None:
    reach = group_reach(hand, "sector")
    # health = a1 a2 a3 (org A): across organisations a1-b1, a2-b1: (1 + 1 + 0) / 3
    assert reach["health"] == {
        "people": 3,
        "ei": 0.0,
        "mean_cross_org_degree": pytest.approx(2 / 3),
    }
    # police = b1 b2 (B), c1 (C): b1 has a1, a2, c1 outside B; b2 none; c1 has b1: 4 / 3
    assert reach["police"]["mean_cross_org_degree"] == pytest.approx(4 / 3)
    # education = d1, an isolate: no tie, no E-I, reach 0
    assert reach["education"] == {"people": 1, "ei": None, "mean_cross_org_degree": 0.0}


def test_group_reach_ignores_people_without_a_group_or_an_organisation() -> None:
    G = nx.Graph([("x", "y"), ("y", "z")])
    nx.set_node_attributes(G, {"x": "A", "y": "B", "z": None}, "organisation")
    nx.set_node_attributes(G, {"x": "T", "y": None, "z": "T"}, "area")
    # T = x, z. x's neighbour y is in B: 1; z has no organisation: 0 -> mean 1/2
    assert group_reach(G, "area") == {"T": {"people": 2, "ei": None, "mean_cross_org_degree": 0.5}}
