"""Network analytics: a snapshot in, plain data out.

Every function takes a snapshot, an undirected simple ``networkx.Graph`` whose
nodes are person ids with ``organisation`` and ``sector`` attributes, and
returns plain dicts of ints, floats, strings and ``None``; none touches a
store. The definitions are those of ``spec/metrics.md``.

A person whose ``organisation`` (or ``sector``) is ``None`` or missing is
*unknown*: never in the same nor in a different organisation as anyone, in
no group, and a tie touching them counts in no E-I index or share.

Modules
-------
network
    Whole-network metrics (:func:`network_metrics`).
groups
    Per organisation and per sector (:func:`group_metrics`, :func:`mixing_matrix`).
people
    Per person (:func:`person_metrics`).
change
    Between snapshots (:func:`compare`, :func:`growth`, :func:`timeline`).
suite
    Everything at once (:func:`metric_suite`, :func:`person_report`).
accel
    igraph behind networkx's API for the costly metrics.
"""

from graph.analytics.accel import Backend, igraph_available
from graph.analytics.change import Comparison, Growth, TimelinePoint, compare, growth, timeline
from graph.analytics.groups import GroupMetrics, MixingCell, group_metrics, mixing_matrix
from graph.analytics.network import (
    NETWORK_METRICS,
    NetworkMetrics,
    louvain_communities,
    network_metrics,
    normalized_mutual_information,
)
from graph.analytics.people import (
    EXACT_BETWEENNESS_LIMIT,
    PersonMetrics,
    betweenness_is_estimated,
    person_metrics,
    reach2_groups,
)
from graph.analytics.suite import MetricSuite, PersonReport, metric_suite, person_report

__all__ = [
    "EXACT_BETWEENNESS_LIMIT",
    "NETWORK_METRICS",
    "Backend",
    "Comparison",
    "GroupMetrics",
    "Growth",
    "MetricSuite",
    "MixingCell",
    "NetworkMetrics",
    "PersonMetrics",
    "PersonReport",
    "TimelinePoint",
    "betweenness_is_estimated",
    "compare",
    "group_metrics",
    "growth",
    "igraph_available",
    "louvain_communities",
    "metric_suite",
    "mixing_matrix",
    "network_metrics",
    "normalized_mutual_information",
    "person_metrics",
    "person_report",
    "reach2_groups",
    "timeline",
]
