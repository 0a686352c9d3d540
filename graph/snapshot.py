"""Build the network snapshot of ``../shared/spec/metrics.md`` from store rows.

Each store fetches the rows its own way (SQL or Cypher, filtered where the data
lives); this one function turns them into the graph, so both stores give the
same snapshot by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
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


def build_snapshot(rows: SnapshotRows) -> nx.Graph:
    """The undirected simple graph; nodes carry ``organisation`` (name),
    ``organisation_id`` and ``sector``; edges carry the ``kinds`` joining them."""
    import networkx as nx  # here, not at the top: a store that builds no snapshot never pays for it

    people = set(rows.people)
    spells: dict[str, list[tuple[str, date]]] = {}
    for person_id, organisation_id, start in rows.employments:
        if person_id in people:
            spells.setdefault(person_id, []).append((organisation_id, start))
    graph = nx.Graph(as_of=rows.as_of, kinds=tuple(k.value for k in rows.kinds))
    for person_id in sorted(people):
        employer = organisation_on(spells.get(person_id, []), rows.as_of)
        name, sector = rows.organisations.get(employer or "", (None, None))
        graph.add_node(person_id, organisation=name, organisation_id=employer, sector=sector)
    kinds_by_edge: dict[tuple[str, str], set[str]] = {}
    for source, target, kind in rows.ties:
        if source in people and target in people and source != target:
            edge = (source, target) if source < target else (target, source)
            kinds_by_edge.setdefault(edge, set()).add(kind)
    for (u, v), kinds in sorted(kinds_by_edge.items()):
        graph.add_edge(u, v, kinds=tuple(sorted(kinds)))
    return graph
