"""The public models: what the API says, never the store's records themselves.

A store record can grow a field (a consent flag, an email) without it leaking:
only what is declared here is ever serialised. People become ``PersonOut``
only through ``services.consent``, which decides whether they are shown at all and
whether their email is.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, JsonValue

from graph.model import (
    Frequency,
    KeyRole,
    ProjectRole,
    ProjectStatus,
    Role,
    Sector,
    TieKind,
    Wave,
)

T = TypeVar("T")

_PERSON_ID = "p-3f9a1c2b7d4e8a60"
_PERSON_EXAMPLE: dict[str, JsonValue] = {
    "id": _PERSON_ID,
    "name": "Priya Shah",
    "job_title": "Head of Community Safety",
    "organisation": {"id": "essex-police", "name": "Essex Police"},
    "sector": "police",
    "area": "Basildon",
    "interests": ["domestic abuse", "data sharing"],
    "skills": ["facilitation"],
    "cohorts": [{"id": "lge-2019", "name": "Leading Greater Essex 2019"}],
    "email": None,
}


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso(value: object) -> object:
    """Only ``YYYY-MM-DD``: pydantic alone would also take a Unix timestamp."""
    if isinstance(value, str | int | float) and not (
        isinstance(value, str) and _ISO_DATE.fullmatch(value)
    ):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def _plausible(day: date) -> date:
    if not date(1900, 1, 1) <= day <= date(2199, 12, 31):
        raise ValueError("must be between 1900-01-01 and 2199-12-31")
    return day


Day = Annotated[date, BeforeValidator(_iso), AfterValidator(_plausible)]
"""A date as the API documents it: ``YYYY-MM-DD``, between 1900 and 2199."""


class Out(BaseModel):
    """Base of every response model: closed, so nothing undeclared slips out."""

    model_config = ConfigDict(extra="forbid")


class Paged(Out, Generic[T]):
    """One page of a list: ``data`` and how many there are in all (``count``)."""

    data: list[T]
    count: int = Field(ge=0, description="Items matching, over every page.")


# -- references ----------------------------------------------------------------------


class OrganisationRef(Out):
    id: str
    name: str


class CohortRef(Out):
    id: str
    name: str


class ProjectRef(Out):
    id: str
    title: str


class IssueRef(Out):
    id: str
    title: str


# -- people --------------------------------------------------------------------------


class PersonOut(Out):
    """A person as the directory shows them; ``email`` only with their consent."""

    model_config = ConfigDict(json_schema_extra={"examples": [_PERSON_EXAMPLE]})

    id: str
    name: str
    job_title: str | None
    organisation: OrganisationRef | None = Field(description="Current employer.")
    sector: Sector | None = Field(description="The current employer's sector.")
    area: str | None
    interests: list[str]
    skills: list[str]
    cohorts: list[CohortRef]
    email: str | None = Field(description="Only when the person consented to contact.")


class MeOut(Out):
    """Who the key belongs to."""

    key_id: str
    role: KeyRole
    person: PersonOut | None = Field(description="The key's person; null for a team key.")


class ContextOut(Out):
    """The project or cohort a tie came from."""

    type: Literal["project", "cohort"]
    id: str | None
    name: str | None


class ConnectionOut(Out):
    """One tie between two people, told from the first person's side."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "project",
                    "direction": "mutual",
                    "text": "worked together on project Domestic abuse pathways",
                    "context": {
                        "type": "project",
                        "id": "pr-da",
                        "name": "Domestic abuse pathways",
                    },
                    "wave": None,
                    "since": "2019-06-01",
                    "until": None,
                }
            ]
        }
    )

    kind: TieKind
    direction: Literal["out", "in", "mutual"] = Field(
        description="`out`: the first person named the second (or mentors them)."
    )
    text: str
    context: ContextOut | None
    wave: Wave | None
    since: date
    until: date | None


class HopOut(Out):
    """One step from one person to the next, with every tie between them."""

    from_id: str
    to_id: str
    connections: list[ConnectionOut] = Field(min_length=1)


class ContactOut(Out):
    """Someone the person knows (``hops`` 1) or knows through someone (``hops`` 2)."""

    person: PersonOut
    hops: int = Field(ge=1, le=2)
    score: float = Field(description="Strength of the connection; higher is warmer.")
    path: list[HopOut] = Field(description="The warmest way from the person to them.")
    via: list[PersonOut] = Field(description="Everyone in between (hops 2), warmest first.")


class IntroductionPathOut(Out):
    hops: int
    people: list[PersonOut] = Field(description="From the start to the target, in order.")
    steps: list[HopOut]


class IntroductionPathsOut(Out):
    """Up to three shortest warm paths, every intermediary a consenting alumnus."""

    from_person: PersonOut
    to_person: PersonOut | None
    to_organisation: OrganisationRef | None
    paths: list[IntroductionPathOut]


class ReasonOut(Out):
    kind: Literal["want_to_meet", "near", "shared_interest", "shared_issue", "other_sector"]
    text: str


class RecommendationOut(Out):
    """Someone worth meeting, and why."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "person": _PERSON_EXAMPLE,
                    "score": 7.0,
                    "reasons": [
                        {
                            "kind": "shared_interest",
                            "text": "shares your interest in loneliness",
                        }
                    ],
                    "via": [],
                }
            ]
        }
    )

    person: PersonOut
    score: float
    reasons: list[ReasonOut] = Field(min_length=1)
    via: list[PersonOut]


# -- the programme -------------------------------------------------------------------


class OrganisationOut(Out):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "essex-county-council",
                    "name": "Essex County Council",
                    "sector": "local_government",
                    "org_type": "County council",
                    "aliases": ["ECC"],
                    "area": None,
                }
            ]
        }
    )

    id: str
    name: str
    sector: Sector
    org_type: str | None
    aliases: list[str]
    area: str | None


class OrganisationDetailOut(OrganisationOut):
    people_now: int = Field(ge=0, description="People it employs now.")


class CohortOut(Out):
    id: str
    name: str
    start_date: date
    end_date: date | None


class CohortMemberOut(Out):
    person: PersonOut
    role: Role


class CohortDetailOut(CohortOut):
    members: list[CohortMemberOut]


class ProjectOut(Out):
    id: str
    title: str
    cohort: CohortRef
    issue: IssueRef | None
    status: ProjectStatus
    start_date: date
    due_date: date | None
    outcomes: str | None


class ProjectMemberOut(Out):
    person: PersonOut
    role: ProjectRole


class ProjectDetailOut(ProjectOut):
    sponsor: PersonOut | None
    members: list[ProjectMemberOut]


# -- metrics (mirror graph.analytics' TypedDicts; closed so a drift fails loudly) ------


class NetworkMetricsOut(Out):
    people: int
    ties: int
    density: float
    cross_org_share: float | None
    cross_sector_share: float | None
    ei_org: float | None
    ei_sector: float | None
    components: int
    largest_component_share: float | None
    isolates: int
    avg_path_length: float | None
    modularity: float | None
    org_alignment: float | None
    mean_reach2_orgs: float | None
    ei_org_expected: float | None = Field(description="E-I by chance, same group sizes.")
    ei_org_excess: float | None = Field(description="`ei_org` − `ei_org_expected`.")
    ei_sector_expected: float | None
    ei_sector_excess: float | None
    cross_area_share: float | None
    ei_area: float | None
    ei_area_expected: float | None
    ei_area_excess: float | None


class GroupMetricsOut(Out):
    size: int
    internal: int
    external: int
    ei: float | None


class MixingCellOut(Out):
    ties: int
    density: float | None


class MixingOut(Out):
    organisations: dict[str, dict[str, MixingCellOut]]
    sectors: dict[str, dict[str, MixingCellOut]]


class PersonMetricsOut(Out):
    degree: int
    cross_org_degree: int
    ego_ei: float | None
    reach2_orgs: int
    reach2_sectors: int
    betweenness: float
    constraint: float | None
    effective_size: float | None


class SuiteMetaOut(Out):
    as_of: str | None
    kinds: list[str] | None
    backend: str
    louvain_seed: int
    people_computed: bool
    betweenness_estimated: bool | None
    betweenness_sample_size: int | None


class MetricSuiteOut(Out):
    """Every metric of ``spec/metrics.md`` on one snapshot."""

    network: NetworkMetricsOut
    organisations: dict[str, GroupMetricsOut] = Field(description="Keyed by organisation name.")
    sectors: dict[str, GroupMetricsOut]
    mixing: MixingOut
    people: dict[str, PersonMetricsOut] | None = Field(
        description="Keyed by person id; null unless `people=true`."
    )
    meta: SuiteMetaOut


class ComparisonOut(Out):
    people_in_both: int
    people_joined: int
    people_left: int
    new_ties: int
    lost_ties: int
    retention: float | None
    before: NetworkMetricsOut
    after: NetworkMetricsOut
    delta: dict[str, float | None]


class GrowthOut(Out):
    """A cohort's change from baseline to end, and from end to follow-up (null: wave not run)."""

    baseline_to_end: ComparisonOut | None
    end_to_follow_up: ComparisonOut | None


class TimelinePointOut(NetworkMetricsOut):
    date: str


class PersonChangeOut(Out):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    degree: int | None
    cross_org_degree: int | None
    reach2_orgs: int | None
    reach2_sectors: int | None


class PersonReportOut(Out):
    """A person's own network at each wave of their cohorts, and how it changed."""

    person_id: str
    snapshots: dict[str, PersonMetricsOut | None]
    betweenness_estimated: dict[str, bool]
    changes: list[PersonChangeOut]


# -- ingestion -----------------------------------------------------------------------


class IssueOut(Out):
    """One error or warning about a bundle: where (file, sheet, row, column) and why."""

    file: str
    sheet: str | None
    row: int | None
    unit: str
    column: str | None
    value: JsonValue
    reason: str
    suggestions: list[str]
    message: str


class IngestReportOut(Out):
    """What a load did, or would do (``dry_run``), or why it was refused."""

    ok: bool
    dry_run: bool
    run_id: str | None
    file: str
    sha256: str
    started_at: datetime
    counts: dict[str, dict[str, int]]
    totals: dict[str, int]
    warnings: list[IssueOut]
    errors: list[IssueOut]


class RunOut(Out):
    id: str
    file_name: str
    sha256: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    counts: dict[str, dict[str, int]]
    warnings: list[str]


class WriteReportOut(Out):
    """What a rollback changed, per kind of record."""

    created: int
    updated: int
    deleted: int
    counts: dict[str, dict[str, int]]


# -- keys and personal data ----------------------------------------------------------


class KeyOut(Out):
    """An API key's record: never its secret, nor its hash."""

    id: str
    role: KeyRole
    person_id: str | None
    created_at: datetime
    revoked_at: datetime | None


class NewKeyIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"role": "alumni", "person_id": _PERSON_ID}]},
    )

    role: KeyRole
    person_id: str | None = Field(
        default=None, max_length=200, description="Required for alumni keys."
    )


class NewKeyOut(KeyOut):
    key: str = Field(description="The key itself: shown once, stored only as a hash.")


class PersonRecordOut(Out):
    """Everything the person record holds, for the person themself (subject access)."""

    id: str
    email: str
    name: str
    job_title: str | None
    interests: list[str]
    skills: list[str]
    area: str | None
    consent_directory: bool
    consent_contact: bool
    consent_analytics: bool


class EmploymentOut(Out):
    organisation: OrganisationRef
    start: date
    end: date | None
    job_title: str | None


class MembershipOut(Out):
    cohort: CohortRef
    role: Role


class ProjectMembershipOut(Out):
    project: ProjectRef
    role: ProjectRole


class TieOut(Out):
    """A tie of the person's; the other person's id is withheld unless the caller may see them."""

    kind: TieKind
    direction: Literal["out", "in", "mutual"]
    other_person_id: str | None
    other_withheld: bool
    start: date
    end: date | None
    wave: Wave | None
    cohort_id: str | None
    context: str | None
    frequency: Frequency | None


class SavedAnswerOut(Out):
    relationship: TieKind
    person_id: str | None = Field(description="Withheld (null) unless the caller may see them.")
    frequency: Frequency | None


class SavedSurveyOut(Out):
    cohort_id: str
    wave: Wave
    saved_at: datetime
    consent: dict[str, bool]
    answers: list[SavedAnswerOut]
    self_assessment: dict[str, int]


class AssessmentOut(Out):
    cohort_id: str
    wave: Wave
    indicator: str
    rater: str
    score: float
    ratings: int


class ExportOut(Out):
    """Subject access: everything held about one person."""

    exported_at: datetime
    person: PersonRecordOut
    employments: list[EmploymentOut]
    memberships: list[MembershipOut]
    projects: list[ProjectMembershipOut]
    sponsored_projects: list[ProjectRef]
    ties: list[TieOut]
    api_keys: list[KeyOut]
    survey_answers: list[SavedSurveyOut] = Field(
        default_factory=list, description="What they saved in each survey wave's form."
    )
    assessments: list[AssessmentOut] = Field(
        default_factory=list, description="Their ratings on the programme's indicators."
    )
