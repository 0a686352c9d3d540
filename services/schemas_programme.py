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
