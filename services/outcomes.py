"""Outcomes at three levels (issue 17, item 4): the individual, the organisations and
the projects, each cohort's short term (its end) beside its long term (a later date).

- individual: the development the cohort's ``assessments`` show (``spec/surveys.md``,
  ``graph.measure.cohort_development``), or, when there are none, a sentence saying so
  rather than an invented figure;
- organisational: the programme view's figures of the cohort's own network;
- projects: how many, sponsored, due within 18 months (and within the 12-18 months the
  programme asks), delivered (completed or handed over), delivered within 18 months or
  later, handed over, and overdue, each counted as it stood on the date.

The bundles give a project's start and due dates and its status, not the day it was
delivered. The day it is *known* delivered is the real date there is: the date of its
first handover, else the date its delivered status was stated (the ``as_of`` of the
bundle that said so, ``Project.stated_on``). A project stated delivered only after a
date is not yet delivered on that date; one whose statement carries no date (written
by hand, not by a bundle) counts as delivered whenever it is asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

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

__all__ = [
    "NO_ASSESSMENTS",
    "add_months",
    "individual_outcome",
    "known_delivered",
    "outcomes",
    "project_outcomes",
]

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


def known_delivered(project: Project, handed_on: Mapping[str, date]) -> date | None:
    """The first day ``project``, whose status is delivered, is known so: its first
    handover's date, else the date that status was stated; ``None`` when it is not
    delivered, or nothing dates it."""
    if project.status not in _DELIVERED:
        return None
    if project.id in handed_on:
        return handed_on[project.id]
    stated = project.stated_on.get("status")
    return date.fromisoformat(stated[:10]) if stated else None


def project_outcomes(
    projects: Sequence[Project],
    handed: set[str],
    on: date,
    handed_on: Mapping[str, date] | None = None,
) -> ProjectOutcomesOut:
    """The projects started by ``on``, counted as they stand (``handed``: ids of projects
    a handover dated by ``on`` starts from; ``handed_on``: each project's first handover
    date, any date).

    A project counts as delivered on ``on`` when its status is delivered (completed or
    handed over) and it was known so by ``on`` (:func:`known_delivered`; always, when
    nothing dates it). A handover alone does not make a project delivered: the baton
    can pass from one still active."""
    handed_on = handed_on or {}
    started = [p for p in projects if p.start_date <= on]
    delivered: set[str] = set()
    dated: dict[str, date] = {}
    """Delivered by ``on``, and the day each is known delivered (when something dates it)."""
    for p in started:
        known = known_delivered(p, handed_on)
        if p.status in _DELIVERED and (known is None or known <= on):
            delivered.add(p.id)
            if known is not None:
                dated[p.id] = known
    window = {p.id: add_months(p.start_date, 18) for p in started}
    return ProjectOutcomesOut(
        projects=len(started),
        sponsored=sum(1 for p in started if p.sponsor_id),
        due_within_18_months=sum(
            1 for p in started if p.due_date and p.due_date <= add_months(p.start_date, 18)
        ),
        delivered=len(delivered),
        handed_over=sum(
            1
            for p in started
            if p.id in handed or (p.status is ProjectStatus.HANDED_OVER and p.id in delivered)
        ),
        overdue=sum(
            1
            for p in started
            if p.id not in delivered
            and p.status is not ProjectStatus.CLOSED
            and p.due_date is not None
            and p.due_date < on
        ),
        due_in_window=sum(
            1
            for p in started
            if p.due_date and add_months(p.start_date, 12) <= p.due_date <= window[p.id]
        ),
        delivered_in_window=sum(1 for pid, day in dated.items() if day <= window[pid]),
        delivered_late=sum(1 for pid, day in dated.items() if day > window[pid]),
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
        handed_on: dict[str, date] = {}
        for h in sorted(handovers, key=lambda h: h.date, reverse=True):
            handed_on[h.from_project_id] = h.date
        rows = []
        snapshots: dict[date, Any] = {}
        """One snapshot per date for every cohort (the long term is the same date)."""
        for c in cohorts:
            short = min(c.end_date or add_months(c.start_date, 12), day)
            mine = [p for p in projects if p.cohort_id == c.id]
            levels = {}
            for when in (short, day):
                if when not in snapshots:
                    snapshots[when] = measure.snapshot_for(store, as_of=when, kinds=kinds)
                snapshot = snapshots[when]
                present = members.get(c.id, set()) & set(snapshot)
                handed = {h.from_project_id for h in handovers if h.date <= when}
                levels[when] = (
                    measure_row(when, c.id, snapshot.subgraph(present)),
                    project_outcomes(mine, handed, when, handed_on),
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
