"""The public models the people pages are built from: a search's filters, and a
person's page (the person, their contacts elsewhere, who is worth meeting).

Kept apart from ``services.schemas`` (at its size limit); the same rules hold:
closed models (``Out``), and people only as ``PersonOut``, made by ``services.consent``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from graph.model import Sector
from services.schemas import (
    CohortRef,
    ContactOut,
    IssueRef,
    OrganisationRef,
    Out,
    Paged,
    PersonOut,
    RecommendationOut,
)


class SearchFiltersOut(Out):
    """What a search for people can be narrowed by: every organisation, sector, cohort
    and wicked issue (no personal data), and the areas of the people the caller sees."""

    organisations: list[OrganisationRef]
    sectors: list[Sector]
    areas: list[str]
    cohorts: list[CohortRef]
    issues: list[IssueRef]


class PersonPageOut(Out):
    """A person, and for themself or the programme team, their network: contacts in
    other organisations and people worth meeting in organisations new to them."""

    person: PersonOut
    contacts: list[ContactOut] | None
    """None when the caller may not see this person's network."""
    worth_meeting: Paged[RecommendationOut] | None


class ConsentIn(BaseModel):
    """The caller's own consents to change; a consent left out stays as it is."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"consent_contact": False}]},
    )

    consent_directory: bool | None = Field(
        None, strict=True, description="Listed in the alumni directory."
    )
    consent_contact: bool | None = Field(
        None, strict=True, description="Contact details may be shown to other alumni."
    )
    consent_analytics: bool | None = Field(
        None, strict=True, description="Included in network analytics."
    )

    def changes(self) -> dict[str, bool]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class ConsentOut(Out):
    """A person's consents as now kept, each with the day it was last stated."""

    consent_directory: bool
    consent_contact: bool
    consent_analytics: bool
    stated_on: dict[str, str] = Field(
        description="When each consent was stated: a bundle's ISO date, or the UTC date-time"
        " of a change made here; a default never stated is left out."
    )
