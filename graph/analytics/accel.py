"""The expensive metrics, computed by igraph when it is installed.

Every function here answers exactly what the networkx function of the same
name answers (tests hold the two backends equal to 1e-9), so callers never
see which one ran. igraph is an optional dependency (``alumni-graph[fast]``);
without it everything falls back to networkx.

- ``connected_components``: igraph ``connected_components``;
- ``betweenness_centrality`` (exact, normalised): igraph ``betweenness``;
- ``sampled_betweenness_centrality`` (networkx's estimate from ``k`` sampled
  sources): igraph ``betweenness(sources=...)`` on the same sources;
- ``constraint``: igraph ``constraint``;
- ``average_shortest_path_length``: igraph ``average_path_length``;
- ``effective_size``: Borgatti's formula, triangles counted by igraph
  ``list_triangles`` or networkx ``triangles``.

Every function takes ``backend="auto" | "networkx" | "igraph"``; ``"auto"``
picks igraph when it imports. Before computing, a snapshot is *prepared*
(:func:`prepare`): its nodes are put in canonical order (sorted by id) and its
edges sorted, so every answer depends only on the sets of nodes and edges, not
on the order in which a store happened to insert them. With igraph, preparing
builds the snapshot's one igraph graph, straight from the sorted edges, and
every igraph metric (components, exact and sampled betweenness, mean path
length, constraint, effective size) runs on it; the canonical networkx copy is
built only when something asks for it (Louvain, the networkx backend). Pass the
:class:`Prepared` object instead of the graph to reuse both. A frozen graph
(``nx.freeze``) is prepared only once: it cannot change, so its preparation is
cached for as long as it lives.
"""

from __future__ import annotations

import importlib.util
import math
import random
from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal
from weakref import WeakKeyDictionary

import networkx as nx

from graph.analytics._util import canonical_order
from graph.analytics.edges import edge_index

__all__ = [
    "Backend",
    "Prepared",
    "average_shortest_path_length",
    "betweenness_centrality",
    "betweenness_sources",
    "connected_components",
    "constraint",
    "effective_size",
    "igraph_available",
    "igraph_betweenness",
    "prepare",
    "raw_betweenness",
    "resolve_backend",
    "sampled_betweenness_centrality",
    "source_graph",
]

Backend = Literal["auto", "networkx", "igraph"]
"""Which library computes: ``"auto"`` means igraph when it imports."""

Engine = Literal["networkx", "igraph"]


def igraph_available() -> bool:
    """Whether the optional ``igraph`` package can be imported.

    Examples
    --------
    >>> igraph_available() in (True, False)
    True
    """
    return importlib.util.find_spec("igraph") is not None


def resolve_backend(backend: Backend = "auto") -> Engine:
    """The library that ``backend`` stands for.

    Parameters
    ----------
    backend : {"auto", "networkx", "igraph"}
        ``"auto"`` is igraph when it imports, networkx otherwise.

    Returns
    -------
    str
        ``"igraph"`` or ``"networkx"``.

    Raises
    ------
    ImportError
        If ``"igraph"`` is asked for and igraph is not installed.
    ValueError
        If ``backend`` is not one of the three names.

    Examples
    --------
    >>> resolve_backend("networkx")
    'networkx'
    """
    if backend == "networkx":
        return "networkx"
    if backend == "igraph":
        if not igraph_available():
            raise ImportError("backend='igraph' needs the igraph package (alumni-graph[fast])")
        return "igraph"
    if backend == "auto":
        return "igraph" if igraph_available() else "networkx"
    raise ValueError(f"unknown backend {backend!r}; use 'auto', 'networkx' or 'igraph'")


@dataclass(eq=False)
class Prepared:
    """A snapshot readied for analysis.

    Attributes
    ----------
    graph : networkx.Graph
        The snapshot as given (node attributes are read from it).
    backend : str
        ``"igraph"`` or ``"networkx"``.
    nodes : list
        The canonical node order; node ``nodes[i]`` is igraph vertex ``i``.
    index : dict
        Node -> its position in ``nodes``.
    pairs : list of (int, int)
        The edges as positions ``(i, j)``, ``i < j``, sorted.
    canonical : networkx.Graph
        The same nodes and edges without attributes, nodes sorted by id and
        edges sorted; every networkx computation runs on it (built on first use).
    igraph : igraph.Graph
        The same, vertex ``i`` for ``nodes[i]``, edges in the same order (built
        when prepared for igraph, else on first use).

    A preparation describes the graph as it was when prepared: prepare again
    after changing the graph.
    """

    graph: Any
    backend: Engine
    nodes: list[Hashable]
    index: dict[Hashable, int]
    pairs: list[tuple[int, int]]
    _canonical: Any = field(default=None, repr=False)
    _igraph: Any = field(default=None, repr=False)

    @property
    def canonical(self) -> Any:
        """The snapshot as a plain ``networkx.Graph`` in canonical order."""
        if self._canonical is None:
            nodes = self.nodes
            canonical = nx.Graph()
            canonical.add_nodes_from(nodes)
            canonical.add_edges_from((nodes[i], nodes[j]) for i, j in self.pairs)
            self._canonical = canonical
        return self._canonical

    @property
    def igraph(self) -> Any:
        """The snapshot as an undirected ``igraph.Graph``: one per preparation."""
        if self._igraph is None:
            import igraph

            self._igraph = igraph.Graph(n=len(self.nodes), edges=self.pairs, directed=False)
        return self._igraph


def source_graph(G: Any) -> Any:
    """The snapshot itself, whether given as a graph or as a :class:`Prepared`."""
    return G.graph if isinstance(G, Prepared) else G


_FROZEN_CACHE: WeakKeyDictionary[Any, dict[Engine, Prepared]] = WeakKeyDictionary()


def prepare(G: Any, backend: Backend = "auto") -> Prepared:
    """Ready a snapshot for the functions of this module.

    Parameters
    ----------
    G : networkx.Graph or Prepared
        An undirected simple graph. A :class:`Prepared` is returned as it is
        when its backend matches or ``backend`` is ``"auto"``.
    backend : {"auto", "networkx", "igraph"}

    Returns
    -------
    Prepared

    Raises
    ------
    networkx.NetworkXNotImplemented
        If ``G`` is directed or a multigraph.
    networkx.NetworkXError
        If ``G`` has a self-loop.

    Examples
    --------
    >>> import networkx as nx
    >>> p = prepare(nx.Graph([("b", "a"), ("c", "b")]), backend="networkx")
    >>> p.nodes, list(p.canonical.edges())
    (['a', 'b', 'c'], [('a', 'b'), ('b', 'c')])
    """
    engine = resolve_backend(backend)
    if isinstance(G, Prepared):
        if G.backend == engine or backend == "auto":
            return G
        G = G.graph
    frozen = nx.is_frozen(G)
    if frozen:
        cached = _FROZEN_CACHE.get(G, {}).get(engine)
        if cached is not None:
            return cached
    if G.is_directed() or G.is_multigraph():
        raise nx.NetworkXNotImplemented("snapshots are undirected simple graphs")
    if nx.number_of_selfloops(G):
        raise nx.NetworkXError("snapshots are simple graphs: a self-loop was found")
    ordered = edge_index(G)  # a snapshot's own, kept as it was built: no pass over the graph
    nodes = ordered.nodes
    index = {v: i for i, v in enumerate(nodes)}
    pairs = list(zip(ordered.smaller.tolist(), ordered.larger.tolist(), strict=True))
    prepared = Prepared(graph=G, backend=engine, nodes=nodes, index=index, pairs=pairs)
    if engine == "igraph":
        prepared.igraph  # noqa: B018 -- built here, once, for every metric to share
    if frozen:
        _FROZEN_CACHE.setdefault(G, {})[engine] = prepared
    return prepared


def connected_components(G: Any, *, backend: Backend = "auto") -> list[set[Hashable]]:
    """Connected components, largest first.

    Components of equal size come in the canonical order of their smallest
    node, so the first component is the same on every backend.

    Parameters
    ----------
    G : networkx.Graph or Prepared
    backend : {"auto", "networkx", "igraph"}

    Returns
    -------
    list of set

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("d", "e"), ("a", "b")])
    >>> G.add_node("c")
    >>> [sorted(c) for c in connected_components(G, backend="networkx")]
    [['a', 'b'], ['d', 'e'], ['c']]
    """
    p = prepare(G, backend)
    if p.backend == "igraph":
        groups: dict[int, list[int]] = {}
        for i, label in enumerate(p.igraph.connected_components().membership):
            groups.setdefault(label, []).append(i)
        indexed = list(groups.values())
    else:
        index = p.index
        indexed = [[index[v] for v in c] for c in nx.connected_components(p.canonical)]
    indexed.sort(key=lambda c: (-len(c), min(c)))
    return [{p.nodes[i] for i in c} for c in indexed]


def betweenness_centrality(G: Any, *, backend: Backend = "auto") -> dict[Hashable, float]:
    """Exact normalised betweenness, as ``nx.betweenness_centrality(G)``.

    igraph counts each unordered pair of endpoints once and does not
    normalise; networkx's normalised value for ``n > 2`` nodes is
    ``2 * b / ((n - 1) * (n - 2))`` of igraph's ``b``, and 0 for ``n <= 2``.

    Parameters
    ----------
    G : networkx.Graph or Prepared
    backend : {"auto", "networkx", "igraph"}

    Returns
    -------
    dict
        Node -> betweenness in [0, 1].

    Examples
    --------
    >>> import networkx as nx
    >>> betweenness_centrality(nx.path_graph(3), backend="networkx")
    {0: 0.0, 1: 1.0, 2: 0.0}
    """
    p = prepare(G, backend)
    if p.backend == "igraph":
        return igraph_betweenness(p)
    result: dict[Hashable, float] = nx.betweenness_centrality(p.canonical, normalized=True)
    return result


def sampled_betweenness_centrality(
    G: Any, k: int, *, seed: int, backend: Backend = "auto"
) -> dict[Hashable, float]:
    """networkx's estimate ``nx.betweenness_centrality(G, k=k, seed=seed)``, normalised.

    networkx draws its sources as ``random.Random(seed).sample(nodes, k)`` over
    the canonical node list; igraph runs from exactly those sources. igraph
    counts each source's paths once where networkx counts them from both ends
    of an undirected pair, and networkx scales a sampled source by
    ``1 / ((k - 1)(n - 2))`` (it cannot lie between itself and a target) and
    any other node by ``1 / (k (n - 2))``; a lone source's own value is NaN.

    Parameters
    ----------
    G : networkx.Graph or Prepared
    k : int
        Number of sampled sources, at most the number of nodes.
    seed : int
    backend : {"auto", "networkx", "igraph"}

    Returns
    -------
    dict
        Node -> estimated betweenness.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(5)
    >>> a = sampled_betweenness_centrality(G, 3, seed=1, backend="networkx")
    >>> a == nx.betweenness_centrality(G, k=3, seed=1)
    True
    """
    p = prepare(G, backend)
    if p.backend == "networkx":
        estimate: dict[Hashable, float] = nx.betweenness_centrality(
            p.canonical, k=k, seed=seed, normalized=True
        )
        return estimate
    return igraph_betweenness(p, k, seed=seed)


def betweenness_sources(p: Prepared, k: int | None, seed: int) -> list[int] | None:
    """The igraph vertices :func:`igraph_betweenness` runs from: every one (``None``)
    when ``k`` is ``None``, else the ``k`` that networkx samples with ``seed``."""
    if k is None:
        return None
    return [p.index[s] for s in random.Random(seed).sample(p.nodes, k)]


def raw_betweenness(p: Prepared, sources: list[int] | None) -> list[float]:
    """igraph's unscaled betweenness of every vertex, from ``sources`` (all: ``None``)."""
    if sources is None:
        return list(p.igraph.betweenness(directed=False))
    return list(p.igraph.betweenness(directed=False, sources=sources))


def igraph_betweenness(
    p: Prepared,
    k: int | None = None,
    *,
    seed: int = 0,
    raw: Callable[[list[int] | None], list[float]] | None = None,
) -> dict[Hashable, float]:
    """Exact betweenness (``k`` ``None``) or networkx's estimate from ``k`` sampled
    sources, computed by igraph on ``p``, normalised as networkx normalises.

    ``raw`` gives igraph's unscaled values from the sources (by default
    :func:`raw_betweenness` here; ``graph.analytics.forked`` hands in the values a child
    process worked out), so every way of running it scales them by the same code.
    """
    n = len(p.nodes)
    if k is None:
        scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 0.0
        values = (raw or partial(raw_betweenness, p))(None)
        return {v: float(b) * scale for v, b in zip(p.nodes, values, strict=True)}
    sources = betweenness_sources(p, k, seed)
    if n <= 2:
        return dict.fromkeys(p.nodes, 0.0)
    assert sources is not None
    chosen = {p.nodes[i] for i in sources}
    values = (raw or partial(raw_betweenness, p))(sources)
    per_source = 2.0 / ((k - 1) * (n - 2)) if k > 1 else math.nan
    per_other = 2.0 / (k * (n - 2))
    return {
        v: float(b) * (per_source if v in chosen else per_other)
        for v, b in zip(p.nodes, values, strict=True)
    }


def constraint(G: Any, *, backend: Backend = "auto") -> dict[Hashable, float]:
    """Burt's constraint, unweighted, as ``nx.constraint(G)``; NaN for isolates.

    Parameters
    ----------
    G : networkx.Graph or Prepared
    backend : {"auto", "networkx", "igraph"}

    Returns
    -------
    dict
        Node -> constraint (NaN for a node without neighbours).

    Examples
    --------
    >>> import networkx as nx
    >>> constraint(nx.star_graph(2), backend="networkx")
    {0: 0.5, 1: 1.0, 2: 1.0}
    """
    p = prepare(G, backend)
    if not p.nodes:
        return {}
    if p.backend == "igraph":
        return {v: float(c) for v, c in zip(p.nodes, p.igraph.constraint(), strict=True)}
    result: dict[Hashable, float] = nx.constraint(p.canonical)
    return result


def effective_size(G: Any, *, backend: Backend = "auto") -> dict[Hashable, float]:
    """Burt's effective size, unweighted, as ``nx.effective_size(G)``; NaN for isolates.

    For an unweighted undirected graph Burt's effective size equals
    Borgatti's ``d - 2t/d``, with ``d`` the person's degree and ``t`` the
    ties among their neighbours (the triangles through them); networkx uses
    the same formula when asked for some nodes. It is computed that way on
    both backends, with the triangles counted by igraph or networkx:
    networkx's all-nodes version builds a dense n-by-n matrix (about 6 GB of
    memory at 20,000 people).

    Parameters
    ----------
    G : networkx.Graph or Prepared
    backend : {"auto", "networkx", "igraph"}

    Returns
    -------
    dict
        Node -> effective size (NaN for a node without neighbours).

    Examples
    --------
    >>> import networkx as nx
    >>> effective_size(nx.star_graph(2), backend="networkx")
    {0: 2.0, 1: 1.0, 2: 1.0}
    """
    p = prepare(G, backend)
    if p.backend == "igraph":
        triangles = [0] * len(p.nodes)
        for a, b, c in p.igraph.list_triangles():
            triangles[a] += 1
            triangles[b] += 1
            triangles[c] += 1
        degrees = p.igraph.degree()
    else:
        found = nx.triangles(p.canonical)
        triangles = [found[v] for v in p.nodes]
        degrees = [len(p.canonical.adj[v]) for v in p.nodes]
    result: dict[Hashable, float] = {}
    for v, d, t in zip(p.nodes, degrees, triangles, strict=True):
        result[v] = d - 2 * t / d if d else math.nan
    return result


def average_shortest_path_length(
    G: Any, nodes: Collection[Hashable] | None = None, *, backend: Backend = "auto"
) -> float:
    """Mean shortest-path length over the subgraph induced by ``nodes``.

    As ``nx.average_shortest_path_length(G.subgraph(nodes))``: the mean over
    ordered pairs of distinct nodes; 0 for a single node.

    Parameters
    ----------
    G : networkx.Graph or Prepared
    nodes : collection, optional
        A connected set of nodes; all of ``G`` when omitted.
    backend : {"auto", "networkx", "igraph"}

    Returns
    -------
    float

    Raises
    ------
    networkx.NetworkXPointlessConcept
        If there are no nodes.
    networkx.NetworkXError
        If the induced subgraph is not connected.

    Examples
    --------
    >>> import networkx as nx
    >>> average_shortest_path_length(nx.path_graph(3), backend="networkx")
    1.3333333333333333
    """
    p = prepare(G, backend)
    chosen = p.nodes if nodes is None else canonical_order(nodes)
    if not chosen:
        raise nx.NetworkXPointlessConcept("the null graph has no paths")
    if len(chosen) == 1:
        return 0.0
    if p.backend == "igraph":
        whole = chosen == p.nodes
        sub = p.igraph if whole else p.igraph.induced_subgraph([p.index[v] for v in chosen])
        if not sub.is_connected():
            raise nx.NetworkXError("Graph is not connected.")
        return float(sub.average_path_length(directed=False, unconn=False))
    # a plain copy: networkx searches a subgraph view about 6x slower
    return float(nx.average_shortest_path_length(p.canonical.subgraph(chosen).copy()))
