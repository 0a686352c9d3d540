"""The handover pack's data: everything a pack shows, already filtered for its reader.

``services.wicked`` builds a ``HandoverPack`` from the public models (so it holds
only what the reader may see); ``visualisations.handover_pack`` renders it as
Markdown or as one HTML page, and decides nothing about consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = [
    "HandoverPack",
    "PackHandover",
    "PackPerson",
    "PackProject",
    "PackSupporter",
    "day",
    "project_dates",
]


# -- the dates: one wording for the pack, the issue page and anything else that shows them --


def day(d: date | None) -> str:
    """A date as people write it.

    >>> day(date(2020, 5, 4)), day(None)
    ('4 May 2020', 'not set')
    """
    return f"{d.day} {d:%B %Y}" if d else "not set"


def project_dates(start: date, due: date | None, until: date | None) -> str:
    """A project's dates: from its start to the last day it worked on the issue (its
    handover, else its due date; ``graph.lineage.active_until``), or to now while it is
    still open, then the date its delivery was due when that differs.

    >>> project_dates(date(2019, 9, 1), date(2020, 8, 31), date(2020, 5, 14))
    '1 September 2019 to 14 May 2020 (due 31 August 2020)'
    >>> project_dates(date(2019, 9, 1), date(2020, 8, 31), date(2020, 8, 31))
    '1 September 2019 to 31 August 2020'
    >>> project_dates(date(2021, 9, 1), None, None)
    '1 September 2021 to now (no due date)'
    """
    text = f"{day(start)} to {day(until) if until else 'now'}"
    if due is None:
        return text + " (no due date)"
    return text if due == until else f"{text} (due {day(due)})"


@dataclass(frozen=True)
class PackPerson:
    """A person as the reader may see them; ``email`` only when it may be shown."""

    id: str
    name: str
    organisation: str | None = None
    sector: str | None = None
    job_title: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class PackHandover:
    date: date
    from_project: str
    """The giving project's title."""
    to_cohort: str
    to_project: str | None
    """The receiving project's title, once known."""
    notes: str | None
    to_project_id: str | None = None
    learned: tuple[str, ...] = ()
    open_questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackProject:
    id: str
    title: str
    cohort: str
    status: str
    start_date: date
    due_date: date | None
    outcomes: str | None
    leads: tuple[PackPerson, ...] = ()
    members: tuple[PackPerson, ...] = ()
    sponsor: PackPerson | None = None
    handed_over: tuple[PackHandover, ...] = ()
    received: tuple[PackHandover, ...] = ()
    active_until: date | None = None
    """The last day it worked on the issue (``graph.lineage.active_until``); None while open."""

    @property
    def dates(self) -> str:
        """Its dates, worded as everywhere else (``project_dates``)."""
        return project_dates(self.start_date, self.due_date, self.active_until)

    @property
    def status_text(self) -> str:
        return self.status.replace("_", " ")


@dataclass(frozen=True)
class PackSupporter:
    person: PackPerson
    reasons: tuple[str, ...]
    via: tuple[PackPerson, ...] = ()


@dataclass(frozen=True)
class HandoverPack:
    """Everything a pack shows, already filtered for its reader."""

    issue_id: str
    title: str
    description: str | None
    ambitions: tuple[str, ...]
    generated_on: date
    projects: tuple[PackProject, ...]
    """Oldest first."""
    working_now: tuple[PackPerson, ...]
    supporters: tuple[PackSupporter, ...]
    last_active: date | None = None
    on_map: frozenset[str] = frozenset()
    """Ids of the people the map may draw: those with analytics consent (``spec/metrics.md``:
    the network's nodes are people with ``consent_analytics = yes``). Nobody else is
    drawn, however the pack names them elsewhere."""

    @property
    def current(self) -> tuple[PackProject, ...]:
        return tuple(p for p in self.projects if p.status in ("active", "proposed"))

    @property
    def handovers(self) -> tuple[PackHandover, ...]:
        return tuple(h for p in self.projects for h in p.handed_over)

    def open_questions(self) -> list[tuple[str, PackHandover]]:
        """Every open question of every handover note, with the handover it came from."""
        return [(q, h) for h in self.handovers for q in h.open_questions]
