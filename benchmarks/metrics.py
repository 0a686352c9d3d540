"""Issue 4: the snapshot per store, and the whole metric suite by each route.

- **snapshot**: ``store.snapshot(as_of)`` (a date after every tie), timed a
  few times per store; the graph is pickled once for the suite phases, so
  every route measures the very same graph.
- **suite, plain networkx**: ``metric_suite(G, backend="networkx")``.
- **suite, the service's route**: ``metric_suite(G, backend="auto")``, which is
  igraph for components, path lengths, constraint, effective size and
  betweenness (exact, or above 5,000 people from the k = 500 sources networkx
  samples, ``graph.analytics.people.betweenness``), all on the one igraph graph
  its preparation builds (the ``prepare`` block: canonical order, igraph import
  and build, as igraph alone's ``build_s`` plus its import).
- **igraph alone**: the same snapshot as an igraph graph, then its connected
  components and exact betweenness, betweenness from the same 500 sources
  networkx samples (``sources=``), checked equal to networkx's estimate, and
  the mean path length of the largest component(s), as the suite computes it.

Each suite run also records where its time went, by timing the suite's own
building blocks as it calls them (wrappers on the module attributes it looks
up, removed afterwards): the blocks are the library's, untouched.
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
import random
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any
from unittest import mock

import networkx as nx

from benchmarks.common import Json, stopwatch
from graph.analytics import metric_suite
from graph.analytics.people import BETWEENNESS_SAMPLE_SIZE, BETWEENNESS_SEED
from graph.stores import open_store

__all__ = ["compare_suites", "run_igraph", "run_snapshot", "run_suite"]

BLOCKS: tuple[tuple[str, str, str], ...] = (
    ("graph.analytics.accel", "prepare", "prepare"),
    ("graph.analytics.accel", "connected_components", "components"),
    ("graph.analytics.accel", "average_shortest_path_length", "avg_path_length"),
    ("graph.analytics.network", "louvain_communities", "louvain"),
    ("networkx.algorithms.community", "modularity", "modularity"),
    ("graph.analytics.network", "reach2_groups", "reach2"),
    ("graph.analytics.people", "reach2_groups", "reach2"),
    ("graph.analytics.people", "betweenness", "betweenness"),
    ("graph.analytics.accel", "constraint", "constraint"),
    ("graph.analytics.accel", "effective_size", "effective_size"),
    ("graph.analytics.suite", "group_metrics", "groups_and_mixing"),
    ("graph.analytics.suite", "mixing_matrix", "groups_and_mixing"),
)
"""(module, attribute, label): the suite's building blocks, as the suite looks them up."""


def _edges_digest(graph: Any) -> str:
    edges = sorted(tuple(sorted((str(u), str(v)))) for u, v in graph.edges())
    return hashlib.sha256(json.dumps([sorted(map(str, graph.nodes())), edges]).encode()).hexdigest()


def run_snapshot(url: str, as_of: str, repeats: int, out: str | None = None) -> Json:
    """Time ``store.snapshot`` ``repeats`` times; pickle the graph to ``out`` if given."""
    store = open_store(url)
    day = date.fromisoformat(as_of)
    times: list[float] = []
    try:
        for _ in range(repeats):
            with stopwatch() as elapsed:
                graph = store.snapshot(day)
            times.append(elapsed())
    finally:
        store.close()
    if out is not None:
        Path(out).write_bytes(pickle.dumps(graph, protocol=pickle.HIGHEST_PROTOCOL))
    return {
        "seconds": [round(t, 3) for t in times],
        "best_s": round(min(times), 3),
        "median_s": round(sorted(times)[len(times) // 2], 3),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "digest": _edges_digest(graph),
    }


@contextmanager
def _blocks() -> Iterator[dict[str, float]]:
    """Seconds spent in each building block of the suite while the block is open."""
    spent: dict[str, float] = {}
    import importlib

    def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

        return wrapper

    with ExitStack() as stack:
        for module_name, attribute, label in BLOCKS:
            module = importlib.import_module(module_name)
            original = getattr(module, attribute)
            stack.enter_context(mock.patch.object(module, attribute, timed(label, original)))
        yield spent


def run_suite(snapshot: str, backend: str, out: str) -> Json:
    """``metric_suite`` on the pickled snapshot with ``backend``; its answer saved to ``out``."""
    graph = pickle.loads(Path(snapshot).read_bytes())
    with _blocks() as spent, stopwatch() as elapsed:
        suite = metric_suite(graph, backend=backend)  # type: ignore[arg-type]
    seconds = elapsed()
    Path(out).write_text(json.dumps(suite, default=str))
    blocks = {k: round(v, 3) for k, v in sorted(spent.items(), key=lambda kv: -kv[1])}
    blocks["other"] = round(seconds - sum(spent.values()), 3)
    return {
        "backend": backend,
        "engine": suite["meta"]["backend"],
        "seconds": round(seconds, 2),
        "betweenness_estimated": suite["meta"]["betweenness_estimated"],
        "betweenness_sample_size": suite["meta"]["betweenness_sample_size"],
        "blocks_s": blocks,
    }


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}/{i}")
    else:
        yield path, value


def compare_suites(a: str, b: str) -> Json:
    """Whether two saved suites give the same answers: largest numeric difference."""
    left = dict(_leaves(json.loads(Path(a).read_text())))
    right = dict(_leaves(json.loads(Path(b).read_text())))
    left.pop("/meta/backend", None)
    right.pop("/meta/backend", None)
    worst, where, mismatched = 0.0, None, 0
    for key in left.keys() | right.keys():
        x, y = left.get(key), right.get(key)
        if isinstance(x, int | float) and isinstance(y, int | float):
            gap = abs(float(x) - float(y))
            if gap > worst:
                worst, where = gap, key
        elif x != y:
            mismatched += 1
    return {"max_abs_diff": worst, "at": where, "other_mismatches": mismatched}


def run_igraph(snapshot: str, estimate_from: str | None = None) -> Json:
    """igraph alone on the same snapshot: build, components, exact and sampled betweenness."""
    import igraph

    graph = pickle.loads(Path(snapshot).read_bytes())
    with stopwatch() as build:
        nodes = sorted(graph.nodes())
        index = {v: i for i, v in enumerate(nodes)}
        h = igraph.Graph(
            n=len(nodes), edges=[(index[u], index[v]) for u, v in graph.edges()], directed=False
        )
    with stopwatch() as components:
        parts = h.connected_components()
    with stopwatch() as exact:
        h.betweenness(directed=False)
    n, k = len(nodes), min(BETWEENNESS_SAMPLE_SIZE, len(nodes))
    # networkx samples its k sources as random.Random(seed).sample(canonical node list, k).
    sources = random.Random(BETWEENNESS_SEED).sample(nodes, k)
    with stopwatch() as sampled:
        raw = h.betweenness(directed=False, sources=[index[s] for s in sources])
    with stopwatch() as path_length:
        sizes = parts.sizes()
        largest = [i for i, size in enumerate(sizes) if size == max(sizes)] if sizes else []
        means = [
            h.induced_subgraph(parts[i]).average_path_length(directed=False, unconn=False)
            for i in largest
        ]
    chosen = set(sources)
    estimate = {
        v: 2 * b / ((k - 1 if v in chosen else k) * (n - 2)) if n > 2 else 0.0
        for v, b in zip(nodes, raw, strict=True)
    }
    check: Json = {}
    suite = json.loads(Path(estimate_from).read_text()) if estimate_from else None
    if suite is not None and suite["meta"]["betweenness_estimated"]:
        people = suite["people"]
        gaps = [abs(people[v]["betweenness"] - estimate[v]) for v in nodes]
        check = {"max_abs_diff_vs_networkx_estimate": max(gaps)}
        assert math.isfinite(check["max_abs_diff_vs_networkx_estimate"])
    return {
        "build_s": round(build(), 3),
        "components_s": round(components(), 4),
        "components": len(parts),
        "betweenness_exact_s": round(exact(), 2),
        "betweenness_same_sources_s": round(sampled(), 2),
        "sample_size": k,
        "exact_plus_components_s": round(components() + exact(), 2),
        "path_length_s": round(path_length(), 2),
        "path_length": sum(means) / len(means) if means else None,
        **check,
    }


def run_networkx_blocks(snapshot: str, sources: int | None = None) -> Json:
    """Plain networkx, block by block, every block timed in full.

    Every building block of ``metric_suite(G, backend="networkx")`` is run as the
    suite runs it. The mean shortest-path length is one breadth-first search per
    person of the largest component, run on a plain copy of that component (a
    subgraph *view* is about 6x slower per search, which would flatter the
    service). With ``sources`` only that many searches are timed and scaled to
    every person, and the sum is reported as an estimate.
    """
    from graph.analytics import accel
    from graph.analytics._util import ORGANISATION, SECTOR
    from graph.analytics.groups import cross_group_ties, group_metrics, mixing_matrix
    from graph.analytics.network import louvain_communities
    from graph.analytics.people import betweenness, reach2_groups

    graph = pickle.loads(Path(snapshot).read_bytes())
    spent: dict[str, float] = {}

    def timed(label: str, call: Callable[[], Any]) -> Any:
        with stopwatch() as elapsed:
            value = call()
        spent[label] = spent.get(label, 0.0) + elapsed()
        return value

    p = timed("other", lambda: accel.prepare(graph, "networkx"))
    timed("other", lambda: (cross_group_ties(graph, ORGANISATION), cross_group_ties(graph, SECTOR)))
    components = timed("components", lambda: accel.connected_components(p))
    largest = [c for c in components if len(c) == len(components[0])]
    searched = 0
    path_s = 0.0
    for component in largest:
        sub = p.canonical.subgraph(component).copy()  # a plain graph: networkx's fast form
        everyone = sorted(component)
        chosen = everyone if sources is None else random.Random(0).sample(everyone, sources)
        with stopwatch() as elapsed:
            for source in chosen:
                nx.single_source_shortest_path_length(sub, source)
        path_s += elapsed() * len(component) / len(chosen)
        searched += len(chosen)
    estimated = sources is not None
    spent["avg_path_length" + (" (estimated)" if estimated else "")] = path_s
    communities = timed("louvain", lambda: louvain_communities(p))
    timed("modularity", lambda: nx.community.modularity(p.canonical, communities, resolution=1))
    for attribute in (ORGANISATION, ORGANISATION, SECTOR):  # network, then people
        timed("reach2", partial(reach2_groups, graph, attribute))
    for attribute in (ORGANISATION, SECTOR):
        timed("groups_and_mixing", partial(group_metrics, graph, attribute))
        timed("groups_and_mixing", partial(mixing_matrix, graph, attribute))
    timed("betweenness", lambda: betweenness(p))
    timed("constraint", lambda: accel.constraint(p))
    timed("effective_size", lambda: accel.effective_size(p))
    blocks = {k: round(v, 3) for k, v in sorted(spent.items(), key=lambda kv: -kv[1])}
    return {
        "backend": "networkx",
        "estimated": estimated,
        "seconds": round(sum(spent.values()), 1),
        "measured_s": round(sum(spent.values()) - path_s, 2),
        "path_sources_timed": searched,
        "blocks_s": blocks,
    }
