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
from itertools import islice
from typing import Literal

import networkx as nx

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


def _get_many(store: GraphStore, model: type[R], keys: Iterable[str]) -> dict[str, R]:
    """``store.get_many``, without a round trip when there is nothing to read."""
    wanted = set(keys)
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


def profiles(store: GraphStore, people: Iterable[Person]) -> dict[str, Profile]:
    """Profiles of these people, keyed by id, in the order given."""
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
        store, Organisation, {j.organisation_id for j in jobs.values() if j is not None}
    )
    cohorts = _get_many(store, Cohort, {c for ids in cohort_ids.values() for c in ids})
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
    def of(cls, store: GraphStore, ties: Iterable[Tie]) -> _Contexts:
        project_ids: set[str] = set()
        cohort_ids: set[str] = set()
        for t in ties:
            if t.tie_kind is TieKind.PROJECT and t.context:
                project_ids.add(t.context)
            elif t.context:
                cohort_ids.add(t.context)
            if t.cohort_id:
                cohort_ids.add(t.cohort_id)
        return cls(_get_many(store, Project, project_ids), _get_many(store, Cohort, cohort_ids))


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


_SINK = "\x00targets"


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
    breadth-first search over warm ties (everything but ``want_to_meet``), so
    every shortest path is found; alternatives one hop longer are offered when
    the search met them. Ranked by length, then by the weakest hop, then by
    total strength.

    ``network``, the store's warm ties and people as of now (``AdjacencyCache``),
    makes the search itself read nothing; the same paths are found either way.
    """
    if (target_id is None) == (organisation_id is None):
        raise Invalid([Problem("path", "to/to_organisation", None, "give exactly one of them")])
    if network is not None and network.kinds != frozenset(WARM_KINDS):
        raise ValueError("the network given must hold exactly the warm ties")
    people = _People(store, network.people if network is not None else None)
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
    if not targets:
        return []
    ties = _Ties()

    def read(layer: Sequence[str]) -> list[tuple[str, str]]:
        if network is not None:
            return network.ties_of(layer)
        found = store.ties_of(layer, WARM_KINDS)  # in key order
        ties.add(found)
        return [(t.source_id, t.target_id) for t in found]

    graph = nx.Graph()
    found = _bidirectional_search(
        read, people, graph, source.id, targets, visible, route_through, max_hops
    )
    if not found:
        return []
    target_set = set(targets)
    for t in targets:
        if t in graph:
            graph.add_edge(t, _SINK)
    candidates: list[list[str]] = []
    shortest: int | None = None
    for path in islice(nx.shortest_simple_paths(graph, source.id, _SINK), 20):
        between = path[1:-2]
        if any(
            i in target_set or not _may_pass(people, i, visible, route_through) for i in between
        ):
            continue  # reaching one target on the way to another is reaching it already
        hops = len(path) - 2
        shortest = hops if shortest is None else shortest
        if hops > min(max_hops, shortest + 1):
            break
        candidates.append(path[:-1])
    chosen = {p for path in candidates for p in path}
    if network is not None:  # every hop is explained by the ties the store holds
        ties.add(store.ties_among(sorted(chosen), WARM_KINDS))
    found_profiles = profiles(store, [people.require(i) for i in sorted(chosen)])
    contexts = _Contexts.of(store, ties.all())
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


def _may_pass(
    people: _People, person_id: str, visible: Predicate, route_through: Predicate
) -> bool:
    """Whether a path may go through this person (read already)."""
    person = people.cache.get(person_id)
    return person is not None and visible(person) and route_through(person)


def _bidirectional_search(
    read: Callable[[Sequence[str]], list[tuple[str, str]]],
    people: _People,
    graph: nx.Graph,
    source: str,
    targets: Sequence[str],
    visible: Predicate,
    route_through: Predicate,
    max_hops: int,
) -> bool:
    """Grow the explored graph from both ends, a whole layer at a time, until they meet.

    Stops one layer after the two sides first meet (or at ``max_hops``). With
    ``a`` layers read from the source and ``b`` from the targets, every path of
    at most ``a + b`` hops has each edge read from one side, so ``graph`` then
    holds every shortest path and every path one hop longer.
    """
    endpoints = {source, *targets}
    reached = {"s": {source}, "t": set(targets)}
    frontier = {"s": [source], "t": sorted(targets)}
    depth = {"s": 0, "t": 0}
    graph.add_node(source)
    graph.add_nodes_from(targets)

    passable: dict[str, bool] = dict.fromkeys(endpoints, True)
    met = False
    while frontier["s"] and frontier["t"] and depth["s"] + depth["t"] < max_hops:
        side = "s" if len(frontier["s"]) <= len(frontier["t"]) else "t"
        found = read(frontier[side])
        layer = set(frontier[side])
        people.load({s for s, _ in found} | {t for _, t in found})
        grown: set[str] = set()
        edges: list[tuple[str, str]] = []  # added in one call, in the order found
        for source_id, target_id in found:  # in the order of the ties' keys
            for near, far in ((source_id, target_id), (target_id, source_id)):
                if near not in layer or far == near:
                    continue
                may = passable.get(far)
                if may is None:
                    may = passable[far] = _may_pass(people, far, visible, route_through)
                if may:
                    edges.append((near, far))
                    if far not in reached[side]:
                        reached[side].add(far)
                        if far not in endpoints:
                            grown.add(far)
        graph.add_edges_from(edges)
        depth[side] += 1
        frontier[side] = sorted(grown)
        if met:
            break
        met = bool(reached["s"] & reached["t"])
    return met or bool(reached["s"] & reached["t"])


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
