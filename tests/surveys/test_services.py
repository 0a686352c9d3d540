"""The survey use cases on both stores: opening issues one working link per member,
the roster is the cohort then the directory, bad answers write nothing, links stop
working when reissued or closed, and closing is one ingest run that rollback undoes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from graph.errors import Conflict, Forbidden, Invalid, NotFound
from graph.model import KeyRole, TieKind, Wave
from graph.store import GraphStore
from graph.surveys import Indicator
from ingest.pipeline import load_bundle
from services import survey_form, surveys
from services.consent import Viewer
from services.schemas_surveys import AnswerIn, ConsentChoices, RatingIn, SurveyAnswersIn
from tests.surveys.programme import COHORT, load_programme, member_email, token_of

TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="test-team")
ALUMNUS = Viewer(role=KeyRole.ALUMNI, key_id="test-alumnus", person_id="x")
CLOSES = date.today() + timedelta(days=14)
TRUST = Indicator(id="trust", wording="Builds trust across organisations")


@pytest.fixture
def opened(store: GraphStore, tmp_path: Path) -> dict[str, str]:
    """The end wave of a 10-member cohort, open: each member's email -> token."""
    load_programme(store, tmp_path, size=10)
    out = surveys.open_wave(store, TEAM, COHORT, Wave.END, CLOSES, [TRUST])
    return {link.email: token_of(link.link) for link in out.links}


def _answer(email: str, kind: TieKind = TieKind.ADVICE) -> AnswerIn:
    return AnswerIn(relationship=kind, email=email)


def test_open_wave_issues_one_link_per_member_for_the_team_only(
    store: GraphStore, opened: dict[str, str]
) -> None:
    assert sorted(opened) == [member_email(i) for i in range(10)]
    assert len(set(opened.values())) == 10
    hashes = {t.token_sha256 for t in store.surveys.tokens(COHORT, Wave.END)}
    assert hashes == {surveys.hash_token(t) for t in opened.values()}
    assert not hashes & set(opened.values())  # only hashes are kept
    with pytest.raises(Forbidden):
        surveys.open_wave(store, ALUMNUS, COHORT, Wave.FOLLOW_UP, CLOSES)
    with pytest.raises(Conflict):
        surveys.open_wave(store, TEAM, COHORT, Wave.END, CLOSES)


def test_roster_is_the_cohort_then_directory_alumni_found_by_search(
    store: GraphStore, opened: dict[str, str]
) -> None:
    form = survey_form.survey_form(store, opened[member_email(1)])
    assert [r.name for r in form.roster] == [f"Member {i:02d}" for i in range(10) if i != 1]
    assert [q.relationship for q in form.questions] == [
        TieKind.ADVICE,
        TieKind.COLLABORATION,
        TieKind.WANT_TO_MEET,  # no knew_before at the end
    ]
    searched = survey_form.survey_form(store, opened[member_email(1)], query="Directory")
    outside = [r.name for r in searched.roster if not r.in_cohort]
    assert outside == ["Dave Directory", "Dora Directory"]
    hidden = survey_form.survey_form(store, opened[member_email(1)], query="Hidden")
    assert [r for r in hidden.roster if not r.in_cohort] == []
    # emails only with consent to contact (every third member)
    assert {r.name for r in form.roster if r.email} == {
        "Member 00",
        "Member 03",
        "Member 06",
        "Member 09",
    }


def test_save_answers_keeps_them_and_a_second_save_replaces_them(
    store: GraphStore, opened: dict[str, str]
) -> None:
    token = opened[member_email(1)]
    body = SurveyAnswersIn(
        answers=[_answer(member_email(2)), _answer("dir1@example.org", TieKind.WANT_TO_MEET)],
        assessments=[RatingIn(indicator="trust", score=4)],
    )
    first = survey_form.save_answers(store, token, body)
    assert first.revision == 1
    assert [(a.relationship, a.email) for a in first.answers] == [
        (TieKind.ADVICE, None),
        (TieKind.WANT_TO_MEET, "dir1@example.org"),
    ]
    again = survey_form.save_answers(
        store, token, SurveyAnswersIn(answers=[_answer(member_email(3))], revision=1)
    )
    assert again.revision == 2
    assert [a.email for a in again.answers] == [member_email(3)]  # member 3 consents to contact
    assert again.assessments == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (SurveyAnswersIn(answers=[_answer("hid1@example.org")]), "not on your roster"),
        (SurveyAnswersIn(answers=[_answer("nobody@example.org")]), "not on your roster"),
        (SurveyAnswersIn(answers=[_answer(member_email(1))]), "names yourself"),
        (SurveyAnswersIn(answers=[_answer(member_email(2), TieKind.KNEW_BEFORE)]), "not asked"),
        (SurveyAnswersIn(answers=[_answer(member_email(2))] * 2), "named twice"),
        (
            SurveyAnswersIn(assessments=[RatingIn(indicator="charisma", score=3)]),
            "not an indicator",
        ),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_written(
    store: GraphStore, opened: dict[str, str], body: SurveyAnswersIn, reason: str
) -> None:
    body = body.model_copy(update={"consent": ConsentChoices(consent_directory=True)})
    before = store.version()
    with pytest.raises(Invalid) as refused:
        survey_form.save_answers(store, opened[member_email(1)], body)
    assert reason in str(refused.value)
    assert store.surveys.answers_of_wave(COHORT, Wave.END) == []
    assert store.version() == before  # consent untouched too
    assert not store.person_by_email(member_email(1)).consent_directory


def test_double_submission_is_refused_and_writes_nothing(
    store: GraphStore, opened: dict[str, str]
) -> None:
    token = opened[member_email(1)]
    body = SurveyAnswersIn(answers=[_answer(member_email(2))], revision=0)
    survey_form.save_answers(store, token, body)
    before = store.version()
    with pytest.raises(Conflict):
        survey_form.save_answers(
            store, token, body.model_copy(update={"consent": ConsentChoices(consent_contact=True)})
        )
    assert store.version() == before
    assert (
        store.surveys.answers(COHORT, Wave.END, store.person_by_email(member_email(1)).id).revision
        == 1
    )


def test_link_fails_as_absent_after_reissue_close_or_expiry(
    store: GraphStore, opened: dict[str, str]
) -> None:
    old = opened[member_email(1)]
    for bad in ("forged-token", old + "x", ""):
        with pytest.raises(NotFound, match="survey link"):
            survey_form.survey_form(store, bad)
    with pytest.raises(NotFound, match="survey link"):  # the day after it closes
        survey_form.survey_form(
            store, old, now=datetime.combine(CLOSES + timedelta(days=1), datetime.min.time(), UTC)
        )
    new = token_of(surveys.reissue_link(store, TEAM, COHORT, Wave.END, member_email(1)).link)
    with pytest.raises(NotFound, match="survey link"):
        survey_form.survey_form(store, old)
    assert survey_form.survey_form(store, new).respondent == "Member 01"
    surveys.close_wave(store, TEAM, COHORT, Wave.END)
    with pytest.raises(NotFound, match="survey link"):
        survey_form.survey_form(store, new)
    with pytest.raises(Conflict):
        surveys.close_wave(store, TEAM, COHORT, Wave.END)


def test_consent_on_the_form_takes_effect_at_once_and_an_older_bundle_cannot_undo_it(
    store: GraphStore, opened: dict[str, str], tmp_path: Path
) -> None:
    token = opened[member_email(1)]  # member 1: no directory consent in the bundle
    survey_form.save_answers(
        store, token, SurveyAnswersIn(consent=ConsentChoices(consent_directory=True))
    )
    assert store.person_by_email(member_email(1)).consent_directory
    from tests.surveys.programme import cohort_bundle

    assert load_bundle(cohort_bundle(tmp_path, 10), store).ok  # dated 2026-01-12
    assert store.person_by_email(member_email(1)).consent_directory


def test_close_wave_loads_the_answers_as_one_run_that_rollback_undoes(
    store: GraphStore, opened: dict[str, str]
) -> None:
    ids = {e: store.person_by_email(e).id for e in opened}
    survey_form.save_answers(
        store,
        opened[member_email(1)],
        SurveyAnswersIn(
            answers=[
                AnswerIn(relationship=TieKind.ADVICE, email=member_email(2), frequency="weekly"),
                _answer("dir2@example.org", TieKind.COLLABORATION),
            ]
        ),
    )
    survey_form.save_answers(
        store, opened[member_email(2)], SurveyAnswersIn(answers=[_answer(member_email(1))])
    )
    closed = surveys.close_wave(store, TEAM, COHORT, Wave.END)
    assert closed.response.answered == 2 and closed.response.members == 10
    dir2 = store.person_by_email("dir2@example.org").id
    survey_ties = {
        (t.source_id, t.target_id, t.tie_kind, t.wave, t.frequency and t.frequency.value)
        for t in store.ties_of(list(ids.values()), [TieKind.ADVICE, TieKind.COLLABORATION])
    }
    assert survey_ties == {
        (ids[member_email(1)], ids[member_email(2)], TieKind.ADVICE, Wave.END, "weekly"),
        (ids[member_email(1)], dir2, TieKind.COLLABORATION, Wave.END, None),
        (ids[member_email(2)], ids[member_email(1)], TieKind.ADVICE, Wave.END, None),
    }
    assert [r.id for r in store.runs()][-1] == closed.run_id
    store.rollback(closed.run_id)
    assert store.ties_of(list(ids.values()), [TieKind.ADVICE, TieKind.COLLABORATION]) == []
    again = surveys.close_wave(store, TEAM, COHORT, Wave.END)  # a rolled-back wave loads again
    assert again.run_id != closed.run_id
    assert len(store.ties_of(list(ids.values()), [TieKind.ADVICE, TieKind.COLLABORATION])) == 3
    with pytest.raises(Conflict):
        surveys.close_wave(store, TEAM, COHORT, Wave.END)


def test_next_wave_offers_the_previous_answers_ticked(
    store: GraphStore, opened: dict[str, str]
) -> None:
    survey_form.save_answers(
        store,
        opened[member_email(1)],
        SurveyAnswersIn(
            answers=[_answer(member_email(2)), _answer(member_email(4), TieKind.WANT_TO_MEET)]
        ),
    )
    surveys.close_wave(store, TEAM, COHORT, Wave.END)
    links = surveys.open_wave(store, TEAM, COHORT, Wave.FOLLOW_UP, CLOSES).links
    token = token_of(next(link.link for link in links if link.email == member_email(1)))
    form = survey_form.survey_form(store, token)
    ids = {store.person_by_email(member_email(i)).id: i for i in (2, 4)}
    assert form.revision == 0
    assert {(a.relationship, ids[a.person_id]) for a in form.answers} == {
        (TieKind.ADVICE, 2),
        (TieKind.WANT_TO_MEET, 4),
    }


def test_wave_status_counts_answers_by_role_and_organisation(
    store: GraphStore, opened: dict[str, str]
) -> None:
    for i in (0, 1, 9):  # two participants (ECC, NHS) and a sponsor (ECC)
        survey_form.save_answers(store, opened[member_email(i)], SurveyAnswersIn())
    status = surveys.wave_status(store, TEAM, COHORT, Wave.END)
    assert (status.response.answered, status.response.members) == (3, 10)
    assert {k: (v.answered, v.members) for k, v in status.by_role.items()} == {
        "participant": (2, 6),
        "mentor": (0, 2),
        "sponsor": (1, 2),
    }
    # ECC: 0,3,6,9; NHS: 1,4,7; POL: 2,5,8
    assert {k: (v.answered, v.members) for k, v in status.by_organisation.items()} == {
        "ECC": (2, 4),
        "NHS": (1, 3),
        "POL": (0, 3),
    }
    with pytest.raises(Forbidden):
        surveys.wave_status(store, ALUMNUS, COHORT, Wave.END)


def test_forgetting_a_person_leaves_no_bytes_of_them_in_the_survey_files(tmp_path: Path) -> None:
    """SQLite: their link, their answers and another's answer naming them go from the
    survey file and its write-ahead log while the store is still open (a serving
    worker's), as erasure leaves the graph's file (``secure_delete``, log truncated)."""
    from graph.sqlite_store import SqliteStore

    files = tmp_path / "store"
    files.mkdir()
    store = SqliteStore(f"sqlite:///{files / 'g.db'}")
    try:
        load_programme(store, tmp_path, size=4)
        links = surveys.open_wave(store, TEAM, COHORT, Wave.END, CLOSES, [TRUST]).links
        tokens = {link.email: token_of(link.link) for link in links}
        naming = SurveyAnswersIn(answers=[_answer(member_email(2))])
        survey_form.save_answers(store, tokens[member_email(1)], naming)
        own = SurveyAnswersIn(answers=[_answer(member_email(3))])
        survey_form.save_answers(store, tokens[member_email(2)], own)
        forgotten = store.person_by_email(member_email(2)).id
        kept = store.person_by_email(member_email(1)).id
        assert store.surveys.forget_person(forgotten) == 3
        raw = b"".join(p.read_bytes() for p in files.iterdir() if "surveys" in p.name)
        assert forgotten.encode() not in raw
        assert kept.encode() in raw  # the check can see an id that is still there
    finally:
        store.close()
