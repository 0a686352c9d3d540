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


def test_compare_delta_is_later_minus_earlier_whole_snapshots(before: Any, after: Any) -> None:
    c = compare(before, after)
    assert c["before"] == network_metrics(before)
    assert c["after"] == network_metrics(after)
    assert list(c["delta"]) == list(NETWORK_METRICS)
    assert c["delta"]["people"] == 0 and c["delta"]["ties"] == 0
    # before: path f-a-b-c-d, mean distance 20/10 = 2; after: e-d-c-a-b path too
    assert c["delta"]["avg_path_length"] == pytest.approx(0.0)
    # every tie joins two organisations (one person each): E-I index 1 on both
    assert c["delta"]["ei_org"] == 0.0


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
    assert all(v in (0, 0.0) for v in c["delta"].values())


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
