"""Build the network snapshot of ``../shared/spec/metrics.md`` from store rows.

Each store fetches the rows its own way (SQL or Cypher, filtered where the data
lives); this one function turns them into the graph, so both stores give the
same snapshot by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING

from graph.model import TieKind

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class SnapshotRows:
    """What a store hands over for one snapshot.

    ``people`` are already eligible (consenting members of a cohort started by
    ``as_of``); ``ties`` are already selected (kind, date or wave) and may name
    people outside ``people``, which the builder drops.
    """

    as_of: date
    kinds: Sequence[TieKind]
    people: Iterable[str]
    employments: Iterable[tuple[str, str, date]]
    organisations: Mapping[str, tuple[str | None, str | None]]
    ties: Iterable[tuple[str, str, str]]


def organisation_on(spells: Iterable[tuple[str, date]], as_of: date) -> str | None:
    """The organisation of the latest spell started on or before ``as_of``,
    else of the earliest spell."""
    ordered = sorted(spells, key=lambda s: (s[1], s[0]))
    if not ordered:
        return None
    started = [s for s in ordered if s[1] <= as_of]
    return (started[-1] if started else ordered[0])[0]


_KIND_TUPLES: dict[object, tuple[str, ...]] = {}
"""The ``kinds`` tuple of each set of kinds a tie has had (a few dozen at most), shared by
every edge of every snapshot. Besides saving a tuple an edge, sharing keeps the edges'
data dicts out of Python's cyclic collector: a tuple of strings is untracked by the
first collection that passes it, and a dict holding only untracked values is never
tracked, so a 10,000-person snapshot hands the collector 97,000 fewer objects to walk
(the collection after a cold map's build: 272,000 young objects -> 175,000)."""


def build_snapshot(rows: SnapshotRows) -> nx.Graph:
    """The undirected simple graph; nodes carry ``organisation`` (name),
    ``organisation_id`` and ``sector``; edges carry the ``kinds`` joining them.

    Nodes are added in id order and edges in the order of their (smaller, larger) ends,
    so the graph is the same however a store ordered its rows. Nodes and edges go
    straight into the graph's own dicts, as ``add_nodes_from`` and ``add_edges_from``
    would put them (not one ``add_edge`` each: at 10,000 people that was a third of a
    map's cold build; nor through those two, whose checks and copies were half of what
    was left), their kind tuples shared (:data:`_KIND_TUPLES`).
    """
    import networkx as nx  # here, not at the top: a store that builds no snapshot never pays for it
    import numpy as np

    from graph.analytics.edges import EdgeIndex, keep_edge_index

    people = set(rows.people)
    spells: dict[str, list[tuple[str, date]]] = {}
    for person_id, organisation_id, start in rows.employments:
        if person_id in people:
            spells.setdefault(person_id, []).append((organisation_id, start))
    graph = nx.Graph(as_of=rows.as_of, kinds=tuple(k.value for k in rows.kinds))
    organisations = rows.organisations
    names = sorted(people)
    # The graph's own dicts filled in directly, as add_nodes_from and add_edges_from fill
    # them (the same nodes, edges and orders), without their per-item checks and copies:
    # at 10,000 people and 97,000 ties that halves the build.
    node_data = graph._node
    adjacency = graph._adj
    for person_id in names:
        held = spells.get(person_id)
        employer = organisation_on(held, rows.as_of) if held else None
        name, sector = organisations.get(employer or "", (None, None))
        node_data[person_id] = {"organisation": name, "organisation_id": employer, "sector": sector}
        adjacency[person_id] = {}
    # A tie is keyed by the places of its ends in id order, smaller first, as one
    # integer: ordering the keys orders the ties by their (smaller, larger) ends.
    place = {person_id: i for i, person_id in enumerate(names)}
    n = len(names)
    first_kind: dict[int, str] = {}
    more_kinds: dict[int, set[str]] = {}
    for source, target, kind in rows.ties:
        i = place.get(source)
        j = place.get(target)
        if i is None or j is None or i == j:
            continue
        key = i * n + j if i < j else j * n + i
        held_kind = first_kind.setdefault(key, kind)
        if held_kind != kind:
            more_kinds.setdefault(key, {held_kind}).add(kind)
    shared = _KIND_TUPLES
    single = {kind: shared.setdefault(kind, (kind,)) for kind in set(first_kind.values())}
    keys = np.fromiter(first_kind, dtype=np.int64, count=len(first_kind))
    keys.sort()
    data: list[dict[str, tuple[str, ...]]] = []
    for key in keys.tolist():
        several = more_kinds.get(key) if more_kinds else None
        if several is None:
            kinds = single[first_kind[key]]
        else:
            found = frozenset(several)
            kinds = shared.get(found) or shared.setdefault(found, tuple(sorted(several)))
        data.append({"kinds": kinds})
    # Each node's neighbours in id order (the order add_edges_from gives, ties added in
    # the order of their ends), each tie's one data dict seen from both ends: sorted by
    # numpy and poured into each node's dict at once (one dict insert per end was two
    # thirds of the build at 10,000 people).
    smaller, larger = np.divmod(keys, n)
    ends = np.concatenate((smaller, larger))
    others = np.concatenate((larger, smaller))
    order = np.lexsort((others, ends))
    edge_of = np.concatenate((np.arange(len(keys)), np.arange(len(keys))))[order].tolist()
    pairs = zip([names[i] for i in others[order].tolist()], [data[e] for e in edge_of], strict=True)
    for person_id, degree in zip(names, np.bincount(ends, minlength=n).tolist(), strict=True):
        if degree:
            adjacency[person_id] = dict(islice(pairs, degree))
    nx._clear_cache(graph)
    # what the map's layout and ties, and igraph's copy, read again as arrays
    keep_edge_index(graph, EdgeIndex(nodes=list(names), smaller=smaller, larger=larger, data=data))
    return graph
