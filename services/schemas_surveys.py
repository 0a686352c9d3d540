"""Public models of survey waves (``../shared/spec/surveys.md``): what the programme
team and a respondent send and get back."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from graph.model import Frequency, Role, TieKind, Wave
from graph.surveys import Indicator
from services.schemas import CohortRef, Day, Out

MAX_ANSWERS = 1_000
"""Ticked people one save may carry (four questions over a roster of 250): more is
refused whole, before anything is looked up."""


class SurveyLinkOut(Out):
    """A member's personal link, shown once (only its hash is kept)."""

    email: str
    name: str
    roles: list[Role]
    link: str = Field(description="`/s/TOKEN`: prefix it with the service's address.")


class OpenWaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cohort_id: str = Field(min_length=1, max_length=200)
    wave: Wave
    closes_on: Day
    indicators: list[Indicator] = Field(default_factory=list, max_length=40)


class OpenedWaveOut(Out):
    cohort_id: str
    wave: Wave
    closes_on: date
    indicators: list[Indicator]
    links: list[SurveyLinkOut]


class RateOut(Out):
    answered: int
    members: int
    rate: float = Field(description="answered / members (0 when there are no members).")


class RespondentOut(Out):
    name: str
    roles: list[Role]
    organisation: str | None
    answered: bool


class WaveStatusOut(Out):
    cohort_id: str
    wave: Wave
    opened_at: datetime
    closes_on: date
    closed_at: datetime | None
    run_id: str | None = Field(description="The ingest run that loaded the wave, once closed.")
    open: bool
    response: RateOut
    by_role: dict[str, RateOut]
    by_organisation: dict[str, RateOut]
    respondents: list[RespondentOut]


class ClosedWaveOut(Out):
    cohort_id: str
    wave: Wave
    run_id: str
    counts: dict[str, dict[str, int]]
    warnings: list[str]
    response: RateOut


# -- the respondent's form --------------------------------------------------------------


class QuestionOut(Out):
    relationship: TieKind
    text: str


class RosterPersonOut(Out):
    """Someone the respondent may name; ``email`` only with their consent to contact."""

    id: str
    name: str
    organisation: str | None
    in_cohort: bool
    email: str | None


class AnswerOut(Out):
    relationship: TieKind
    person_id: str
    email: str | None
    frequency: Frequency | None


class RatingOut(Out):
    indicator: str
    score: int


class ConsentChoices(BaseModel):
    model_config = ConfigDict(extra="forbid")

    consent_directory: bool | None = Field(None, strict=True)
    consent_contact: bool | None = Field(None, strict=True)
    consent_analytics: bool | None = Field(None, strict=True)

    def given(self) -> dict[str, bool]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class SurveyFormOut(Out):
    """The roster, the questions and the answers saved so far (or, before the first
    save, the previous wave's answers, ticked to be confirmed or removed)."""

    cohort_id: str
    cohort_name: str
    wave: Wave
    closes_on: date
    respondent: str
    consent: dict[str, bool]
    questions: list[QuestionOut]
    indicators: list[Indicator]
    roster: list[RosterPersonOut]
    answers: list[AnswerOut]
    assessments: list[RatingOut]
    revision: int = Field(
        description="Saves so far; send it back to save again (a second submission of the"
        " same form is refused)."
    )
    saved_at: datetime | None


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    relationship: TieKind
    email: str | None = Field(None, max_length=320)
    person_id: str | None = Field(None, max_length=200)
    frequency: Frequency | None = None


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator: str = Field(max_length=40)
    score: int = Field(strict=True, ge=1, le=5)


class SurveyAnswersIn(BaseModel):
    """A whole save: every ticked person (each by ``email`` or roster ``person_id``),
    the self-assessment and the consents; what is left out is no longer ticked."""

    model_config = ConfigDict(extra="forbid")

    consent: ConsentChoices = Field(default_factory=ConsentChoices)
    answers: list[AnswerIn] = Field(default_factory=list, max_length=MAX_ANSWERS)
    assessments: list[RatingIn] = Field(default_factory=list, max_length=40)
    revision: int | None = Field(
        None,
        ge=0,
        description="The form's `revision`; when given and no longer current, the save is"
        " refused (409) and nothing is written.",
    )


class DevelopmentOut(Out):
    """Per indicator and rater, the mean score at two waves over the people rated at both."""

    indicator: str
    rater: str
    from_wave: Wave
    to_wave: Wave
    people: int
    mean_from: float
    mean_to: float
    change: float


class WavesOut(Out):
    """Every survey wave, newest cohort first, and the cohorts a wave may be opened for."""

    cohorts: list[CohortRef]
    waves: list[WaveStatusOut]
