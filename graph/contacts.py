"""Who can help, and who can introduce: contacts, introduction paths, recommendations.

Pure functions over the ``GraphStore`` protocol. Who may be *seen* and who may be
*routed through* is not decided here: every function takes two predicates
(``visible`` and ``route_through``), so the consent policy lives in one place
(the API's ``consent`` module) and this module stays about the graph.

Every connection explains itself from the tie that made it: the project, the
cohort, the survey answer or the mentoring, never a guess.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from graph.adjacency import Adjacency
from graph.errors import Invalid, NotFound, Problem
from graph.model import (
    Cohort,
    Employment,
    Organisation,
    Person,
    Project,
    ProjectMember,
    Sector,
    Tie,
    TieKind,
    Wave,
    WickedIssue,
)
from graph.store import GraphStore, Page, PersonQuery, R

__all__ = [
    "STRENGTH",
    "WARM_KINDS",
    "Connection",
    "Contact",
    "Hop",
    "IntroductionPath",
    "Predicate",
    "Profile",
    "Reason",
    "Recommendation",
    "Scope",
    "contacts",
    "current_employment",
    "explain",
    "survey_text",
    "introduction_paths",
    "profiles",
    "recommendations",
]

Predicate = Callable[[Person], bool]
"""A consent rule applied to a person: may they be shown, may they be routed through."""

Scope = Literal["other-organisations", "all"]

WARM_KINDS: tuple[TieKind, ...] = tuple(k for k in TieKind if k is not TieKind.WANT_TO_MEET)
"""Ties that make an introduction warm; ``want_to_meet`` is an intention, not a tie."""

STRENGTH: dict[TieKind, float] = {
    TieKind.MENTORING: 3.0,
    TieKind.PROJECT: 3.0,
    TieKind.COLLABORATION: 3.0,
    TieKind.ADVICE: 2.0,
    TieKind.KNEW_BEFORE: 1.0,
    TieKind.COHORT_PEER: 1.0,
    TieKind.WANT_TO_MEET: 0.0,
}
"""How much one tie of a kind says about two people knowing each other (for ranking)."""

_SCAN = Page(limit=100_000)
"""Reads here need every matching record, not a page of them."""


def _get_many(
    store: GraphStore, model: type[R], keys: Iterable[str], network: Adjacency | None = None
) -> dict[str, R]:
    """``store.get_many``, without a round trip when there is nothing to read, or when
    ``network`` holds this kind of record (as of the store's version it was read at)."""
    wanted = set(keys)
    if network is not None and (held := network.records(model)) is not None:
        return {k: held[k] for k in wanted if k in held}
    return store.get_many(model, wanted) if wanted else {}


_WAVE_TEXT = {Wave.BASELINE: "baseline", Wave.END: "end-of-programme", Wave.FOLLOW_UP: "follow-up"}
_ANSWER_TEXT = {
    TieKind.ADVICE: "an advice contact",
    TieKind.COLLABORATION: "a collaborator",
    TieKind.KNEW_BEFORE: "someone they knew before the programme",
    TieKind.WANT_TO_MEET: "someone they want to meet",
}


# -- profiles ----------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """A person with what a directory shows next to them: employer now, sector, cohorts."""

    person: Person
    organisation: Organisation | None
    cohorts: tuple[Cohort, ...]

    @property
    def sector(self) -> Sector | None:
        return self.organisation.sector if self.organisation else None


def current_employment(employments: Iterable[Employment]) -> Employment | None:
    """The spell that names a person's employer now: the latest open one, else the latest.

    >>> from datetime import date
    >>> old = Employment(person_id="p", organisation_id="a", start=date(2019, 1, 1),
    ...                  end=date(2020, 1, 1))
    >>> new = Employment(person_id="p", organisation_id="b", start=date(2020, 1, 2))
    >>> current_employment([new, old]).organisation_id
    'b'
    """
    spells = sorted(employments, key=lambda e: (e.end is None, e.start))
    return spells[-1] if spells else None


def profiles(
    store: GraphStore, people: Iterable[Person], network: Adjacency | None = None
) -> dict[str, Profile]:
    """Profiles of these people, keyed by id, in the order given (organisations and
    cohorts taken from ``network`` when given)."""
    people = list(people)
    spells: dict[str, list[Employment]] = defaultdict(list)
    cohort_ids: dict[str, set[str]] = defaultdict(set)
    if people:  # one read for everyone's employments and memberships
        employments, memberships = store.profile_links([p.id for p in people])
        for e in employments:
            spells[e.person_id].append(e)
        for m in memberships:
            cohort_ids[m.person_id].add(m.cohort_id)
    jobs = {p.id: current_employment(spells.get(p.id, ())) for p in people}
    organisations = _get_many(
        store, Organisation, {j.organisation_id for j in jobs.values() if j is not None}, network
    )
    cohorts = _get_many(store, Cohort, {c for ids in cohort_ids.values() for c in ids}, network)
    result: dict[str, Profile] = {}
    for p in people:
        job = jobs[p.id]
        result[p.id] = Profile(
            person=p,
            organisation=organisations.get(job.organisation_id) if job else None,
            cohorts=tuple(
                sorted(
                    (cohorts[c] for c in cohort_ids.get(p.id, ()) if c in cohorts),
                    key=lambda c: (c.start_date, c.id),
                )
            ),
        )
    return result


# -- explanations -------------------------------------------------------------------


@dataclass(frozen=True)
class Connection:
    """One tie between two people, told from the first person's side."""

    kind: TieKind
    direction: Literal["out", "in", "mutual"]
    text: str
    context_type: Literal["project", "cohort"] | None
    context_id: str | None
    context_name: str | None
    wave: Wave | None
    start: date
    end: date | None


@dataclass(frozen=True)
class Hop:
    """One step of a path: from ``source`` to ``target``, and every tie between them."""

    source: str
    target: str
    connections: tuple[Connection, ...]

    @property
    def strength(self) -> float:
        return sum(STRENGTH[c.kind] for c in self.connections)


@dataclass(frozen=True)
class _Contexts:
    projects: dict[str, Project]
    cohorts: dict[str, Cohort]

    @classmethod
    def of(
        cls, store: GraphStore, ties: Iterable[Tie], network: Adjacency | None = None
    ) -> _Contexts:
        project_ids: set[str] = set()
        cohort_ids: set[str] = set()
        for t in ties:
            if t.tie_kind is TieKind.PROJECT and t.context:
                project_ids.add(t.context)
            elif t.context:
                cohort_ids.add(t.context)
            if t.cohort_id:
                cohort_ids.add(t.cohort_id)
        return cls(
            _get_many(store, Project, project_ids, network),
            _get_many(store, Cohort, cohort_ids, network),
        )


def survey_text(tie: Tie, cohorts: dict[str, Cohort]) -> str:
    """Which survey a tie was reported in: ``the end-of-programme survey of LGE 2019``."""
    wave = _WAVE_TEXT[tie.wave] if tie.wave else "a"
    cohort_id = tie.cohort_id or tie.context
    cohort = cohorts.get(cohort_id or "")
    name = cohort.name if cohort else cohort_id
    return f"the {wave} survey of {name}" if name else f"the {wave} survey"


def explain(
    tie: Tie, subject: str, projects: dict[str, Project], cohorts: dict[str, Cohort]
) -> Connection:
    """The tie told from ``subject``'s side: what they share with the other person.

    >>> from datetime import date
    >>> c = Cohort(id="c1", name="LGE 2019", start_date=date(2019, 5, 1))
    >>> t = Tie(source_id="a", target_id="b", tie_kind=TieKind.ADVICE, start=date(2019, 5, 9),
    ...         wave=Wave.END, cohort_id="c1", context="c1")
    >>> explain(t, "b", {}, {"c1": c}).text
    'named as an advice contact by them in the end-of-programme survey of LGE 2019'
    """
    if subject not in (tie.source_id, tie.target_id):
        raise ValueError(f"{subject!r} is not on tie {tie.key!r}")
    outgoing = tie.source_id == subject
    direction: Literal["out", "in", "mutual"] = "out" if outgoing else "in"
    context_type: Literal["project", "cohort"] | None = None
    context_name: str | None = None
    context_id = tie.context
    kind = tie.tie_kind
    if kind is TieKind.PROJECT:
        direction, context_type = "mutual", "project"
        project = projects.get(tie.context or "")
        context_name = project.title if project else tie.context
        text = f"worked together on project {context_name}"
    elif kind is TieKind.COHORT_PEER:
        direction, context_type = "mutual", "cohort"
        cohort = cohorts.get(tie.context or "")
        context_name = cohort.name if cohort else tie.context
        text = f"both in cohort {context_name}"
    elif kind is TieKind.MENTORING:
        text = "mentor of" if outgoing else "mentored by"
        if tie.context and tie.context in cohorts:
            context_type, context_name = "cohort", cohorts[tie.context].name
    else:
        context_type = "cohort"
        context_id = tie.cohort_id or tie.context
        cohort = cohorts.get(context_id or "")
        context_name = cohort.name if cohort else context_id
        survey = survey_text(tie, cohorts)
        answer = _ANSWER_TEXT[kind]
        text = (
            f"named them as {answer} in {survey}"
            if outgoing
            else f"named as {answer} by them in {survey}"
        )
    return Connection(
        kind=kind,
        direction=direction,
        text=text,
        context_type=context_type,
        context_id=context_id,
        context_name=context_name,
        wave=tie.wave,
        start=tie.start,
        end=tie.end,
    )


class _Ties:
    """Ties between pairs of people, as read so far, with the records to explain them."""

    def __init__(self) -> None:
        self.by_pair: dict[frozenset[str], list[Tie]] = defaultdict(list)
        self._seen: set[str] = set()

    def add(self, ties: Iterable[Tie]) -> None:
        for t in ties:
            if t.key not in self._seen and t.source_id != t.target_id:
                self._seen.add(t.key)
                self.by_pair[frozenset((t.source_id, t.target_id))].append(t)

    def between(self, a: str, b: str) -> list[Tie]:
        return self.by_pair.get(frozenset((a, b)), [])

    def hop(self, a: str, b: str, contexts: _Contexts) -> Hop:
        ties = sorted(self.between(a, b), key=lambda t: (-STRENGTH[t.tie_kind], t.start, t.key))
        return Hop(
            source=a,
            target=b,
            connections=tuple(explain(t, a, contexts.projects, contexts.cohorts) for t in ties),
        )

    def all(self) -> list[Tie]:
        return [t for ties in self.by_pair.values() for t in ties]


def _other(tie: Tie, person_id: str) -> str:
    return tie.target_id if tie.source_id == person_id else tie.source_id


class _People:
    """Person records read on demand, once each; erased or unknown ids read as None.

    With ``known`` (every person of the store, as of now) nothing is read.
    """

    def __init__(self, store: GraphStore, known: Mapping[str, Person] | None = None) -> None:
        self.store = store
        self.known = known
        self.cache: dict[str, Person | None] = {}

    def load(self, ids: Iterable[str]) -> None:
        missing = sorted({i for i in ids if i not in self.cache})
        if missing and self.known is not None:
            for i in missing:
                self.cache[i] = self.known.get(i)
        elif missing:
            found = _get_many(self.store, Person, missing)
            for i in missing:
                self.cache[i] = found.get(i)

    def get(self, person_id: str) -> Person | None:
        self.load([person_id])
        return self.cache[person_id]

    def require(self, person_id: str) -> Person:
        person = self.get(person_id)
        if person is None:
            raise NotFound("person", person_id)
        return person


def _other_organisation(a: Profile, b: Profile) -> bool:
    return b.organisation is not None and (
        a.organisation is None or a.organisation.id != b.organisation.id
    )


def _other_sector(a: Profile, b: Profile) -> bool:
    return b.sector is not None and a.sector is not None and a.sector is not b.sector


# -- contacts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """Someone the subject knows (``hops`` 1) or can be introduced to (``hops`` 2)."""

    profile: Profile
    hops: int
    score: float
    path: tuple[Hop, ...]
    """The strongest path from the subject to them, every hop explained."""
    via: tuple[Profile, ...]
    """Every intermediary (``hops`` 2), strongest first; empty for direct contacts."""


def contacts(
    store: GraphStore,
    person_id: str,
    *,
    visible: Predicate,
    route_through: Predicate,
    scope: Scope = "all",
    max_hops: int = 1,
) -> list[Contact]:
    """The subject's contacts, ranked: direct ones first, then strongest, then by name.

    A direct contact's score is the strength of their ties to the subject; one
    two hops away scores half the weaker hop of each intermediary, summed over
    intermediaries. Intermediaries must pass ``route_through``; everyone returned
    passes ``visible``. ``scope="other-organisations"`` keeps people whose current
    employer is known and differs from the subject's.
    """
    if max_hops not in (1, 2):
        raise Invalid([Problem("contacts", "max_hops", max_hops, "must be 1 or 2")])
    people = _People(store)
    subject = people.require(person_id)
    ties = _Ties()
    first = store.ties_of([subject.id], WARM_KINDS)
    ties.add(first)
    direct = sorted({_other(t, subject.id) for t in first})
    people.load(direct)
    direct = [d for d in direct if (p := people.cache[d]) is not None and visible(p)]
    via: dict[str, list[str]] = defaultdict(list)
    if max_hops == 2:
        bridges = [d for d in direct if route_through(people.require(d))]
        second = store.ties_of(bridges, WARM_KINDS)
        ties.add(second)
        bridge_set, direct_set = set(bridges), set(direct)
        for t in second:
            for bridge, far in ((t.source_id, t.target_id), (t.target_id, t.source_id)):
                if bridge in bridge_set and far != subject.id and far not in direct_set:
                    if bridge not in via[far]:
                        via[far].append(bridge)
        people.load(via)
        via = {k: v for k, v in via.items() if (p := people.cache[k]) is not None and visible(p)}
    everyone = [subject.id, *direct, *via]
    found = profiles(store, [people.require(i) for i in dict.fromkeys(everyone)])
    me = found[subject.id]
    contexts = _Contexts.of(store, ties.all())
    result: list[Contact] = []
    for other in direct:
        hop = ties.hop(subject.id, other, contexts)
        result.append(Contact(found[other], 1, hop.strength, (hop,), ()))
    for far, through in via.items():
        scored = []
        for bridge in through:
            first_hop = ties.hop(subject.id, bridge, contexts)
            second_hop = ties.hop(bridge, far, contexts)
            scored.append(
                (min(first_hop.strength, second_hop.strength), bridge, first_hop, second_hop)
            )
        scored.sort(key=lambda s: (-s[0], found[s[1]].person.name, s[1]))
        best = scored[0]
        score = sum(s[0] for s in scored) / 2
        result.append(
            Contact(found[far], 2, score, (best[2], best[3]), tuple(found[s[1]] for s in scored))
        )
    if scope == "other-organisations":
        result = [c for c in result if _other_organisation(me, c.profile)]
    result.sort(key=lambda c: (c.hops, -c.score, c.profile.person.name, c.profile.person.id))
    return result


# -- introduction paths -------------------------------------------------------------


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
    visible: Predicate,
    route_through: Predicate,
    max_hops: int = 4,
    limit: int = 3,
    network: Adjacency | None = None,
) -> list[IntroductionPath]:
    """Up to ``limit`` shortest warm paths from a person to a person or an organisation.

    Targets are the person ``target_id``, or everyone currently employed by
    ``organisation_id``; they must pass ``visible``. Intermediaries must pass
    ``visible`` and ``route_through``. Paths are found by a bidirectional
    breadth-first search over warm ties (everything but ``want_to_meet``) that
    reads every shortest path and every path one hop longer; the best
    ``limit`` of those are returned, ranked by length, then by the weakest
    hop, then by total strength, then by the people's ids.

    ``network``, the store's warm ties and people as of now (``AdjacencyCache``),
    makes the search itself read nothing; without it they are read first.
    """
    if (target_id is None) == (organisation_id is None):
        raise Invalid([Problem("path", "to/to_organisation", None, "give exactly one of them")])
    if network is None:
        network = Adjacency.read(store, store.version(), WARM_KINDS)
    elif network.kinds != frozenset(WARM_KINDS):
        raise ValueError("the network given must hold exactly the warm ties")
    people = _People(store, network.people)
    source = people.require(source_id)
    if target_id is not None:
        if target_id == source.id:
            raise Invalid([Problem("path", "to", target_id, "is the person the path starts from")])
        target = people.require(target_id)
        targets = [target.id] if visible(target) else []
    else:
        assert organisation_id is not None
        store.get(Organisation, organisation_id)
        staff = store.search_people(PersonQuery(organisation_id=organisation_id), _SCAN).data
        for p in staff:
            people.cache[p.id] = p
        targets = [p.id for p in staff if p.id != source.id and visible(p)]

    def passable(person_id: str) -> bool:
        person = network.people.get(person_id)  # erased or unknown: never
        return person is not None and visible(person) and route_through(person)

    explored = _explore(network, source.id, targets, passable, max_hops)
    if explored is None:
        return []
    candidates = _best_paths(explored, limit, max_hops)
    chosen = {p for path in candidates for p in path}
    ties = _Ties()  # every hop is explained by the ties the store holds
    ties.add(store.ties_among(sorted(chosen), WARM_KINDS))
    found_profiles = profiles(store, [people.require(i) for i in sorted(chosen)], network)
    contexts = _Contexts.of(store, ties.all(), network)
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


# -- recommendations ----------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why someone is worth meeting, in words, with its kind for machines."""

    kind: Literal["want_to_meet", "near", "shared_interest", "shared_issue", "other_sector"]
    text: str


@dataclass(frozen=True)
class Recommendation:
    profile: Profile
    score: float
    reasons: tuple[Reason, ...]
    via: tuple[Profile, ...]
    """People the subject knows who know them (for ``near``), strongest first."""


_REASON_SCORE = {
    "want_to_meet": 4.0,
    "near": 1.0,
    "shared_interest": 2.0,
    "shared_issue": 2.0,
    "other_sector": 1.0,
}


def recommendations(
    store: GraphStore,
    person_id: str,
    *,
    visible: Predicate,
    route_through: Predicate,
) -> list[Recommendation]:
    """People worth meeting that the subject does not know yet, ranked, each with reasons.

    Candidates: anyone named in a ``want_to_meet`` answer by or about the
    subject; people two warm hops away (through intermediaries passing
    ``route_through``) in another organisation or sector; people in another
    organisation sharing an interest, or a wicked issue through a project.
    People already tied to the subject by a warm tie are left out.
    """
    people = _People(store)
    subject = people.require(person_id)
    own = store.ties_of([subject.id])
    ties = _Ties()
    ties.add(own)
    direct = {_other(t, subject.id) for t in own if t.tie_kind is not TieKind.WANT_TO_MEET}
    wanted: dict[str, list[Tie]] = defaultdict(list)
    for t in own:
        if t.tie_kind is TieKind.WANT_TO_MEET:
            wanted[_other(t, subject.id)].append(t)
    people.load(direct)
    bridges = sorted(
        d for d in direct if (p := people.cache[d]) is not None and visible(p) and route_through(p)
    )
    near: dict[str, list[str]] = defaultdict(list)
    for t in store.ties_of(bridges, WARM_KINDS):
        for bridge, far in ((t.source_id, t.target_id), (t.target_id, t.source_id)):
            if bridge in bridges and far != subject.id and far not in direct:
                if bridge not in near[far]:
                    near[far].append(bridge)
    interests = {i.casefold(): i for i in subject.interests}
    sharing: dict[str, list[str]] = defaultdict(list)
    for key, interest in interests.items():
        for p in store.search_people(PersonQuery(text=interest), _SCAN).data:
            people.cache.setdefault(p.id, p)
            if key in {x.casefold() for x in p.interests}:
                sharing[p.id].append(interest)
    issues = _issues_of(store, subject.id)
    on_issue: dict[str, list[str]] = defaultdict(list)
    for issue in issues.values():
        for p in store.search_people(PersonQuery(issue_id=issue.id), _SCAN).data:
            people.cache.setdefault(p.id, p)
            on_issue[p.id].append(issue.title)
    candidates = (set(wanted) | set(near) | set(sharing) | set(on_issue)) - direct - {subject.id}
    people.load(candidates)
    shown = sorted(c for c in candidates if (p := people.cache[c]) is not None and visible(p))
    everyone = dict.fromkeys([subject.id, *shown, *bridges])
    found = profiles(store, [people.require(i) for i in everyone])
    me = found[subject.id]
    contexts = _Contexts.of(store, own)
    bridge_strength = {b: ties.hop(subject.id, b, contexts).strength for b in bridges}
    result: list[Recommendation] = []
    for c in shown:
        them = found[c]
        other_org, other_sector = _other_organisation(me, them), _other_sector(me, them)
        reasons: list[Reason] = []
        for t in sorted(wanted.get(c, []), key=lambda t: t.key):
            where = survey_text(t, contexts.cohorts)
            reasons.append(
                Reason(
                    "want_to_meet",
                    f"you named them as someone you want to meet in {where}"
                    if t.source_id == subject.id
                    else f"they named you as someone they want to meet in {where}",
                )
            )
        via: tuple[Profile, ...] = ()
        if c in near and (other_org or other_sector):
            ordered = sorted(near[c], key=lambda b: (-bridge_strength[b], found[b].person.name, b))
            via = tuple(found[b] for b in ordered)
            known = "someone you know" if len(via) == 1 else f"{len(via)} people you know"
            where = "another organisation" if other_org else "another sector"
            reasons.append(Reason("near", f"two steps away, through {known}, in {where}"))
        if other_org and c in sharing:
            reasons.append(
                Reason("shared_interest", "shares your interest in " + ", ".join(sharing[c]))
            )
        if other_org and c in on_issue:
            reasons.append(
                Reason(
                    "shared_issue",
                    "works on the same wicked issue: " + ", ".join(sorted(set(on_issue[c]))),
                )
            )
        if not reasons:
            continue
        if other_sector and them.sector is not None:
            reasons.append(Reason("other_sector", f"works in another sector: {them.sector.value}"))
        score = sum(_REASON_SCORE[r.kind] * (min(len(via), 3) if r.kind == "near" else 1)
                    for r in reasons)  # fmt: skip
        result.append(Recommendation(them, score, tuple(reasons), via))
    result.sort(key=lambda r: (-r.score, r.profile.person.name, r.profile.person.id))
    return result


def _issues_of(store: GraphStore, person_id: str) -> dict[str, WickedIssue]:
    """Wicked issues the person worked on, as project member or sponsor."""
    project_ids = {
        m.project_id for m in store.find(ProjectMember, {"person_id": person_id}, _SCAN).data
    }
    projects = list(_get_many(store, Project, project_ids).values())
    projects += store.find(Project, {"sponsor_id": person_id}, _SCAN).data
    return _get_many(store, WickedIssue, {p.issue_id for p in projects if p.issue_id})
