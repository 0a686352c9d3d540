"""Person metrics: each person's position in the snapshot.

Definitions are those of ``spec/metrics.md`` ("Person metrics"). A person
whose organisation (sector) is unknown (``None``) is neither in the same nor
in a different organisation (sector) as anyone.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any, TypedDict, TypeVar

from graph.analytics import accel, forked
from graph.analytics._util import ORGANISATION, SECTOR, finite_or_none, node_labels

__all__ = [
    "BETWEENNESS_SAMPLE_SIZE",
    "BETWEENNESS_SEED",
    "EXACT_BETWEENNESS_LIMIT",
    "PersonMetrics",
    "FORKED_ABOVE",
    "betweenness",
    "betweenness_is_estimated",
    "betweenness_started",
    "person_metrics",
    "reach2_groups",
]

T = TypeVar("T")

EXACT_BETWEENNESS_LIMIT = 5000
"""Betweenness is exact for snapshots with at most this many people."""
BETWEENNESS_SAMPLE_SIZE = 500
"""Above the limit, betweenness is estimated from this many sampled sources."""
BETWEENNESS_SEED = 42
"""Seed for choosing the sampled sources."""


class PersonMetrics(TypedDict):
    """One person's metrics (see ``spec/metrics.md``)."""

    degree: int
    cross_org_degree: int
    ego_ei: float | None
    reach2_orgs: int
    reach2_sectors: int
    betweenness: float
    constraint: float | None
    effective_size: float | None


def betweenness_is_estimated(G: Any, *, exact_limit: int = EXACT_BETWEENNESS_LIMIT) -> bool:
    """Whether :func:`person_metrics` estimates betweenness for ``G``.

    Parameters
    ----------
    G : networkx.Graph or accel.Prepared
    exact_limit : int
        Largest number of people for which betweenness is exact.

    Returns
    -------
    bool
        True when ``G`` has more than ``exact_limit`` nodes.

    Examples
    --------
    >>> import networkx as nx
    >>> betweenness_is_estimated(nx.path_graph(5001)), betweenness_is_estimated(nx.path_graph(9))
    (True, False)
    """
    graph = accel.source_graph(G)
    return bool(graph.number_of_nodes() > exact_limit)


def betweenness(
    G: Any,
    *,
    backend: accel.Backend = "auto",
    exact_limit: int = EXACT_BETWEENNESS_LIMIT,
    sample_size: int = BETWEENNESS_SAMPLE_SIZE,
) -> dict[Hashable, float]:
    """Normalised betweenness: exact up to ``exact_limit`` people, else estimated.

    The estimate is networkx's, ``nx.betweenness_centrality(G, k=sample_size,
    seed=42, normalized=True)``, run on the canonical ordering of the snapshot
    (nodes sorted by id), so it does not depend on insertion order; igraph
    computes it from the same sources when it is the backend.

    Parameters
    ----------
    G : networkx.Graph or accel.Prepared
    backend : {"auto", "networkx", "igraph"}
        Library that computes (the same answer either way).
    exact_limit : int
        Largest number of people for which betweenness is exact.
    sample_size : int
        Sampled sources for the estimate (at most the number of people).

    Returns
    -------
    dict
        Person -> betweenness.

    Examples
    --------
    >>> import networkx as nx
    >>> betweenness(nx.star_graph(2), backend="networkx")
    {0: 1.0, 1: 0.0, 2: 0.0}
    """
    p = accel.prepare(G, backend)
    if not betweenness_is_estimated(p, exact_limit=exact_limit):
        return accel.betweenness_centrality(p)
    k = min(sample_size, len(p.nodes))
    return accel.sampled_betweenness_centrality(p, k, seed=BETWEENNESS_SEED)


FORKED_ABOVE = 2000
"""From this many people up, :func:`betweenness_started` works betweenness out in a
child process (below it, the fork would cost more than it saves)."""


def betweenness_started(
    G: Any,
    *,
    exact_limit: int = EXACT_BETWEENNESS_LIMIT,
    sample_size: int = BETWEENNESS_SAMPLE_SIZE,
    forked_above: int = FORKED_ABOVE,
) -> Callable[[], dict[Hashable, float]]:
    """:func:`betweenness` of ``G``, started now: call what is returned for the answer.

    With igraph, and from ``forked_above`` people up, igraph's part runs in a child
    process (``graph.analytics.forked``: igraph holds the GIL, so a thread would not
    run beside the caller) while the caller goes on; the answer is the same floats
    :func:`betweenness` gives, scaled by the same code. Otherwise it is worked out
    when first asked for. Either way it is worked out once.
    """
    p = accel.prepare(G)
    if p.backend != "igraph" or len(p.nodes) < forked_above:
        return _once(partial(betweenness, p, exact_limit=exact_limit, sample_size=sample_size))
    k = None
    if betweenness_is_estimated(p, exact_limit=exact_limit):
        k = min(sample_size, len(p.nodes))
    sources = accel.betweenness_sources(p, k, BETWEENNESS_SEED)
    raw = forked.started(partial(accel.raw_betweenness, p, sources), len(p.nodes))
    return _once(
        partial(accel.igraph_betweenness, p, k, seed=BETWEENNESS_SEED, raw=lambda _: raw())
    )


def _once(work: Callable[[], T]) -> Callable[[], T]:
    """``work``, worked out on the first call only (safe between threads)."""
    lock = threading.Lock()
    answer: list[T] = []

    def once() -> T:
        with lock:
            if not answer:
                answer.append(work())
            return answer[0]

    return once


def reach2_groups(G: Any, attribute: str) -> dict[Hashable, int]:
    """Distinct groups, other than the person's own, within distance 2.

    Counts the distinct known values of ``attribute`` among people at
    distance 1 or 2, leaving out the person's own value.

    Parameters
    ----------
    G : networkx.Graph
        Nodes carry ``attribute``.
    attribute : str
        ``"organisation"`` gives ``reach2_orgs``, ``"sector"`` ``reach2_sectors``.

    Returns
    -------
    dict
        Person -> count.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(4)  # 0 - 1 - 2 - 3
    >>> nx.set_node_attributes(G, {0: "A", 1: "A", 2: "B", 3: "C"}, "organisation")
    >>> reach2_groups(G, "organisation")
    {0: 1, 1: 2, 2: 2, 3: 2}
    """
    graph = accel.source_graph(G)
    label = node_labels(graph, attribute)
    adj = graph.adj
    # near[u]: known groups of u and of u's neighbours
    near: dict[Hashable, set[Hashable]] = {}
    for u, nbrs in adj.items():
        groups = {label[w] for w in nbrs}
        groups.add(label[u])
        groups.discard(None)
        near[u] = groups
    result: dict[Hashable, int] = {}
    for v, nbrs in adj.items():
        reached: set[Hashable] = set()
        for u in nbrs:
            reached |= near[u]
        reached.discard(label[v])
        result[v] = len(reached)
    return result


def person_metrics(
    G: Any,
    *,
    backend: accel.Backend = "auto",
    exact_limit: int = EXACT_BETWEENNESS_LIMIT,
    sample_size: int = BETWEENNESS_SAMPLE_SIZE,
) -> dict[Hashable, PersonMetrics]:
    """Every person's metrics.

    Parameters
    ----------
    G : networkx.Graph or accel.Prepared
        A snapshot; nodes carry ``organisation`` and ``sector``.
    backend : {"auto", "networkx", "igraph"}
        Library for betweenness and constraint (same answers either way).
    exact_limit, sample_size : int
        Betweenness is exact up to ``exact_limit`` people and estimated from
        ``sample_size`` sampled sources above it; see :func:`betweenness` and
        :func:`betweenness_is_estimated`.

    Returns
    -------
    dict
        Person id -> :class:`PersonMetrics`, in sorted id order:

        - ``degree``: neighbours;
        - ``cross_org_degree``: neighbours in a known organisation other than
          the person's (0 when the person's organisation is unknown);
        - ``ego_ei``: (external - internal) / (external + internal) over
          organisations, which is the spec's (external - internal) / degree
          when every neighbour's organisation is known; ``None`` when the
          denominator is 0 (an isolate, or no comparable neighbour);
        - ``reach2_orgs``, ``reach2_sectors``: see :func:`reach2_groups`;
        - ``betweenness``: see :func:`betweenness`;
        - ``constraint``, ``effective_size``: as networkx; ``None`` for isolates.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("ann", "bob"), ("bob", "cat")])
    >>> G.add_node("dan")
    >>> nx.set_node_attributes(G, {"ann": "A", "bob": "A", "cat": "B", "dan": "B"},
    ...                        "organisation")
    >>> nx.set_node_attributes(G, "health", "sector")
    >>> m = person_metrics(G, backend="networkx")
    >>> bob = m["bob"]
    >>> bob["degree"], bob["cross_org_degree"], bob["ego_ei"], bob["reach2_orgs"]
    (2, 1, 0.0, 1)
    >>> bob["betweenness"], bob["constraint"], bob["effective_size"]
    (0.3333333333333333, 0.5, 2.0)
    >>> m["dan"]["ego_ei"], m["dan"]["constraint"]
    (None, None)
    """
    p = accel.prepare(G, backend)
    graph = p.graph
    org = node_labels(graph, ORGANISATION)
    reach_orgs = reach2_groups(graph, ORGANISATION)
    reach_sectors = reach2_groups(graph, SECTOR)
    between = betweenness(p, exact_limit=exact_limit, sample_size=sample_size)
    constraints = accel.constraint(p)
    sizes = accel.effective_size(p)
    result: dict[Hashable, PersonMetrics] = {}
    for v in p.nodes:
        own = org[v]
        internal = external = 0
        if own is not None:
            for u in graph.adj[v]:
                other = org[u]
                if other is None:
                    continue
                if other == own:
                    internal += 1
                else:
                    external += 1
        compared = internal + external
        result[v] = {
            "degree": len(graph.adj[v]),
            "cross_org_degree": external,
            "ego_ei": (external - internal) / compared if compared else None,
            "reach2_orgs": reach_orgs[v],
            "reach2_sectors": reach_sectors[v],
            "betweenness": float(between[v]),
            "constraint": finite_or_none(constraints[v]),
            "effective_size": finite_or_none(sizes[v]),
        }
    return result
