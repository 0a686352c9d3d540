"""Whole-network metrics: is the network less siloed, and is it growing?

Definitions are those of ``spec/metrics.md`` ("Whole-network metrics").
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Any, TypedDict, TypeVar

import networkx as nx

from graph.analytics import accel
from graph.analytics._util import AREA, ORGANISATION, SECTOR, node_labels
from graph.analytics.groups import cross_group_ties, expected_ei
from graph.analytics.people import reach2_groups

__all__ = [
    "LOUVAIN_SEED",
    "NETWORK_METRICS",
    "NetworkMetrics",
    "louvain_communities",
    "network_metrics",
    "normalized_mutual_information",
]

Item = TypeVar("Item", bound=Hashable)

LOUVAIN_SEED = 42
"""Seed of the Louvain community detection (resolution 1)."""


class NetworkMetrics(TypedDict):
    """The whole-network metrics of one snapshot (see :func:`network_metrics`)."""

    people: int
    ties: int
    density: float
    cross_org_share: float | None
    cross_sector_share: float | None
    ei_org: float | None
    ei_sector: float | None
    components: int
    largest_component_share: float | None
    isolates: int
    avg_path_length: float | None
    modularity: float | None
    org_alignment: float | None
    mean_reach2_orgs: float | None
    ei_org_expected: float | None
    ei_org_excess: float | None
    ei_sector_expected: float | None
    ei_sector_excess: float | None
    cross_area_share: float | None
    ei_area: float | None
    ei_area_expected: float | None
    ei_area_excess: float | None


NETWORK_METRICS: tuple[str, ...] = tuple(NetworkMetrics.__annotations__)
"""The names of the whole-network metrics, in their fixed order."""


def louvain_communities(G: Any) -> list[set[Hashable]]:
    """Louvain communities, as ``nx.community.louvain_communities(G, seed=42, resolution=1)``.

    Louvain visits nodes in a seeded random order drawn from the graph's node
    order, so it runs on the canonical ordering of the snapshot (nodes sorted
    by id, edges sorted): the communities depend only on the nodes and ties,
    not on the order a store inserted them. A user who wants to reproduce them
    builds that ordering first (``accel.prepare(G).canonical``).

    Parameters
    ----------
    G : networkx.Graph or accel.Prepared

    Returns
    -------
    list of set
        The communities, as networkx returns them.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 4)])
    >>> sorted(sorted(c) for c in louvain_communities(G))
    [[1, 2, 3], [4, 5, 6]]
    """
    p = accel.prepare(G)
    communities: list[set[Hashable]] = nx.community.louvain_communities(
        p.canonical, seed=LOUVAIN_SEED, resolution=1
    )
    return communities


def _entropy(counts: Mapping[Any, int], total: int) -> float:
    return -sum(c / total * math.log(c / total) for c in counts.values())


def normalized_mutual_information(a: Mapping[Item, Hashable], b: Mapping[Item, Hashable]) -> float:
    """Normalised mutual information of two partitions, arithmetic-mean normalisation.

    ``I(A; B) / ((H(A) + H(B)) / 2)``, equal to scikit-learn's
    ``normalized_mutual_info_score(a, b, average_method="arithmetic")``,
    including its limit cases: 1 when both partitions have a single block
    (or there are no items), 0 when exactly one of them has a single block.

    Parameters
    ----------
    a, b : mapping
        Item -> block label; both over the same items.

    Returns
    -------
    float
        In [0, 1]: 1 when the partitions are the same, 0 when independent.

    Raises
    ------
    ValueError
        If ``a`` and ``b`` label different items.

    Examples
    --------
    >>> normalized_mutual_information({1: "x", 2: "x", 3: "y"}, {1: 0, 2: 0, 3: 5})
    1.0
    >>> normalized_mutual_information({1: "x", 2: "x"}, {1: 0, 2: 1})
    0.0
    """
    if a.keys() != b.keys():
        raise ValueError("the two partitions must label the same items")
    total = len(a)
    count_a = Counter(a.values())
    count_b = Counter(b.values())
    if len(count_a) <= 1 and len(count_b) <= 1:
        return 1.0
    if len(count_a) == 1 or len(count_b) == 1:
        return 0.0
    joint = Counter((a[x], b[x]) for x in a)
    mi = sum(
        c / total * math.log(c * total / (count_a[i] * count_b[j])) for (i, j), c in joint.items()
    )
    mi = max(mi, 0.0)
    if mi == 0.0:
        return 0.0
    return mi / ((_entropy(count_a, total) + _entropy(count_b, total)) / 2)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _against_chance(graph: Any, attribute: str) -> tuple[float | None, float | None, float | None]:
    """(observed E-I, expected E-I, excess) over one grouping."""
    el, il = cross_group_ties(graph, attribute)
    observed = _share(el - il, el + il)
    expected = expected_ei(graph, attribute)
    excess = None if observed is None or expected is None else observed - expected
    return observed, expected, excess


def network_metrics(G: Any, *, backend: accel.Backend = "auto") -> NetworkMetrics:
    """The whole-network metrics of a snapshot.

    Parameters
    ----------
    G : networkx.Graph or accel.Prepared
        A snapshot: undirected, simple; nodes carry ``organisation`` and
        ``sector`` (``None`` when unknown).
    backend : {"auto", "networkx", "igraph"}
        Library for components and path lengths (same answers either way).

    Returns
    -------
    NetworkMetrics
        With n people and m ties:

        - ``people`` n, ``ties`` m;
        - ``density`` 2m / (n(n-1)), 0 when n < 2;
        - ``cross_org_share`` EL / (EL + IL) over organisations, and
          ``ei_org`` (EL - IL) / (EL + IL); ``cross_sector_share`` and
          ``ei_sector`` the same over sectors. A tie with an end whose
          organisation (sector) is unknown is in neither EL nor IL. ``None``
          when EL + IL = 0 (in particular when m = 0);
        - ``components``; ``largest_component_share`` (people in the largest
          component / n, ``None`` when n = 0); ``isolates``;
        - ``avg_path_length``: mean shortest-path length over the pairs of
          the largest component; 0 when that component is a single person
          (as ``nx.average_shortest_path_length``), ``None`` when n = 0.
          When several components share the largest size, the mean over the
          pairs of all of them (so the answer never depends on person ids);
        - ``modularity`` of the Louvain communities (:func:`louvain_communities`)
          and ``org_alignment``, the :func:`normalized_mutual_information`
          between those communities and the organisations, over the people
          whose organisation is known. Both ``None`` when m = 0 (no
          community structure to find); ``org_alignment`` is also ``None``
          when no organisation is known;
        - ``mean_reach2_orgs``: mean of ``reach2_orgs`` over people, ``None``
          when n = 0;
        - ``ei_org_expected`` (and sector, area): the E-I index expected by
          chance for the same group sizes
          (:func:`~graph.analytics.groups.expected_ei`), ``None`` when fewer
          than two people have a known group; ``ei_org_excess`` = ``ei_org``
          - ``ei_org_expected`` (``None`` when either is);
        - ``cross_area_share`` and ``ei_area``: as for sectors, over the
          people's ``area`` node attribute (unknown: left out).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> G.add_node("d")
    >>> nx.set_node_attributes(G, {"a": "X", "b": "X", "c": "Y", "d": "Y"}, "organisation")
    >>> nx.set_node_attributes(G, "health", "sector")
    >>> m = network_metrics(G, backend="networkx")
    >>> m["density"], m["cross_org_share"], m["ei_org"], m["ei_sector"]
    (0.3333333333333333, 0.5, 0.0, -1.0)
    >>> m["components"], m["largest_component_share"], m["isolates"], m["avg_path_length"]
    (2, 0.75, 1, 1.3333333333333333)
    """
    p = accel.prepare(G, backend)
    graph = p.graph
    n = graph.number_of_nodes()
    m = graph.number_of_edges()
    el_org, il_org = cross_group_ties(graph, ORGANISATION)
    el_sector, il_sector = cross_group_ties(graph, SECTOR)
    components = accel.connected_components(p)
    largest = len(components[0]) if components else 0
    avg_path: float | None = None
    if largest:
        tied = [c for c in components if len(c) == largest]
        avg_path = sum(accel.average_shortest_path_length(p, c) for c in tied) / len(tied)

    modularity: float | None = None
    alignment: float | None = None
    if m:
        communities = louvain_communities(p)
        modularity = float(nx.community.modularity(p.canonical, communities, resolution=1))
        org = node_labels(graph, ORGANISATION)
        community_of = {v: i for i, c in enumerate(communities) for v in c if org[v] is not None}
        if community_of:
            known = {v: org[v] for v in community_of}
            alignment = normalized_mutual_information(community_of, known)

    reach = reach2_groups(graph, ORGANISATION)
    ei_org, ei_org_expected, ei_org_excess = _against_chance(graph, ORGANISATION)
    ei_sector, ei_sector_expected, ei_sector_excess = _against_chance(graph, SECTOR)
    ei_area, ei_area_expected, ei_area_excess = _against_chance(graph, AREA)
    el_area, il_area = cross_group_ties(graph, AREA)
    return {
        "people": n,
        "ties": m,
        "density": 2 * m / (n * (n - 1)) if n >= 2 else 0.0,
        "cross_org_share": _share(el_org, el_org + il_org),
        "cross_sector_share": _share(el_sector, el_sector + il_sector),
        "ei_org": _share(el_org - il_org, el_org + il_org),
        "ei_sector": _share(el_sector - il_sector, el_sector + il_sector),
        "components": len(components),
        "largest_component_share": _share(largest, n),
        "isolates": sum(1 for _, d in graph.degree() if d == 0),
        "avg_path_length": avg_path,
        "modularity": modularity,
        "org_alignment": alignment,
        "mean_reach2_orgs": sum(reach.values()) / n if n else None,
        "ei_org_expected": ei_org_expected,
        "ei_org_excess": ei_org_excess,
        "ei_sector_expected": ei_sector_expected,
        "ei_sector_excess": ei_sector_excess,
        "cross_area_share": _share(el_area, el_area + il_area),
        "ei_area": ei_area,
        "ei_area_expected": ei_area_expected,
        "ei_area_excess": ei_area_excess,
    }
