"""Every metric of a snapshot in one JSON-ready answer, and one person's report."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date
from typing import Any, TypedDict

import networkx as nx

from graph.analytics import accel
from graph.analytics._util import ORGANISATION, SECTOR
from graph.analytics.groups import GroupMetrics, MixingCell, group_metrics, mixing_matrix
from graph.analytics.network import LOUVAIN_SEED, NetworkMetrics, network_metrics
from graph.analytics.people import (
    BETWEENNESS_SAMPLE_SIZE,
    EXACT_BETWEENNESS_LIMIT,
    PersonMetrics,
    betweenness_is_estimated,
    person_metrics,
)

__all__ = [
    "MetricSuite",
    "Mixing",
    "PersonChange",
    "PersonReport",
    "SuiteMeta",
    "metric_suite",
    "person_report",
]

PERSON_CHANGE_METRICS = ("degree", "cross_org_degree", "reach2_orgs", "reach2_sectors")


class SuiteMeta(TypedDict):
    """How a suite was computed."""

    as_of: str | None
    kinds: list[str] | None
    backend: str
    louvain_seed: int
    people_computed: bool
    betweenness_estimated: bool | None
    betweenness_sample_size: int | None


class Mixing(TypedDict):
    """Mixing matrices over organisations and over sectors."""

    organisations: dict[Hashable, dict[Hashable, MixingCell]]
    sectors: dict[Hashable, dict[Hashable, MixingCell]]


class MetricSuite(TypedDict):
    """Every metric of one snapshot (see :func:`metric_suite`)."""

    network: NetworkMetrics
    organisations: dict[Hashable, GroupMetrics]
    sectors: dict[Hashable, GroupMetrics]
    mixing: Mixing
    people: dict[Hashable, PersonMetrics] | None
    meta: SuiteMeta


PersonChange = TypedDict(
    "PersonChange",
    {
        "from": str,
        "to": str,
        "degree": int | None,
        "cross_org_degree": int | None,
        "reach2_orgs": int | None,
        "reach2_sectors": int | None,
    },
)
"""The change in a person's metrics from one snapshot to the next (later - earlier)."""


class PersonReport(TypedDict):
    """One person's metrics across snapshots (see :func:`person_report`)."""

    person_id: Hashable
    snapshots: dict[str, PersonMetrics | None]
    betweenness_estimated: dict[str, bool]
    changes: list[PersonChange]


def _as_of(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def metric_suite(G: Any, *, people: bool = True, backend: accel.Backend = "auto") -> MetricSuite:
    """Every metric of a snapshot, JSON-serialisable and deterministic.

    Parameters
    ----------
    G : networkx.Graph
        A snapshot; ``G.graph`` may hold ``as_of`` (a date) and ``kinds``.
    people : bool
        Compute the person metrics (the costly part: betweenness); when
        False, ``people`` is ``None``.
    backend : {"auto", "networkx", "igraph"}
        Library for the costly metrics; the answers are the same.

    Returns
    -------
    MetricSuite
        ``network`` (:func:`~graph.analytics.network.network_metrics`),
        ``organisations`` and ``sectors``
        (:func:`~graph.analytics.groups.group_metrics`, keyed by name),
        ``mixing`` (``{"organisations": ..., "sectors": ...}``,
        :func:`~graph.analytics.groups.mixing_matrix`), ``people``
        (:func:`~graph.analytics.people.person_metrics`, keyed by person id)
        and ``meta``: ``as_of`` (ISO date), ``kinds``, ``backend``,
        ``louvain_seed``, ``people_computed``, ``betweenness_estimated``
        (``None`` without people) and ``betweenness_sample_size`` (the
        sampled sources when estimated, else ``None``). Values are plain
        ints, floats (never NaN), strings, ``None``, lists and dicts.

    Examples
    --------
    >>> import json
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "X", "b": "X", "c": "Y"}, "organisation")
    >>> nx.set_node_attributes(G, {"a": "health", "b": "health", "c": "police"}, "sector")
    >>> s = metric_suite(G, backend="networkx")
    >>> s["network"]["ei_org"], s["organisations"]["Y"], s["people"]["b"]["cross_org_degree"]
    (0.0, {'size': 1, 'internal': 0, 'external': 1, 'ei': 1.0}, 1)
    >>> s["meta"]["betweenness_estimated"], len(json.dumps(s)) > 0
    (False, True)
    """
    p = accel.prepare(G, backend)
    graph = p.graph
    estimated = betweenness_is_estimated(p) if people else None
    raw_kinds = graph.graph.get("kinds")
    return {
        "network": network_metrics(p),
        "organisations": group_metrics(graph, ORGANISATION),
        "sectors": group_metrics(graph, SECTOR),
        "mixing": {
            "organisations": mixing_matrix(graph, ORGANISATION),
            "sectors": mixing_matrix(graph, SECTOR),
        },
        "people": person_metrics(p) if people else None,
        "meta": {
            "as_of": _as_of(graph.graph.get("as_of")),
            "kinds": None if raw_kinds is None else [str(k) for k in raw_kinds],
            "backend": p.backend,
            "louvain_seed": LOUVAIN_SEED,
            "people_computed": people,
            "betweenness_estimated": estimated,
            "betweenness_sample_size": (
                min(BETWEENNESS_SAMPLE_SIZE, len(p.nodes)) if estimated else None
            ),
        },
    }


def person_report(
    snapshots: Mapping[str, Any], person_id: Hashable, *, backend: accel.Backend = "auto"
) -> PersonReport:
    """One person's metrics in each snapshot and how they changed.

    Parameters
    ----------
    snapshots : mapping of str to networkx.Graph
        Label (a wave, a date) -> snapshot, in chronological order.
    person_id : hashable
    backend : {"auto", "networkx", "igraph"}

    Returns
    -------
    PersonReport
        ``snapshots``: label -> the person's
        :class:`~graph.analytics.people.PersonMetrics`, ``None`` where the
        person is absent; ``betweenness_estimated``: label -> bool;
        ``changes``: for each pair of consecutive snapshots, ``from``, ``to``
        and the later minus the earlier ``degree``, ``cross_org_degree``,
        ``reach2_orgs`` and ``reach2_sectors`` (``None`` where the person is
        absent from either).

    Raises
    ------
    networkx.NodeNotFound
        If the person is in none of the snapshots.

    Examples
    --------
    >>> import networkx as nx
    >>> S1 = nx.Graph([("a", "b")])
    >>> S2 = nx.Graph([("a", "b"), ("a", "c")])
    >>> for G in (S1, S2):
    ...     nx.set_node_attributes(G, {"a": "X", "b": "X", "c": "Y"}, "organisation")
    ...     nx.set_node_attributes(G, "health", "sector")
    >>> r = person_report({"baseline": S1, "end": S2}, "a", backend="networkx")
    >>> r["snapshots"]["end"]["degree"], r["changes"][0]["cross_org_degree"]
    (2, 1)
    """
    metrics: dict[str, PersonMetrics | None] = {}
    estimated: dict[str, bool] = {}
    for label, G in snapshots.items():
        if person_id in G:
            metrics[label] = person_metrics(G, backend=backend)[person_id]
        else:
            metrics[label] = None
        estimated[label] = betweenness_is_estimated(G, exact_limit=EXACT_BETWEENNESS_LIMIT)
    if all(m is None for m in metrics.values()):
        raise nx.NodeNotFound(f"person {person_id!r} is in none of the snapshots")
    labels = list(metrics)
    changes: list[PersonChange] = []
    for earlier, later in zip(labels, labels[1:], strict=False):
        before, after = metrics[earlier], metrics[later]
        change: PersonChange = {
            "from": earlier,
            "to": later,
            "degree": None,
            "cross_org_degree": None,
            "reach2_orgs": None,
            "reach2_sectors": None,
        }
        if before is not None and after is not None:
            for name in PERSON_CHANGE_METRICS:
                change[name] = after[name] - before[name]  # type: ignore[literal-required]
        changes.append(change)
    return {
        "person_id": person_id,
        "snapshots": metrics,
        "betweenness_estimated": estimated,
        "changes": changes,
    }
