"""The domain model: who, where, in which cohort, on which wicked issue, tied to whom.

Every record has a ``key`` (its identity in either store) and remembers the
ingest run that last asserted it (``run_id``), so a run can be rolled back.
Cross-record rules (dates in order, references that resolve) live in
``graph.integrity`` so that the stores and the ingestion share one gate.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import ClassVar, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Re-exported: every module that imports them from here goes on doing so.
from graph.vocabulary import AmbitionKey as AmbitionKey
from graph.vocabulary import AreaKind as AreaKind
from graph.vocabulary import Frequency as Frequency
from graph.vocabulary import KeyRole as KeyRole
from graph.vocabulary import ProjectRole as ProjectRole
from graph.vocabulary import ProjectStatus as ProjectStatus
from graph.vocabulary import Rater as Rater
from graph.vocabulary import Role as Role
from graph.vocabulary import Sector as Sector
from graph.vocabulary import TieKind as TieKind
from graph.vocabulary import Wave as Wave

SURVEY_KINDS: frozenset[TieKind] = frozenset(
    {TieKind.ADVICE, TieKind.COLLABORATION, TieKind.KNEW_BEFORE, TieKind.WANT_TO_MEET}
)
"""Tie kinds that come from survey answers and carry a wave."""

DEFAULT_METRIC_KINDS: tuple[TieKind, ...] = (
    TieKind.ADVICE,
    TieKind.COLLABORATION,
    TieKind.KNEW_BEFORE,
    TieKind.PROJECT,
    TieKind.MENTORING,
)
"""The spec's default: cohort_peer makes each cohort a clique; want_to_meet is no tie."""

UNDIRECTED_KINDS: frozenset[TieKind] = frozenset({TieKind.COHORT_PEER, TieKind.PROJECT})

_TIE_KEY_PARTS: dict[TieKind, tuple[str, bool, bool]] = {
    k: (k.value, k in SURVEY_KINDS, k is TieKind.MENTORING) for k in TieKind
}
"""Per tie kind: its value, whether its key names a wave, whether it names a start."""

_WAVE_VALUES: dict[Wave, str] = {w: w.value for w in Wave}


class Record(BaseModel):
    """Base of every stored record: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    kind: ClassVar[str]
    run_id: str | None = None

    @property
    def key(self) -> str:
        raise NotImplementedError

    def person_ids(self) -> tuple[str, ...]:
        """People this record is about; erasure removes every record naming them."""
        return ()

    def content(self) -> dict[str, object]:
        """What the record says, without provenance: equal content means unchanged."""
        return self.model_dump(mode="json", exclude={"run_id"})

    def stamped(self, run_id: str | None) -> Self:
        """This record as written by ``run_id``: ``model_copy(update={"run_id": run_id})``
        without its generic steps (a load stamps every record it writes; records have no
        extra or private attributes, and ``run_id`` needs no validation)."""
        copy = type(self).__new__(type(self))
        _set = object.__setattr__
        _set(copy, "__dict__", {**self.__dict__, "run_id": run_id})
        _set(copy, "__pydantic_extra__", None)
        _set(copy, "__pydantic_fields_set__", self.__pydantic_fields_set__ | {"run_id"})
        _set(copy, "__pydantic_private__", None)
        return copy


class Ambition(Record):
    kind: ClassVar[str] = "ambition"
    id: AmbitionKey
    title: str

    @property
    def key(self) -> str:
        return self.id.value


AMBITIONS: tuple[Ambition, ...] = (
    Ambition(id=AmbitionKey.IDENTITY, title="Unite behind a sense of identity"),
    Ambition(id=AmbitionKey.OLD_AGE, title="Enjoy life long into old age"),
    Ambition(id=AmbitionKey.EQUAL_START, title="Provide an equal start for every child"),
    Ambition(id=AmbitionKey.COMMUNITIES, title="Strengthen communities through participation"),
    Ambition(id=AmbitionKey.SUSTAINABLE, title="Develop our county sustainably"),
    Ambition(id=AmbitionKey.CONNECT, title="Connect us to each other and the world"),
    Ambition(id=AmbitionKey.PROSPERITY, title="Share prosperity with everyone"),
)
"""The seven ambitions of the Essex Vision, seeded into every store."""


def slug(text: str) -> str:
    """A URL-safe key for a name: ``Essex County Council`` -> ``essex-county-council``."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def normalise_email(email: str) -> str:
    return email.strip().casefold()


def person_id_for(email: str, salt: str) -> str:
    """An opaque, stable id for a person: keyed hash of the email, never the email.

    Keyed so that an id in a URL cannot be reversed by hashing guessed emails;
    deterministic so that the same bundle gives the same ids in either store.
    """
    digest = hmac.new(salt.encode(), normalise_email(email).encode(), hashlib.sha256)
    return "p-" + digest.hexdigest()[:16]


class Organisation(Record):
    kind: ClassVar[str] = "organisation"
    id: str
    name: str = Field(min_length=1)
    sector: Sector
    org_type: str | None = None
    aliases: tuple[str, ...] = ()
    area: str | None = None
    stated_on: dict[str, str] = Field(default_factory=dict)
    """When each of ``ORGANISATION_FACTS`` was stated (a bundle's ``as_of``), as for a
    person: a later statement replaces an earlier one, so bundles load in any order."""

    @property
    def key(self) -> str:
        return self.id


ORGANISATION_FACTS: tuple[str, ...] = ("name", "sector", "org_type", "aliases", "area")
"""The fields of an organisation that bundles state with a date."""


class Person(Record):
    kind: ClassVar[str] = "person"
    id: str
    email: str = Field(min_length=3)
    name: str = Field(min_length=1)
    job_title: str | None = None
    interests: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    area: str | None = None
    consent_directory: bool = False
    consent_contact: bool = False
    consent_analytics: bool = True
    stated_on: dict[str, str] = Field(default_factory=dict)
    """When each stated fact (``PERSON_FACTS``) was true: a bundle's ``as_of`` as an
    ISO date, or the UTC moment of a change made through the service. A fact is
    replaced only by one stated at the same time or later (``graph.facts``); a fact
    never stated (a default) has no entry, and any stated one replaces it."""

    @field_validator("email")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalise_email(value)

    @property
    def key(self) -> str:
        return self.id

    def person_ids(self) -> tuple[str, ...]:
        return (self.id,)


PERSON_FACTS: tuple[str, ...] = (
    "name",
    "job_title",
    "interests",
    "skills",
    "area",
    "consent_directory",
    "consent_contact",
    "consent_analytics",
)
"""The fields of a person that bundles and the service state with a date."""

CONSENT_FACTS: tuple[str, ...] = ("consent_directory", "consent_contact", "consent_analytics")

PROJECT_FACTS: tuple[str, ...] = (
    "title",
    "cohort_id",
    "issue_id",
    "sponsor_id",
    "start_date",
    "due_date",
    "status",
    "outcomes",
)
"""The fields of a project that bundles state with a date; ``cohort_id`` keeps the
earliest statement (a project stays with the cohort that first named it)."""


class Cohort(Record):
    kind: ClassVar[str] = "cohort"
    id: str
    name: str
    start_date: date
    end_date: date | None = None
    stated_on: dict[str, str] = Field(default_factory=dict)
    """When each of ``COHORT_FACTS`` was stated (a bundle's ``as_of``), as for a person."""

    @property
    def key(self) -> str:
        return self.id


COHORT_FACTS: tuple[str, ...] = ("name", "start_date", "end_date")
"""The fields of a cohort that bundles state with a date."""


class Membership(Record):
    kind: ClassVar[str] = "membership"
    person_id: str
    cohort_id: str
    role: Role

    @property
    def key(self) -> str:
        return f"{self.cohort_id}|{self.person_id}|{self.role.value}"

    def person_ids(self) -> tuple[str, ...]:
        return (self.person_id,)


class Employment(Record):
    """One spell at one organisation; ``end`` is None while it lasts."""

    kind: ClassVar[str] = "employment"
    person_id: str
    organisation_id: str
    start: date
    end: date | None = None
    job_title: str | None = None
    as_of: date | None = None
    """The date of the statement ``job_title`` comes from: a later one replaces it."""
    restated: tuple[date, ...] = ()
    """Later starts stated at the same organisation with no other employer between:
    the same spell, remembered so that the history stays the same whatever order the
    statements arrive in (``graph.facts.employment_history``)."""

    @field_validator("restated", mode="before")
    @classmethod
    def _native_dates(cls, value: object) -> object:
        """A store's own date type (Neo4j's ``Date`` in a list) read back as a ``date``."""
        if isinstance(value, list | tuple):
            return tuple(v.to_native() if hasattr(v, "to_native") else v for v in value)
        return value

    @property
    def key(self) -> str:
        return f"{self.person_id}|{self.organisation_id}|{self.start.isoformat()}"

    def person_ids(self) -> tuple[str, ...]:
        return (self.person_id,)


class WickedIssue(Record):
    kind: ClassVar[str] = "wicked_issue"
    id: str
    title: str
    description: str | None = None
    ambitions: tuple[AmbitionKey, ...] = ()

    @property
    def key(self) -> str:
        return self.id


class Project(Record):
    kind: ClassVar[str] = "project"
    id: str
    title: str
    cohort_id: str
    issue_id: str | None = None
    sponsor_id: str | None = None
    start_date: date
    due_date: date | None = None
    status: ProjectStatus = ProjectStatus.ACTIVE
    outcomes: str | None = None
    stated_on: dict[str, str] = Field(default_factory=dict)
    """When each of ``PROJECT_FACTS`` was stated (a bundle's ``as_of``), as for a person:
    a later statement replaces an earlier one, so bundles load in any order."""

    @property
    def key(self) -> str:
        return self.id

    def person_ids(self) -> tuple[str, ...]:
        return (self.sponsor_id,) if self.sponsor_id else ()


class ProjectMember(Record):
    kind: ClassVar[str] = "project_member"
    project_id: str
    person_id: str
    role: ProjectRole = ProjectRole.MEMBER

    @property
    def key(self) -> str:
        return f"{self.project_id}|{self.person_id}"

    def person_ids(self) -> tuple[str, ...]:
        return (self.person_id,)


class Handover(Record):
    """The baton of a wicked issue passing from one project to a later cohort."""

    kind: ClassVar[str] = "handover"
    issue_id: str
    from_project_id: str
    to_cohort_id: str
    to_project_id: str | None = None
    date: date
    notes: str | None = None

    @property
    def key(self) -> str:
        return f"{self.issue_id}|{self.from_project_id}|{self.to_cohort_id}"


class Tie(Record):
    """A relationship between two people, active from ``start`` until ``end``.

    Survey ties point from respondent to contact and carry their wave and the
    cohort whose survey it was; mentoring points from mentor to mentee;
    cohort-peer and project ties are undirected and stored with
    ``source_id < target_id``. ``context`` names the cohort or project that
    gave rise to the tie, so every tie can explain itself.
    """

    kind: ClassVar[str] = "tie"
    source_id: str
    target_id: str
    tie_kind: TieKind
    start: date
    end: date | None = None
    wave: Wave | None = None
    cohort_id: str | None = None
    context: str | None = None
    frequency: Frequency | None = None

    @property
    def key(self) -> str:
        # Asked several times per tie on every load (over a million at 10,000 people):
        # the kind's own parts come from one table rather than enum lookups.
        value, survey, mentoring = _TIE_KEY_PARTS[self.tie_kind]
        key = f"{value}|{self.context or ''}|{self.source_id}|{self.target_id}"
        if survey:
            wave = self.wave
            key += "|" + (_WAVE_VALUES[wave] if wave else "")
        if mentoring:
            key += "|" + self.start.isoformat()
        return key

    def person_ids(self) -> tuple[str, ...]:
        return (self.source_id, self.target_id)


class Assessment(Record):
    """A person's score on one indicator at one survey wave of a cohort, by one kind of
    rater (``spec/surveys.md``, a bundle's ``assessments`` rows).

    The table names no rater, so two peers rating one person on one indicator at one wave
    cannot be told apart: the bundle's rows for the same person, wave, indicator and kind
    of rater become one record whose ``score`` is their mean and ``ratings`` their number
    (a person counts once in the development either way). A later bundle restating them
    replaces the record, as for any other fact.
    """

    kind: ClassVar[str] = "assessment"
    person_id: str
    cohort_id: str
    wave: Wave
    indicator: str = Field(min_length=1)
    rater: Rater
    score: float = Field(ge=1, le=5)
    ratings: int = Field(default=1, ge=1)
    response_date: date

    @property
    def key(self) -> str:
        parts = (self.cohort_id, self.wave.value, self.person_id, self.indicator)
        return "|".join((*parts, self.rater.value))

    def person_ids(self) -> tuple[str, ...]:
        return (self.person_id,)


class Area(Record):
    """A district or unitary area as written in ``area`` cells, with what a bundle's
    ``areas`` table says of it: urban or rural, and its deprivation decile (1, most
    deprived, to 10). A later bundle restating an area replaces what it gives."""

    kind: ClassVar[str] = "area"
    id: str = Field(min_length=1)
    """The area's name, as written in the people's and organisations' ``area`` cells."""
    urban_rural: AreaKind | None = None
    deprivation_decile: int | None = Field(default=None, ge=1, le=10)

    @property
    def key(self) -> str:
        return self.id


class IngestRun(Record):
    """Provenance of one load: what file, which bytes, when, and what it changed."""

    kind: ClassVar[str] = "ingest_run"
    id: str
    file_name: str
    sha256: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "applied"
    counts: dict[str, dict[str, int]] = Field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return self.id


class Erasure(Record):
    """Audit of an erasure: only the id, the time and who did it, nothing else."""

    kind: ClassVar[str] = "erasure"
    person_id: str
    erased_at: datetime
    actor: str

    @property
    def key(self) -> str:
        return f"{self.person_id}|{self.erased_at.isoformat()}"


class ApiKey(Record):
    """An API key: only its SHA-256 is kept; ``alumni`` keys belong to a person."""

    kind: ClassVar[str] = "api_key"
    id: str
    secret_sha256: str
    role: KeyRole
    person_id: str | None = None
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def key(self) -> str:
        return self.id

    def person_ids(self) -> tuple[str, ...]:
        return (self.person_id,) if self.person_id else ()


WRITE_ORDER: tuple[type[Record], ...] = (
    Area,
    Organisation,
    Person,
    Cohort,
    WickedIssue,
    Membership,
    Employment,
    Project,
    ProjectMember,
    Handover,
    Tie,
    Assessment,
)
"""Kinds a batch writes, parents before children (rollback undoes in reverse)."""

_ALL_KINDS: tuple[type[Record], ...] = (*WRITE_ORDER, Ambition)
KIND_BY_NAME: dict[str, type[Record]] = {m.kind: m for m in _ALL_KINDS}


RecordT = TypeVar("RecordT", bound=Record)


def last_by_key(records: Iterable[RecordT]) -> dict[str, RecordT]:
    """The records by key, the last of each key kept (in the order keys first came)."""
    by_key: dict[str, RecordT] = {}
    for record in records:
        by_key[record.key] = record
    return by_key
