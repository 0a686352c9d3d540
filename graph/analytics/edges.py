"""A graph's ties as arrays: each once, by the places of its ends in node order.

A snapshot's builder has them as it builds (``graph.snapshot.build_snapshot`` keeps
them here); a map's layout and ties, and igraph's copy of the graph, read them again
rather than walking the graph's adjacency, each its own way.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from graph.analytics._util import canonical_order

if TYPE_CHECKING:
    import networkx as nx
    import numpy as np
    import numpy.typing as npt

__all__ = ["EdgeIndex", "edge_index", "keep_edge_index"]


@dataclass(frozen=True)
class EdgeIndex:
    """A graph's nodes in canonical order (by id), and each tie once as the places of
    its two ends in that order (``smaller`` < ``larger``), ties in the order of their
    ends, each with its data dict."""

    nodes: list[Hashable]
    smaller: npt.NDArray[np.int64]
    larger: npt.NDArray[np.int64]
    data: list[dict[str, Any]]


_KEPT: WeakKeyDictionary[nx.Graph, EdgeIndex] = WeakKeyDictionary()


def keep_edge_index(graph: nx.Graph, index: EdgeIndex) -> None:
    """Keep ``index`` as ``graph``'s, for as long as the graph is in use: its builder
    vouches that it lists the graph as built."""
    _KEPT[graph] = index


def edge_index(graph: nx.Graph) -> EdgeIndex:
    """``graph``'s :class:`EdgeIndex`: the one its builder kept, or else worked out now
    in one pass over the graph (a self-loop is no tie between two places: left out).

    A snapshot is shared from memos and never changed once built; a kept index is used
    only while the graph still has the node and tie counts it was kept with.
    """
    import numpy as np

    kept = _KEPT.get(graph)
    if (
        kept is not None
        and len(kept.nodes) == graph.number_of_nodes()
        and len(kept.data) == graph.number_of_edges()
    ):
        return kept
    nodes = canonical_order(graph.nodes)
    place = {v: i for i, v in enumerate(nodes)}
    ties = sorted(
        (i, j, data) if i < j else (j, i, data)
        for u, v, data in graph.edges(data=True)
        if (i := place[u]) != (j := place[v])
    )
    return EdgeIndex(
        nodes=nodes,
        smaller=np.fromiter((t[0] for t in ties), dtype=np.int64, count=len(ties)),
        larger=np.fromiter((t[1] for t in ties), dtype=np.int64, count=len(ties)),
        data=[t[2] for t in ties],
    )
