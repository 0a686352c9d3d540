"""The public models of the programme view (``GET /metrics/programme``, issue 17).

Kept apart from ``services.schemas`` so the programme view reads as one piece; the
same rules hold: closed models (``Out``), aggregates only (no person is named).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from services.schemas import Out

ProgrammeEvery = Literal["quarter", "year"]

PROGRAMME = "programme"
"""The ``scope`` of the rows measuring the whole network (every cohort together)."""


class ProgrammeCohortOut(Out):
    id: str
    name: str
    start_date: date
    end_date: date | None


class ProgrammePointOut(Out):
    """The figures of one scope (the whole programme, or one cohort) on one date."""

    date: date
    scope: str = Field(description="`programme` (everyone) or a cohort id (its members only).")
    people: int
    ties: int
    cross_org_share: float | None
    cross_sector_share: float | None
    ei_org: float | None
    ei_org_expected: float | None
    ei_org_excess: float | None
    ei_sector: float | None
    ei_sector_expected: float | None
    ei_sector_excess: float | None
    mean_reach2_orgs: float | None
    largest_component_share: float | None
    silo_index: float | None = Field(
        description="`org_alignment`: how closely the network's communities follow "
        "organisation boundaries (near 1 silos, near 0 communities cut across)."
    )


class ProgrammeOut(Out):
    """The programme at a glance: every cohort, and everyone, over time."""

    start: date
    end: date
    every: ProgrammeEvery
    kinds: list[str]
    snapshot: str = Field(description="The one snapshot definition behind every figure.")
    cohorts: list[ProgrammeCohortOut]
    points: list[ProgrammePointOut] = Field(
        description="One row per date and scope, dates in order, `programme` first."
    )


PROGRAMME_COLUMNS: tuple[str, ...] = tuple(ProgrammePointOut.model_fields)
"""The programme table's columns, in order."""


GroupKind = Literal["organisation", "area"]


class GroupPointOut(Out):
    """One organisation's (or area's) figures on one date."""

    date: date
    kind: GroupKind
    name: str
    people: int = Field(description="Alumni in the network on that date (analytics consent).")
    ei: float | None
    mean_cross_org_degree: float | None = Field(
        description="Mean over its people of their ties to people of other organisations."
    )


class GroupSummaryOut(Out):
    """One organisation or area, first date against last date."""

    kind: GroupKind
    name: str
    people_first: int
    people_last: int
    ei_first: float | None
    ei_last: float | None
    mean_cross_org_degree_first: float | None
    mean_cross_org_degree_last: float | None
    under_reached: bool | None = Field(
        description="Areas only: fewer alumni on the last date than half the mean over areas."
    )
    urban_rural: str | None = Field(
        default=None, description="Areas only: urban, rural or mixed, when the areas table says."
    )
    deprivation_decile: int | None = Field(
        default=None,
        description="Areas only: 1 (most deprived) to 10, when the areas table says.",
    )
    priority: bool | None = Field(
        default=None,
        description="Areas only: under-reached and rural or in the three most deprived deciles.",
    )


class PlaceReachOut(Out):
    """The areas of one kind of place (urban, rural, mixed) or one deprivation band, on the
    last date: how many alumni they hold, per area, against the others."""

    place: str
    areas: int
    alumni: int
    mean_alumni: float | None = Field(description="Alumni per area of this place.")
    under_reached: int = Field(description="Its areas that are under-reached.")


class GroupsOut(Out):
    """Each organisation's and each area's alumni, E-I and reach across organisations,
    over time; the areas the programme under-reaches."""

    start: date
    end: date
    every: ProgrammeEvery
    snapshot: str
    under_reached_rule: str
    summaries: list[GroupSummaryOut]
    points: list[GroupPointOut]
    place_rule: str = ""
    places: list[PlaceReachOut] = Field(
        default_factory=list,
        description="Alumni per area by kind of place and by deprivation band (the bundles' "
        "areas table; areas it does not describe are 'not given').",
    )


GROUP_SORTS: tuple[str, ...] = tuple(
    k for k in GroupSummaryOut.model_fields if k not in ("kind", "under_reached", "priority")
)
"""The columns a summary table may be sorted by."""


class ProjectOutcomesOut(Out):
    """A cohort's projects on a date (``spec/cohort-bundle.md``, projects and handovers)."""

    projects: int
    sponsored: int = Field(description="With a sponsoring Chief Officer.")
    due_within_18_months: int = Field(description="Due no later than 18 months after start.")
    delivered: int = Field(description="Completed or handed over.")
    handed_over: int = Field(description="Handed over, or the source of a handover.")
    overdue: int = Field(description="Neither delivered nor closed, and past their due date.")
    due_in_window: int = Field(
        default=0, description="Due 12 to 18 months after their start, as the programme asks."
    )
    delivered_in_window: int = Field(
        default=0,
        description="Delivered, and known delivered no later than 18 months after their "
        "start: by the date of their handover, else of the bundle that stated it.",
    )
    delivered_late: int = Field(
        default=0, description="Delivered, but first known so more than 18 months after start."
    )


class CohortOutcomesOut(Out):
    """One cohort's outcomes at three levels, short term (its end) and long term."""

    cohort_id: str
    name: str
    short_term: date = Field(description="The cohort's end (its start + 1 year if none).")
    long_term: date
    individual: str = Field(description="The individual level: what the assessments say.")
    organisational_short: ProgrammePointOut
    organisational_long: ProgrammePointOut
    projects_short: ProjectOutcomesOut
    projects_long: ProjectOutcomesOut


class OutcomesOut(Out):
    """Every cohort's outcomes at the three levels the commissioners named."""

    as_of: date
    snapshot: str
    cohorts: list[CohortOutcomesOut]
