"""Where a map puts each node: positions computed in Python, the same every time.

igraph's Fruchterman-Reingold when igraph imports, networkx's spring layout
otherwise, both seeded; above :data:`GROUPED_LAYOUT` people, organisations are laid
out and each one's people gathered around it. Physics is off in the page, so a
map of thousands of people draws once and stays still.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable

import networkx as nx
import numpy as np

from graph.analytics import accel
from graph.analytics.edges import edge_index


def _force_layout(graph: nx.Graph, nodes: list[Hashable], seed: int) -> list[tuple[float, float]]:
    """Fruchterman-Reingold from seeded start positions: igraph's when it imports,
    networkx's spring layout otherwise."""
    n = len(nodes)
    rng = random.Random(seed)
    start = [(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in nodes]
    if n == 1:
        return [(0.0, 0.0)]
    if accel.igraph_available():
        import igraph

        index = {v: i for i, v in enumerate(nodes)}
        # Each tie by its ends in node order, smaller first: a subgraph view yields its
        # edges from whichever end its (hash-ordered) node set reaches first, and igraph's
        # forces, summed in another order, drift to another picture over 300 steps.
        ends = ((index[u], index[v]) for u, v in graph.edges)
        g = igraph.Graph(n=n, edges=sorted((i, j) if i < j else (j, i) for i, j in ends))
        # igraph draws its random steps from the generator it is given: a seeded one,
        # for the same picture every time, then Python's own again.
        igraph.set_random_number_generator(random.Random(seed))
        try:
            found = g.layout_fruchterman_reingold(seed=start, niter=300)
        finally:
            igraph.set_random_number_generator(random)
        return [(float(x), float(y)) for x, y in found.coords]
    canonical = nx.Graph()
    canonical.add_nodes_from(nodes)
    canonical.add_edges_from(sorted(tuple(sorted((u, v), key=str)) for u, v in graph.edges))
    placed = nx.spring_layout(
        canonical, pos=dict(zip(nodes, start, strict=True)), seed=seed, iterations=100
    )
    return [(float(placed[v][0]), float(placed[v][1])) for v in nodes]


def _grouped_layout(graph: nx.Graph, nodes: list[Hashable], seed: int) -> list[tuple[float, float]]:
    """Organisations placed by a force layout of the organisations (tied when any two of
    their people are), each one's people on a disc around it, as many as it has.

    Linear in the people once the organisations are placed: a force layout of 10,000
    people and 97,000 ties takes minutes, this a second. Ties inside an organisation
    stay short; the long lines are the ties across organisations.
    """
    group_of = {v: str(graph.nodes[v].get("organisation_id") or "") for v in nodes}
    members: dict[str, list[Hashable]] = {}
    for v in nodes:
        members.setdefault(group_of[v], []).append(v)
    groups = sorted(members)
    between = nx.Graph()
    between.add_nodes_from(groups)
    # Each pair of organisations tied, found as arrays over the snapshot's edge index.
    index = edge_index(graph)
    code = {group: k for k, group in enumerate(groups)}
    codes = np.fromiter(
        (code[group_of[v]] for v in index.nodes), dtype=np.int64, count=len(index.nodes)
    )
    a, b = codes[index.smaller], codes[index.larger]
    low, high = np.minimum(a, b), np.maximum(a, b)
    across = low != high
    count = len(groups)
    tied = np.unique(low[across] * count + high[across]).tolist()
    between.add_edges_from((groups[k // count], groups[k % count]) for k in tied)
    centres = dict(zip(groups, _force_layout(between, list(groups), seed), strict=True))
    xs = [c[0] for c in centres.values()]
    ys = [c[1] for c in centres.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    total = len(nodes)
    golden = math.pi * (3 - math.sqrt(5))
    placed: dict[Hashable, tuple[float, float]] = {}
    for group in groups:
        people = members[group]
        # an organisation of average size gets a disc about half the spacing of centres
        radius = 0.45 * span * math.sqrt(len(people) / total)
        cx, cy = centres[group]
        for i, v in enumerate(people):  # a sunflower: evenly spread, the same every time
            r = radius * math.sqrt((i + 0.5) / len(people))
            placed[v] = (cx + r * math.cos(i * golden), cy + r * math.sin(i * golden))
    return [placed[v] for v in nodes]


GROUPED_LAYOUT = 3000
"""Above this many people, people are laid out around their organisations."""


def layout(graph: nx.Graph, *, seed: int = 42) -> dict[Hashable, tuple[float, float]]:
    """Positions for every node, in pixels around (0, 0), the same for the same graph.

    A force layout (Fruchterman-Reingold: igraph's, else networkx's) up to
    ``GROUPED_LAYOUT`` people; above that, organisations are laid out and each
    one's people gathered around it (:func:`_grouped_layout`). The spread grows
    with the square root of the node count.
    """
    nodes = sorted(graph.nodes, key=str)
    n = len(nodes)
    if n == 0:
        return {}
    if n > GROUPED_LAYOUT:
        coords = _grouped_layout(graph, nodes, seed)
    else:
        coords = _force_layout(graph, nodes, seed)
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = 120.0 * math.sqrt(n) / span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {
        v: (round((x - cx) * scale, 1), round((y - cy) * scale, 1))
        for v, (x, y) in zip(nodes, coords, strict=True)
    }
