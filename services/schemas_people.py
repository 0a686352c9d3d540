"""The public models the people pages are built from: a search's filters, and a
person's page (the person, their contacts elsewhere, who is worth meeting).

Kept apart from ``services.schemas`` (at its size limit); the same rules hold:
closed models (``Out``), and people only as ``PersonOut``, made by ``services.consent``.
"""

from __future__ import annotations

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
