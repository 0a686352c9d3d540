"""Cohort selection, exactly as ``spec/selection.md`` defines it: applicants in, plain data out.

The network value of a selection is concave in the number of applicants from each
organisation and each area (the k-th from o adds 1 / (a_o + k)), so the selection is a
small integer programme: one binary per applicant, one per "k-th place" of each
organisation and area, solved by ``scipy.optimize.milp`` (HiGHS) to a zero gap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from graph.errors import Invalid, Problem

__all__ = [
    "Candidate",
    "Gain",
    "Plan",
    "Quotas",
    "Reached",
    "Selected",
    "Unmet",
    "area_key",
    "network_value",
    "plan_selection",
]


def area_key(area: str | None) -> str | None:
    """Areas compare case-insensitively after trimming; an empty area counts for nothing."""
    if area is None or not area.strip():
        return None
    return " ".join(area.split()).casefold()


@dataclass(frozen=True)
class Candidate:
    """One applicant. ``member_of`` names a cohort they are already a member of."""

    id: str
    organisation_id: str
    organisation: str
    sector: str
    area: str | None = None
    score: float = 0.0
    sponsored: bool = True
    member_of: str | None = None


@dataclass(frozen=True)
class Quotas:
    sector_min: Mapping[str, int] = field(default_factory=dict)
    sector_max: Mapping[str, int] = field(default_factory=dict)
    organisation_max: int | None = None


@dataclass(frozen=True)
class Selected:
    id: str
    value: float
    merit: float
    adds: tuple[str, ...]


@dataclass(frozen=True)
class Gain:
    """An eligible applicant left out: what they would add as one extra place."""

    id: str
    objective: float
    value: float
    merit: float


@dataclass(frozen=True)
class Reached:
    ids: tuple[str, ...]
    objective: float
    network_value: float
    merit: float
    organisations: tuple[str, ...]
    sectors: tuple[str, ...]
    areas: tuple[str, ...]


@dataclass(frozen=True)
class Unmet:
    quota: str
    short_by: int
    reason: str


@dataclass(frozen=True)
class Plan:
    places: int
    selected: tuple[Selected, ...]
    left_out: tuple[Gain, ...]
    reached: Reached
    by_score: Reached
    ineligible: tuple[tuple[str, str], ...]
    unmet: tuple[Unmet, ...] = ()

    @property
    def objective(self) -> float:
        return self.reached.objective


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def _ordinal(n: int) -> str:
    if n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def network_value(
    chosen: Sequence[Candidate], alumni_by_org: Mapping[str, int], alumni_by_area: Mapping[str, int]
) -> float:
    """V(S) = Σ_o Σ_{k=1..s_o} 1/(a_o + k) + Σ_r Σ_{k=1..s_r} 1/(a_r + k).

    >>> a = Candidate("a", "o", "O", "health", "Tendring")
    >>> b = Candidate("b", "o", "O", "health")
    >>> round(network_value([a, b], {"o": 1}, {"tendring": 0}), 6)  # 1/2 + 1/3 + 1/1
    1.833333
    """
    value = 0.0
    counts: dict[tuple[str, str], int] = {}
    for c in chosen:
        groups = [("o", c.organisation_id, alumni_by_org.get(c.organisation_id, 0))]
        area = area_key(c.area)
        if area is not None:
            groups.append(("r", area, alumni_by_area.get(area, 0)))
        for kind, key, alumni in groups:
            counts[(kind, key)] = counts.get((kind, key), 0) + 1
            value += 1 / (alumni + counts[(kind, key)])
    return value


def _reached(
    chosen: Sequence[Candidate],
    weight: float,
    alumni_by_org: Mapping[str, int],
    alumni_by_area: Mapping[str, int],
) -> Reached:
    value = network_value(chosen, alumni_by_org, alumni_by_area)
    merit = sum(c.score for c in chosen) / 10
    areas = {area_key(c.area): (c.area or "").strip() for c in chosen if area_key(c.area)}
    return Reached(
        ids=tuple(sorted(c.id for c in chosen)),
        objective=value + weight * merit,
        network_value=value,
        merit=merit,
        organisations=tuple(sorted({c.organisation for c in chosen})),
        sectors=tuple(sorted({c.sector for c in chosen})),
        areas=tuple(sorted(areas.values())),
    )


def _check(places: int, quotas: Quotas, weight: float) -> None:
    problems: list[Problem] = []
    if places < 1:
        problems.append(Problem("selection", "places", places, "must be a whole number ≥ 1"))
    for name, given in (("sector_min", quotas.sector_min), ("sector_max", quotas.sector_max)):
        for sector, count in sorted(given.items()):
            if count < 0:
                problems.append(Problem("quotas", f"{name} {sector}", count, "must be ≥ 0"))
    for sector, least in sorted(quotas.sector_min.items()):
        most = quotas.sector_max.get(sector)
        if most is not None and least > most:
            problems.append(
                Problem("quotas", f"sector_min {sector}", least, f"is above sector_max {most}")
            )
    if quotas.organisation_max is not None and quotas.organisation_max < 1:
        problems.append(
            Problem("quotas", "organisation_max", quotas.organisation_max, "must be ≥ 1")
        )
    needed = sum(quotas.sector_min.values())
    if places >= 1 and needed > places:
        problems.append(
            Problem(
                "quotas", "sector_min", needed,
                f"the sector minima sum to {needed}, past the {places} places",
            )
        )  # fmt: skip
    if weight < 0 or weight != weight:
        problems.append(Problem("selection", "merit_weight", weight, "must be a number ≥ 0"))
    if problems:
        raise Invalid(problems)


def _unmet(eligible: Sequence[Candidate], places: int, quotas: Quotas) -> list[Unmet]:
    """Why no selection meets every quota (empty when one does).

    Organisations lie within one sector, so a sector can fill at most
    U_s = min(sector_max, Σ_o min(n_o, organisation_max)) places; the quotas can all be
    met exactly when every sector_min ≤ U_s and Σ sector_min ≤ places ≤ Σ U_s."""
    per_org: dict[tuple[str, str], int] = {}
    for c in eligible:
        per_org[(c.sector, c.organisation_id)] = per_org.get((c.sector, c.organisation_id), 0) + 1
    cap: dict[str, int] = {}
    for (sector, _org), count in per_org.items():
        most = count if quotas.organisation_max is None else min(count, quotas.organisation_max)
        cap[sector] = cap.get(sector, 0) + most
    upper = {
        s: min(quotas.sector_max[s], n) if s in quotas.sector_max else n for s, n in cap.items()
    }
    found: list[Unmet] = []
    for sector, least in sorted(quotas.sector_min.items()):
        can = upper.get(sector, 0)
        if least > can:
            found.append(
                Unmet(
                    f"sector_min {sector}={least}", least - can,
                    f"only {can} eligible applicant(s) from {sector} can be selected",
                )
            )  # fmt: skip
    needed = sum(quotas.sector_min.values())
    if needed > places:
        found.append(
            Unmet(
                "sector_min", needed - places,
                f"the sector minima need {needed} places; only {places} eligible applicant(s)",
            )
        )  # fmt: skip
    room = sum(upper.values())
    if room < places:
        found.append(
            Unmet(
                "sector_max / organisation_max", places - room,
                f"the maxima leave room for {room} of the {places} places",
            )
        )  # fmt: skip
    return found


def _solve(
    eligible: Sequence[Candidate],
    places: int,
    quotas: Quotas,
    weight: float,
    alumni_by_org: Mapping[str, int],
    alumni_by_area: Mapping[str, int],
) -> list[Candidate]:
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    n = len(eligible)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, c in enumerate(eligible):
        groups.setdefault(("o", c.organisation_id), []).append(i)
        area = area_key(c.area)
        if area is not None:
            groups.setdefault(("r", area), []).append(i)
    gains = [weight * c.score / 10 for c in eligible]
    steps: list[tuple[tuple[str, str], int]] = []  # one column per k-th place of a group
    for key, members in groups.items():
        alumni = (alumni_by_org if key[0] == "o" else alumni_by_area).get(key[1], 0)
        for k in range(1, min(len(members), places) + 1):
            steps.append((key, k))
            gains.append(1 / (alumni + k))
    columns = len(gains)
    rows: list[tuple[dict[int, float], float, float]] = []
    rows.append((dict.fromkeys(range(n), 1.0), places, places))
    step_columns: dict[tuple[str, str], list[int]] = {}
    for j, (key, _k) in enumerate(steps, start=n):
        step_columns.setdefault(key, []).append(j)
    for key, members in groups.items():
        row = dict.fromkeys(members, 1.0)
        row.update(dict.fromkeys(step_columns.get(key, []), -1.0))
        rows.append((row, 0, 0))
        if key[0] == "o" and quotas.organisation_max is not None:
            rows.append((dict.fromkeys(members, 1.0), 0, quotas.organisation_max))
    for sector in sorted(set(quotas.sector_min) | set(quotas.sector_max)):
        members = [i for i, c in enumerate(eligible) if c.sector == sector]
        rows.append(
            (
                dict.fromkeys(members, 1.0),
                quotas.sector_min.get(sector, 0),
                quotas.sector_max.get(sector, np.inf),
            )
        )
    cells = [(r, j, v) for r, (row, _lo, _hi) in enumerate(rows) for j, v in row.items()]
    matrix = coo_array(
        ([v for _, _, v in cells], ([r for r, _, _ in cells], [j for _, j, _ in cells])),
        shape=(len(rows), columns),
    )
    result = milp(
        c=-np.array(gains),
        constraints=LinearConstraint(
            matrix.tocsr(), np.array([lo for _, lo, _ in rows]), np.array([hi for _, _, hi in rows])
        ),
        integrality=np.ones(columns),
        bounds=Bounds(np.zeros(columns), np.ones(columns)),
        options={"mip_rel_gap": 0.0},
    )
    if result.x is None:  # the quotas were checked feasible; say so if the solver disagrees
        raise Invalid(
            [Problem("selection", "quotas", "", f"no selection found ({result.message})")]
        )
    return [eligible[i] for i in range(n) if result.x[i] > 0.5]


def _selected(
    chosen: Sequence[Candidate], alumni_by_org: Mapping[str, int], alumni_by_area: Mapping[str, int]
) -> list[Selected]:
    """Each selected applicant with what they add: within an organisation (area) the
    places go in order of score (then id), the k-th adding 1 / (a + k)."""
    value: dict[str, float] = {c.id: 0.0 for c in chosen}
    words: dict[str, list[str]] = {c.id: [] for c in chosen}
    ordered = sorted(chosen, key=lambda c: (-c.score, c.id))
    seen: dict[tuple[str, str], int] = {}
    for c in ordered:
        groups = [("o", c.organisation_id, alumni_by_org.get(c.organisation_id, 0), c.organisation)]
        area = area_key(c.area)
        if area is not None:
            shown = f"area {(c.area or '').strip()}"
            groups.append(("r", area, alumni_by_area.get(area, 0), shown))
        for kind, key, alumni, name in groups:
            k = seen[(kind, key)] = seen.get((kind, key), 0) + 1
            value[c.id] += 1 / (alumni + k)
            after = f" (after {alumni} alumni)" if alumni else ""
            words[c.id].append(f"{_ordinal(k)} from {name}{after}")
    return [
        Selected(c.id, value[c.id], c.score / 10, tuple(words[c.id]))
        for c in sorted(chosen, key=lambda c: (-(value[c.id] + c.score / 10), c.id))
    ]


def _left_out(
    others: Sequence[Candidate],
    chosen: Sequence[Candidate],
    weight: float,
    alumni_by_org: Mapping[str, int],
    alumni_by_area: Mapping[str, int],
) -> list[Gain]:
    counts: dict[tuple[str, str], int] = {}
    for c in chosen:
        counts[("o", c.organisation_id)] = counts.get(("o", c.organisation_id), 0) + 1
        area = area_key(c.area)
        if area is not None:
            counts[("r", area)] = counts.get(("r", area), 0) + 1
    gains = []
    for c in others:
        value = 1 / (
            alumni_by_org.get(c.organisation_id, 0) + counts.get(("o", c.organisation_id), 0) + 1
        )
        area = area_key(c.area)
        if area is not None:
            value += 1 / (alumni_by_area.get(area, 0) + counts.get(("r", area), 0) + 1)
        merit = c.score / 10
        gains.append(Gain(c.id, value + weight * merit, value, merit))
    return sorted(gains, key=lambda g: (-g.objective, g.id))


def plan_selection(
    candidates: Sequence[Candidate],
    *,
    places: int,
    alumni_by_org: Mapping[str, int],
    alumni_by_area: Mapping[str, int],
    quotas: Quotas | None = None,
    merit_weight: float = 1.0,
) -> Plan:
    """The selection of ``spec/selection.md``: min(places, eligible) eligible applicants
    meeting every quota with the greatest V(S) + w · M(S); beside it, the top by score.

    ``alumni_by_area`` is keyed by ``area_key``. When the quotas cannot all be met,
    nothing is selected and ``unmet`` says which quota fails and by how many places.

    >>> a = Candidate("a", "o1", "Org 1", "health", score=9)
    >>> b = Candidate("b", "o1", "Org 1", "health", score=8)
    >>> c = Candidate("c", "o2", "Org 2", "police", score=2)
    >>> plan = plan_selection([a, b, c], places=2, alumni_by_org={"o1": 3}, alumni_by_area={})
    >>> plan.reached.ids, plan.by_score.ids
    (('a', 'c'), ('a', 'b'))
    """
    quotas = quotas or Quotas()
    _check(places, quotas, merit_weight)
    ids = [c.id for c in candidates]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        raise Invalid([Problem("applicants", "email", i, "appears twice") for i in twice])
    ineligible: list[tuple[str, str]] = []
    eligible: list[Candidate] = []
    for c in sorted(candidates, key=lambda c: c.id):
        if c.member_of is not None:
            ineligible.append((c.id, f"already a member of cohort {c.member_of}"))
        elif not c.sponsored:
            ineligible.append((c.id, "no sponsor_email"))
        else:
            eligible.append(c)
    taken = min(places, len(eligible))
    by_score = sorted(eligible, key=lambda c: (-c.score, c.id))[:taken]
    compared = _reached(by_score, merit_weight, alumni_by_org, alumni_by_area)
    unmet = _unmet(eligible, taken, quotas)
    if unmet:
        nothing = _reached([], merit_weight, alumni_by_org, alumni_by_area)
        return Plan(places, (), (), nothing, compared, tuple(ineligible), tuple(unmet))
    chosen = (
        _solve(eligible, taken, quotas, merit_weight, alumni_by_org, alumni_by_area)
        if taken
        else []
    )
    picked = {c.id for c in chosen}
    others = [c for c in eligible if c.id not in picked]
    return Plan(
        places=places,
        selected=tuple(_selected(chosen, alumni_by_org, alumni_by_area)),
        left_out=tuple(_left_out(others, chosen, merit_weight, alumni_by_org, alumni_by_area)),
        reached=_reached(chosen, merit_weight, alumni_by_org, alumni_by_area),
        by_score=compared,
        ineligible=tuple(ineligible),
    )
