"""The E-I index expected by chance and the excess over it (``spec/metrics.md``),
against graphs small enough to work out by hand, and areas as a third grouping."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest

from graph.analytics import network_metrics
from graph.analytics.groups import expected_ei, expected_ei_of_sizes


def _snapshot(
    edges: list[tuple[str, str]], groups: dict[str, str | None], attribute: str = "organisation"
) -> nx.Graph:
    G = nx.Graph()
    G.add_nodes_from(groups)
    G.add_edges_from(edges)
    nx.set_node_attributes(G, groups, attribute)
    for other in {"organisation", "sector", "area"} - {attribute}:
        nx.set_node_attributes(G, None, other)
    return G


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        # two groups of 2: 4 people, 12 ordered pairs, 2 + 2 inside: q = 1/3, 1 - 2/3 = 1/3
        ([2, 2], 1 / 3),
        # 3 and 1: 6 of 12 ordered pairs inside: q = 1/2, expected 0
        ([3, 1], 0.0),
        # everyone alone: no pair inside, every tie must cross: +1
        ([1, 1, 1, 1], 1.0),
        # one group: every tie must stay inside: -1
        ([5], -1.0),
        # 2, 3, 5: (2 + 6 + 20) / (10 * 9) = 28/90; 1 - 56/90 = 34/90
        ([2, 3, 5], 34 / 90),
    ],
)
def test_expected_ei_of_sizes_matches_hand_values(sizes: list[int], expected: float) -> None:
    assert expected_ei_of_sizes(sizes) == pytest.approx(expected)


def test_expected_ei_of_sizes_fewer_than_two_people_is_null() -> None:
    assert expected_ei_of_sizes([]) is None
    assert expected_ei_of_sizes([1]) is None
    assert expected_ei_of_sizes([0, 1]) is None


def test_expected_ei_leaves_unknown_people_out() -> None:
    # A = x, y; B = z; w unknown: n = 3, 2 of 6 ordered pairs inside: 1 - 2/3 = 1/3
    G = _snapshot([], {"x": "A", "y": "A", "z": "B", "w": None})
    assert expected_ei(G, "organisation") == pytest.approx(1 / 3)


def test_expected_ei_matches_random_pairs_by_brute_force() -> None:
    # the share of unordered pairs inside a group, counted pair by pair
    groups = {f"p{i}": "ABBCCCDDDD"[i] for i in range(10)}
    pairs = list(itertools.combinations(groups, 2))
    inside = sum(groups[u] == groups[v] for u, v in pairs)
    G = _snapshot([], dict(groups))
    assert expected_ei(G, "organisation") == pytest.approx(1 - 2 * inside / len(pairs))


def test_network_metrics_excess_is_zero_when_ties_mix_as_chance_would() -> None:
    # A = a1, a2; B = b1, b2. Ties a1-a2 (inside), a1-b1, a2-b2 (across):
    # E-I = (2 - 1) / 3 = 1/3; expected for sizes 2, 2 is 1/3 (above): excess 0
    G = _snapshot(
        [("a1", "a2"), ("a1", "b1"), ("a2", "b2")], {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}
    )
    m = network_metrics(G, backend="networkx")
    assert m["ei_org"] == pytest.approx(1 / 3)
    assert m["ei_org_expected"] == pytest.approx(1 / 3)
    assert m["ei_org_excess"] == pytest.approx(0.0)


def test_network_metrics_excess_is_negative_for_a_siloed_big_group() -> None:
    # A = x, y, z; B = w. Ties x-y, y-z inside, z-w across: E-I = (1 - 2) / 3 = -1/3.
    # Sizes 3, 1: expected 0 (above); excess -1/3: fewer crossings than chance
    G = _snapshot([("x", "y"), ("y", "z"), ("z", "w")], {"x": "A", "y": "A", "z": "A", "w": "B"})
    m = network_metrics(G, backend="networkx")
    assert (m["ei_org"], m["ei_org_expected"]) == (pytest.approx(-1 / 3), pytest.approx(0.0))
    assert m["ei_org_excess"] == pytest.approx(-1 / 3)


def test_network_metrics_excess_is_null_without_ties() -> None:
    G = _snapshot([], {"x": "A", "y": "B"})
    m = network_metrics(G, backend="networkx")
    # expected E-I is defined by the sizes alone (+1: two singletons); no tie, no E-I
    assert m["ei_org_expected"] == 1.0
    assert m["ei_org"] is None and m["ei_org_excess"] is None


def test_network_metrics_areas_are_a_third_grouping() -> None:
    # areas: T = a, b; B = c; d unknown. Ties a-b (inside T), b-c (across), c-d (unknown end)
    G = _snapshot(
        [("a", "b"), ("b", "c"), ("c", "d")], {"a": "T", "b": "T", "c": "B", "d": None}, "area"
    )
    m = network_metrics(G, backend="networkx")
    # EL = 1, IL = 1 (c-d counts in neither): share 1/2, E-I 0
    assert m["cross_area_share"] == pytest.approx(0.5)
    assert m["ei_area"] == pytest.approx(0.0)
    # 3 known people, sizes 2, 1: q = 2/6, expected 1/3, excess -1/3
    assert m["ei_area_expected"] == pytest.approx(1 / 3)
    assert m["ei_area_excess"] == pytest.approx(-1 / 3)
    # no organisation or sector known: those figures are null, not zero
    assert m["ei_org_expected"] is None and m["ei_sector_excess"] is None


def test_network_metrics_sector_excess_on_the_hand_graph(hand: nx.Graph) -> None:
    # the hand graph's sectors (tests/analytics/graphs.py): education 1, health 3, police 3;
    # q = (0 + 6 + 6) / (7 * 6) = 12/42, expected = 1 - 24/42 = 18/42
    # ties inside a sector: a1-a2, a1-a3, b1-b2, b1-c1; across: a1-b1, a2-b1: E-I = -2/6
    # excess = -1/3 - 3/7 = -16/21
    m = network_metrics(hand, backend="networkx")
    assert m["ei_sector"] == pytest.approx(-1 / 3)
    assert m["ei_sector_expected"] == pytest.approx(18 / 42)
    assert m["ei_sector_excess"] == pytest.approx(-16 / 21)
