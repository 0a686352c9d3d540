"""The metric suite and the person report."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import networkx as nx
import pytest

from graph.analytics import (
    accel,
    group_metrics,
    metric_suite,
    mixing_matrix,
    network_metrics,
    person_metrics,
    person_report,
)
from graph.analytics.people import BETWEENNESS_SAMPLE_SIZE


def test_metric_suite_hand_graph_assemble_every_part(hand: Any) -> None:
    s = metric_suite(hand)
    assert list(s) == ["network", "organisations", "sectors", "mixing", "people", "meta"]
    assert s["network"] == network_metrics(hand)
    assert s["organisations"] == group_metrics(hand, "organisation")
    assert s["sectors"] == group_metrics(hand, "sector")
    assert s["mixing"] == {
        "organisations": mixing_matrix(hand, "organisation"),
        "sectors": mixing_matrix(hand, "sector"),
    }
    assert s["people"] == person_metrics(hand)
    assert s["meta"] == {
        "as_of": "2025-03-31",
        "kinds": ["advice", "project"],
        "backend": accel.resolve_backend("auto"),
        "louvain_seed": 42,
        "people_computed": True,
        "betweenness_estimated": False,
        "betweenness_sample_size": None,
    }


def test_metric_suite_round_trip_through_strict_json(hand: Any) -> None:
    s = metric_suite(hand)
    text = json.dumps(s, allow_nan=False, sort_keys=True)
    assert json.loads(text) == json.loads(json.dumps(s))
    assert json.loads(text)["people"]["d1"]["constraint"] is None


def test_metric_suite_values_are_plain_python(club: Any) -> None:
    def walk(x: Any) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                assert type(k) in (str, int)
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        else:
            assert x is None or type(x) in (str, int, float, bool)

    walk(metric_suite(club))


def test_metric_suite_same_graph_give_same_answer(club: Any) -> None:
    assert json.dumps(metric_suite(club)) == json.dumps(metric_suite(karate_copy(club)))


def karate_copy(G: Any) -> Any:
    """The same snapshot inserted in reverse order."""
    H = nx.Graph()
    H.add_nodes_from(reversed(list(G.nodes(data=True))))
    H.add_edges_from(reversed(list(G.edges(data=True))))
    return H


def test_metric_suite_without_people_skip_person_metrics(hand: Any) -> None:
    s = metric_suite(hand, people=False)
    assert s["people"] is None
    assert s["meta"]["people_computed"] is False
    assert s["meta"]["betweenness_estimated"] is None


def test_metric_suite_date_as_of_and_missing_kinds_serialise() -> None:
    G = nx.Graph(as_of=date(2024, 2, 29))
    s = metric_suite(G)
    assert (s["meta"]["as_of"], s["meta"]["kinds"]) == ("2024-02-29", None)


@pytest.mark.slow  # exact betweenness on a graph above the limit: ~15 s
def test_metric_suite_above_limit_say_betweenness_is_estimated() -> None:
    # 5,001 people: a star of 11 and 4,990 isolates (cheap to sample)
    G = nx.star_graph(10)
    G.add_nodes_from(range(11, 5001))
    nx.set_node_attributes(G, "Org", "organisation")
    nx.set_node_attributes(G, "health", "sector")
    s = metric_suite(G)
    assert s["meta"]["betweenness_estimated"] is True
    assert s["meta"]["betweenness_sample_size"] == BETWEENNESS_SAMPLE_SIZE
    # the estimate itself is networkx's: see test_people (cheaper on a small graph)
    assert s["people"] is not None
    assert s["people"][0]["betweenness"] > 0.0
    assert s["people"][11]["betweenness"] == 0.0


def test_person_report_hand_graph_follow_the_person(hand: Any) -> None:
    later = nx.Graph(hand)
    later.add_edge("a3", "c1")  # a3 gains a tie to organisation C
    report = person_report({"baseline": hand, "end": later}, "a3")
    assert report["person_id"] == "a3"
    assert report["snapshots"]["baseline"] == person_metrics(hand)["a3"]
    assert report["snapshots"]["end"] == person_metrics(later)["a3"]
    assert report["betweenness_estimated"] == {"baseline": False, "end": False}
    # a3: degree 1 -> 2; cross-org 0 -> 1; reach2 orgs {B} -> {B, C}; sectors {police}
    assert report["changes"] == [
        {
            "from": "baseline",
            "to": "end",
            "degree": 1,
            "cross_org_degree": 1,
            "reach2_orgs": 1,
            "reach2_sectors": 0,
        }
    ]


def test_person_report_absent_person_give_none(hand: Any) -> None:
    without = nx.Graph(hand)
    without.remove_node("b2")
    report = person_report({"w1": hand, "w2": without, "w3": hand}, "b2")
    assert report["snapshots"]["w2"] is None
    assert [c["degree"] for c in report["changes"]] == [None, None]
    assert [(c["from"], c["to"]) for c in report["changes"]] == [("w1", "w2"), ("w2", "w3")]


def test_person_report_unknown_person_raise(hand: Any) -> None:
    with pytest.raises(nx.NodeNotFound, match="zz"):
        person_report({"w1": hand}, "zz")
