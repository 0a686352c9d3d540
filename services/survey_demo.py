"""The demo's wave in progress (issue 16, item 5): the latest demo cohort's follow-up
wave open, a third of its members having answered, so that a first run shows a
survey being run. Answers are drawn with a fixed seed: each respondent confirms most
of the previous wave's answers (offered ticked, as on the form) and rates the demo's
six indicators (``demo/survey-indicators.csv``)."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta

from graph.errors import Conflict
from graph.model import Cohort, KeyRole, Wave
from graph.store import GraphStore, Page
from graph.surveys import Indicator
from services import survey_form, surveys
from services.consent import Viewer
from services.schemas_surveys import AnswerIn, RatingIn, SurveyAnswersIn

__all__ = ["DemoWave", "demo_indicators", "open_demo_wave"]

SEED = 16
OPEN_DAYS = 28


@dataclass(frozen=True)
class DemoWave:
    cohort_id: str
    wave: Wave
    answered: int
    members: int
    try_link: str | None
    """One link of a member who has not answered yet, to try the form (shown once)."""


def demo_indicators() -> list[Indicator]:
    """The demo's six indicators."""
    import demo

    with demo.path("survey-indicators.csv").open(encoding="utf-8") as rows:
        return [Indicator(id=r["id"], wording=r["wording"]) for r in csv.DictReader(rows)]


def open_demo_wave(store: GraphStore, *, today: date | None = None) -> DemoWave | None:
    """Open the latest cohort's follow-up wave and answer a third of it; None when that
    wave was opened before (a second demo run changes nothing)."""
    team = Viewer(role=KeyRole.PROGRAMME, key_id="demo")
    cohorts = store.find(Cohort, page=Page(limit=500)).data
    if not cohorts:
        return None
    latest = max(cohorts, key=lambda c: (c.start_date, c.id))
    closes = (today or date.today()) + timedelta(days=OPEN_DAYS)
    try:
        opened = surveys.open_wave(
            store, team, latest.id, Wave.FOLLOW_UP, closes, demo_indicators()
        )
    except Conflict:
        return None
    rng = random.Random(SEED)
    links = list(opened.links)
    rng.shuffle(links)
    answering = links[: len(links) // 3]
    for link in answering:
        token = link.link.removeprefix(surveys.LINK_PREFIX)
        form = survey_form.survey_form(store, token)
        kept = [a for a in form.answers if rng.random() < 0.85]
        body = SurveyAnswersIn(
            answers=[
                AnswerIn(relationship=a.relationship, person_id=a.person_id, frequency=a.frequency)
                for a in kept
            ],
            assessments=[
                RatingIn(indicator=i.id, score=rng.choice((2, 3, 3, 4, 4, 4, 5)))
                for i in form.indicators
            ],
            revision=form.revision,
        )
        survey_form.save_answers(store, token, body)
    waiting = links[len(links) // 3 :]
    return DemoWave(
        cohort_id=latest.id,
        wave=Wave.FOLLOW_UP,
        answered=len(answering),
        members=len(links),
        try_link=waiting[0].link if waiting else None,
    )
