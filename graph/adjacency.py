"""The warm-tie network held in memory, kept true by the store's version token.

Searching for an introduction path reads the neighbourhood layer by layer; on a
store that answers each read over the network (Neo4j) those round trips, and
the person records read to apply consent on the way, are most of a request's
time. ``AdjacencyCache`` holds every warm tie's ends and kind, and every person
record, once, and catches up only when ``GraphStore.version`` says something was
written, by this process or any other (a CLI ingest, a second API worker): by the
delta when the store can say what changed (``GraphStore.changes_since``: a load's
journal, a consent change, an API key), re-reading only the people, records and
ties those name; read whole again when it cannot (a rollback, an erasure, an
import) or when the delta is large.

What a path *says* is read from the store when the answer is written: the ties
that explain each hop, and each person's jobs and cohorts. Only the organisations,
cohorts and projects those name come from here (as of the same version): few, and
each would be one more round trip per answer.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar, cast

import numpy as np
import numpy.typing as npt

from graph.model import (
    Cohort,
    Membership,
    Organisation,
    Person,
    Project,
    ProjectMember,
    Record,
    Tie,
    TieKind,
)
from graph.store import GraphStore, Page, PersonQuery, R, StoreChanges, TieEnds

__all__ = ["Adjacency", "AdjacencyCache"]

T = TypeVar("T", bound=np.generic)

_EVERYONE = Page(limit=100_000_000)
_HELD: tuple[type[Record], ...] = (Organisation, Cohort, Project)

_TIE_KINDS = frozenset({Tie.kind, Membership.kind, ProjectMember.kind})
"""Records whose writing may add or change the ties of the people they name: ties, and
the memberships cohort-peer and project ties are derived from."""


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
    mark: int | None = None
    """The store's log of writes (``GraphStore.changes_since``) as of this read, if known."""

    @classmethod
    def read(
        cls,
        store: GraphStore,
        version: str,
        kinds: Collection[TieKind],
        mark: int | None = None,
    ) -> Adjacency:
        """Read it from ``store``; ``version`` (and ``mark``) must be read *before*, so
        that a write racing the read leaves the result labelled older than it is, never
        newer."""
        people = {p.id: p for p in store.search_people(PersonQuery(), _EVERYONE).data}
        held: dict[type[Record], Mapping[str, Record]] = {
            model: {r.key: r for r in store.find(model, None, _EVERYONE).data} for model in _HELD
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
            mark=mark,
        )

    def caught_up(
        self, store: GraphStore, version: str, changes: StoreChanges, *, most: int
    ) -> Adjacency | None:
        """This network with ``changes`` (what the store wrote since ``self.mark``) read
        in: the people and records they name read again, and every tie of the people
        named by a changed tie or membership replaced by what the store holds now.
        None, reading nothing, when they cannot tell (``changes.entries is None``) or
        name more than ``most`` people or records."""
        entries = changes.entries
        if entries is None:
            return None
        named: dict[str, set[str]] = {}
        touched: set[str] = set()
        for kind, key, whom in entries:
            named.setdefault(kind, set()).add(key)
            if kind in _TIE_KINDS:
                touched.update(whom)
        reread = touched | named.get(Person.kind, set())
        if len(reread) + sum(len(named.get(m.kind, ())) for m in _HELD) > most:
            return None
        people = dict(self.people)
        _reread(store, Person, named.get(Person.kind, set()), people)
        held = dict(self.held)
        for model in _HELD:
            if keys := named.get(model.kind):
                held[model] = records = dict(self.held[model])
                _reread(store, model, keys, records)
        found = store.tie_ends_of(touched, self.kind_order) if touched else {}
        arrived = [p for p in named.get(Person.kind, ()) if p in people and p not in self.number]
        return self._with_ties(version, changes.mark, people, held, touched, found, arrived)

    def _with_ties(
        self,
        version: str,
        mark: int,
        people: Mapping[str, Person],
        held: Mapping[type[Record], Mapping[str, Record]],
        touched: Collection[str],
        found: Mapping[TieKind, TieEnds],
        arrived: Collection[str],
    ) -> Adjacency:
        """A new network: ``people`` (``arrived`` among them, new) and ``held``, this
        one's ties but those touching ``touched``, and ``found`` (the ends of every tie of
        theirs now).

        The ties gone are found through the touched people's rows; the new ones take
        their numbers (and numbers after the last), so that no other tie is numbered
        anew and ``touching`` changes only in the rows of the people at their ends.
        Apart from copies of the arrays, the cost is that of the delta. A write that
        leaves fewer ties than it found renumbers the rest (``_compacted``)."""
        ids = list(self.ids)
        number = dict(self.number)
        ends = [found.get(k, ([], [])) for k in self.kind_order]
        sources = [s for kind_sources, _ in ends for s in kind_sources]
        targets = [t for _, kind_targets in ends for t in kind_targets]
        for pid in [*sorted(arrived), *sorted({*sources, *targets} - number.keys())]:
            number[pid] = len(ids)
            ids.append(pid)
        old = len(self.ids)
        mine = [n for p in touched if (n := self.number.get(p)) is not None]
        gone = self.tie_numbers(np.array(sorted(mine), dtype=np.int64))
        new_source = np.fromiter((number[a] for a in sources), np.int32, len(sources))
        new_target = np.fromiter((number[b] for b in targets), np.int32, len(targets))
        new_kind = np.repeat(
            np.arange(len(self.kind_order), dtype=np.int8), [len(s) for s, _ in ends]
        )
        if len(sources) < len(gone):
            return self._compacted(
                version, mark, people, held, ids, number, gone, new_source, new_target, new_kind
            )
        total = len(self.source) + len(sources) - len(gone)
        slots = np.concatenate([gone, np.arange(len(self.source), total, dtype=np.int32)])
        source = _spliced(self.source, total, slots, new_source)
        target = _spliced(self.target, total, slots, new_target)
        kind = _spliced(self.kind, total, slots, new_kind)
        # the rows holding a tie gone: of its two ends; in them, the entries naming it
        a, b = self.source[gone], self.target[gone]
        gone_owners = np.concatenate([a, b[a != b]])
        rows = np.unique(gone_owners)
        positions = _ranges(self.start[rows], self.start[rows + 1])
        is_gone = np.zeros(len(self.source), dtype=bool)
        is_gone[gone] = True
        left = np.ones(len(self.touching), dtype=bool)
        left[positions[is_gone[self.touching[positions]]]] = False
        kept_counts = np.diff(self.start) - np.bincount(gone_owners, minlength=old)
        start, touching = _with_rows(
            self.touching[left], kept_counts, len(ids), slots, new_source, new_target
        )
        return replace(
            self,
            version=version,
            people=people,
            ids=tuple(ids),
            number=number,
            source=source,
            target=target,
            kind=kind,
            start=start,
            touching=touching,
            held=held,
            mark=mark,
        )

    def _compacted(
        self,
        version: str,
        mark: int,
        people: Mapping[str, Person],
        held: Mapping[type[Record], Mapping[str, Record]],
        ids: list[str],
        number: dict[str, int],
        gone: npt.NDArray[np.int32],
        new_source: npt.NDArray[np.int32],
        new_target: npt.NDArray[np.int32],
        new_kind: npt.NDArray[np.int8],
    ) -> Adjacency:
        """``_with_ties`` when ties are fewer than before: the kept ties numbered anew,
        in order, and the new ones after them."""
        keep = np.ones(len(self.source), dtype=bool)
        keep[gone] = False
        kept = len(self.source) - len(gone)
        a, b = self.source[gone], self.target[gone]
        kept_counts = np.diff(self.start) - np.bincount(
            np.concatenate([a, b[a != b]]), minlength=len(self.ids)
        )
        remap = np.cumsum(keep, dtype=np.int32) - 1
        still = self.touching[keep[self.touching]]
        rank = np.arange(kept, kept + len(new_source), dtype=np.int32)
        start, touching = _with_rows(
            remap[still], kept_counts, len(ids), rank, new_source, new_target
        )
        return replace(
            self,
            version=version,
            people=people,
            ids=tuple(ids),
            number=number,
            source=np.concatenate([self.source[keep], new_source]),
            target=np.concatenate([self.target[keep], new_target]),
            kind=np.concatenate([self.kind[keep], new_kind]),
            start=start,
            touching=touching,
            held=held,
            mark=mark,
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


def _spliced(
    old: npt.NDArray[T], total: int, slots: npt.NDArray[np.int32], values: npt.NDArray[T]
) -> npt.NDArray[T]:
    """A copy of ``old``, ``total`` long, with ``values`` at ``slots``."""
    out = np.empty(total, dtype=old.dtype)
    out[: len(old)] = old
    out[slots] = values
    return out


def _ranges(begins: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Every position from each begin up to its end, range after range."""
    lengths = ends - begins
    offsets = np.repeat(begins - (np.cumsum(lengths) - lengths), lengths)
    return offsets + np.arange(int(lengths.sum()), dtype=np.int64)


def _with_rows(
    kept: npt.NDArray[np.int32],
    kept_counts: npt.NDArray[np.int64],
    people: int,
    numbers: npt.NDArray[np.int32],
    source: npt.NDArray[np.int32],
    target: npt.NDArray[np.int32],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """``start`` and ``touching`` for ``people``: each row its ``kept`` entries (row by
    row, ``kept_counts`` of them), then the new ties ``numbers`` with these ends."""
    loops = source == target
    owners = np.concatenate([source, target[~loops]])
    ties = np.concatenate([numbers, numbers[~loops]])
    order = np.argsort(owners, kind="stable")
    owners, ties = owners[order], ties[order]
    counts = np.zeros(people, dtype=np.int64)
    counts[: len(kept_counts)] = kept_counts
    ends = np.cumsum(counts)
    touching = np.insert(kept, ends[owners], ties)
    counts += np.bincount(owners, minlength=people)
    start = np.zeros(people + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    return start, touching.astype(np.int32, copy=False)


def _reread(store: GraphStore, model: type[R], keys: Collection[str], into: dict[str, R]) -> None:
    """Put these records as the store holds them now into ``into`` (gone: out of it)."""
    if not keys:
        return
    found = store.get_many(model, keys)
    for key in keys:
        if key in found:
            into[key] = found[key]
        else:
            into.pop(key, None)


class AdjacencyCache:
    """The ``Adjacency`` of one store, caught up when the store's version changes.

    Safe to share between threads: readers get an immutable ``Adjacency``; one
    thread at a time brings it up to date.
    """

    def __init__(self, store: GraphStore, kinds: Collection[TieKind]) -> None:
        self.store = store
        self.kinds = tuple(kinds)
        self._current: Adjacency | None = None
        self._lock = threading.Lock()
        self.builds = 0
        """How many times it was read from the store whole (for tests and benchmarks)."""
        self.updates = 0
        """How many times it was caught up by a delta instead."""

    def current(self) -> Adjacency:
        """The network as the store holds it now: one tiny read when nothing changed."""
        version = self.store.version()
        found = self._current
        if found is not None and found.version == version:
            return found
        with self._lock:
            found = self._current
            if found is None or found.version != version:
                found = self._caught_up(found, version)
                self._current = found
            return found

    def _caught_up(self, found: Adjacency | None, version: str) -> Adjacency:
        if found is not None and found.mark is not None:
            changes = self.store.changes_since(found.mark)
            # beyond a fifth of the people, splicing saves little over one whole read
            most = max(1_000, len(found.people) // 5)
            updated = found.caught_up(self.store, version, changes, most=most)
            if updated is not None:
                self.updates += 1
                return updated
        mark = self.store.changes_since(None).mark
        self.builds += 1
        return Adjacency.read(self.store, version, self.kinds, mark)
