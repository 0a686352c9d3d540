"""Public models of the two decisions: a mentor match and a cohort selection (issue 19).

People are named by email, as the files that ask the question name them; a participant
of the graph whose contact details the caller may not see is named by their id instead
(``services.consent``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- matching ---------------------------------------------------------------------


class MatchPairOut(Out):
    mentor: str
    mentee: str
    score: int = Field(description="3 · new_sector + new_orgs + shared_interests")
    new_sector: int = Field(description="1 when their sectors differ, else 0")
    new_orgs: int = Field(description="organisations the mentee would reach through the mentor")
    shared_interests: int
    opens: list[str] = Field(description="The sector and organisations it opens, in words.")


class UnmatchedOut(Out):
    mentee: str
    reason: str = Field(description="`no capacity left` or `no allowed mentor`")


class MatchOut(Out):
    """The match of `spec/matching.md`: the most pairs, then the greatest total score."""

    pairs: list[MatchPairOut]
    unmatched: list[UnmatchedOut]
    total_score: int


class MatchIn(BaseModel):
    """A cohort, its mentor pool (the pool file's rows as JSON objects) and the rules."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "cohort_id": "lge-2020",
                    "pool": [
                        {"email": "mentor@example.org", "capacity": 2},
                        {
                            "email": "outside@example.com",
                            "capacity": 1,
                            "name": "Outside Mentor",
                            "organisation": "Acme Ltd",
                            "sector": "business",
                            "interests": "data; housing",
                        },
                    ],
                    "rules": {"locked": [], "forbidden": [], "mentees_per_participant": 1},
                }
            ]
        },
    )

    cohort_id: str = Field(min_length=1, max_length=200)
    pool: list[dict[str, Any]] = Field(description="The pool file's rows, as objects.")
    rules: dict[str, Any] | None = None


class AcceptedOut(Out):
    """A match accepted: its mentoring ties written by one ingest run (roll it back to undo)."""

    run_id: str
    ties: int
    match: MatchOut


# -- selection --------------------------------------------------------------------


class SelectedOut(Out):
    email: str
    value: float = Field(description="What the applicant adds to the network value V.")
    merit: float = Field(description="score / 10")
    adds: list[str] = Field(description="In words: `first from X`, `second from area Y`.")


class LeftOutOut(Out):
    email: str
    adds_objective: float = Field(description="What one extra place for them would add.")
    value: float
    merit: float


class IneligibleOut(Out):
    email: str
    reason: str


class UnmetOut(Out):
    quota: str
    short_by: int
    reason: str


class ReachedOut(Out):
    """A selection's figures: objective, V, M and what it reaches."""

    selected: list[str]
    objective: float
    network_value: float
    merit: float
    organisations: list[str]
    sectors: list[str]
    areas: list[str]


class SelectionOut(Out):
    """The selection of `spec/selection.md`, beside the top-N-by-score selection."""

    selected: list[SelectedOut]
    left_out: list[LeftOutOut]
    objective: float
    network_value: float
    merit: float
    organisations: list[str]
    sectors: list[str]
    areas: list[str]
    by_score: ReachedOut
    ineligible: list[IneligibleOut]
    quotas_unmet: list[UnmetOut] = Field(
        description="When not empty, the quotas cannot all be met and nothing is selected."
    )


class SelectionIn(BaseModel):
    """The applicants (the file's rows as JSON objects), the places and the quotas."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "applicants": [
                        {
                            "email": "applicant@example.org",
                            "name": "An Applicant",
                            "organisation": "Essex Police",
                            "area": "Tendring",
                            "sponsor_email": "chief@example.org",
                            "score": 7,
                        }
                    ],
                    "places": 1,
                    "sector_min": {"health": 1},
                    "sector_max": {},
                    "organisation_max": 3,
                    "merit_weight": 1,
                }
            ]
        },
    )

    applicants: list[dict[str, Any]] = Field(description="The applicant file's rows, as objects.")
    places: int = Field(ge=1, le=10_000, strict=True)
    sector_min: dict[str, StrictInt] = Field(default_factory=dict)
    sector_max: dict[str, StrictInt] = Field(default_factory=dict)
    organisation_max: int | None = Field(default=None, ge=1, strict=True)
    merit_weight: float = Field(default=1.0, ge=0, le=1_000, strict=True)
