"""The cohort bundle's tables as data: the one source for reader, validator and template.

``../shared/spec/cohort-bundle.md`` is the contract; this module transcribes it
so that a column is named, typed and explained in exactly one place. The
template's README sheet and example rows come from here too, so they cannot
drift from what the validator accepts.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum

from graph.model import (
    AMBITIONS,
    AmbitionKey,
    AreaKind,
    Frequency,
    ProjectRole,
    ProjectStatus,
    Rater,
    Role,
    Sector,
    TieKind,
    Wave,
)

__all__ = [
    "AMBITION_CHOICES",
    "COHORT",
    "NO_WORDS",
    "RELATIONSHIPS",
    "TABLES",
    "TABLE_NAMES",
    "YES_NO_CHOICES",
    "YES_WORDS",
    "Column",
    "ColumnType",
    "Table",
    "ambition_for",
    "normalise_header",
]


class ColumnType(StrEnum):
    """How a cell is read: what the validator parses it into."""

    TEXT = "text"
    EMAIL = "email"
    ORGANISATION = "organisation"
    DATE = "date"
    YES_NO = "yes_no"
    LIST = "list"
    CHOICE = "choice"
    AMBITIONS = "ambitions"


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    type: ColumnType = ColumnType.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None
    example: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    """Columns that identify a row: the same key twice in one table is an error."""

    def column(self, name: str) -> Column:
        found = self._by_name.get(name)
        return found if found is not None else next(c for c in self.columns if c.name == name)

    @functools.cached_property
    def _by_name(self) -> dict[str, Column]:
        """Each column by name (the first, were one named twice): asked per cell."""
        by_name: dict[str, Column] = {}
        for c in self.columns:
            by_name.setdefault(c.name, c)
        return by_name

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


YES_WORDS = frozenset({"yes", "y", "true", "1"})
NO_WORDS = frozenset({"no", "n", "false", "0"})
YES_NO_CHOICES = ("yes", "no")
"""What the template offers in its drop-downs; the reader accepts every word above."""

RELATIONSHIPS: tuple[str, ...] = (
    TieKind.ADVICE.value,
    TieKind.COLLABORATION.value,
    TieKind.KNEW_BEFORE.value,
    TieKind.WANT_TO_MEET.value,
)

AMBITION_CHOICES: tuple[str, ...] = _values(AmbitionKey)

_T = ColumnType

COHORT = Table(
    "cohort",
    "The cohort this bundle is about: exactly one row.",
    (
        Column("cohort_id", "Stable key, e.g. lge-2019.", required=True, example="lge-2019"),
        Column(
            "name",
            "The cohort's name, e.g. Leading Greater Essex 2019.",
            required=True,
            example="Leading Greater Essex 2019",
        ),
        Column("start_date", "Programme start.", _T.DATE, required=True, example="2019-05-01"),
        Column("end_date", "Programme end.", _T.DATE, example="2020-04-30"),
        Column(
            "as_of",
            "The date the bundle's facts are true on (default: the latest date in the"
            " bundle that is not after the day it is loaded). A fact about a person"
            " replaces the stored one only when this date is the same or later.",
            _T.DATE,
            example="2020-04-30",
        ),
    ),
    key=("cohort_id",),
)

ORGANISATIONS = Table(
    "organisations",
    "Employers, named here once; people and projects refer to them by name or alias.",
    (
        Column(
            "name",
            "Canonical name, e.g. Essex County Council.",
            required=True,
            example="Essex County Council",
        ),
        Column(
            "sector",
            "The public-service sector it belongs to.",
            _T.CHOICE,
            required=True,
            choices=_values(Sector),
            example="local_government",
        ),
        Column("org_type", "Free text, e.g. District council.", example="County council"),
        Column("aliases", "Other spellings, separated by ;", _T.LIST, example="ECC; Essex CC"),
        Column("area", "District or unitary area, e.g. Tendring.", example="Chelmsford"),
    ),
    key=("name",),
)

PEOPLE = Table(
    "people",
    "Everyone the bundle names, keyed by email.",
    (
        Column(
            "email",
            "The person's key, compared case-insensitively.",
            _T.EMAIL,
            required=True,
            example="ann.example@example.org",
        ),
        Column("name", "Full name.", required=True, example="Ann Example"),
        Column(
            "organisation",
            "Current employer: a name or alias from organisations (or already in the graph).",
            _T.ORGANISATION,
            required=True,
            example="ECC",
        ),
        Column("job_title", "Current job title.", example="Head of Service"),
        Column(
            "employed_from",
            "When they joined that organisation (default: the cohort start date).",
            _T.DATE,
            example="2015-09-01",
        ),
        Column("interests", "Free-text interests, separated by ;", _T.LIST, example="loneliness"),
        Column("skills", "Free-text skills, separated by ;", _T.LIST, example="data; facilitation"),
        Column("area", "Where they mainly work.", example="Tendring"),
        Column(
            "consent_directory",
            "Listed in the alumni directory.",
            _T.YES_NO,
            choices=YES_NO_CHOICES,
            default="no",
            example="yes",
        ),
        Column(
            "consent_contact",
            "Contact details may be shown to other alumni.",
            _T.YES_NO,
            choices=YES_NO_CHOICES,
            default="no",
            example="yes",
        ),
        Column(
            "consent_analytics",
            "Included in network analytics.",
            _T.YES_NO,
            choices=YES_NO_CHOICES,
            default="yes",
            example="yes",
        ),
    ),
    key=("email",),
)

MEMBERS = Table(
    "members",
    "Who took part in the cohort, and in which role.",
    (
        Column(
            "email",
            "A person from people (or already in the graph).",
            _T.EMAIL,
            required=True,
            example="ann.example@example.org",
        ),
        Column(
            "role",
            "Their role in the cohort (sponsor = a Chief Officer).",
            _T.CHOICE,
            required=True,
            choices=_values(Role),
            example="participant",
        ),
    ),
    key=("email", "role"),
)

WICKED_ISSUES = Table(
    "wicked_issues",
    "The wicked issues the cohort's projects work on.",
    (
        Column(
            "issue_id", "Stable key, e.g. domestic-abuse.", required=True, example="domestic-abuse"
        ),
        Column("title", "Short title.", required=True, example="Domestic abuse"),
        Column(
            "description",
            "What the issue is.",
            example="Too many survivors tell their story many times.",
        ),
        Column(
            "ambitions",
            "Essex Vision ambitions, separated by ; (key or full title): "
            + ", ".join(a.id.value for a in AMBITIONS),
            _T.AMBITIONS,
            example="communities; equal_start",
        ),
    ),
    key=("issue_id",),
)

PROJECTS = Table(
    "projects",
    "The cohort's projects: who sponsors them, what they work on, how they went.",
    (
        Column("project_id", "Stable key.", required=True, example="lge-2019-da"),
        Column("title", "Short title.", required=True, example="Domestic abuse pathways"),
        Column("issue_id", "The wicked issue it works on.", example="domestic-abuse"),
        Column(
            "sponsor_email",
            "The sponsoring Chief Officer: a person from people (or in the graph).",
            _T.EMAIL,
            example="ann.example@example.org",
        ),
        Column(
            "start_date", "When the project started.", _T.DATE, required=True, example="2019-06-01"
        ),
        Column(
            "due_date",
            "When delivery is due (the seed asks for 12-18 months).",
            _T.DATE,
            example="2020-11-30",
        ),
        Column(
            "status",
            "Where the project stands (default active).",
            _T.CHOICE,
            choices=_values(ProjectStatus),
            default=ProjectStatus.ACTIVE.value,
            example="active",
        ),
        Column("outcomes", "What it delivered or measured.", example="A shared referral pathway"),
    ),
    key=("project_id",),
)

PROJECT_MEMBERS = Table(
    "project_members",
    "Who worked on which project.",
    (
        Column(
            "project_id",
            "A project from projects (or in the graph).",
            required=True,
            example="lge-2019-da",
        ),
        Column(
            "email",
            "A person from people (or in the graph).",
            _T.EMAIL,
            required=True,
            example="ann.example@example.org",
        ),
        Column(
            "role",
            "lead or member (default member).",
            _T.CHOICE,
            choices=_values(ProjectRole),
            default=ProjectRole.MEMBER.value,
            example="lead",
        ),
    ),
    key=("project_id", "email"),
)

HANDOVERS = Table(
    "handovers",
    "A wicked issue's baton passing from a project to a later cohort.",
    (
        Column(
            "issue_id",
            "The wicked issue whose baton passes.",
            required=True,
            example="domestic-abuse",
        ),
        Column(
            "from_project_id",
            "The project handing over (it must have worked on the issue).",
            required=True,
            example="lge-2019-da",
        ),
        Column(
            "to_cohort_id",
            "The cohort receiving it (may be a later, not yet loaded cohort).",
            required=True,
            example="lge-2021",
        ),
        Column("to_project_id", "The receiving project, once known.", example=None),
        Column("date", "When it was handed over.", _T.DATE, required=True, example="2020-12-01"),
        Column(
            "notes",
            "What was learned, what remains, who to talk to.",
            example="Talk to the refuge network first.",
        ),
    ),
    key=("issue_id", "from_project_id", "to_cohort_id"),
)

MENTORING = Table(
    "mentoring",
    "Mentoring pairs and their dates.",
    (
        Column(
            "mentor_email",
            "The mentor: a person from people (or in the graph).",
            _T.EMAIL,
            required=True,
            example="ann.example@example.org",
        ),
        Column(
            "mentee_email",
            "The mentee: a person from people (or in the graph).",
            _T.EMAIL,
            required=True,
            example="bob.example@example.org",
        ),
        Column(
            "start_date", "When the mentoring began.", _T.DATE, required=True, example="2019-07-01"
        ),
        Column("end_date", "When it ended.", _T.DATE, example="2020-06-30"),
    ),
    key=("mentor_email", "mentee_email", "start_date"),
)

SURVEY = Table(
    "survey",
    "One row per named tie from the roster-based survey.",
    (
        Column(
            "respondent_email",
            "Who answered: a person from people (or in the graph).",
            _T.EMAIL,
            required=True,
            example="ann.example@example.org",
        ),
        Column(
            "contact_email",
            "Whom they named: must be known to the graph, else the row is skipped.",
            _T.EMAIL,
            required=True,
            example="bob.example@example.org",
        ),
        Column(
            "relationship",
            "The kind of tie (want_to_meet is an intention, not a tie).",
            _T.CHOICE,
            required=True,
            choices=RELATIONSHIPS,
            example="advice",
        ),
        Column(
            "wave",
            "Which survey wave.",
            _T.CHOICE,
            required=True,
            choices=_values(Wave),
            example="baseline",
        ),
        Column(
            "response_date", "When they answered.", _T.DATE, required=True, example="2019-05-10"
        ),
        Column(
            "frequency",
            "How often they are in touch.",
            _T.CHOICE,
            choices=_values(Frequency),
            example="monthly",
        ),
    ),
    key=("respondent_email", "contact_email", "relationship", "wave"),
)

SCORES: tuple[str, ...] = ("1", "2", "3", "4", "5")

ASSESSMENTS = Table(
    "assessments",
    "Self, peer and manager ratings on the programme's indicators, one row per rating"
    " (several peer or manager rows for one person, wave and indicator are averaged).",
    (
        Column(
            "email",
            "The person rated: a person from people (or in the graph).",
            _T.EMAIL,
            required=True,
            example="ann.example@example.org",
        ),
        Column(
            "wave",
            "Which survey wave.",
            _T.CHOICE,
            required=True,
            choices=_values(Wave),
            example="baseline",
        ),
        Column(
            "indicator",
            "An indicator id of the programme (as the survey wave lists them).",
            required=True,
            example="trust",
        ),
        Column(
            "rater",
            "Who rated: the person themself, a peer or their manager.",
            _T.CHOICE,
            required=True,
            choices=_values(Rater),
            example="self",
        ),
        Column("score", "From 1 to 5.", required=True, choices=SCORES, example="4"),
        Column("response_date", "When it was given.", _T.DATE, required=True, example="2019-05-10"),
    ),
    key=("email", "wave", "indicator", "rater"),
)

DECILES: tuple[str, ...] = tuple(str(d) for d in range(1, 11))

AREAS = Table(
    "areas",
    "What is known of the districts and unitary areas named in area cells: urban or"
    " rural, and how deprived (a later bundle restating an area replaces what it gives).",
    (
        Column(
            "area",
            "A district or unitary area as written in area cells, e.g. Tendring.",
            required=True,
            example="Tendring",
        ),
        Column(
            "kind",
            "Urban, rural or mixed.",
            _T.CHOICE,
            choices=_values(AreaKind),
            example="mixed",
        ),
        Column(
            "deprivation_decile",
            "1 (most deprived) to 10 (least).",
            choices=DECILES,
            example="2",
        ),
    ),
    key=("area",),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        COHORT,
        ORGANISATIONS,
        PEOPLE,
        MEMBERS,
        WICKED_ISSUES,
        PROJECTS,
        PROJECT_MEMBERS,
        HANDOVERS,
        MENTORING,
        SURVEY,
        ASSESSMENTS,
        AREAS,
    )
}
"""Every table of a bundle, in the order the template and reports show them."""

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)


def normalise_header(text: str) -> str:
    """Headers match after trimming and ignoring case (``" Email "`` is ``email``)."""
    return text.strip().casefold()


def _ambition_text(text: str) -> str:
    return " ".join(text.split()).casefold()


_AMBITION_BY_TEXT: dict[str, AmbitionKey] = {
    **{_ambition_text(a.id.value): a.id for a in AMBITIONS},
    **{_ambition_text(a.title): a.id for a in AMBITIONS},
}


def ambition_for(text: str) -> AmbitionKey | None:
    """The ambition a cell names by key or full title, any case; None if none."""
    return _AMBITION_BY_TEXT.get(_ambition_text(text))
