"""Group metrics: organisations, sectors and areas as groups of people.

Definitions are those of ``spec/metrics.md`` ("Group metrics"). Groups are
the known values of a node attribute (``"organisation"`` or ``"sector"``); a
person whose value is unknown (``None`` or missing) belongs to no group, and a
tie with an unknown end counts in no group's ``internal`` or ``external``
(it is neither within nor across groups), nor in the mixing matrix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Any, TypedDict

from graph.analytics._util import canonical_order, node_labels
from graph.analytics.accel import source_graph

__all__ = [
    "GroupMetrics",
    "GroupReach",
    "MixingCell",
    "cross_group_ties",
    "expected_ei",
    "expected_ei_of_sizes",
    "group_metrics",
    "group_reach",
    "mixing_matrix",
]


class GroupMetrics(TypedDict):
    """One group's metrics."""

    size: int
    internal: int
    external: int
    ei: float | None


class GroupReach(TypedDict):
    """One group's alumni, its E-I index and how far its people reach across organisations."""

    people: int
    ei: float | None
    mean_cross_org_degree: float | None


class MixingCell(TypedDict):
    """Ties between two groups and their density."""

    ties: int
    density: float | None


def cross_group_ties(G: Any, attribute: str) -> tuple[int, int]:
    """Ties across groups (EL) and within groups (IL).

    Parameters
    ----------
    G : networkx.Graph
    attribute : str
        Node attribute naming the group, e.g. ``"organisation"``.

    Returns
    -------
    (int, int)
        ``(EL, IL)``: ties joining two different known values and ties joining
        two equal known values; ties with an unknown end are in neither.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.path_graph(4)  # 0 - 1 - 2 - 3
    >>> nx.set_node_attributes(G, {0: "A", 1: "A", 2: "B", 3: None}, "sector")
    >>> cross_group_ties(G, "sector")
    (1, 1)
    """
    graph = source_graph(G)
    label = node_labels(graph, attribute)
    external = internal = 0
    for u, v in graph.edges():
        a, b = label[u], label[v]
        if a is None or b is None:
            continue
        if a == b:
            internal += 1
        else:
            external += 1
    return external, internal


def expected_ei_of_sizes(sizes: Iterable[int]) -> float | None:
    """The E-I index expected by chance for groups of the given sizes.

    With n the people in all the groups and q = sum of n_g (n_g - 1) over
    n (n - 1), the share of pairs of people that fall in one group, a tie
    joining a random pair is internal with probability q: the expected E-I is
    1 - 2q (``spec/metrics.md``). ``None`` when n < 2 (no pair).

    Examples
    --------
    >>> expected_ei_of_sizes([2, 2])  # 2 of the 6 pairs are internal: 1 - 2/3
    0.33333333333333337
    >>> expected_ei_of_sizes([1, 1, 1]), expected_ei_of_sizes([3]), expected_ei_of_sizes([1])
    (1.0, -1.0, None)
    """
    counts = [s for s in sizes if s > 0]
    n = sum(counts)
    if n < 2:
        return None
    q = sum(s * (s - 1) for s in counts) / (n * (n - 1))
    return 1 - 2 * q


def expected_ei(G: Any, attribute: str) -> float | None:
    """The E-I index the same ties would give joining people at random, group sizes held.

    People whose ``attribute`` is unknown form no group and are left out of n.
    See :func:`expected_ei_of_sizes`.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.empty_graph(["a", "b", "c", "d"])
    >>> nx.set_node_attributes(G, {"a": "X", "b": "X", "c": "Y", "d": None}, "area")
    >>> expected_ei(G, "area")  # 3 known: 1 of their 3 pairs is internal
    0.33333333333333337
    """
    label = node_labels(source_graph(G), attribute)
    return expected_ei_of_sizes(Counter(x for x in label.values() if x is not None).values())


def group_metrics(G: Any, attribute: str) -> dict[Hashable, GroupMetrics]:
    """Size, internal and external ties and E-I index of every group.

    For a group A: ``size`` = people in A; ``internal`` (IL_A) = ties with both
    ends in A; ``external`` (EL_A) = ties with one end in A and the other in
    another known group; ``ei`` = (EL_A - IL_A) / (EL_A + IL_A), ``None`` when
    both are 0.

    Parameters
    ----------
    G : networkx.Graph
    attribute : str
        ``"organisation"`` or ``"sector"`` (any node attribute works).

    Returns
    -------
    dict
        Group -> :class:`GroupMetrics`, groups in sorted order.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> G.add_node(4)
    >>> nx.set_node_attributes(G, {1: "A", 2: "A", 3: "B", 4: "C"}, "organisation")
    >>> group_metrics(G, "organisation")["A"]
    {'size': 2, 'internal': 1, 'external': 1, 'ei': 0.0}
    >>> group_metrics(G, "organisation")["C"]
    {'size': 1, 'internal': 0, 'external': 0, 'ei': None}
    """
    graph = source_graph(G)
    label = node_labels(graph, attribute)
    size = Counter(x for x in label.values() if x is not None)
    internal: Counter[Hashable] = Counter()
    external: Counter[Hashable] = Counter()
    for u, v in graph.edges():
        a, b = label[u], label[v]
        if a is None or b is None:
            continue
        if a == b:
            internal[a] += 1
        else:
            external[a] += 1
            external[b] += 1
    result: dict[Hashable, GroupMetrics] = {}
    for group in canonical_order(size):
        il, el = internal[group], external[group]
        result[group] = {
            "size": size[group],
            "internal": il,
            "external": el,
            "ei": (el - il) / (el + il) if el + il else None,
        }
    return result


def mixing_matrix(G: Any, attribute: str) -> dict[Hashable, dict[Hashable, MixingCell]]:
    """Ties and density between every ordered pair of groups.

    The matrix is full and symmetric: ``M[X][Y] == M[Y][X]`` for every pair of
    known groups, zero cells included. ``ties`` is m_XY, the ties joining a
    member of X to a member of Y (for X = Y, ties within X). ``density`` is
    m_XY / (n_X n_Y) for X != Y and 2 m_XX / (n_X (n_X - 1)) for X = Y, which
    is ``None`` when X has one member (no pair to tie).

    Parameters
    ----------
    G : networkx.Graph
    attribute : str
        ``"organisation"`` or ``"sector"``.

    Returns
    -------
    dict
        X -> Y -> :class:`MixingCell`, groups in sorted order.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(1, 2), (2, 3)])
    >>> nx.set_node_attributes(G, {1: "A", 2: "A", 3: "B"}, "sector")
    >>> M = mixing_matrix(G, "sector")
    >>> M["A"]["A"], M["A"]["B"], M["B"]["B"]
    ({'ties': 1, 'density': 1.0}, {'ties': 1, 'density': 0.5}, {'ties': 0, 'density': None})
    """
    graph = source_graph(G)
    label = node_labels(graph, attribute)
    size = Counter(x for x in label.values() if x is not None)
    groups = canonical_order(size)
    ties: Counter[tuple[Hashable, Hashable]] = Counter()
    for u, v in graph.edges():
        a, b = label[u], label[v]
        if a is None or b is None:
            continue
        ties[a, b] += 1
        if a != b:
            ties[b, a] += 1
    matrix: dict[Hashable, dict[Hashable, MixingCell]] = {}
    for x in groups:
        row: dict[Hashable, MixingCell] = {}
        for y in groups:
            m = ties[x, y]
            density: float | None
            if x != y:
                density = m / (size[x] * size[y])
            elif size[x] > 1:
                density = 2 * m / (size[x] * (size[x] - 1))
            else:
                density = None
            row[y] = {"ties": m, "density": density}
        matrix[x] = row
    return matrix


def group_reach(G: Any, attribute: str) -> dict[Hashable, GroupReach]:
    """Every group's people, E-I index and mean cross-organisation degree.

    ``people`` and ``ei`` are :func:`group_metrics`'s ``size`` and ``ei``;
    ``mean_cross_org_degree`` is the mean over the group's people of their
    neighbours in a known organisation other than their own (the person metric
    ``cross_org_degree``; 0 for a person whose organisation is unknown), ``None``
    for an empty group.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(1, 2), (2, 3), (3, 4)])
    >>> nx.set_node_attributes(G, {1: "A", 2: "A", 3: "B", 4: "C"}, "organisation")
    >>> nx.set_node_attributes(G, {1: "T", 2: "T", 3: "T", 4: "U"}, "area")
    >>> group_reach(G, "area")["T"]  # 1: none across; 2: 3 (B); 3: 2 (A) and 4 (C)
    {'people': 3, 'ei': -0.3333333333333333, 'mean_cross_org_degree': 1.0}
    """
    graph = source_graph(G)
    label = node_labels(graph, attribute)
    org = node_labels(graph, "organisation")
    across: Counter[Hashable] = Counter()
    for v, group in label.items():
        if group is None or org[v] is None:
            continue
        across[group] += sum(1 for u in graph.adj[v] if org[u] is not None and org[u] != org[v])
    metrics = group_metrics(graph, attribute)
    return {
        group: {
            "people": m["size"],
            "ei": m["ei"],
            "mean_cross_org_degree": across[group] / m["size"] if m["size"] else None,
        }
        for group, m in metrics.items()
    }
