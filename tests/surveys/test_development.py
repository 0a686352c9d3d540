"""Individual development (``surveys.md``): per indicator and rater, the mean score at
two waves over the people rated at both, checked against a brute-force count, and
served to the programme team from the self-assessments of closed waves."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import issue_key
from api.settings import ApiSettings
from graph.model import KeyRole, Wave
from graph.store import GraphStore
from graph.surveys import Indicator, RatingRow, individual_development
from services import survey_form, surveys
from services.consent import Viewer
from services.schemas_surveys import RatingIn, SurveyAnswersIn
from tests.surveys.programme import COHORT, load_programme, member_email, token_of

TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="test-team")


def _mean(
    rows: list[RatingRow], person: str, wave: Wave, indicator: str, rater: str
) -> float | None:
    s = [
        r.score
        for r in rows
        if (r.person_id, r.wave, r.indicator, r.rater) == (person, wave, indicator, rater)
    ]
    return sum(s) / len(s) if s else None


def test_individual_development_matches_a_brute_force_count() -> None:
    rng = random.Random(16)
    rows = [
        RatingRow(person_id=f"p{p}", wave=w, indicator=i, rater=r, score=rng.randint(1, 5))
        for p, w, i, r in itertools.product(range(8), Wave, ("trust", "systems"), ("self", "peer"))
        if rng.random() < 0.6
        for _ in range(rng.choice((1, 2)))  # some people have two peer ratings at a wave
    ]
    found = {
        (d.indicator, d.rater, d.from_wave, d.to_wave): d for d in individual_development(rows)
    }
    for indicator, rater, (a, b) in itertools.product(
        ("trust", "systems"), ("self", "peer"), itertools.combinations(list(Wave), 2)
    ):
        both = [
            p
            for p in (f"p{n}" for n in range(8))
            if _mean(rows, p, a, indicator, rater) is not None
            and _mean(rows, p, b, indicator, rater) is not None
        ]
        key = (indicator, rater, a, b)
        if not both:
            assert key not in found
            continue
        before = sum(_mean(rows, p, a, indicator, rater) or 0 for p in both) / len(both)
        after = sum(_mean(rows, p, b, indicator, rater) or 0 for p in both) / len(both)
        assert (found[key].people, found[key].mean_from, found[key].mean_to) == (
            len(both),
            round(before, 4),
            round(after, 4),
        )


def test_development_of_a_cohort_counts_people_rated_in_both_closed_waves(
    store: GraphStore, tmp_path: Path
) -> None:
    load_programme(store, tmp_path, size=6)
    closes = date.today() + timedelta(days=5)
    trust = [Indicator(id="trust", wording="Builds trust")]
    given = {Wave.BASELINE: {0: 2, 1: 3, 2: 1}, Wave.END: {0: 4, 1: 3, 3: 5}}
    for wave, scores in given.items():
        links = surveys.open_wave(store, TEAM, COHORT, wave, closes, trust).links
        tokens = {link.email: token_of(link.link) for link in links}
        for i, score in scores.items():
            body = SurveyAnswersIn(assessments=[RatingIn(indicator="trust", score=score)])
            survey_form.save_answers(store, tokens[member_email(i)], body)
        surveys.close_wave(store, TEAM, COHORT, wave)
    team, _ = issue_key(store, KeyRole.PROGRAMME)
    with TestClient(create_app(store=store, settings=ApiSettings())) as client:
        response = client.get(
            f"/surveys/{COHORT}/development", headers={"Authorization": f"Bearer {team}"}
        )
    assert response.status_code == 200, response.text
    # members 0 and 1 were rated at both: (2 + 3) / 2 -> (4 + 3) / 2
    assert response.json() == [
        {"indicator": "trust", "rater": "self", "from_wave": "baseline", "to_wave": "end",
         "people": 2, "mean_from": 2.5, "mean_to": 3.5, "change": 1.0}
    ]  # fmt: skip
