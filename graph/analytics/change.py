"""Change between snapshots: new and lost ties, retention, metric deltas.

Definitions are those of ``spec/metrics.md`` ("Change between two snapshots").
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import date
from typing import Any, TypedDict

from graph.analytics import accel
from graph.analytics.network import NETWORK_METRICS, NetworkMetrics, network_metrics

__all__ = ["Comparison", "Growth", "TimelinePoint", "compare", "growth", "timeline"]


class Comparison(TypedDict):
    """The change from an earlier snapshot to a later one (see :func:`compare`)."""

    people_in_both: int
    people_joined: int
    people_left: int
    new_ties: int
    lost_ties: int
    retention: float | None
    before: NetworkMetrics
    after: NetworkMetrics
    delta: dict[str, float | None]


class Growth(TypedDict):
    """A cohort's growth report (see :func:`growth`)."""

    baseline_to_end: Comparison | None
    end_to_follow_up: Comparison | None


class TimelinePoint(NetworkMetrics):
    """The whole-network metrics of a snapshot and its date (ISO 8601)."""

    date: str


def _ties_among(G: Any, people: set[Hashable]) -> set[frozenset[Hashable]]:
    return {frozenset((u, v)) for u, v in G.edges() if u in people and v in people}


def compare(S1: Any, S2: Any, *, backend: accel.Backend = "auto") -> Comparison:
    """The change from snapshot ``S1`` (earlier) to ``S2`` (later).

    Ties are compared over the people present in both snapshots: with E1 and
    E2 the ties of ``S1`` and ``S2`` whose two ends are both in both,
    ``new_ties`` = |E2 - E1|, ``lost_ties`` = |E1 - E2| and ``retention`` =
    |E1 & E2| / |E1| (``None`` when E1 is empty). A tie to someone who joined
    or left is therefore neither new nor lost: it is a change of membership,
    counted by ``people_joined`` and ``people_left``.

    The metrics are computed, like the ties, over the people present in both:
    ``before`` and ``after`` are the whole-network metrics of ``S1`` and
    ``S2`` each restricted to those people, and ``delta[name] = after[name] -
    before[name]`` (``None`` when either is ``None``). A cohort that joins
    between the two snapshots therefore moves none of the figures; it is
    counted by ``people_joined`` only.

    Parameters
    ----------
    S1, S2 : networkx.Graph
        The earlier and the later snapshot.
    backend : {"auto", "networkx", "igraph"}

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import networkx as nx
    >>> S1 = nx.Graph([("a", "b"), ("b", "c"), ("c", "x")])
    >>> S2 = nx.Graph([("a", "b"), ("a", "c"), ("c", "y")])
    >>> for G in (S1, S2):
    ...     nx.set_node_attributes(G, "Org", "organisation")
    ...     nx.set_node_attributes(G, "health", "sector")
    >>> c = compare(S1, S2, backend="networkx")
    >>> c["people_in_both"], c["new_ties"], c["lost_ties"], c["retention"]
    (3, 1, 1, 0.5)
    >>> c["delta"]["people"], c["delta"]["ties"], c["delta"]["density"]
    (0, 0, 0.0)
    """
    common = set(S1) & set(S2)
    e1 = _ties_among(S1, common)
    e2 = _ties_among(S2, common)
    before = network_metrics(S1.subgraph(common), backend=backend)
    after = network_metrics(S2.subgraph(common), backend=backend)
    delta: dict[str, float | None] = {}
    for name in NETWORK_METRICS:
        x: float | None = before[name]  # type: ignore[literal-required]
        y: float | None = after[name]  # type: ignore[literal-required]
        delta[name] = None if x is None or y is None else y - x
    return {
        "people_in_both": len(common),
        "people_joined": len(set(S2) - common),
        "people_left": len(set(S1) - common),
        "new_ties": len(e2 - e1),
        "lost_ties": len(e1 - e2),
        "retention": len(e1 & e2) / len(e1) if e1 else None,
        "before": before,
        "after": after,
        "delta": delta,
    }


def growth(
    baseline: Any | None,
    end: Any | None,
    follow_up: Any | None = None,
    *,
    backend: accel.Backend = "auto",
) -> Growth:
    """A cohort's growth report: baseline wave to end wave, end to follow-up.

    Parameters
    ----------
    baseline, end, follow_up : networkx.Graph or None
        The cohort's snapshots at its survey waves; ``None`` for a wave not
        (yet) run.

    backend : {"auto", "networkx", "igraph"}

    Returns
    -------
    Growth
        ``baseline_to_end`` = ``compare(baseline, end)`` and
        ``end_to_follow_up`` = ``compare(end, follow_up)``; each ``None`` when
        one of its two snapshots is missing.

    Examples
    --------
    >>> import networkx as nx
    >>> S = nx.Graph([("a", "b")])
    >>> nx.set_node_attributes(S, "Org", "organisation")
    >>> nx.set_node_attributes(S, "health", "sector")
    >>> g = growth(S, S, None, backend="networkx")
    >>> g["baseline_to_end"]["retention"], g["end_to_follow_up"]
    (1.0, None)
    """
    return {
        "baseline_to_end": (
            compare(baseline, end, backend=backend)
            if baseline is not None and end is not None
            else None
        ),
        "end_to_follow_up": (
            compare(end, follow_up, backend=backend)
            if end is not None and follow_up is not None
            else None
        ),
    }


def timeline(
    points: Iterable[tuple[date, Any]], *, backend: accel.Backend = "auto"
) -> list[TimelinePoint]:
    """Whole-network metrics at each of several dates, oldest first.

    Parameters
    ----------
    points : iterable of (date, networkx.Graph)
        Snapshots and the dates they are as of, in any order.
    backend : {"auto", "networkx", "igraph"}

    Returns
    -------
    list of TimelinePoint
        ``{"date": "YYYY-MM-DD", **network_metrics(G)}`` for each point,
        sorted by date (points on the same date keep their given order).

    Examples
    --------
    >>> import networkx as nx
    >>> from datetime import date
    >>> G = nx.Graph([("a", "b")])
    >>> nx.set_node_attributes(G, "Org", "organisation")
    >>> nx.set_node_attributes(G, "health", "sector")
    >>> H = nx.Graph(G)
    >>> H.add_node("c", organisation="Org", sector="health")
    >>> [(p["date"], p["people"]) for p in timeline([(date(2025, 1, 1), H),
    ...                                               (date(2024, 1, 1), G)])]
    [('2024-01-01', 2), ('2025-01-01', 3)]
    """
    result: list[TimelinePoint] = []
    for when, G in sorted(points, key=lambda point: point[0]):
        metrics = network_metrics(G, backend=backend)
        result.append({"date": when.isoformat(), **metrics})
    return result
