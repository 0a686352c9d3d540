"""Introduction paths: who can introduce a person to someone, hop by hop.

Pure functions over the ``GraphStore`` protocol and the warm network held in memory
(``graph.adjacency``); consent comes in as one ``Visibility``. Every hop explains
itself from the ties behind it (``graph.connections``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from graph.adjacency import Adjacency
from graph.connections import STRENGTH, WARM_KINDS, Contexts, Hop, Ties
from graph.errors import Invalid, Problem
from graph.model import Organisation
from graph.profiles import PeopleOnDemand, Profile, profiles
from graph.store import GraphStore, Page, PersonQuery
from graph.viewer import Visibility

__all__ = ["IntroductionPath", "introduction_paths"]

_SCAN = Page(limit=100_000)
"""Reads here need every matching record, not a page of them."""


@dataclass(frozen=True)
class IntroductionPath:
    """A chain of people from the subject to a target, every hop explained."""

    people: tuple[Profile, ...]
    hops: tuple[Hop, ...]

    @property
    def weakest(self) -> float:
        return min(h.strength for h in self.hops)


def introduction_paths(
    store: GraphStore,
    source_id: str,
    *,
    target_id: str | None = None,
    organisation_id: str | None = None,
    viewer: Visibility,
    max_hops: int = 4,
    limit: int = 3,
    network: Adjacency | None = None,
) -> list[IntroductionPath]:
    """Up to ``limit`` shortest warm paths from a person to a person or an organisation.

    Targets are the person ``target_id``, or everyone currently employed by
    ``organisation_id``; the ``viewer`` must see them. Intermediaries must be
    people the ``viewer`` sees and may route through. Paths are found by a bidirectional
    breadth-first search over warm ties (everything but ``want_to_meet``) that
    reads every shortest path and every path one hop longer; the best
    ``limit`` of those are returned, ranked by length, then by the weakest
    hop, then by total strength, then by the people's ids.

    ``network``, the store's warm ties and people as of now (``AdjacencyCache``),
    makes the search itself read nothing; without it they are read first.
    """
    if (target_id is None) == (organisation_id is None):
        both = target_id is not None
        raise Invalid(
            [
                Problem(
                    "path",
                    "to/to_organisation",
                    f"{target_id}/{organisation_id}" if both else None,
                    "give one of them, not both" if both else "give one of them",
                )
            ]
        )
    if network is None:
        network = Adjacency.read(store, store.version(), WARM_KINDS)
    elif network.kinds != frozenset(WARM_KINDS):
        raise ValueError("the network given must hold exactly the warm ties")
    people = PeopleOnDemand(store, network.people)
    source = people.require(source_id)
    if target_id is not None:
        if target_id == source.id:
            raise Invalid([Problem("path", "to", target_id, "is the person the path starts from")])
        target = people.require(target_id)
        targets = [target.id] if viewer.sees(target) else []
    else:
        assert organisation_id is not None
        store.get(Organisation, organisation_id)
        staff = store.search_people(PersonQuery(organisation_id=organisation_id), _SCAN).data
        for p in staff:
            people.cache[p.id] = p
        targets = [p.id for p in staff if p.id != source.id and viewer.sees(p)]

    def passable(person_id: str) -> bool:
        person = network.people.get(person_id)  # erased or unknown: never
        return person is not None and viewer.sees(person) and viewer.may_route_through(person)

    explored = _explore(network, source.id, targets, passable, max_hops)
    if explored is None:
        return []
    candidates = _best_paths(explored, limit, max_hops)
    chosen = {p for path in candidates for p in path}
    ties = Ties()  # every hop is explained by the ties the store holds
    ties.add(store.ties_among(sorted(chosen), WARM_KINDS))
    found_profiles = profiles(store, [people.require(i) for i in sorted(chosen)], network)
    contexts = Contexts.of(store, ties.all(), network)
    paths = [
        IntroductionPath(
            people=tuple(found_profiles[i] for i in path),
            hops=tuple(ties.hop(a, b, contexts) for a, b in zip(path, path[1:], strict=False)),
        )
        for path in candidates
    ]
    paths.sort(key=lambda p: (len(p.hops), -p.weakest, -sum(h.strength for h in p.hops),
                              [x.person.id for x in p.people]))  # fmt: skip
    return paths[:limit]


@dataclass(frozen=True)
class _Explored:
    """The part of the warm network a search read, its people numbered for this request.

    Who is next to whom (compressed sparse rows) and how strongly: ``Hop.strength``,
    the sum of ``STRENGTH`` over every tie between the two.
    """

    ids: list[str]
    """Person id by local number."""
    start: npt.NDArray[np.int64]
    next_to: npt.NDArray[np.int64]
    strength: npt.NDArray[np.float64]
    """Aligned with ``next_to``."""
    source: int
    targets: npt.NDArray[np.int64]


def _explore(
    network: Adjacency,
    source_id: str,
    target_ids: Sequence[str],
    passable: Callable[[str], bool],
    max_hops: int,
) -> _Explored | None:
    """Grow the explored network from both ends, a whole layer at a time, until they meet.

    Stops one layer after the two sides first meet (or at ``max_hops``). With
    ``a`` layers read from the source and ``b`` from the targets, every path of
    at most ``a + b`` hops has each edge read from one side, so the result then
    holds every shortest path and every path one hop longer, each hop with every
    tie between its two ends. A person joins only if ``passable`` (asked once).
    None when the two sides never meet.
    """
    everyone = len(network.ids)
    source = network.number.get(source_id)
    targets = sorted({n for t in target_ids if (n := network.number.get(t)) is not None})
    if source is None or not targets:
        return None
    may_pass = np.full(everyone, -1, np.int8)  # -1: not asked yet
    endpoint = np.zeros(everyone, bool)
    endpoint[[source, *targets]] = True
    may_pass[endpoint] = 1
    reached = {"s": np.zeros(everyone, bool), "t": np.zeros(everyone, bool)}
    reached["s"][source] = True
    reached["t"][targets] = True
    frontier = {"s": np.array([source]), "t": np.array(targets)}
    depth = {"s": 0, "t": 0}
    read: list[npt.NDArray[np.int32]] = []  # tie numbers of the hops found
    met = False
    while len(frontier["s"]) and len(frontier["t"]) and depth["s"] + depth["t"] < max_hops:
        side = "s" if len(frontier["s"]) <= len(frontier["t"]) else "t"
        layer = frontier[side]
        ties = network.tie_numbers(layer)
        a, b = network.source[ties], network.target[ties]
        in_layer = np.zeros(everyone, bool)
        in_layer[layer] = True
        onward, back = in_layer[a] & (a != b), in_layer[b] & (a != b)
        far = np.concatenate([b[onward], a[back]])
        through = np.concatenate([ties[onward], ties[back]])
        for person in np.unique(far[may_pass[far] < 0]).tolist():
            may_pass[person] = passable(network.ids[person])
        joins = may_pass[far] == 1
        read.append(through[joins])
        far = far[joins]
        grown = np.unique(far[~reached[side][far]])
        reached[side][grown] = True
        depth[side] += 1
        frontier[side] = grown[~endpoint[grown]]
        if met:
            break
        met = bool((reached["s"] & reached["t"]).any())
    if not (met or (reached["s"] & reached["t"]).any()):
        return None
    return _numbered(network, np.unique(np.concatenate(read)), source, targets)


def _numbered(
    network: Adjacency, ties: npt.NDArray[np.int32], source: int, targets: list[int]
) -> _Explored:
    """The hops of these ties, one per pair of people, weighed, over local numbers."""
    a, b = network.source[ties], network.target[ties]
    weight = np.array([STRENGTH[k] for k in network.kind_order], np.float64)[network.kind[ties]]
    people = np.unique(np.concatenate([a, b, [source], targets]))
    size = len(people)
    here_a, here_b = np.searchsorted(people, a), np.searchsorted(people, b)
    low, high = np.minimum(here_a, here_b), np.maximum(here_a, here_b)
    pairs, which = np.unique(low.astype(np.int64) * size + high, return_inverse=True)
    strength = np.bincount(which, weights=weight, minlength=len(pairs))
    one, other = pairs // size, pairs % size
    owners = np.concatenate([one, other])
    order = np.argsort(owners, kind="stable")
    start = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(owners, minlength=size), out=start[1:])
    return _Explored(
        ids=[network.ids[n] for n in people.tolist()],
        start=start,
        next_to=np.concatenate([other, one])[order],
        strength=np.concatenate([strength, strength])[order],
        source=int(np.searchsorted(people, source)),
        targets=np.searchsorted(people, targets),
    )


def _best_paths(explored: _Explored, limit: int, max_hops: int) -> list[list[str]]:
    """The ``limit`` best paths through ``explored``, exactly, by the documented ranking.

    A path goes from the source to one target without passing another, visits
    nobody twice, and is at most one hop longer than the shortest (and at most
    ``max_hops``). Best means fewest hops, then the strongest weakest hop, then
    the greatest total strength, then the smaller person ids in path order.
    Paths of one length are searched strongest hop first, and a branch is cut
    as soon as an upper bound on what it can still reach ranks below the
    ``limit``-th path kept, so the answer is the same as ranking them all.
    """
    size = len(explored.ids)
    graph = csr_matrix(
        (np.ones(len(explored.next_to)), explored.next_to, explored.start), shape=(size, size)
    )
    to_target = dijkstra(graph, indices=explored.targets, unweighted=True, min_only=True)
    # A lower bound on the hops left (the nearest target may lie beyond the source),
    # exact from the source itself.
    shortest = to_target[explored.source]
    if not np.isfinite(shortest):
        return []
    found: list[list[str]] = []
    for hops in range(int(shortest), min(max_hops, int(shortest) + 1) + 1):
        if len(found) >= limit:
            break
        found += _PathSearch(explored, to_target, hops).best(limit - len(found))
    return found


_Key = tuple[float, float, list[str]]
"""How a path ranks among paths of its length: smaller first."""


class _PathSearch:
    """Branch and bound over the paths of exactly ``hops`` hops from the source."""

    def __init__(self, explored: _Explored, to_target: npt.NDArray[np.float64], hops: int) -> None:
        self.explored = explored
        self.to_target = to_target
        self.is_target = np.zeros(len(explored.ids), bool)
        self.is_target[explored.targets] = True
        self.hops = hops
        self._bound: dict[tuple[int, int], tuple[float, float]] = {}
        self._steps: dict[tuple[int, int], list[tuple[float, int]]] = {}

    def best(self, limit: int) -> list[list[str]]:
        self.limit = limit
        self.kept: list[tuple[_Key, list[str]]] = []
        source = self.explored.source
        self._visit([source], [self.explored.ids[source]], float("inf"), 0.0)
        return [path for _, path in self.kept]

    def _next(self, person: int, left: int) -> list[tuple[float, int]]:
        """Where a path may go from ``person`` with ``left`` hops to go after this one:
        (strength, who), strongest first."""
        memo = self._steps.get((person, left))
        if memo is None:
            e = self.explored
            span = slice(e.start[person], e.start[person + 1])
            far, strength = e.next_to[span], e.strength[span]
            # targets end a path, and a path ends at a target
            fits = (
                (self.to_target[far] <= left)
                & (far != e.source)
                & (self.is_target[far] == (left == 0))
            )
            order = np.argsort(-strength[fits], kind="stable")
            memo = list(zip(strength[fits][order].tolist(), far[fits][order].tolist(), strict=True))
            self._steps[person, left] = memo
        return memo

    def _upper(self, person: int, left: int) -> tuple[float, float]:
        """At best, the weakest and the total strength of ``left`` more hops from
        ``person`` to a target (people may repeat here: it only bounds)."""
        if left == 0:
            return float("inf"), 0.0
        memo = self._bound.get((person, left))
        if memo is None:
            weakest, total = float("-inf"), float("-inf")
            for strength, far in self._next(person, left - 1):
                w, t = self._upper(far, left - 1)
                weakest = max(weakest, min(strength, w))
                total = max(total, strength + t)
            memo = self._bound[person, left] = (weakest, total)
        return memo

    def _visit(self, path: list[int], names: list[str], weakest: float, total: float) -> None:
        left = self.hops - len(path) + 1
        if left == 0:
            self._keep((-weakest, -total, names[1:]), list(names))
            return
        ids = self.explored.ids
        for strength, far in self._next(path[-1], left - 1):
            if far in path:
                continue
            now_weakest, now_total = min(weakest, strength), total + strength
            if len(self.kept) == self.limit:
                w, t = self._upper(far, left - 1)
                hope = (-min(now_weakest, w), -(now_total + t))
                worst = self.kept[-1][0]
                if hope > worst[:2]:
                    continue  # even at best it ranks below every path kept
                if hope == worst[:2] and [*names[1:], ids[far]] > worst[2][: len(path)]:
                    continue
            path.append(far)
            names.append(ids[far])
            self._visit(path, names, now_weakest, now_total)
            path.pop()
            names.pop()

    def _keep(self, key: _Key, path: list[str]) -> None:
        self.kept.append((key, path))
        self.kept.sort(key=lambda k: k[0])
        del self.kept[self.limit :]
