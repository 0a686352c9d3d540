"""The selection of spec/selection.md: its optimum checked by brute force (every subset
enumerated) on small instances and by a second integer programme on larger ones."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from graph.errors import Invalid
from graph.selection import Candidate, Quotas, plan_selection

ORGS = {"o1": "health", "o2": "health", "o3": "police", "o4": "fire", "o5": "police"}
AREAS = ["Tendring", "Basildon", None]


def _candidates(rng: random.Random, n: int) -> list[Candidate]:
    found = []
    for i in range(n):
        org = rng.choice(sorted(ORGS))
        found.append(
            Candidate(
                id=f"a{i:03}@x.org",
                organisation_id=org,
                organisation=org.upper(),
                sector=ORGS[org],
                area=rng.choice(AREAS),
                score=rng.randint(0, 10),
                sponsored=rng.random() > 0.1,
                member_of="c-1" if rng.random() < 0.05 else None,
            )
        )
    return found


def _objective(
    chosen: tuple[Candidate, ...], a_org: dict[str, int], a_area: dict[str, int], w: float
) -> float:
    """V + w·M worked out with fractions, group by group, as the spec writes it."""
    total = Fraction(0)
    for org in {c.organisation_id for c in chosen}:
        s = sum(1 for c in chosen if c.organisation_id == org)
        total += sum(Fraction(1, a_org.get(org, 0) + k) for k in range(1, s + 1))
    for area in {c.area.lower() for c in chosen if c.area}:
        s = sum(1 for c in chosen if c.area and c.area.lower() == area)
        total += sum(Fraction(1, a_area.get(area, 0) + k) for k in range(1, s + 1))
    return float(total) + w * sum(c.score for c in chosen) / 10


def _meets(chosen: tuple[Candidate, ...], quotas: Quotas) -> bool:
    for sector in set(quotas.sector_min) | set(quotas.sector_max):
        n = sum(1 for c in chosen if c.sector == sector)
        if n < quotas.sector_min.get(sector, 0) or n > quotas.sector_max.get(sector, 10**9):
            return False
    if quotas.organisation_max is not None:
        for org in ORGS:
            if sum(1 for c in chosen if c.organisation_id == org) > quotas.organisation_max:
                return False
    return True


def _random_quotas(rng: random.Random) -> Quotas:
    return Quotas(
        sector_min={"health": 1} if rng.random() < 0.5 else {},
        sector_max={"police": rng.randint(0, 2)} if rng.random() < 0.5 else {},
        organisation_max=rng.choice([None, 1, 2]),
    )


@pytest.mark.parametrize("seed", range(60))
def test_selection_equals_brute_force_on_small_random_instances(seed: int) -> None:
    rng = random.Random(seed)
    candidates = _candidates(rng, rng.randint(2, 9))
    places = rng.randint(1, 5)
    a_org = {o: rng.randint(0, 4) for o in ORGS}
    a_area = {"tendring": rng.randint(0, 3)}
    quotas = _random_quotas(rng)
    w = rng.choice([0.0, 0.5, 1.0, 3.0])
    plan = plan_selection(
        candidates, places=places, alumni_by_org=a_org, alumni_by_area=a_area,
        quotas=quotas, merit_weight=w,
    )  # fmt: skip
    eligible = [c for c in candidates if c.sponsored and c.member_of is None]
    size = min(places, len(eligible))
    feasible = [s for s in itertools.combinations(eligible, size) if _meets(s, quotas)]
    if not feasible:
        assert plan.selected == () and plan.unmet
        return
    best = max(_objective(s, a_org, a_area, w) for s in feasible)
    chosen = tuple(c for c in candidates if c.id in plan.reached.ids)
    assert len(chosen) == size and _meets(chosen, quotas)
    assert plan.objective == pytest.approx(best, abs=1e-9)
    assert _objective(chosen, a_org, a_area, w) == pytest.approx(best, abs=1e-9)
    assert sum(s.value for s in plan.selected) == pytest.approx(plan.reached.network_value)


def _positions_optimum(
    eligible: list[Candidate],
    places: int,
    a_org: dict[str, int],
    a_area: dict[str, int],
    w: float,
    quotas: Quotas,
) -> float:
    """A second formulation: each chosen applicant takes one numbered position in its
    organisation and one in its area (if any); position k of group g is worth
    1/(a_g + k) and holds at most one applicant."""
    n = len(eligible)
    columns: list[tuple[str, int, int]] = [("x", i, 0) for i in range(n)]
    for i in range(n):
        columns += [("o", i, k) for k in range(1, places + 1)]
        if eligible[i].area:
            columns += [("r", i, k) for k in range(1, places + 1)]
    gain = []
    for kind, i, k in columns:
        c = eligible[i]
        if kind == "x":
            gain.append(w * c.score / 10)
        elif kind == "o":
            gain.append(1 / (a_org.get(c.organisation_id, 0) + k))
        else:
            gain.append(1 / (a_area.get((c.area or "").lower(), 0) + k))
    index = {col: j for j, col in enumerate(columns)}
    rows, lo, hi = [], [], []

    def add(coefficients: dict[int, float], low: float, high: float) -> None:
        row = np.zeros(len(columns))
        for j, v in coefficients.items():
            row[j] = v
        rows.append(row)
        lo.append(low)
        hi.append(high)

    add({index[("x", i, 0)]: 1 for i in range(n)}, places, places)
    for i, c in enumerate(eligible):
        add({index[("x", i, 0)]: -1, **{index[("o", i, k)]: 1 for k in range(1, places + 1)}}, 0, 0)
        if c.area:
            add(
                {index[("x", i, 0)]: -1, **{index[("r", i, k)]: 1 for k in range(1, places + 1)}},
                0,
                0,
            )
    for org in ORGS:
        members = [i for i, c in enumerate(eligible) if c.organisation_id == org]
        for k in range(1, places + 1):
            add({index[("o", i, k)]: 1 for i in members}, 0, 1)
        if quotas.organisation_max is not None:
            add({index[("x", i, 0)]: 1 for i in members}, 0, quotas.organisation_max)
    for area in {(c.area or "").lower() for c in eligible if c.area}:
        members = [i for i, c in enumerate(eligible) if (c.area or "").lower() == area]
        for k in range(1, places + 1):
            add({index[("r", i, k)]: 1 for i in members}, 0, 1)
    for sector in set(quotas.sector_min) | set(quotas.sector_max):
        members = [i for i, c in enumerate(eligible) if c.sector == sector]
        add(
            {index[("x", i, 0)]: 1 for i in members},
            quotas.sector_min.get(sector, 0),
            quotas.sector_max.get(sector, np.inf),
        )
    result = milp(
        -np.array(gain),
        constraints=LinearConstraint(np.array(rows), lo, hi),
        integrality=np.ones(len(columns)),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    assert result.x is not None
    return float(-result.fun)


@pytest.mark.parametrize("seed", range(6))
def test_selection_equals_a_second_integer_programme_on_larger_instances(seed: int) -> None:
    rng = random.Random(500 + seed)
    candidates = _candidates(rng, 40)
    a_org = {o: rng.randint(0, 6) for o in ORGS}
    a_area = {"tendring": 2, "basildon": 0}
    quotas = Quotas(sector_min={"fire": 2}, sector_max={"health": 6}, organisation_max=5)
    plan = plan_selection(
        candidates, places=12, alumni_by_org=a_org, alumni_by_area=a_area, quotas=quotas
    )
    eligible = [c for c in candidates if c.sponsored and c.member_of is None]
    assert plan.objective == pytest.approx(
        _positions_optimum(eligible, 12, a_org, a_area, 1.0, quotas), abs=1e-7
    )


def test_selection_lists_ineligible_left_out_and_the_top_by_score() -> None:
    a = Candidate("a", "o1", "Org 1", "health", "Tendring", score=9)
    b = Candidate("b", "o1", "Org 1", "health", score=8)
    c = Candidate("c", "o2", "Org 2", "police", "tendring", score=2)
    d = Candidate("d", "o3", "Org 3", "fire", score=10, sponsored=False)
    e = Candidate("e", "o3", "Org 3", "fire", score=10, member_of="lge-2017")
    plan = plan_selection(
        [a, b, c, d, e], places=2, alumni_by_org={"o1": 3}, alumni_by_area={"tendring": 1}
    )
    # {a, c}: V = 1/4 + 1/2 (a, area) + 1 + 1/3 (c, area), M = 1.1; beats {a, b} and {b, c}.
    assert plan.reached.ids == ("a", "c")
    assert plan.reached.network_value == pytest.approx(1 / 4 + 1 / 2 + 1 + 1 / 3)
    assert plan.by_score.ids == ("a", "b")
    assert plan.by_score.network_value == pytest.approx(1 / 4 + 1 / 5 + 1 / 2)
    assert plan.ineligible == (
        ("d", "no sponsor_email"),
        ("e", "already a member of cohort lge-2017"),
    )
    assert [(g.id, round(g.objective, 6)) for g in plan.left_out] == [
        ("b", round(1 / 5 + 0.8, 6))
    ]  # 1/(3 + 1 + 1) + 8/10
    words = {s.id: s.adds for s in plan.selected}
    assert words["c"] == ("first from Org 2", "second from area tendring (after 1 alumni)")
    assert words["a"] == (
        "first from Org 1 (after 3 alumni)",
        "first from area Tendring (after 1 alumni)",
    )


def test_selection_says_which_quota_fails_and_by_how_many() -> None:
    people = [Candidate(f"h{i}", "o1", "O1", "health", score=5) for i in range(3)]
    plan = plan_selection(
        [*people, Candidate("p", "o3", "O3", "police")],
        places=3,
        alumni_by_org={},
        alumni_by_area={},
        quotas=Quotas(sector_min={"police": 3}, organisation_max=2),
    )
    assert plan.selected == ()
    # police: one applicant for three places; health: two places at most (organisation_max)
    assert [(u.quota, u.short_by) for u in plan.unmet] == [("sector_min police=3", 2)]
    capped = plan_selection(
        people, places=3, alumni_by_org={}, alumni_by_area={}, quotas=Quotas(organisation_max=2)
    )
    assert [(u.quota, u.short_by) for u in capped.unmet] == [("sector_max / organisation_max", 1)]
    assert capped.by_score.ids == ("h0", "h1", "h2")


@pytest.mark.parametrize(
    ("places", "quotas", "weight", "field"),
    [
        (0, Quotas(), 1.0, "places"),
        (2, Quotas(sector_min={"health": 2, "police": 1}), 1.0, "sector_min"),
        (5, Quotas(sector_min={"health": 3}, sector_max={"health": 2}), 1.0, "sector_min health"),
        (5, Quotas(organisation_max=0), 1.0, "organisation_max"),
        (5, Quotas(), -1.0, "merit_weight"),
    ],
)
def test_selection_refuses_impossible_quotas_with_a_clear_error(
    places: int, quotas: Quotas, weight: float, field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        plan_selection(
            [Candidate("a", "o1", "O1", "health")], places=places, alumni_by_org={},
            alumni_by_area={}, quotas=quotas, merit_weight=weight,
        )  # fmt: skip
    assert field in {p.field for p in caught.value.problems}
