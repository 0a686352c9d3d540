"""Delivery tracking: every issue at a glance, projects overdue or without a sponsor,
and issues nobody has worked on since a date.

Pure functions over the ``GraphStore`` protocol and the lineage's records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from graph.lineage import OPEN_STATUSES, Lineage, active_until, get_many, step_order
from graph.model import Cohort, Handover, Project, ProjectStatus, WickedIssue
from graph.store import GraphStore, Page

__all__ = [
    "IssueSummary",
    "is_overdue",
    "issue_summaries",
    "overdue_projects",
    "summary_of",
    "unsponsored_projects",
]

_SCAN = Page(limit=100_000)
"""Reads here need every matching record, not a page of them."""


@dataclass(frozen=True)
class IssueSummary:
    """One issue at a glance: its projects, whether anyone is on it, since when nobody is."""

    issue: WickedIssue
    projects: tuple[Project, ...]
    """Oldest first, as in the lineage."""
    cohorts: tuple[Cohort, ...]
    """The projects' cohorts (those loaded), in the projects' order."""
    handovers: int
    last_active: date | None
    """The last day a finished project was worked on; None if none has finished."""

    @property
    def open_projects(self) -> tuple[Project, ...]:
        return tuple(p for p in self.projects if p.status in OPEN_STATUSES)

    @property
    def active_now(self) -> bool:
        return any(p.status is ProjectStatus.ACTIVE for p in self.projects)

    def orphaned_since(self, day: date) -> bool:
        """True when no project on the issue was active on ``day`` or after it."""
        return not self.active_now and (self.last_active is None or self.last_active < day)


def issue_summaries(store: GraphStore, *, orphaned_since: date | None = None) -> list[IssueSummary]:
    """Every issue by id, or only those with no active project since ``orphaned_since``.

    A project counts as active from its start until ``active_until`` (for ever
    while its status is ``active``); a ``proposed`` project is not active yet.
    """
    issues = store.find(WickedIssue, page=_SCAN).data
    projects = store.find(Project, page=_SCAN).data
    handovers = store.find(Handover, page=_SCAN).data
    cohorts = get_many(store, Cohort, {p.cohort_id for p in projects})
    handed: dict[str, date] = {}
    for h in handovers:
        handed[h.from_project_id] = min(handed.get(h.from_project_id, h.date), h.date)
    by_issue: dict[str, list[Project]] = defaultdict(list)
    for p in projects:
        if p.issue_id:
            by_issue[p.issue_id].append(p)
    result = []
    for issue in issues:
        mine = sorted(by_issue.get(issue.id, []), key=lambda p: step_order(p, cohorts))
        ends = [d for p in mine if (d := active_until(p, handed.get(p.id))) is not None]
        summary = IssueSummary(
            issue=issue,
            projects=tuple(mine),
            cohorts=_cohorts_of(mine, cohorts),
            handovers=sum(1 for h in handovers if h.issue_id == issue.id),
            last_active=max(ends, default=None),
        )
        if orphaned_since is None or summary.orphaned_since(orphaned_since):
            result.append(summary)
    return result


def _cohorts_of(projects: Iterable[Project], cohorts: dict[str, Cohort]) -> tuple[Cohort, ...]:
    ids = dict.fromkeys(p.cohort_id for p in projects)
    return tuple(cohorts[c] for c in ids if c in cohorts)


def summary_of(found: Lineage) -> IssueSummary:
    """The summary of an issue whose lineage is read already (same answers as
    ``issue_summaries``, without reading every project of every issue)."""
    projects = [s.project for s in found.steps]
    return IssueSummary(
        issue=found.issue,
        projects=tuple(projects),
        cohorts=_cohorts_of(projects, found.cohorts),
        handovers=len(found.handovers),
        last_active=found.last_active,
    )


def is_overdue(project: Project, as_of: date) -> bool:
    """Past its due date and still active.

    >>> p = Project(id="p", title="t", cohort_id="c", start_date=date(2020, 1, 1),
    ...             due_date=date(2021, 1, 1))
    >>> is_overdue(p, date(2021, 1, 1)), is_overdue(p, date(2021, 1, 2))
    (False, True)
    """
    return (
        project.status is ProjectStatus.ACTIVE
        and project.due_date is not None
        and project.due_date < as_of
    )


def overdue_projects(projects: Iterable[Project], as_of: date) -> list[Project]:
    """The projects of ``projects`` past their due date on ``as_of`` and still active."""
    return [p for p in projects if is_overdue(p, as_of)]


def unsponsored_projects(projects: Iterable[Project]) -> list[Project]:
    """The projects of ``projects`` without a sponsoring Chief Officer."""
    return [p for p in projects if p.sponsor_id is None]
