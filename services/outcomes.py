"""Outcomes at three levels (issue 17, item 4): the individual, the organisations and
the projects, each cohort's short term (its end) beside its long term (a later date).

- individual: the development the cohort's ``assessments`` show (``spec/surveys.md``,
  ``graph.measure.cohort_development``), or, when there are none, a sentence saying so
  rather than an invented figure;
- organisational: the programme view's figures of the cohort's own network;
- projects: how many, sponsored, due within 18 months, delivered (completed or handed
  over), handed over, and overdue, each counted as it stood on the date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from graph import measure
from graph.memo import VersionedMemo
from graph.model import (
    DEFAULT_METRIC_KINDS,
    Cohort,
    Handover,
    Membership,
    Project,
    ProjectStatus,
    TieKind,
)
from graph.store import GraphStore, Page
from graph.surveys import Development
from services.consent import Viewer
from services.programme import SNAPSHOT_DEFINITION, ensure_team, measure_row
from services.schemas_programme import CohortOutcomesOut, OutcomesOut, ProjectOutcomesOut

__all__ = ["NO_ASSESSMENTS", "add_months", "individual_outcome", "outcomes", "project_outcomes"]

NO_ASSESSMENTS = "No assessments recorded: the individual level is not measured yet."
_ALL = Page(limit=100_000)
_DELIVERED = {ProjectStatus.COMPLETED, ProjectStatus.HANDED_OVER}


def individual_outcome(found: Sequence[Development]) -> str:
    """The individual level in one line: per indicator and rater, the mean score at two
    waves over the people rated at both, and its change; ``NO_ASSESSMENTS`` when nobody
    was rated at two waves."""
    if not found:
        return NO_ASSESSMENTS
    return "; ".join(
        f"{d.indicator} ({d.rater}), {d.from_wave.value} to {d.to_wave.value}:"
        f" {d.mean_from:.2f} to {d.mean_to:.2f} ({d.change:+.2f}) over {d.people}"
        f" {'person' if d.people == 1 else 'people'}"
        for d in found
    )


def add_months(day: date, months: int) -> date:
    """``day`` moved on by ``months``, on the last day of the month when it is shorter.

    >>> add_months(date(2020, 8, 31), 18), add_months(date(2019, 6, 4), 12)
    (datetime.date(2022, 2, 28), datetime.date(2020, 6, 4))
    """
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def project_outcomes(projects: Sequence[Project], handed: set[str], on: date) -> ProjectOutcomesOut:
    """The projects started by ``on``, counted as they stand (``handed``: ids of projects
    a handover dated by ``on`` starts from).

    A project's status is its latest stated one, so a project delivered after ``on`` but
    stated so before counts as delivered: the bundles say no more."""
    started = [p for p in projects if p.start_date <= on]
    delivered = {p.id for p in started if p.status in _DELIVERED}
    return ProjectOutcomesOut(
        projects=len(started),
        sponsored=sum(1 for p in started if p.sponsor_id),
        due_within_18_months=sum(
            1 for p in started if p.due_date and p.due_date <= add_months(p.start_date, 18)
        ),
        delivered=len(delivered),
        handed_over=sum(
            1 for p in started if p.status is ProjectStatus.HANDED_OVER or p.id in handed
        ),
        overdue=sum(
            1
            for p in started
            if p.id not in delivered
            and p.status is not ProjectStatus.CLOSED
            and p.due_date is not None
            and p.due_date < on
        ),
    )


def outcomes(
    store: GraphStore,
    viewer: Viewer,
    *,
    as_of: date | None = None,
    kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS,
    memo: VersionedMemo | None = None,
) -> OutcomesOut:
    """Each cohort's outcomes at its end (short term) and on ``as_of`` (long term,
    default today), at the three levels."""
    ensure_team(viewer)
    kinds = measure.check_kinds(kinds)
    day = as_of or date.today()

    def work_out() -> OutcomesOut:
        cohorts = sorted(store.find(Cohort, page=_ALL).data, key=lambda c: (c.start_date, c.id))
        members: dict[str, set[str]] = {}
        for m in store.find(Membership, page=_ALL).data:
            members.setdefault(m.cohort_id, set()).add(m.person_id)
        projects = store.find(Project, page=_ALL).data
        handovers = store.find(Handover, page=_ALL).data
        rows = []
        for c in cohorts:
            short = min(c.end_date or add_months(c.start_date, 12), day)
            mine = [p for p in projects if p.cohort_id == c.id]
            levels = {}
            for when in (short, day):
                snapshot = measure.snapshot_for(store, as_of=when, kinds=kinds)
                present = members.get(c.id, set()) & set(snapshot)
                handed = {h.from_project_id for h in handovers if h.date <= when}
                levels[when] = (
                    measure_row(when, c.id, snapshot.subgraph(present)),
                    project_outcomes(mine, handed, when),
                )
            rows.append(
                CohortOutcomesOut(
                    cohort_id=c.id,
                    name=c.name,
                    short_term=short,
                    long_term=day,
                    individual=individual_outcome(measure.cohort_development(store, c.id)),
                    organisational_short=levels[short][0],
                    organisational_long=levels[day][0],
                    projects_short=levels[short][1],
                    projects_long=levels[day][1],
                )
            )
        return OutcomesOut(as_of=day, snapshot=SNAPSHOT_DEFINITION, cohorts=rows)

    if memo is None:
        return work_out()
    return memo.get(("outcomes", day, kinds), work_out)
