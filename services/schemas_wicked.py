"""The public models of ``/wicked-issues``: lineage, handovers, supporters.

Kept apart from ``services.schemas`` so the baton-passing feature reads as one
piece; the same rules hold: closed models (``Out``), and people only as
``PersonOut``, made by ``services.consent``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from graph.model import AmbitionKey, ProjectStatus
from services.schemas import CohortRef, Day, Out, Paged, PersonOut, ProjectRef

_HANDOVER_EXAMPLE: dict[str, JsonValue] = {
    "from_project_id": "lge-2019-rural-isolation",
    "to_cohort_id": "lge-2020",
    "to_project_id": "lge-2020-rural-isolation",
    "date": "2020-05-14",
    "notes": "Learned: village halls reach people no service list holds."
    " Remains: a way to fund community connectors beyond the pilot villages.",
}


class AmbitionRef(Out):
    id: AmbitionKey
    title: str


class WickedIssueOut(Out):
    """A wicked issue at a glance: who has worked on it, and whether anyone does now."""

    id: str
    title: str
    description: str | None
    ambitions: list[AmbitionRef]
    project_count: int = Field(ge=0, description="Projects that worked on it, in every cohort.")
    cohorts: list[CohortRef] = Field(description="Cohorts whose projects worked on it, in order.")
    open_projects: list[ProjectRef] = Field(
        description="Projects still proposed or active: the team picking it up now."
    )
    active_now: bool = Field(description="Whether a project on it is active.")
    last_active: date | None = Field(
        description="The last day a finished project worked on it (its handover, else its"
        " due date); null if none has finished."
    )
    handovers: int = Field(ge=0)


class IssueProjectOut(Out):
    """One project on the issue, as its lineage lists it."""

    id: str
    title: str
    cohort: CohortRef
    status: ProjectStatus
    start_date: date
    due_date: date | None
    active_until: date | None = Field(
        description="The last day it worked on the issue; null while it still does."
    )


class WickedIssueDetailOut(WickedIssueOut):
    projects: list[IssueProjectOut] = Field(description="Oldest first.")


class HandoverOut(Out):
    """The baton passing: from which project, to which cohort (and project), when, and why."""

    issue_id: str
    from_project: ProjectRef
    to_cohort_id: str
    to_cohort: CohortRef | None = Field(description="Null while that cohort is not loaded.")
    to_project: ProjectRef | None = Field(description="The receiving project, once known.")
    date: date
    notes: str | None = Field(
        description="As recorded, with the names of people the caller may not see withheld."
    )
    learned: list[str] = Field(description="The note's `Learned:` sentences.")
    open_questions: list[str] = Field(
        description="The note's `Remains:` / `Open questions:` sentences, and its questions."
    )
    talk_to: list[str] = Field(description="The note's `Talk to ...` sentences.")


class LineageStepOut(Out):
    """One project of the chain, its people (as the caller may see them) and its handovers."""

    project: IssueProjectOut
    outcomes: str | None = Field(description="What it delivered or measured.")
    leads: list[PersonOut]
    members: list[PersonOut]
    sponsor: PersonOut | None
    handed_over: list[HandoverOut] = Field(description="Handovers from this project.")
    received: list[HandoverOut] = Field(description="Handovers naming it as the receiver.")


class LineageOut(Out):
    """The whole chain of a wicked issue, oldest project first."""

    issue: WickedIssueOut
    steps: list[LineageStepOut]
    working_now: list[PersonOut] = Field(
        description="People on the projects still open, leads first, then their sponsors."
    )


class SupportReasonOut(Out):
    kind: Literal["worked_on_issue", "sponsored", "new_organisation", "knows_the_team", "interest"]
    text: str


class SupporterOut(Out):
    """Someone who can help the team picking the issue up, and why."""

    person: PersonOut
    score: float = Field(description="Higher first.")
    reasons: list[SupportReasonOut] = Field(min_length=1)
    via: list[PersonOut] = Field(
        description="People who worked on the issue and know them (new organisations only)."
    )


class IssuePageOut(Out):
    """What the issue page shows: the lineage, who can help, and where a handover may go."""

    lineage: LineageOut
    supporters: Paged[SupporterOut] = Field(description="One page of them, ranked.")
    cohorts: list[CohortRef] = Field(
        description="Cohorts a handover may be recorded to (for the programme team; else"
        " empty), oldest first."
    )


class HandoverIn(BaseModel):
    """A handover, with the columns of the bundle's ``handovers`` table."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_HANDOVER_EXAMPLE]})

    issue_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Optional: when given, it must be the issue of the URL.",
    )
    from_project_id: str = Field(min_length=1, max_length=200)
    to_cohort_id: str = Field(
        min_length=1, max_length=200, description="May be a cohort not loaded yet."
    )
    to_project_id: str | None = Field(default=None, min_length=1, max_length=200)
    date: Day
    notes: str | None = Field(
        default=None,
        max_length=20_000,
        description="What was learned, what remains, who to talk to.",
    )


class HandoverRecordedOut(Out):
    """What recording a handover did; ``run_id`` can be rolled back like a bundle's load."""

    result: Literal["created", "updated", "unchanged"]
    run_id: str
    handover: HandoverOut
