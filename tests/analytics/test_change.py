"""Change between snapshots: ties over the people in both, metric deltas."""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx
import pytest

from graph.analytics import NETWORK_METRICS, compare, growth, network_metrics, timeline


def _snapshot(edges: list[tuple[str, str]], people: str = "") -> Any:
    G = nx.Graph(edges)
    G.add_nodes_from(people)
    nx.set_node_attributes(G, {v: v.upper() for v in G}, "organisation")
    nx.set_node_attributes(G, "health", "sector")
    return G


@pytest.fixture
def before() -> Any:
    # a - b - c - d, and f - a (f leaves)
    return _snapshot([("a", "b"), ("b", "c"), ("c", "d"), ("f", "a")])


@pytest.fixture
def after() -> Any:
    # a - b, c - d, a - c (new), d - e (e joins)
    return _snapshot([("a", "b"), ("c", "d"), ("a", "c"), ("d", "e")])


def test_compare_ties_over_people_in_both_match_hand_values(before: Any, after: Any) -> None:
    c = compare(before, after)
    # in both: a b c d. E1 = ab bc cd; E2 = ab cd ac (f-a and d-e are membership changes)
    assert (c["people_in_both"], c["people_joined"], c["people_left"]) == (4, 1, 1)
    assert (c["new_ties"], c["lost_ties"]) == (1, 1)  # +ac, -bc
    assert c["retention"] == pytest.approx(2 / 3)


def test_compare_delta_is_later_minus_earlier_over_people_in_both(before: Any, after: Any) -> None:
    c = compare(before, after)
    assert c["before"] == network_metrics(before.subgraph("abcd"))
    assert c["after"] == network_metrics(after.subgraph("abcd"))
    assert list(c["delta"]) == list(NETWORK_METRICS)
    # over a b c d: before a-b-c-d (3 ties), after b-a-c-d (3 ties)
    assert c["delta"]["people"] == 0 and c["delta"]["ties"] == 0
    # both paths of 4: distances 1,1,1,2,2,3, mean 10/6 on each
    assert c["delta"]["avg_path_length"] == pytest.approx(0.0)
    # every tie joins two organisations (one person each): E-I index 1 on both
    assert c["delta"]["ei_org"] == 0.0


def _two_waves(joiners: bool) -> tuple[Any, Any]:
    r"""Two waves over a b (organisation A) and c d (organisation B).

    Wave 1: a-b, c-d, and f (organisation F, leaves before wave 2) tied to a.
    Wave 2: a-b, a-c, b-d; with ``joiners``, a cohort x y z (organisation X)
    joins: x-y, y-z, x-a, z-c.
    """
    orgs = {"a": "A", "b": "A", "c": "B", "d": "B", "f": "F", "x": "X", "y": "X", "z": "X"}
    sectors = {"A": "health", "B": "police", "F": "fire", "X": "education"}
    wave1 = nx.Graph([("a", "b"), ("c", "d"), ("f", "a")])
    wave2 = nx.Graph([("a", "b"), ("a", "c"), ("b", "d")])
    if joiners:
        wave2.add_edges_from([("x", "y"), ("y", "z"), ("x", "a"), ("z", "c")])
    for G in (wave1, wave2):
        nx.set_node_attributes(G, {v: orgs[v] for v in G}, "organisation")
        nx.set_node_attributes(G, {v: sectors[orgs[v]] for v in G}, "sector")
    return wave1, wave2


def test_compare_over_people_in_both_match_hand_values() -> None:
    c = compare(*_two_waves(joiners=True), backend="networkx")
    assert (c["people_in_both"], c["people_joined"], c["people_left"]) == (4, 3, 1)
    # E1 = ab cd, E2 = ab ac bd: +ac +bd, -cd, ab kept
    assert (c["new_ties"], c["lost_ties"], c["retention"]) == (2, 1, 0.5)
    before, after, delta = c["before"], c["after"], c["delta"]
    # before, over a b c d: ab cd, both within one organisation; two components of 2
    assert (before["people"], before["ties"], before["density"]) == (4, 2, pytest.approx(1 / 3))
    assert (before["cross_org_share"], before["ei_org"]) == (0.0, -1.0)
    assert (before["components"], before["largest_component_share"]) == (2, 0.5)
    assert before["avg_path_length"] == pytest.approx(1.0)
    # after, over a b c d: the path c-a-b-d, ac and bd across organisations, ab within
    assert (after["people"], after["ties"], after["density"]) == (4, 3, pytest.approx(0.5))
    assert after["cross_org_share"] == pytest.approx(2 / 3)
    assert after["ei_org"] == pytest.approx(1 / 3)
    assert after["cross_sector_share"] == pytest.approx(2 / 3)  # A health, B police
    assert (after["components"], after["largest_component_share"]) == (1, 1.0)
    assert after["avg_path_length"] == pytest.approx(10 / 6)  # 1+1+1+2+2+3 over 6 pairs
    assert (delta["people"], delta["ties"], delta["isolates"]) == (0, 1, 0)
    assert delta["density"] == pytest.approx(1 / 6)
    assert delta["cross_org_share"] == pytest.approx(2 / 3)
    assert delta["ei_org"] == pytest.approx(4 / 3)
    assert (delta["components"], delta["largest_component_share"]) == (-1, 0.5)
    assert delta["avg_path_length"] == pytest.approx(2 / 3)


def test_compare_cohort_joining_between_waves_moves_no_figure() -> None:
    without = compare(*_two_waves(joiners=False), backend="networkx")
    with_cohort = compare(*_two_waves(joiners=True), backend="networkx")
    assert (without["people_joined"], with_cohort["people_joined"]) == (0, 3)
    for name in ("people_in_both", "people_left", "new_ties", "lost_ties", "retention"):
        assert with_cohort[name] == without[name], name  # type: ignore[literal-required]
    assert with_cohort["before"] == without["before"]
    assert with_cohort["after"] == without["after"]
    assert with_cohort["delta"] == without["delta"]


def test_compare_null_metric_give_null_delta() -> None:
    empty = _snapshot([], people="ab")
    tied = _snapshot([("a", "b")])
    c = compare(empty, tied)
    assert c["retention"] is None  # E1 is empty
    assert c["new_ties"] == 1
    assert c["delta"]["cross_org_share"] is None
    assert c["delta"]["ties"] == 1
    assert c["delta"]["density"] == pytest.approx(1.0)


def test_compare_same_snapshot_retain_everything(club: Any) -> None:
    c = compare(club, club)
    assert (c["new_ties"], c["lost_ties"], c["retention"]) == (0, 0, 1.0)
    # the club has no areas: the area figures are null on both sides, so is their change
    assert all(v in (0, 0.0) for k, v in c["delta"].items() if "area" not in k)
    assert all(v is None for k, v in c["delta"].items() if "area" in k)


def test_growth_missing_waves_give_none(before: Any, after: Any) -> None:
    g = growth(before, after, None)
    assert g["baseline_to_end"] == compare(before, after)
    assert g["end_to_follow_up"] is None
    assert growth(None, after, before) == {
        "baseline_to_end": None,
        "end_to_follow_up": compare(after, before),
    }
    assert growth(before, None, after) == {"baseline_to_end": None, "end_to_follow_up": None}


def test_timeline_points_sorted_by_date(before: Any, after: Any) -> None:
    points = timeline([(date(2025, 6, 1), after), (date(2024, 6, 1), before)])
    assert [p["date"] for p in points] == ["2024-06-01", "2025-06-01"]
    assert list(points[0]) == ["date", *NETWORK_METRICS]
    assert {k: v for k, v in points[1].items() if k != "date"} == network_metrics(after)


def test_timeline_no_points_give_empty_list() -> None:
    assert timeline([]) == []
