"""Mentor matching, exactly as ``spec/matching.md`` defines it: profiles in, plain data out.

The service (``services.mentoring``) reads the cohort, the pool and the snapshot from
the store; this module only decides. Among every set of allowed pairs that respects the
capacities and keeps the locked pairs, the match has the most pairs and, among those,
the greatest total score; it is found by an integer programme (``scipy.optimize.milp``,
HiGHS), whose constraint matrix is that of a bipartite b-matching, so the optimum is exact.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.errors import Invalid, Problem

__all__ = [
    "NO_ALLOWED_MENTOR",
    "NO_CAPACITY_LEFT",
    "Match",
    "Party",
    "Pair",
    "Rules",
    "Unmatched",
    "allowed",
    "match_mentors",
    "normalise_interest",
    "reach_in",
    "score_pair",
]

NO_ALLOWED_MENTOR = "no allowed mentor"
NO_CAPACITY_LEFT = "no capacity left"


def normalise_interest(text: str) -> str:
    """Interests compare case-insensitively after trimming (inner spaces collapsed)."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Party:
    """A mentor or a mentee as the match sees them.

    ``reach`` holds organisation ids: the person's own and those of everyone at
    distance 1 or 2 in the snapshot (``reach_in``). ``capacity`` is for mentors;
    ``in_cohort`` marks a mentor who is a member of the mentees' cohort.
    """

    id: str
    organisation_id: str | None
    sector: str | None
    interests: tuple[str, ...] = ()
    reach: frozenset[str] = frozenset()
    capacity: int = 1
    in_cohort: bool = False


@dataclass(frozen=True)
class Rules:
    """Pairs as ``(mentor id, mentee id)``."""

    locked: frozenset[tuple[str, str]] = frozenset()
    forbidden: frozenset[tuple[str, str]] = frozenset()
    mentees_per_participant: int = 1


@dataclass(frozen=True)
class Pair:
    mentor: str
    mentee: str
    new_sector: int
    new_orgs: tuple[str, ...]
    """Organisation ids the mentee would reach through the mentor, sorted."""
    shared_interests: tuple[str, ...]
    locked: bool = False

    @property
    def score(self) -> int:
        return 3 * self.new_sector + len(self.new_orgs) + len(self.shared_interests)


@dataclass(frozen=True)
class Unmatched:
    mentee: str
    reason: str


@dataclass(frozen=True)
class Match:
    pairs: tuple[Pair, ...]
    unmatched: tuple[Unmatched, ...]
    capacity_left: Mapping[str, int] = field(default_factory=dict)

    @property
    def total_score(self) -> int:
        return sum(p.score for p in self.pairs)


def reach_in(snapshot: Any, person_id: str, organisation_id: str | None) -> frozenset[str]:
    """``reach(x)`` of the spec: x's own organisation plus those of everyone at distance
    1 or 2 in ``snapshot`` (just the own organisation when x is not in it).

    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_nodes_from([("a", {"organisation_id": "o1"}), ("b", {"organisation_id": "o2"}),
    ...                   ("c", {"organisation_id": "o3"}), ("d", {"organisation_id": "o4"})])
    >>> g.add_edges_from([("a", "b"), ("b", "c"), ("c", "d")])
    >>> sorted(reach_in(g, "a", "o1"))
    ['o1', 'o2', 'o3']
    >>> sorted(reach_in(g, "z", "o9"))
    ['o9']
    """
    import networkx as nx

    found: set[str] = {organisation_id} if organisation_id else set()
    if person_id in snapshot:
        near = nx.single_source_shortest_path_length(snapshot, person_id, cutoff=2)
        for node, hops in near.items():
            org = snapshot.nodes[node].get("organisation_id")
            if hops >= 1 and org:
                found.add(org)
    return frozenset(found)


def _refusal(
    mentor: Party, mentee: Party, existing: Collection[tuple[str, str]], rules: Rules
) -> str | None:
    """Why the spec does not allow this pair, or ``None`` when it does."""
    if mentor.id == mentee.id:
        return "the mentor is the participant"
    if mentor.in_cohort:
        return "the mentor is a member of the participants' cohort"
    if mentor.organisation_id is not None and mentor.organisation_id == mentee.organisation_id:
        return "they work for the same organisation"
    if (mentor.id, mentee.id) in existing or (mentee.id, mentor.id) in existing:
        return "a mentoring tie joins them already"
    if (mentor.id, mentee.id) in rules.forbidden:
        return "the pair is forbidden"
    return None


def allowed(
    mentor: Party, mentee: Party, existing: Collection[tuple[str, str]], rules: Rules
) -> bool:
    """Rules 1-3 of "Allowed pairs"; ``existing`` holds the mentoring ties (either way)."""
    return _refusal(mentor, mentee, existing, rules) is None


def score_pair(mentor: Party, mentee: Party, *, locked: bool = False) -> Pair:
    """The pair with its three parts: score = 3 · new_sector + new_orgs + shared_interests.

    >>> m = Party("m", "o1", "health", ("Housing", " data "), frozenset({"o1", "o2", "o3"}))
    >>> p = Party("p", "o4", "police", ("DATA",), frozenset({"o4", "o2"}))
    >>> pair = score_pair(m, p)
    >>> pair.new_sector, pair.new_orgs, pair.shared_interests, pair.score
    (1, ('o1', 'o3'), ('data',), 6)
    """
    differ = mentor.sector != mentee.sector
    mine = {normalise_interest(i) for i in mentor.interests if i.strip()}
    theirs = {normalise_interest(i) for i in mentee.interests if i.strip()}
    return Pair(
        mentor=mentor.id,
        mentee=mentee.id,
        new_sector=1 if differ else 0,
        new_orgs=tuple(sorted(mentor.reach - mentee.reach)),
        shared_interests=tuple(sorted(mine & theirs)),
        locked=locked,
    )


def _check(mentees: Sequence[Party], mentors: Sequence[Party], rules: Rules) -> None:
    problems: list[Problem] = []
    for kind, parties in (("mentee", mentees), ("mentor", mentors)):
        seen: set[str] = set()
        for party in parties:
            if party.id in seen:
                problems.append(Problem(kind, "id", party.id, f"the same {kind} twice"))
            seen.add(party.id)
    for mentor in mentors:
        if mentor.capacity < 1:
            problems.append(
                Problem("mentor", "capacity", mentor.capacity, "must be a whole number ≥ 1")
            )
    if rules.mentees_per_participant < 1:
        problems.append(
            Problem(
                "rules", "mentees_per_participant", rules.mentees_per_participant,
                "must be a whole number ≥ 1",
            )
        )  # fmt: skip
    if problems:
        raise Invalid(problems)


def _check_locked(
    by_mentor: Mapping[str, Party],
    by_mentee: Mapping[str, Party],
    existing: Collection[tuple[str, str]],
    rules: Rules,
) -> None:
    problems: list[Problem] = []
    per_mentor: dict[str, int] = {}
    per_mentee: dict[str, int] = {}
    for mentor_id, mentee_id in sorted(rules.locked):
        where = f"{mentor_id} -> {mentee_id}"
        mentor, mentee = by_mentor.get(mentor_id), by_mentee.get(mentee_id)
        if mentor is None:
            problems.append(Problem("locked", "mentor", where, "is not in the mentor pool"))
        if mentee is None:
            problems.append(
                Problem("locked", "mentee", where, "is not a participant of the cohort")
            )
        if mentor is None or mentee is None:
            continue
        why = _refusal(mentor, mentee, existing, rules)
        if why is not None:
            problems.append(Problem("locked", "pair", where, f"breaks a rule: {why}"))
        per_mentor[mentor_id] = per_mentor.get(mentor_id, 0) + 1
        per_mentee[mentee_id] = per_mentee.get(mentee_id, 0) + 1
    for mentor_id, count in sorted(per_mentor.items()):
        capacity = by_mentor[mentor_id].capacity
        if count > capacity:
            problems.append(
                Problem("locked", "mentor", mentor_id, f"{count} locked pairs, capacity {capacity}")
            )
    limit = rules.mentees_per_participant
    for mentee_id, count in sorted(per_mentee.items()):
        if count > limit:
            problems.append(
                Problem(
                    "locked", "mentee", mentee_id,
                    f"{count} locked mentors, mentees_per_participant is {limit}",
                )
            )  # fmt: skip
    if problems:
        raise Invalid(problems)


def _solve(
    candidates: Sequence[Pair],
    mentors: Sequence[Party],
    mentees: Sequence[Party],
    per_mentee: int,
) -> list[int]:
    """Indices of the chosen candidates: most pairs, then greatest total score."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    if not candidates:
        return []
    rows: dict[Hashable, int] = {}
    for mentor in mentors:
        rows[("m", mentor.id)] = len(rows)
    for mentee in mentees:
        rows[("p", mentee.id)] = len(rows)
    columns = np.arange(len(candidates))
    where = [rows[("m", p.mentor)] for p in candidates] + [
        rows[("p", p.mentee)] for p in candidates
    ]
    matrix = coo_array(
        (np.ones(2 * len(candidates)), (np.array(where), np.concatenate([columns, columns]))),
        shape=(len(rows), len(candidates)),
    )
    upper = np.array([m.capacity for m in mentors] + [per_mentee] * len(mentees), dtype=float)
    scores = np.array([p.score for p in candidates], dtype=float)
    big = float(scores.sum()) + 1.0  # one more pair always beats any gain in score
    lower = np.array([1.0 if p.locked else 0.0 for p in candidates])
    result = milp(
        c=-(big + scores),
        constraints=LinearConstraint(matrix.tocsr(), -np.inf, upper),
        integrality=np.ones(len(candidates)),
        bounds=Bounds(lower, np.ones(len(candidates))),
        options={"mip_rel_gap": 0.0},
    )
    if result.x is None:  # cannot happen once the locks are checked; say so if it does
        raise Invalid([Problem("match", "locked", "", f"no match exists ({result.message})")])
    return [i for i, x in enumerate(result.x) if x > 0.5]


def match_mentors(
    mentees: Sequence[Party],
    mentors: Sequence[Party],
    *,
    existing: Iterable[tuple[str, str]] = (),
    rules: Rules | None = None,
) -> Match:
    """The match of ``spec/matching.md``: the most pairs, then the greatest total score.

    ``existing`` holds the mentoring ties already in the graph, as (source, target).
    Ties between equally good matches are broken by the solver, deterministically.

    >>> a = Party("a", "o1", "health", reach=frozenset({"o1", "o2"}))
    >>> b = Party("b", "o2", "police", reach=frozenset({"o2"}))
    >>> m = Party("m", "o3", "police", reach=frozenset({"o3", "o4"}), capacity=1)
    >>> found = match_mentors([a, b], [m])
    >>> [(p.mentor, p.mentee, p.score) for p in found.pairs], found.unmatched
    ([('m', 'a', 5)], (Unmatched(mentee='b', reason='no capacity left'),))
    """
    rules = rules or Rules()
    _check(mentees, mentors, rules)
    existing = set(existing)
    by_mentor = {m.id: m for m in mentors}
    by_mentee = {p.id: p for p in mentees}
    _check_locked(by_mentor, by_mentee, existing, rules)
    candidates = [
        score_pair(m, p, locked=(m.id, p.id) in rules.locked)
        for p in mentees
        for m in mentors
        if allowed(m, p, existing, rules)
    ]
    chosen = [
        candidates[i] for i in _solve(candidates, mentors, mentees, rules.mentees_per_participant)
    ]
    chosen.sort(key=lambda p: (p.mentee, -p.score, p.mentor))
    matched = {p.mentee for p in chosen}
    with_option = {p.mentee for p in candidates}
    unmatched = tuple(
        Unmatched(p.id, NO_CAPACITY_LEFT if p.id in with_option else NO_ALLOWED_MENTOR)
        for p in sorted(mentees, key=lambda p: p.id)
        if p.id not in matched
    )
    used: dict[str, int] = {}
    for pair in chosen:
        used[pair.mentor] = used.get(pair.mentor, 0) + 1
    left = {m.id: m.capacity - used.get(m.id, 0) for m in mentors}
    return Match(pairs=tuple(chosen), unmatched=unmatched, capacity_left=left)
