"""The warm-tie network held in memory, kept true by the store's version token.

Searching for an introduction path reads the neighbourhood layer by layer; on a
store that answers each read over the network (Neo4j) those round trips, and
the person records read to apply consent on the way, are most of a request's
time. ``AdjacencyCache`` holds every warm tie's ends and kind, and every person
record, once, and rebuilds them only when ``GraphStore.version`` says something was
written, by this process or any other (a CLI ingest, a second API worker).

What a path *says* is read from the store when the answer is written: the ties
that explain each hop, and each person's jobs and cohorts. Only the organisations,
cohorts and projects those name come from here (as of the same version): few, and
each would be one more round trip per answer.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from graph.model import Cohort, Organisation, Person, Project, Record, TieKind
from graph.store import GraphStore, Page, PersonQuery, R

__all__ = ["Adjacency", "AdjacencyCache"]

_EVERYONE = Page(limit=100_000_000)


@dataclass(frozen=True)
class Adjacency:
    """Every person, and the ties of some kinds touching each, as of one store version.

    Compact, so that it fits beside the server at 100,000 people: ties are
    numbered kind by kind, and each person's ties are a slice of one array
    (compressed sparse rows), with the people at both ends as numbers.
    """

    version: str
    kinds: frozenset[TieKind]
    people: Mapping[str, Person]
    ids: tuple[str, ...]
    """Person ids by number."""
    number: Mapping[str, int]
    source: npt.NDArray[np.int32]
    """Tie number -> number of its source."""
    target: npt.NDArray[np.int32]
    kind: npt.NDArray[np.int8]
    """Tie number -> its kind, as a place in ``kind_order``."""
    kind_order: tuple[TieKind, ...]
    start: npt.NDArray[np.int64]
    """Person number -> where their ties begin in ``touching`` (and end, at the next)."""
    touching: npt.NDArray[np.int32]
    """Tie numbers, person by person."""
    held: Mapping[type[Record], Mapping[str, Record]]
    """Every organisation, cohort and project by key: what explains a path's people and
    hops, few beside the people (2,000 cohorts at 100,000 people), each a round trip less."""

    @classmethod
    def read(cls, store: GraphStore, version: str, kinds: Collection[TieKind]) -> Adjacency:
        """Read it from ``store``; ``version`` must be read *before*, so that a write
        racing the read leaves the result labelled older than it is, never newer."""
        people = {p.id: p for p in store.search_people(PersonQuery(), _EVERYONE).data}
        held: dict[type[Record], Mapping[str, Record]] = {
            model: {r.key: r for r in store.find(model, None, _EVERYONE).data}
            for model in (Organisation, Cohort, Project)
        }
        kind_order = tuple(sorted(set(kinds), key=lambda k: k.value))
        found = store.tie_ends(kind_order)
        ends = [found.get(k, ([], [])) for k in kind_order]
        sources = [s for kind_sources, _ in ends for s in kind_sources]
        targets = [t for _, kind_targets in ends for t in kind_targets]
        kind_counts = [len(kind_sources) for kind_sources, _ in ends]
        ids = list(people)
        number = {pid: i for i, pid in enumerate(ids)}
        for pid in sorted({*sources, *targets} - number.keys()):
            # a tie to someone unknown cannot be: kept, never routed
            number[pid] = len(ids)
            ids.append(pid)
        source = np.fromiter((number[a] for a in sources), np.int32, len(sources))
        target = np.fromiter((number[b] for b in targets), np.int32, len(targets))
        kind = np.repeat(np.arange(len(kind_order), dtype=np.int8), kind_counts)
        rank = np.arange(len(sources), dtype=np.int32)
        loops = source == target
        owners = np.concatenate([source, target[~loops]])
        ties = np.concatenate([rank, rank[~loops]])
        order = np.argsort(owners, kind="stable")
        counts = np.bincount(owners, minlength=len(ids))
        start = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(counts, out=start[1:])
        return cls(
            version=version,
            kinds=frozenset(kinds),
            people=people,
            ids=tuple(ids),
            number=number,
            source=source,
            target=target,
            kind=kind,
            kind_order=kind_order,
            start=start,
            touching=ties[order],
            held=held,
        )

    def ties_of(self, person_ids: Iterable[str]) -> list[tuple[str, str]]:
        """``(source, target)`` of every tie touching any of these people, once each
        (``GraphStore.ties_of``, reduced to the ends)."""
        numbers = [n for p in person_ids if (n := self.number.get(p)) is not None]
        ties = self.tie_numbers(np.array(numbers, dtype=np.int64))
        ids = self.ids
        return [
            (ids[a], ids[b])
            for a, b in zip(self.source[ties].tolist(), self.target[ties].tolist(), strict=True)
        ]

    def records(self, model: type[R]) -> Mapping[str, R] | None:
        """Every record of this kind by key, if this network holds the kind."""
        return cast("Mapping[str, R] | None", self.held.get(model))

    def tie_numbers(self, people: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
        """Every tie touching any of these people (by number), once each."""
        spans = [self.touching[self.start[n] : self.start[n + 1]] for n in people.tolist()]
        return np.unique(np.concatenate(spans)) if spans else np.empty(0, np.int32)

    def size(self) -> int:
        """How many ties it holds."""
        return len(self.source)


class AdjacencyCache:
    """The ``Adjacency`` of one store, re-read when the store's version changes.

    Safe to share between threads: readers get an immutable ``Adjacency``; one
    thread at a time rebuilds it.
    """

    def __init__(self, store: GraphStore, kinds: Collection[TieKind]) -> None:
        self.store = store
        self.kinds = tuple(kinds)
        self._current: Adjacency | None = None
        self._lock = threading.Lock()
        self.builds = 0
        """How many times it was read from the store (for tests and benchmarks)."""

    def current(self) -> Adjacency:
        """The network as the store holds it now: one tiny read when nothing changed."""
        version = self.store.version()
        found = self._current
        if found is not None and found.version == version:
            return found
        with self._lock:
            found = self._current
            if found is None or found.version != version:
                found = Adjacency.read(self.store, version, self.kinds)
                self._current = found
                self.builds += 1
            return found
