"""The match of spec/matching.md: its optimum checked by brute force (every allowed set of
pairs enumerated) on small instances and by linear_sum_assignment on larger ones."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from graph.errors import Invalid
from graph.matching import (
    NO_ALLOWED_MENTOR,
    NO_CAPACITY_LEFT,
    Party,
    Rules,
    match_mentors,
)

ORGS = [f"o{i}" for i in range(6)]
SECTORS = ["health", "police", "fire"]
INTERESTS = ["data", "housing", "youth", "health"]


def _party(rng: random.Random, pid: str, *, capacity: int = 1) -> Party:
    org = rng.choice(ORGS)
    reach = {org, *rng.sample(ORGS, rng.randint(0, 3))}
    interests = tuple(rng.sample(INTERESTS, rng.randint(0, 2)))
    return Party(pid, org, rng.choice(SECTORS), interests, frozenset(reach), capacity=capacity)


def _by_hand(m: Party, p: Party) -> int:
    """The spec's score, worked out here without the module."""
    shared = {i.strip().lower() for i in m.interests} & {i.strip().lower() for i in p.interests}
    return 3 * (m.sector != p.sector) + len(m.reach - p.reach) + len(shared)


def _ok(m: Party, p: Party, existing: set[tuple[str, str]], rules: Rules) -> bool:
    return (
        m.id != p.id
        and not m.in_cohort
        and m.organisation_id != p.organisation_id
        and (m.id, p.id) not in existing
        and (m.id, p.id) not in rules.forbidden
    )


def _brute_force(
    mentees: list[Party], mentors: list[Party], existing: set[tuple[str, str]], rules: Rules
) -> tuple[int, int]:
    """(pairs, total score) of the best of every set of allowed pairs."""
    pairs = [(m, p) for m in mentors for p in mentees if _ok(m, p, existing, rules)]
    best = (-1, -1)
    for size in range(len(pairs) + 1):
        for chosen in itertools.combinations(pairs, size):
            ids = {(m.id, p.id) for m, p in chosen}
            if not rules.locked <= ids:
                continue
            if any(sum(1 for x, _ in chosen if x is m) > m.capacity for m in mentors):
                continue
            limit = rules.mentees_per_participant
            if any(sum(1 for _, y in chosen if y is p) > limit for p in mentees):
                continue
            best = max(best, (size, sum(_by_hand(m, p) for m, p in chosen)))
    return best


def _instance(seed: int) -> tuple[list[Party], list[Party], set[tuple[str, str]], Rules]:
    rng = random.Random(seed)
    mentees = [_party(rng, f"p{i}") for i in range(rng.randint(1, 4))]
    mentors = [_party(rng, f"m{i}", capacity=rng.randint(1, 2)) for i in range(rng.randint(1, 3))]
    pairs = [(m.id, p.id) for m in mentors for p in mentees]
    existing = {x for x in pairs if rng.random() < 0.1}
    forbidden = frozenset(x for x in pairs if rng.random() < 0.1)
    rules = Rules(forbidden=forbidden, mentees_per_participant=rng.choice([1, 1, 2]))
    allowed = [
        (m, p) for m in mentors for p in mentees if _ok(m, p, existing, rules) and m.capacity >= 1
    ]
    if allowed and rng.random() < 0.4:
        m, p = rng.choice(allowed)
        rules = Rules(frozenset({(m.id, p.id)}), forbidden, rules.mentees_per_participant)
    return mentees, mentors, existing, rules


@pytest.mark.parametrize("seed", range(60))
def test_match_equals_brute_force_on_small_random_instances(seed: int) -> None:
    mentees, mentors, existing, rules = _instance(seed)
    found = match_mentors(mentees, mentors, existing=existing, rules=rules)
    assert (len(found.pairs), found.total_score) == _brute_force(mentees, mentors, existing, rules)
    assert rules.locked <= {(p.mentor, p.mentee) for p in found.pairs}
    for pair in found.pairs:
        by_id = {m.id: m for m in mentors} | {p.id: p for p in mentees}
        assert pair.score == _by_hand(by_id[pair.mentor], by_id[pair.mentee])


def _assignment_optimum(mentees: list[Party], mentors: list[Party]) -> tuple[int, int]:
    """The other scipy route: one column per place of a mentor, Hungarian algorithm."""
    slots = [m for m in mentors for _ in range(m.capacity)]
    weights = np.zeros((len(mentees), len(slots)))
    allowed = np.zeros_like(weights, dtype=bool)
    big = 10_000
    for i, p in enumerate(mentees):
        for j, m in enumerate(slots):
            if _ok(m, p, set(), Rules()):
                weights[i, j] = big + _by_hand(m, p)
                allowed[i, j] = True
    rows, cols = linear_sum_assignment(weights, maximize=True)
    chosen = [(i, j) for i, j in zip(rows, cols, strict=True) if allowed[i, j]]
    return len(chosen), int(sum(weights[i, j] - big for i, j in chosen))


@pytest.mark.parametrize("seed", range(8))
def test_match_equals_linear_sum_assignment_on_larger_instances(seed: int) -> None:
    rng = random.Random(1000 + seed)
    mentees = [_party(rng, f"p{i}") for i in range(30)]
    mentors = [_party(rng, f"m{i}", capacity=rng.randint(1, 2)) for i in range(12)]
    found = match_mentors(mentees, mentors)
    assert (len(found.pairs), found.total_score) == _assignment_optimum(mentees, mentors)


def test_match_prefers_more_pairs_to_a_higher_score() -> None:
    # m1 could give p1 a score of 3+2, but then p2 (who can only have m1) goes without.
    p1 = Party("p1", "a", "health", reach=frozenset({"a"}))
    p2 = Party("p2", "b", "police", reach=frozenset({"b"}))
    m1 = Party("m1", "c", "police", reach=frozenset({"c", "d"}))
    m2 = Party("m2", "b", "health", reach=frozenset({"b"}))  # same organisation as p2
    found = match_mentors([p1, p2], [m1, m2])
    assert {(p.mentor, p.mentee) for p in found.pairs} == {("m1", "p2"), ("m2", "p1")}
    assert found.unmatched == ()


def test_match_gives_each_unmatched_participant_the_reason() -> None:
    p1 = Party("p1", "a", "health", reach=frozenset({"a"}))
    p2 = Party("p2", "b", "health", reach=frozenset({"b"}))
    p3 = Party("p3", "c", "health", reach=frozenset({"c"}))
    m1 = Party("m1", "c", "police", reach=frozenset({"c", "z"}))  # only for p1, p2
    found = match_mentors([p1, p2, p3], [m1])
    reasons = {u.mentee: u.reason for u in found.unmatched}
    assert reasons["p3"] == NO_ALLOWED_MENTOR
    assert sorted(reasons) == ["p2", "p3"] or sorted(reasons) == ["p1", "p3"]
    assert NO_CAPACITY_LEFT in reasons.values()
    assert found.capacity_left == {"m1": 0}


def test_match_skips_mentors_of_the_cohort_existing_ties_and_forbidden_pairs() -> None:
    p = Party("p", "a", "health", reach=frozenset({"a"}))
    member = Party("m1", "b", "police", reach=frozenset({"b"}), in_cohort=True)
    tied = Party("m2", "c", "police", reach=frozenset({"c"}))
    banned = Party("m3", "d", "police", reach=frozenset({"d"}))
    found = match_mentors(
        [p],
        [member, tied, banned],
        existing={("m2", "p")},
        rules=Rules(forbidden=frozenset({("m3", "p")})),
    )
    assert found.pairs == ()
    assert [u.reason for u in found.unmatched] == [NO_ALLOWED_MENTOR]


@pytest.mark.parametrize(
    ("mentors", "rules", "field", "words"),
    [
        ([Party("m", "b", "x", capacity=0)], Rules(), "capacity", "≥ 1"),
        (
            [Party("m", "a", "x")],
            Rules(locked=frozenset({("m", "p")})),
            "pair",
            "same organisation",
        ),
        (
            [Party("m", "b", "x")],
            Rules(locked=frozenset({("z", "p")})),
            "mentor",
            "not in the mentor pool",
        ),
        (
            [Party("m", "b", "x")],
            Rules(locked=frozenset({("m", "p")}), forbidden=frozenset({("m", "p")})),
            "pair",
            "forbidden",
        ),
        (
            [Party("m", "b", "x")],
            Rules(mentees_per_participant=0),
            "mentees_per_participant",
            "≥ 1",
        ),
    ],
)
def test_match_refuses_bad_rules_with_a_clear_error(
    mentors: list[Party], rules: Rules, field: str, words: str
) -> None:
    mentee = Party("p", "a", "y")
    with pytest.raises(Invalid) as caught:
        match_mentors([mentee], mentors, rules=rules)
    assert any(p.field == field and words in p.reason for p in caught.value.problems)


def test_match_refuses_more_locked_pairs_than_a_capacity() -> None:
    mentees = [Party("p1", "a", "y"), Party("p2", "a", "y")]
    mentor = Party("m", "b", "x", capacity=1)
    rules = Rules(locked=frozenset({("m", "p1"), ("m", "p2")}))
    with pytest.raises(Invalid, match="2 locked pairs, capacity 1"):
        match_mentors(mentees, [mentor], rules=rules)
