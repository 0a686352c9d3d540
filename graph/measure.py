"""Measurements on a store: pick the snapshot(s), hand them to the analytics.

The analytics never touch a store; the API, the CLI and the reports never
build snapshots themselves. This module is the one bridge between the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from graph.analytics import growth, metric_suite, person_report, timeline
from graph.analytics._util import AREA
from graph.analytics.change import Growth, TimelinePoint
from graph.analytics.people import betweenness, betweenness_is_estimated
from graph.analytics.people import betweenness_started as people_betweenness_started
from graph.analytics.suite import MetricSuite, PersonReport
from graph.errors import Invalid, NotFound, Problem
from graph.memo import VersionedMemo
from graph.model import (
    DEFAULT_METRIC_KINDS,
    Cohort,
    Membership,
    Organisation,
    Person,
    TieKind,
    Wave,
)
from graph.store import GraphStore, Page, R
from graph.surveys import Development, RatingRow, individual_development

Every = Literal["month", "quarter"]


METRIC_KINDS: tuple[TieKind, ...] = tuple(k for k in TieKind if k is not TieKind.WANT_TO_MEET)
"""The tie kinds a metric or snapshot may count, the one list every entry point checks:
every kind but ``want_to_meet``, an intention, not a tie, that feeds recommendations and
never the metrics (``spec/cohort-bundle.md``, "Survey")."""


# -- areas: the third grouping (issue 17) ------------------------------------------------------


def with_areas(store: GraphStore, *snapshots: Any) -> None:
    """Give every person of the snapshots an ``area`` node attribute, the third grouping
    of ``spec/metrics.md``: the area the person mainly works in (their ``area`` cell),
    else the area of their organisation in that snapshot, else ``None`` (unknown: in no
    area). Changes the snapshots in place; one read of people and one of organisations
    for all of them."""
    people = {v for snapshot in snapshots for v in snapshot}
    employers = {
        data["organisation_id"]
        for snapshot in snapshots
        for _, data in snapshot.nodes(data=True)
        if data.get("organisation_id")
    }
    persons = store.get_many(Person, people) if people else {}
    organisations = store.get_many(Organisation, employers) if employers else {}
    for snapshot in snapshots:
        for v, data in snapshot.nodes(data=True):
            own = persons[v].area if v in persons else None
            employer = organisations.get(data.get("organisation_id") or "")
            data[AREA] = own or (employer.area if employer is not None else None)


def _refused(word: str) -> Problem | None:
    allowed = ", ".join(k.value for k in METRIC_KINDS)
    if word == TieKind.WANT_TO_MEET.value:
        return Problem(
            "ties", "kinds", word,
            f"want_to_meet is an intention, not a tie: it never feeds the metrics; "
            f"use any of {allowed}",
        )  # fmt: skip
    if word not in METRIC_KINDS:
        return Problem("ties", "kinds", word, f"not one of {allowed}")
    return None


def check_kinds(kinds: Sequence[TieKind]) -> tuple[TieKind, ...]:
    """``kinds`` as a tuple, or ``Invalid`` naming every one a metric may not count.

    >>> check_kinds([TieKind.ADVICE])
    (<TieKind.ADVICE: 'advice'>,)
    >>> check_kinds([TieKind.WANT_TO_MEET])
    Traceback (most recent call last):
    ...
    graph.errors.Invalid: 1 problem(s): ties: kinds='want_to_meet': want_to_meet is ...
    """
    problems = [p for p in (_refused(str(k)) for k in kinds) if p is not None]
    if problems:
        raise Invalid(problems)
    return tuple(kinds)


def parse_kinds(text: str | None) -> tuple[TieKind, ...]:
    """``advice,project`` -> the kinds; ``None`` -> the spec's default kinds.

    ``Invalid`` names every word that is not one of :data:`METRIC_KINDS`
    (``want_to_meet`` included: it never feeds the metrics).
    """
    if not text:
        return DEFAULT_METRIC_KINDS
    words = [w.strip() for w in text.split(",")]
    problems = [p for p in (_refused(w) for w in words) if p is not None]
    if problems:
        raise Invalid(problems)
    return tuple(dict.fromkeys(TieKind(w) for w in words))


def snapshot_for(
    store: GraphStore,
    *,
    as_of: date | None = None,
    cohort_id: str | None = None,
    wave: Wave | None = None,
    kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS,
    areas: bool = True,
) -> Any:
    """The snapshot one request names: as of a date, or at a cohort's wave; with each
    person's ``area`` (:func:`with_areas`) unless ``areas`` is false (a map draws no
    areas: at 10,000 people their read is a tenth of a second)."""
    kinds = check_kinds(kinds)
    if cohort_id is not None or wave is not None:
        if cohort_id is None or wave is None or as_of is not None:
            raise Invalid(
                [Problem("snapshot", "cohort/wave", f"{cohort_id}/{wave}",
                         "give cohort and wave together, without as_of")]
            )  # fmt: skip
        snapshot = store.wave_snapshot(cohort_id, wave, kinds)
    else:
        snapshot = store.snapshot(as_of or date.today(), kinds)
    if areas:
        with_areas(store, snapshot)
    return snapshot


def network_report(
    store: GraphStore,
    *,
    as_of: date | None = None,
    cohort_id: str | None = None,
    wave: Wave | None = None,
    kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS,
    people: bool = True,
    memo: VersionedMemo | None = None,
) -> MetricSuite:
    """Every metric of ``../shared/spec/metrics.md`` on one snapshot (kept in ``memo``,
    when given, until the store is next written)."""
    day = as_of or (None if cohort_id or wave else date.today())
    kinds = check_kinds(kinds)

    def work_out() -> MetricSuite:
        snapshot = snapshot_for(store, as_of=day, cohort_id=cohort_id, wave=wave, kinds=kinds)
        return metric_suite(snapshot, people=people)

    if memo is None:
        return work_out()
    return memo.get(("network", day, cohort_id, wave, tuple(kinds), people), work_out)


def _wave_or_none(
    store: GraphStore, cohort_id: str, wave: Wave, kinds: Sequence[TieKind]
) -> Any | None:
    try:
        snapshot = store.wave_snapshot(cohort_id, wave, kinds)
    except NotFound:
        return None
    with_areas(store, snapshot)
    return snapshot


def growth_report(
    store: GraphStore,
    cohort_id: str,
    kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS,
    memo: VersionedMemo | None = None,
) -> Growth:
    """A cohort's change from baseline to end, and from end to follow-up (kept in
    ``memo``, when given, until the store is next written)."""
    kinds = check_kinds(kinds)

    def work_out() -> Growth:
        store.get(Cohort, cohort_id)
        return growth(*(_wave_or_none(store, cohort_id, w, kinds) for w in Wave))

    if memo is None:
        return work_out()
    return memo.get(("growth", cohort_id, tuple(kinds)), work_out)


def _next_boundary(day: date, step: int) -> date | None:
    """The first day of the next month (``step`` 1) or quarter (3) after ``day``; ``None``
    past the last date a ``date`` can hold (the year 9999)."""
    month = ((day.month - 1) // step + 1) * step  # months since January, next boundary
    year = day.year + month // 12
    if year > date.max.year:
        return None
    return date(year, month % 12 + 1, 1)


def dates_between(start: date, end: date, every: Every) -> list[date]:
    """The first day of every month (or quarter) from ``start`` to ``end``, plus both ends.

    >>> [d.isoformat() for d in dates_between(date(2020, 1, 15), date(2020, 7, 1), "quarter")]
    ['2020-01-15', '2020-04-01', '2020-07-01']
    >>> [d.isoformat() for d in dates_between(date(9999, 11, 2), date.max, "month")]
    ['9999-11-02', '9999-12-01', '9999-12-31']
    """
    if end < start:
        raise Invalid([Problem("timeline", "to", end.isoformat(), f"is before from {start}")])
    step = 1 if every == "month" else 3
    points = [start]
    current = _next_boundary(start, step)
    while current is not None and current <= end:
        points.append(current)
        current = _next_boundary(current, step)
    if points[-1] != end:
        points.append(end)
    return points


def timeline_report(
    store: GraphStore,
    start: date,
    end: date,
    every: Every = "quarter",
    kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS,
) -> list[TimelinePoint]:
    """The whole-network metrics at every month or quarter between two dates."""
    kinds = check_kinds(kinds)
    snapshots = [(day, store.snapshot(day, kinds)) for day in dates_between(start, end, every)]
    with_areas(store, *(snapshot for _, snapshot in snapshots))
    return timeline(snapshots)


def person_network(
    store: GraphStore, person_id: str, kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS
) -> PersonReport:
    """A person's own network at each wave of their cohorts, and how it changed."""
    kinds = check_kinds(kinds)
    memberships = store.find(Membership, {"person_id": person_id}).data
    snapshots: dict[str, Any] = {}
    for cohort_id in sorted({m.cohort_id for m in memberships}):
        for wave in Wave:
            snapshot = _wave_or_none(store, cohort_id, wave, kinds)
            if snapshot is not None and person_id in snapshot:
                snapshots[f"{cohort_id}/{wave.value}"] = snapshot
    if not snapshots:
        snapshots["today"] = store.snapshot(date.today(), kinds)
        if person_id not in snapshots["today"]:
            raise NotFound("person in the network", person_id)
    return person_report(snapshots, person_id)


# -- maps: the people a map draws, and how between they are ---------------------------------

_MAP_PAGE = 10_000
"""Records a map reads per page: every membership, in pages of this many."""


@dataclass(frozen=True)
class MapPeople:
    """The people a map may draw (by id, those the store holds), each one's memberships
    with the cohort of each, and every cohort of the store."""

    people: dict[str, Person]
    memberships: dict[str, tuple[Membership, ...]]
    cohorts: dict[str, Cohort]


def _every(store: GraphStore, model: type[R]) -> list[R]:
    """Every record of one kind, read a page at a time."""
    found: list[R] = []
    offset = 0
    while True:
        page = store.find(model, None, Page(limit=_MAP_PAGE, offset=offset)).data
        found += page
        if len(page) < _MAP_PAGE:
            return found
        offset += _MAP_PAGE


def map_people(store: GraphStore, ids: Iterable[str]) -> MapPeople:
    """The records a map needs to name, shape and filter these people."""
    wanted = set(ids)
    people = store.get_many(Person, wanted) if wanted else {}
    held: dict[str, list[Membership]] = {}
    for m in _every(store, Membership):
        if m.person_id in wanted:
            held.setdefault(m.person_id, []).append(m)
    return MapPeople(
        people=people,
        memberships={p: tuple(ms) for p, ms in held.items()},
        cohorts={c.id: c for c in _every(store, Cohort)},
    )


def check_named(
    store: GraphStore,
    *,
    cohorts: Iterable[str | None] = (),
    organisations: Iterable[str | None] = (),
) -> None:
    """``NotFound`` for the first cohort or organisation named (``None``: not named) that
    the store does not hold, as for any id."""
    for cohort_id in cohorts:
        if cohort_id is not None:
            store.get(Cohort, cohort_id)
    for organisation_id in organisations:
        if organisation_id is not None:
            store.get(Organisation, organisation_id)


def wave_snapshots(
    store: GraphStore, cohort_id: str, kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS
) -> list[tuple[Wave, Any]]:
    """A cohort's snapshot at each survey wave it has run, in wave order (``NotFound``
    for an unknown cohort)."""
    kinds = check_kinds(kinds)
    store.get(Cohort, cohort_id)
    found = ((w, _wave_or_none(store, cohort_id, w, kinds)) for w in Wave)
    return [(w, g) for w, g in found if g is not None]


def betweenness_of(snapshot: Any) -> tuple[dict[Any, float], bool]:
    """The spec's betweenness of everyone in a snapshot, as the metrics give it, and
    whether it was estimated from sampled sources (above ``EXACT_BETWEENNESS_LIMIT``)."""
    if snapshot.number_of_nodes() == 0:
        return {}, False
    return betweenness(snapshot), betweenness_is_estimated(snapshot)


def betweenness_started(snapshot: Any) -> Callable[[], tuple[dict[Any, float], bool]]:
    """:func:`betweenness_of`, started now (in a child process when the snapshot is
    large: ``graph.analytics.people.betweenness_started``): call what is returned for
    the answer, the same as :func:`betweenness_of` gives."""
    if snapshot.number_of_nodes() == 0:
        return lambda: ({}, False)
    estimated = betweenness_is_estimated(snapshot)
    sizes = people_betweenness_started(snapshot)
    return lambda: (sizes(), estimated)


# -- individual development (issue 16: spec/surveys.md) ---------------------------------------


def cohort_development(store: GraphStore, cohort_id: str) -> list[Development]:
    """A cohort's individual development from the assessments the graph holds
    (``spec/surveys.md``): for every indicator, kind of rater and pair of waves, the mean
    score at each over the people rated at both, and its change (``NotFound`` for an
    unknown cohort). A person's score is their one record's (several peers' rows were
    averaged when loaded); people without analytics consent are left out, as from every
    metric. Pairs nobody was rated at both are left out; ordered by indicator, rater,
    then pair (baseline to end, end to follow-up, baseline to follow-up)."""
    store.get(Cohort, cohort_id)
    held = store.assessments(cohort_id)
    people = store.get_many(Person, {a.person_id for a in held}) if held else {}
    return individual_development(
        [
            RatingRow(
                person_id=a.person_id,
                wave=a.wave,
                indicator=a.indicator,
                rater=a.rater.value,
                score=a.score,
            )
            for a in held
            if (person := people.get(a.person_id)) is not None and person.consent_analytics
        ]
    )
