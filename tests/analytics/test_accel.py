"""igraph gives networkx's answers, and the preparation of snapshots."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import networkx as nx
import pytest

from graph.analytics import accel, metric_suite
from tests.analytics.graphs import florentine, hand_graph, karate, needs_igraph, two_triangles


def _gnp_with_isolates(seed: int) -> Any:
    """A sparse random graph: several components and isolates."""
    return nx.gnp_random_graph(60, 0.03, seed=seed)


def _path_plus_isolates() -> Any:
    G = nx.path_graph(4)
    G.add_nodes_from([10, 11])
    return G


GRAPHS: dict[str, Callable[[], Any]] = {
    "empty": nx.Graph,
    "one person": lambda: nx.empty_graph(1),
    "two people, no tie": lambda: nx.empty_graph(2),
    "one tie": lambda: nx.path_graph(2),
    "isolates only": lambda: nx.empty_graph(5),
    "path and isolates": _path_plus_isolates,
    "hand graph": hand_graph,
    "two triangles": two_triangles,
    "karate": karate,
    "florentine": florentine,
    "random 1": lambda: _gnp_with_isolates(1),
    "random 2": lambda: _gnp_with_isolates(2),
    "random 3": lambda: _gnp_with_isolates(3),
    "dense random": lambda: nx.gnp_random_graph(40, 0.3, seed=4),
}


def _close(a: dict[Any, float], b: dict[Any, float]) -> bool:
    if a.keys() != b.keys():
        return False
    for v in a:
        x, y = a[v], b[v]
        if math.isnan(x) or math.isnan(y):
            if not (math.isnan(x) and math.isnan(y)):
                return False
        elif abs(x - y) > 1e-9:
            return False
    return True


def _unweighted(G: Any) -> Any:
    H = nx.Graph()
    H.add_nodes_from(G)
    H.add_edges_from(G.edges())
    return H


@pytest.mark.parametrize("name", GRAPHS)
@needs_igraph
def test_betweenness_centrality_igraph_equal_networkx(name: str) -> None:
    G = GRAPHS[name]()
    ours = accel.betweenness_centrality(G, backend="igraph")
    assert _close(ours, nx.betweenness_centrality(_unweighted(G), normalized=True))
    assert _close(ours, accel.betweenness_centrality(G, backend="networkx"))


@pytest.mark.parametrize("name", GRAPHS)
@needs_igraph
def test_constraint_igraph_equal_networkx(name: str) -> None:
    G = GRAPHS[name]()
    ours = accel.constraint(G, backend="igraph")
    expected = nx.constraint(_unweighted(G)) if len(G) else {}
    assert _close(ours, expected)
    assert _close(ours, accel.constraint(G, backend="networkx"))


@pytest.mark.parametrize("name", GRAPHS)
@needs_igraph
def test_effective_size_equal_networkx(name: str) -> None:
    G = GRAPHS[name]()
    expected = nx.effective_size(_unweighted(G)) if len(G) else {}
    assert _close(accel.effective_size(G, backend="igraph"), expected)
    assert _close(accel.effective_size(G, backend="networkx"), expected)


@pytest.mark.parametrize("name", GRAPHS)
@needs_igraph
def test_connected_components_igraph_equal_networkx(name: str) -> None:
    G = GRAPHS[name]()
    ours = accel.connected_components(G, backend="igraph")
    assert ours == accel.connected_components(G, backend="networkx")
    assert {frozenset(c) for c in ours} == {frozenset(c) for c in nx.connected_components(G)}
    assert [len(c) for c in ours] == sorted((len(c) for c in ours), reverse=True)


@pytest.mark.parametrize("name", GRAPHS)
@needs_igraph
def test_average_shortest_path_length_igraph_equal_networkx(name: str) -> None:
    G = GRAPHS[name]()
    for component in nx.connected_components(G):
        expected = nx.average_shortest_path_length(G.subgraph(component))
        for backend in ("igraph", "networkx"):
            got = accel.average_shortest_path_length(G, component, backend=backend)
            assert got == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("name", GRAPHS)
@needs_igraph
def test_metric_suite_igraph_equal_networkx(name: str) -> None:
    G = GRAPHS[name]()
    for i, v in enumerate(G):  # unlabelled graphs: organisations in turn
        G.nodes[v].setdefault("organisation", f"org{i % 3}")
        G.nodes[v].setdefault("sector", "health")
    fast = metric_suite(G, backend="igraph")
    slow = metric_suite(G, backend="networkx")
    assert fast["meta"]["backend"] == "igraph"
    assert slow["meta"]["backend"] == "networkx"
    fast["meta"]["backend"] = slow["meta"]["backend"]
    assert _suites_close(fast, slow)


def _suites_close(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_suites_close(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9
    return bool(a == b)


@needs_igraph
def test_average_shortest_path_length_disconnected_raise() -> None:
    G = _path_plus_isolates()
    for backend in ("igraph", "networkx"):
        with pytest.raises(nx.NetworkXError, match="not connected"):
            accel.average_shortest_path_length(G, backend=backend)
        with pytest.raises(nx.NetworkXPointlessConcept):
            accel.average_shortest_path_length(nx.Graph(), backend=backend)


def test_prepare_orders_nodes_and_ties_canonically() -> None:
    G = nx.Graph([("c", "a"), ("b", "a")])
    p = accel.prepare(G, "networkx")
    assert p.nodes == ["a", "b", "c"]
    assert list(p.canonical.edges()) == [("a", "b"), ("a", "c")]
    assert p.graph is G


@needs_igraph
def test_prepare_frozen_graph_reuse_preparation() -> None:
    G = nx.freeze(karate())
    assert accel.prepare(G, "igraph") is accel.prepare(G, "igraph")
    assert accel.prepare(G, "igraph") is not accel.prepare(G, "networkx")


@needs_igraph
def test_prepare_mutable_graph_prepare_afresh() -> None:
    G = karate()
    first = accel.prepare(G, "igraph")
    G.remove_edge(0, 1)
    assert accel.prepare(G, "igraph") is not first


@needs_igraph
def test_prepare_prepared_snapshot_return_it() -> None:
    p = accel.prepare(karate(), "igraph")
    assert accel.prepare(p) is p
    assert accel.prepare(p, "igraph") is p
    assert accel.prepare(p, "networkx").backend == "networkx"


@pytest.mark.parametrize(
    ("G", "error"),
    [
        (nx.DiGraph([(1, 2)]), nx.NetworkXNotImplemented),
        (nx.MultiGraph([(1, 2)]), nx.NetworkXNotImplemented),
        (nx.Graph([(1, 1)]), nx.NetworkXError),
    ],
)
def test_prepare_non_simple_graph_raise(G: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        accel.prepare(G, "networkx")


def test_resolve_backend_auto_pick_igraph_when_installed() -> None:
    assert accel.resolve_backend("auto") == ("igraph" if accel.igraph_available() else "networkx")
    with pytest.raises(ValueError, match="unknown backend"):
        accel.resolve_backend("rustworkx")  # type: ignore[arg-type]


def test_resolve_backend_igraph_missing_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accel, "igraph_available", lambda: False)
    assert accel.resolve_backend("auto") == "networkx"
    with pytest.raises(ImportError, match="igraph"):
        accel.resolve_backend("igraph")


@pytest.mark.parametrize("name", [g for g in GRAPHS if g not in ("empty",)])
@pytest.mark.parametrize("k", [1, 2, 5])
@needs_igraph
def test_sampled_betweenness_igraph_equal_networkx_estimate(name: str, k: int) -> None:
    """igraph from networkx's own sampled sources gives networkx's estimate."""
    G = GRAPHS[name]()
    k = min(k, len(G))
    expected = nx.betweenness_centrality(accel.prepare(G, "networkx").canonical, k=k, seed=42)
    ours = accel.sampled_betweenness_centrality(G, k, seed=42, backend="igraph")
    assert _close(ours, expected)


@needs_igraph
def test_sampled_betweenness_igraph_equal_networkx_on_a_larger_graph() -> None:
    G = nx.relabel_nodes(nx.barabasi_albert_graph(600, 3, seed=7), lambda v: f"p{v:04d}")
    G.add_nodes_from(["z-isolate-1", "z-isolate-2"])
    expected = nx.betweenness_centrality(accel.prepare(G, "networkx").canonical, k=50, seed=42)
    ours = accel.sampled_betweenness_centrality(G, 50, seed=42, backend="igraph")
    assert max(abs(ours[v] - expected[v]) for v in G) < 1e-12
    assert sum(ours.values()) > 0


@needs_igraph
def test_metric_suite_igraph_build_one_igraph_graph_per_snapshot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Components, exact betweenness, path length, constraint and effective size all
    run on the one igraph graph the preparation built."""
    import igraph

    built: list[Any] = []
    original = igraph.Graph.__init__

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(igraph.Graph, "__init__", counted)
    G = karate()
    nx.set_node_attributes(G, {v: f"org{v % 3}" for v in G}, "organisation")
    nx.set_node_attributes(G, "health", "sector")
    p = accel.prepare(G, "igraph")
    assert len(built) == 1 and p.igraph is built[0]
    suite = metric_suite(p, backend="igraph")
    assert len(built) == 1
    assert suite["network"]["avg_path_length"] == pytest.approx(
        nx.average_shortest_path_length(G), abs=1e-12
    )


@pytest.mark.parametrize("name", GRAPHS)
@needs_igraph
def test_prepare_igraph_same_vertices_and_edges_as_canonical(name: str) -> None:
    G = GRAPHS[name]()
    p = accel.prepare(G, "igraph")
    assert p.igraph.vcount() == len(G)
    expected = [(p.index[u], p.index[v]) for u, v in p.canonical.edges()]
    assert p.igraph.get_edgelist() == expected
    assert sorted(expected) == sorted(tuple(sorted((p.index[u], p.index[v]))) for u, v in G.edges())


@needs_igraph
def test_igraph_metrics_do_not_build_the_networkx_copy() -> None:
    G = nx.relabel_nodes(nx.barabasi_albert_graph(300, 2, seed=3), lambda v: f"p{v:03d}")
    p = accel.prepare(G, "igraph")
    accel.connected_components(p)
    accel.betweenness_centrality(p)
    accel.sampled_betweenness_centrality(p, 20, seed=42)
    accel.average_shortest_path_length(p)
    accel.constraint(p)
    sizes = accel.effective_size(p)
    assert p._canonical is None
    assert _close(sizes, nx.effective_size(G))


@needs_igraph
def test_igraph_metrics_on_a_larger_graph_equal_networkx() -> None:
    """The whole snapshot's path length and exact betweenness on a graph with isolates,
    its nodes inserted in a shuffled order, against networkx on the graph as given."""
    import random

    H = nx.relabel_nodes(nx.barabasi_albert_graph(400, 3, seed=11), lambda v: f"p{v:03d}")
    order = list(H.nodes())
    random.Random(5).shuffle(order)
    G = nx.Graph()
    G.add_nodes_from(order)
    G.add_edges_from(H.edges())
    G.add_nodes_from(["z1", "z2"])
    p = accel.prepare(G, "igraph")
    assert _close(accel.betweenness_centrality(p), nx.betweenness_centrality(G))
    largest = max(nx.connected_components(G), key=len)
    assert accel.average_shortest_path_length(p, largest) == pytest.approx(
        nx.average_shortest_path_length(G.subgraph(largest)), abs=1e-12
    )
    parts = accel.connected_components(p)
    assert [len(c) for c in parts] == [400, 1, 1] and parts[0] == largest
