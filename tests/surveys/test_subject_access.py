"""Subject access covers the surveys: a person's export holds what they saved in each
wave's form and their ratings once a wave is closed, and names nobody the caller may
not see (on both stores)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from api.rights import export
from graph.model import KeyRole, Person, TieKind, Wave
from graph.store import GraphStore
from graph.surveys import Indicator
from services import survey_form, surveys
from services.consent import Viewer
from services.schemas_surveys import AnswerIn, RatingIn, SurveyAnswersIn
from tests.surveys.programme import COHORT, load_programme, member_email, token_of

TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="test-team")
ADMIN = Viewer(role=KeyRole.ADMIN, key_id="test-admin")
TRUST = Indicator(id="trust", wording="Builds trust across organisations")


def _id(store: GraphStore, email: str) -> str:
    return store.person_by_email(email).id


def test_export_holds_the_persons_saved_answers_and_ratings(
    store: GraphStore, tmp_path: Path
) -> None:
    load_programme(store, tmp_path, size=10)
    opened = surveys.open_wave(
        store, TEAM, COHORT, Wave.END, date.today() + timedelta(days=14), [TRUST]
    )
    tokens = {link.email: token_of(link.link) for link in opened.links}
    survey_form.save_answers(
        store,
        tokens[member_email(1)],
        SurveyAnswersIn(
            answers=[
                AnswerIn(relationship=TieKind.ADVICE, email=member_email(2)),
                AnswerIn(relationship=TieKind.WANT_TO_MEET, email="dir1@example.org"),
            ],
            assessments=[RatingIn(indicator="trust", score=4)],
        ),
    )
    one, two = _id(store, member_email(1)), _id(store, member_email(2))

    saved = export(store, ADMIN, one).survey_answers
    assert [(s.cohort_id, s.wave) for s in saved] == [(COHORT, Wave.END)]
    assert [(a.relationship, a.person_id) for a in saved[0].answers] == [
        (TieKind.ADVICE, two),
        (TieKind.WANT_TO_MEET, _id(store, "dir1@example.org")),
    ]
    assert saved[0].self_assessment == {"trust": 4}
    assert export(store, ADMIN, two).survey_answers == []  # member 2 never answered

    surveys.close_wave(store, TEAM, COHORT, Wave.END)
    rated = export(store, ADMIN, one).assessments
    assert [(a.wave, a.indicator, a.rater, a.score, a.ratings) for a in rated] == [
        (Wave.END, "trust", "self", 4.0, 1)
    ]


def test_export_withholds_a_named_person_the_caller_may_not_see(
    store: GraphStore, tmp_path: Path
) -> None:
    # members 0 and 5 consent to the directory; member 2 does not (tests/surveys/programme.py)
    load_programme(store, tmp_path, size=10)
    opened = surveys.open_wave(store, TEAM, COHORT, Wave.END, date.today() + timedelta(days=14))
    tokens = {link.email: token_of(link.link) for link in opened.links}
    survey_form.save_answers(
        store,
        tokens[member_email(1)],
        SurveyAnswersIn(
            answers=[
                AnswerIn(relationship=TieKind.ADVICE, email=member_email(2)),
                AnswerIn(relationship=TieKind.ADVICE, email=member_email(5)),
            ]
        ),
    )
    one, two, five = (_id(store, member_email(i)) for i in (1, 2, 5))
    assert not store.get(Person, two).consent_directory
    themself = Viewer(role=KeyRole.ALUMNI, key_id="k", person_id=one)
    assert [a.person_id for a in export(store, themself, one).survey_answers[0].answers] == [
        None,
        five,
    ]
    assert [a.person_id for a in export(store, ADMIN, one).survey_answers[0].answers] == [
        two,
        five,
    ]
