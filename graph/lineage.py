"""Handing the baton: what happened to a wicked issue before.

A wicked issue outlives any one project: projects last 12 to 18 months and a
new cohort arrives every year, so what one team learned is lost unless the
next can see it. This module reads, for one issue, its *lineage* (every
project on it, in order, with its cohort, lead, sponsor, outcomes and the
handovers between them) and records a handover through the store's gate.
Who can help (``graph.supporters``), the notes' parts (``graph.notes``) and
delivery tracking (``graph.delivery``) are their own modules.

Pure functions over the ``GraphStore`` protocol. Who may see what is not
decided here: free text and people are returned as stored, and the consent
policy stays in ``services.consent``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from graph.errors import Invalid, Problem
from graph.model import (
    Cohort,
    Handover,
    IngestRun,
    Person,
    Project,
    ProjectMember,
    ProjectRole,
    ProjectStatus,
    WickedIssue,
)
from graph.profiles import Profile, profiles
from graph.store import Batch, GraphStore, Page, R, WriteReport

__all__ = [
    "OPEN_STATUSES",
    "Lineage",
    "Step",
    "active_until",
    "lineage",
    "record_handover",
    "step_order",
]

OPEN_STATUSES: frozenset[ProjectStatus] = frozenset({ProjectStatus.ACTIVE, ProjectStatus.PROPOSED})
"""A project in one of these is still someone's: its team is the one picking the issue up."""

_SCAN = Page(limit=100_000)
"""Reads here need every matching record, not a page of them."""


def get_many(store: GraphStore, model: type[R], keys: Iterable[str]) -> dict[str, R]:
    """``store.get_many`` that asks nothing of the store for no keys."""
    wanted = set(keys)
    return store.get_many(model, wanted) if wanted else {}


# -- lineage --------------------------------------------------------------------------


def active_until(project: Project, handed_over_on: date | None = None) -> date | None:
    """The last day a project was being worked on; None while it still is.

    The bundle records no finish date: a project handed over ends on its
    handover, any other finished one on its due date (the date its delivery
    was planned for), or on its start when it has none.

    >>> p = Project(id="p", title="t", cohort_id="c", start_date=date(2020, 1, 1),
    ...             due_date=date(2021, 1, 1), status=ProjectStatus.COMPLETED)
    >>> given = p.model_copy(update={"status": ProjectStatus.HANDED_OVER})
    >>> active_until(p), active_until(given, date(2020, 6, 1))
    (datetime.date(2021, 1, 1), datetime.date(2020, 6, 1))
    """
    if project.status in OPEN_STATUSES:
        return None
    if project.status is ProjectStatus.HANDED_OVER and handed_over_on is not None:
        return handed_over_on
    return project.due_date or project.start_date


@dataclass(frozen=True)
class Step:
    """One project on the issue, with its people and the handovers on either side."""

    project: Project
    cohort: Cohort | None
    leads: tuple[str, ...]
    """Person ids, by name."""
    members: tuple[str, ...]
    """The other members' ids, by name."""
    sponsor: str | None
    handed_over: tuple[Handover, ...]
    """Handovers from this project, by date."""
    received: tuple[Handover, ...]
    """Handovers naming this project as the receiving one, by date."""

    @property
    def is_open(self) -> bool:
        return self.project.status in OPEN_STATUSES

    @property
    def active_until(self) -> date | None:
        first = min((h.date for h in self.handed_over), default=None)
        return active_until(self.project, first)

    @property
    def people(self) -> tuple[str, ...]:
        return (*self.leads, *self.members, *((self.sponsor,) if self.sponsor else ()))


@dataclass(frozen=True)
class Lineage:
    """The whole chain of one wicked issue, oldest project first.

    ``profiles`` holds every person the chain names (leads, members, sponsors),
    whoever the reader is: callers show them only through their consent rules,
    and the free text (description, outcomes, notes) too, as stored here.
    """

    issue: WickedIssue
    steps: tuple[Step, ...]
    handovers: tuple[Handover, ...]
    """Every handover of the issue, by date."""
    cohorts: dict[str, Cohort]
    """Cohorts of the projects and of the handovers' receivers, when loaded."""
    profiles: dict[str, Profile]

    @property
    def current(self) -> tuple[Step, ...]:
        """Projects still proposed or active: the team working on the issue now."""
        return tuple(s for s in self.steps if s.is_open)

    @property
    def working_now(self) -> tuple[str, ...]:
        """People on the current projects (leads first), then their sponsors, once each."""
        team = [p for s in self.current for p in (*s.leads, *s.members)]
        team += [s.sponsor for s in self.current if s.sponsor]
        return tuple(dict.fromkeys(team))

    @property
    def last_active(self) -> date | None:
        """The last day any finished project was worked on (None if none has finished)."""
        days = [d for s in self.steps if (d := s.active_until) is not None]
        return max(days, default=None)

    def step(self, project_id: str) -> Step | None:
        return next((s for s in self.steps if s.project.id == project_id), None)


def step_order(project: Project, cohorts: dict[str, Cohort]) -> tuple[date, date, str]:
    cohort = cohorts.get(project.cohort_id)
    return (cohort.start_date if cohort else project.start_date, project.start_date, project.id)


def lineage(store: GraphStore, issue_id: str) -> Lineage:
    """The issue's projects in order (cohort start, project start, id), and its handovers.

    Free text (description, outcomes, notes) and people are returned as stored,
    whoever the reader is: what a reader may read of them is
    ``services.consent``'s to say (``lineage_seen``), for everyone the reader may
    not see, not only the issue's people. Raises ``NotFound`` for an unknown issue.
    """
    issue = store.get(WickedIssue, issue_id)
    projects = store.find(Project, {"issue_id": issue.id}, _SCAN).data
    handovers = sorted(
        store.find(Handover, {"issue_id": issue.id}, _SCAN).data,
        key=lambda h: (h.date, h.from_project_id, h.to_cohort_id),
    )
    cohorts = get_many(
        store, Cohort, {p.cohort_id for p in projects} | {h.to_cohort_id for h in handovers}
    )
    members = {p.id: store.find(ProjectMember, {"project_id": p.id}, _SCAN).data for p in projects}
    ids = {m.person_id for ms in members.values() for m in ms}
    ids |= {p.sponsor_id for p in projects if p.sponsor_id}
    people = get_many(store, Person, ids)
    found = profiles(store, sorted(people.values(), key=lambda p: (p.name, p.id)))

    def by_name(person_ids: Iterable[str]) -> tuple[str, ...]:
        known = [i for i in person_ids if i in found]
        return tuple(sorted(known, key=lambda i: (found[i].person.name, i)))

    steps = []
    for p in sorted(projects, key=lambda p: step_order(p, cohorts)):
        team = members[p.id]
        steps.append(
            Step(
                project=p,
                cohort=cohorts.get(p.cohort_id),
                leads=by_name(m.person_id for m in team if m.role is ProjectRole.LEAD),
                members=by_name(m.person_id for m in team if m.role is not ProjectRole.LEAD),
                sponsor=p.sponsor_id if p.sponsor_id in found else None,
                handed_over=tuple(h for h in handovers if h.from_project_id == p.id),
                received=tuple(h for h in handovers if h.to_project_id == p.id),
            )
        )
    return Lineage(issue, tuple(steps), tuple(handovers), cohorts, found)


# -- recording a handover -----------------------------------------------------------------


def record_handover(
    store: GraphStore, handover: Handover, run: IngestRun, *, issue_id: str | None = None
) -> WriteReport:
    """Write one handover through the store's own gate, so a bundle and the API keep
    the same rules (the giving project worked on the issue, the date is not before it
    started). Raises ``NotFound`` for an unknown issue and ``Invalid``, writing
    nothing, for a refused handover; ``issue_id`` (the issue asked about) must match.
    """
    store.get(WickedIssue, issue_id or handover.issue_id)
    if issue_id is not None and handover.issue_id != issue_id:
        raise Invalid(
            [
                Problem(
                    f"handover {handover.key}",
                    "issue_id",
                    handover.issue_id,
                    f"differs from the issue it is recorded on ({issue_id!r})",
                )
            ]
        )
    return store.apply(Batch(handovers=[handover]), run)
