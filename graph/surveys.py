"""Survey waves as a store keeps them: waves, personal links (hashed), saved answers.

``../shared/spec/surveys.md``. None of this is a graph fact: a wave's answers
become ties, consent and assessments only when the wave closes, through one
ordinary ingest run. So, like page sessions, writing here never changes the
store's ``version()`` (read caches stay warm while respondents save their
answers).

A personal link's token is never stored, only its SHA-256 (as API keys are):
reading the store does not let anyone answer in someone else's name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from graph.model import Frequency, TieKind, Wave

__all__ = [
    "MAX_INDICATORS",
    "WAVE_ORDER",
    "Answer",
    "Development",
    "Indicator",
    "Rating",
    "RatingRow",
    "SavedAnswers",
    "SurveyStore",
    "SurveyToken",
    "SurveyWave",
    "individual_development",
    "previous_wave",
]

WAVE_ORDER: tuple[Wave, ...] = (Wave.BASELINE, Wave.END, Wave.FOLLOW_UP)

MAX_INDICATORS = 40
"""Indicators one wave may carry (the 2024 cohort was evaluated on 20)."""


def previous_wave(wave: Wave) -> Wave | None:
    """The wave before ``wave`` (None for the baseline)."""
    at = WAVE_ORDER.index(wave)
    return WAVE_ORDER[at - 1] if at else None


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Indicator(_Frozen):
    """One thing rated 1 to 5: a short id (``[a-z0-9_-]``) and its wording."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")
    wording: str = Field(min_length=1, max_length=300)


class SurveyWave(_Frozen):
    """A wave of one cohort, open from ``opened_at`` to the end of ``closes_on`` (UTC)
    or until closed; once closed, ``run_id`` names the ingest run that loaded it."""

    cohort_id: str
    wave: Wave
    opened_at: datetime
    closes_on: date
    indicators: tuple[Indicator, ...] = ()
    members: int = 0
    """Members of the cohort when the wave opened: the response rate's denominator."""
    closed_at: datetime | None = None
    run_id: str | None = None
    answered: int | None = None
    """Respondents who saved answers, as counted when the wave closed."""

    @property
    def key(self) -> str:
        return f"{self.cohort_id}|{self.wave.value}"

    def is_open(self, now: datetime) -> bool:
        """Still taking answers at ``now``: not closed, and its closing day not over."""
        return self.closed_at is None and now.date() <= self.closes_on


class SurveyToken(_Frozen):
    """A personal link as kept: the SHA-256 of its token, for one person and one wave."""

    token_sha256: str
    cohort_id: str
    wave: Wave
    person_id: str
    issued_at: datetime


class Answer(_Frozen):
    """One ticked person under one question."""

    relationship: TieKind
    person_id: str
    frequency: Frequency | None = None


class Rating(_Frozen):
    indicator: str
    score: int = Field(ge=1, le=5)


class SavedAnswers(_Frozen):
    """What one respondent has saved for one wave; ``revision`` counts the saves."""

    cohort_id: str
    wave: Wave
    person_id: str
    saved_at: datetime
    revision: int = Field(ge=1)
    consent: dict[str, bool] = Field(default_factory=dict)
    answers: tuple[Answer, ...] = ()
    assessments: tuple[Rating, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.cohort_id}|{self.wave.value}|{self.person_id}"


class SurveyStore(Protocol):
    """Where a store keeps its survey waves (``GraphStore.surveys``). Every method is one
    transaction; none changes the graph store's ``version()``."""

    def save_wave(self, wave: SurveyWave) -> None:
        """Create or replace a wave (opening, closing and reopening are replacements)."""
        ...

    def wave(self, cohort_id: str, wave: Wave) -> SurveyWave:
        """One wave; ``NotFound`` when it was never opened."""
        ...

    def waves(self, cohort_id: str | None = None) -> list[SurveyWave]:
        """Every wave (of one cohort), ordered by cohort then wave order."""
        ...

    def issue_token(self, token: SurveyToken) -> None:
        """Keep a new token, ending every other token of the same person and wave."""
        ...

    def token(self, token_sha256: str) -> SurveyToken:
        """The token with this hash; ``NotFound`` when none (never issued, or reissued)."""
        ...

    def tokens(self, cohort_id: str, wave: Wave) -> list[SurveyToken]:
        """The wave's live tokens, one per person, ordered by person id."""
        ...

    def save_answers(self, saved: SavedAnswers) -> SavedAnswers:
        """Keep ``saved`` if the stored answers' revision is ``saved.revision - 1`` (0: none
        yet) and the wave is open (not closed); ``Conflict`` and nothing written otherwise:
        a second submission of the same form, or a save after the wave closed."""
        ...

    def answers(self, cohort_id: str, wave: Wave, person_id: str) -> SavedAnswers:
        """One respondent's saved answers; ``NotFound`` when they have saved none."""
        ...

    def answers_of_wave(self, cohort_id: str, wave: Wave) -> list[SavedAnswers]:
        """Every respondent's saved answers, ordered by person id."""
        ...

    def forget_person(self, person_id: str) -> int:
        """Erase a person's tokens and saved answers, and their name from everyone
        else's answers; how many records were touched."""
        ...


# -- individual development --------------------------------------------------------------


class RatingRow(_Frozen):
    """One rating of one person at one wave (an ``assessments`` row of a bundle)."""

    person_id: str
    wave: Wave
    indicator: str
    rater: str
    score: float = Field(ge=1, le=5)


class Development(_Frozen):
    """Per indicator and rater, the mean score at two waves over the people rated at
    both (a person rated by several raters of one kind counts once, with their mean)."""

    indicator: str
    rater: str
    from_wave: Wave
    to_wave: Wave
    people: int
    mean_from: float
    mean_to: float
    change: float


DEVELOPMENT_PAIRS: tuple[tuple[Wave, Wave], ...] = (
    (Wave.BASELINE, Wave.END),
    (Wave.END, Wave.FOLLOW_UP),
    (Wave.BASELINE, Wave.FOLLOW_UP),
)


def individual_development(ratings: list[RatingRow]) -> list[Development]:
    """A cohort's individual development (``surveys.md``): for every indicator, rater
    and pair of waves (baseline to end, end to follow-up, baseline to follow-up), the
    mean score at each over the people rated at both, and its change. Pairs with
    nobody rated at both are left out. Ordered by indicator, rater, then wave pair.

    >>> rows = [RatingRow(person_id=p, wave=w, indicator="trust", rater="self", score=s)
    ...         for p, w, s in (("a", Wave.BASELINE, 2), ("a", Wave.END, 4),
    ...                         ("b", Wave.BASELINE, 3), ("c", Wave.END, 5))]
    >>> [(d.people, d.mean_from, d.mean_to, d.change) for d in individual_development(rows)]
    [(1, 2.0, 4.0, 2.0)]
    """
    scores: dict[tuple[str, str, Wave, str], list[float]] = {}
    for r in ratings:
        scores.setdefault((r.indicator, r.rater, r.wave, r.person_id), []).append(r.score)
    means = {key: sum(s) / len(s) for key, s in scores.items()}
    groups = sorted({(indicator, rater) for indicator, rater, _, _ in means})
    found: list[Development] = []
    for indicator, rater in groups:
        for before, after in DEVELOPMENT_PAIRS:
            at = {
                wave: {
                    p: m
                    for (i, r, w, p), m in means.items()
                    if (i, r, w) == (indicator, rater, wave)
                }
                for wave in (before, after)
            }
            both = sorted(set(at[before]) & set(at[after]))
            if not both:
                continue
            mean_from = sum(at[before][p] for p in both) / len(both)
            mean_to = sum(at[after][p] for p in both) / len(both)
            found.append(
                Development(
                    indicator=indicator,
                    rater=rater,
                    from_wave=before,
                    to_wave=after,
                    people=len(both),
                    mean_from=round(mean_from, 4),
                    mean_to=round(mean_to, 4),
                    change=round(mean_to - mean_from, 4),
                )
            )
    return found
