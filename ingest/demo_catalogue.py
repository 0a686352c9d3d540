"""The demo's catalogue: what ``demo/catalogue.json`` holds, as typed and checked models.

The catalogue is the demo programme's fixed content (real Greater Essex bodies, the name
lists invented people are drawn from, cohorts, wicked issues, projects, handovers and the
survey model); ``ingest.demo`` turns it and a seed into bundles. Keeping it as data means
the content can change without touching the generator, and the generator stays code only.

Organisations are referred to by name and sponsors or standing people by key; every such
reference is checked when the file is read, so a typo fails at once and names the entry.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

import demo
from graph.model import ProjectStatus, Sector, Wave

__all__ = [
    "CATALOGUE_FILE",
    "BundlePlan",
    "Catalogue",
    "CohortPlan",
    "DemoOrg",
    "Handover",
    "Issue",
    "MentorSlot",
    "Move",
    "ProjectPlan",
    "Quota",
    "Sponsor",
    "Standing",
    "SurveyModel",
    "UnknownContact",
    "load_catalogue",
]

CATALOGUE_FILE = "catalogue.json"
"""The catalogue's name in the ``demo`` data package."""

Row = dict[str, object]


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DemoOrg(_Entry):
    """A real Greater Essex body, and the made-up mail domain of its invented staff."""

    name: str
    sector: Sector
    org_type: str
    aliases: tuple[str, ...]
    area: str | None
    domain: str
    job_titles: str | None = None
    """Key into ``Catalogue.job_titles`` for its staff (default: its sector)."""

    @property
    def titles_key(self) -> str:
        return self.job_titles or self.sector.value

    def row(self) -> Row:
        return {
            "name": self.name,
            "sector": self.sector.value,
            "org_type": self.org_type,
            "aliases": self.aliases,
            "area": self.area,
        }


class Quota(_Entry):
    """How many participants of a cohort an organisation sends, at fewest and at most."""

    organisation: str
    fewest: int
    most: int


class Sponsor(_Entry):
    """A Chief Officer who sponsors projects, drawn once and reused across cohorts."""

    key: str
    organisation: str
    job_title: str
    joined_before: dt.date
    consent_contact: bool = True


class Standing(_Entry):
    """A person who is there in every cohort that names them (facilitator, senior mentors)."""

    key: str
    organisation: str
    job_title: str
    employed_from: dt.date


class Issue(_Entry):
    issue_id: str
    title: str
    description: str
    ambitions: tuple[str, ...]
    """Keys and full titles mixed on purpose: the spec accepts both."""

    def row(self) -> Row:
        return {
            "issue_id": self.issue_id,
            "title": self.title,
            "description": self.description,
            "ambitions": self.ambitions,
        }


class ProjectPlan(_Entry):
    issue_id: str
    title: str
    sponsor: str
    """Key into ``Catalogue.sponsors``."""
    status: ProjectStatus | None
    """None leaves the cell empty, so the spec's default (active) applies."""
    outcomes: str


class MentorSlot(_Entry):
    """One of a cohort's mentors, in order: exactly one of the three fields says who."""

    person: str | None = None
    """A standing person's key."""
    alumni_of: str | None = None
    """``count`` alumni of this earlier cohort, drawn at random."""
    count: int = 1
    moved_from: str | None = None
    """An alumnus of this earlier cohort who has made the catalogue's ``move``."""

    @model_validator(mode="after")
    def _one_source(self) -> MentorSlot:
        if sum(x is not None for x in (self.person, self.alumni_of, self.moved_from)) != 1:
            raise ValueError("a mentor slot names one of person, alumni_of, moved_from")
        return self


class CohortPlan(_Entry):
    cohort_id: str
    name: str
    start_date: dt.date
    end_date: dt.date
    follow_up_date: dt.date
    participants: int
    mentors: tuple[MentorSlot, ...]
    member_role_blank: bool = False
    """Leave project members' role empty (the spec's default says member)."""
    projects: tuple[ProjectPlan, ...]


class Handover(_Entry):
    """Appears in the giving cohort's bundle first (receiving project not yet known) and
    again, with ``to_project_id``, in the receiving cohort's bundle."""

    issue_id: str
    from_cohort: str
    to_cohort: str
    date: dt.date
    learned: str
    remains: str


class Move(_Entry):
    """The job move: an alumnus's new employer (``organisation_cell`` is how the bundle
    names it, in lower case on purpose: names match case-insensitively), title and start."""

    organisation: str
    organisation_cell: str
    job_title: str
    employed_from: dt.date


class BundlePlan(_Entry):
    stem: str
    cohort: str
    kind: str
    """``main`` (the cohort's people, projects and first two waves) or ``follow_up``."""


class UnknownContact(_Entry):
    """The one survey contact in no bundle: loading shows the 'not in the graph' warning."""

    email: str
    cohort: str
    wave: Wave
    relationship: str


class Range(_Entry):
    fewest: int
    most: int


class SurveyModel(_Entry):
    """How respondents answer, by how they are connected to the person they might name."""

    weights: dict[Wave, dict[str, float]]
    """How likely a respondent names someone, by category: before the programme people
    know their own organisation and sector; projects and the cohort add the rest."""
    other_sector_at_baseline: float
    relationships: dict[Wave, dict[str, tuple[str, ...]]]
    """By wave and category (``*`` for any other), the relationships drawn from."""
    frequencies: dict[str, tuple[str, ...]]
    names: dict[Wave, Range]
    """How many people a respondent names (before an optional want_to_meet)."""
    response_rates: dict[Wave, float]


class Catalogue(_Entry):
    about: str
    organisations: tuple[DemoOrg, ...]
    quotas: tuple[Quota, ...]
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    job_titles: dict[str, tuple[str, ...]]
    interests: tuple[str, ...]
    skills: tuple[str, ...]
    sponsors: tuple[Sponsor, ...]
    standing: tuple[Standing, ...]
    issues: tuple[Issue, ...]
    cohorts: tuple[CohortPlan, ...]
    handovers: tuple[Handover, ...]
    move: Move
    bundles: tuple[BundlePlan, ...]
    unknown_contact: UnknownContact
    survey: SurveyModel

    def org(self, name: str) -> DemoOrg:
        """The organisation called ``name`` (the same object each time)."""
        return next(o for o in self.organisations if o.name == name)

    def issue(self, issue_id: str) -> Issue:
        return next(i for i in self.issues if i.issue_id == issue_id)

    def cohort(self, cohort_id: str) -> CohortPlan:
        return next(c for c in self.cohorts if c.cohort_id == cohort_id)

    @property
    def areas(self) -> tuple[str, ...]:
        """The council areas (local-government bodies with an area), in catalogue order."""
        return tuple(
            o.area for o in self.organisations if o.sector is Sector.LOCAL_GOVERNMENT and o.area
        )

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalogue:
        orgs = {o.name for o in self.organisations}
        sponsors = {s.key for s in self.sponsors}
        standing = {s.key for s in self.standing}
        issues = {i.issue_id for i in self.issues}
        cohorts = {c.cohort_id for c in self.cohorts}
        wanted: list[tuple[str, str, set[str]]] = [
            *((f"quota {q.organisation!r}", q.organisation, orgs) for q in self.quotas),
            *((f"sponsor {s.key!r}", s.organisation, orgs) for s in self.sponsors),
            *((f"standing {s.key!r}", s.organisation, orgs) for s in self.standing),
            ("move", self.move.organisation, orgs),
            ("unknown_contact", self.unknown_contact.cohort, cohorts),
            *((f"bundle {b.stem!r}", b.cohort, cohorts) for b in self.bundles),
            *(
                (f"job titles of {o.name!r}", o.titles_key, set(self.job_titles))
                for o in self.organisations
                if o.name in {q.organisation for q in self.quotas}
            ),
        ]
        for h in self.handovers:
            wanted += [
                (f"handover {h.issue_id!r}", c, cohorts) for c in (h.from_cohort, h.to_cohort)
            ]
        for c in self.cohorts:
            where = f"cohort {c.cohort_id!r}"
            for p in c.projects:
                wanted += [(where, p.issue_id, issues), (where, p.sponsor, sponsors)]
            for m in c.mentors:
                wanted += [(where, m.person, standing)] if m.person else []
                wanted += [(where, x, cohorts) for x in (m.alumni_of, m.moved_from) if x]
        missing = [f"{where}: {ref!r}" for where, ref, known in wanted if ref not in known]
        if missing:
            raise ValueError(f"unknown references in the demo catalogue: {'; '.join(missing)}")
        return self


@cache
def load_catalogue(path: Path | None = None) -> Catalogue:
    """The catalogue at ``path`` (default: ``demo/catalogue.json``), read once."""
    return Catalogue.model_validate_json((path or demo.path(CATALOGUE_FILE)).read_text("utf-8"))
