"""Survey waves, the same on every store: links kept by their hash only, one per person
and wave (a reissue ends the old one), answers saved by revision (a second submission
of the same form changes nothing), nothing saved once the wave is closed, and none of
it a change to the graph's version."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from graph.errors import Conflict, NotFound
from graph.model import Frequency, TieKind, Wave
from graph.store import GraphStore
from graph.surveys import Answer, Indicator, Rating, SavedAnswers, SurveyToken, SurveyWave

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _wave(cohort: str = "c1", wave: Wave = Wave.END, **changes: object) -> SurveyWave:
    fields: dict[str, object] = {
        "cohort_id": cohort,
        "wave": wave,
        "opened_at": T0,
        "closes_on": date(2026, 3, 31),
        "indicators": (Indicator(id="trust", wording="Builds trust"),),
        "members": 3,
    }
    fields.update(changes)
    return SurveyWave(**fields)  # type: ignore[arg-type]


def _token(sha: str, person: str, wave: Wave = Wave.END, cohort: str = "c1") -> SurveyToken:
    return SurveyToken(
        token_sha256=sha, cohort_id=cohort, wave=wave, person_id=person, issued_at=T0
    )


def _answers(person: str, revision: int, *named: str, wave: Wave = Wave.END) -> SavedAnswers:
    return SavedAnswers(
        cohort_id="c1",
        wave=wave,
        person_id=person,
        saved_at=T0 + timedelta(minutes=revision),
        revision=revision,
        consent={"consent_directory": True},
        answers=tuple(
            Answer(relationship=TieKind.ADVICE, person_id=p, frequency=Frequency.MONTHLY)
            for p in named
        ),
        assessments=(Rating(indicator="trust", score=4),),
    )


def test_save_wave_then_read_it_back_and_list_waves_in_wave_order(store: GraphStore) -> None:
    follow_up, baseline, other = _wave(wave=Wave.FOLLOW_UP), _wave(wave=Wave.BASELINE), _wave("c0")
    for wave in (follow_up, baseline, other):
        store.surveys.save_wave(wave)
    assert store.surveys.wave("c1", Wave.FOLLOW_UP) == follow_up
    assert store.surveys.waves("c1") == [baseline, follow_up]
    assert store.surveys.waves() == [other, baseline, follow_up]
    with pytest.raises(NotFound):
        store.surveys.wave("c1", Wave.END)
    closed = follow_up.model_copy(update={"closed_at": T0, "run_id": "run-1", "answered": 2})
    store.surveys.save_wave(closed)
    assert store.surveys.wave("c1", Wave.FOLLOW_UP) == closed


def test_token_is_found_by_its_hash_and_a_reissue_ends_the_old_one(store: GraphStore) -> None:
    store.surveys.issue_token(_token("h-ann-1", "ann"))
    store.surveys.issue_token(_token("h-bob-1", "bob"))
    store.surveys.issue_token(_token("h-ann-base", "ann", wave=Wave.BASELINE))
    assert store.surveys.token("h-ann-1").person_id == "ann"
    store.surveys.issue_token(_token("h-ann-2", "ann"))
    with pytest.raises(NotFound):
        store.surveys.token("h-ann-1")
    with pytest.raises(NotFound):
        store.surveys.token("never-issued")
    assert [t.token_sha256 for t in store.surveys.tokens("c1", Wave.END)] == ["h-ann-2", "h-bob-1"]
    assert store.surveys.token("h-ann-base").wave is Wave.BASELINE  # another wave's link stays


def test_save_answers_by_revision_refuses_a_second_submission(store: GraphStore) -> None:
    store.surveys.save_wave(_wave())
    first = store.surveys.save_answers(_answers("ann", 1, "bob"))
    assert store.surveys.answers("c1", Wave.END, "ann") == first
    with pytest.raises(Conflict):
        store.surveys.save_answers(_answers("ann", 1, "cat"))  # the same form sent again
    with pytest.raises(Conflict):
        store.surveys.save_answers(_answers("ann", 3, "cat"))  # skips a revision
    assert store.surveys.answers("c1", Wave.END, "ann") == first
    second = store.surveys.save_answers(_answers("ann", 2, "cat"))
    store.surveys.save_answers(_answers("bob", 1))
    assert store.surveys.answers_of_wave("c1", Wave.END) == [second, _answers("bob", 1)]
    with pytest.raises(NotFound):
        store.surveys.answers("c1", Wave.END, "cat")


def test_save_answers_refuses_a_closed_or_unopened_wave(store: GraphStore) -> None:
    with pytest.raises(Conflict):
        store.surveys.save_answers(_answers("ann", 1))
    store.surveys.save_wave(_wave(closed_at=T0))
    with pytest.raises(Conflict):
        store.surveys.save_answers(_answers("ann", 1))
    assert store.surveys.answers_of_wave("c1", Wave.END) == []


def test_survey_writes_leave_the_graph_version_alone(store: GraphStore) -> None:
    before = store.version()
    store.surveys.save_wave(_wave())
    store.surveys.issue_token(_token("h1", "ann"))
    store.surveys.save_answers(_answers("ann", 1, "bob"))
    assert store.version() == before


def test_forget_person_removes_their_links_answers_and_mentions(store: GraphStore) -> None:
    store.surveys.save_wave(_wave())
    store.surveys.issue_token(_token("h-ann", "ann"))
    store.surveys.issue_token(_token("h-bob", "bob"))
    store.surveys.save_answers(_answers("ann", 1, "bob"))
    store.surveys.save_answers(_answers("bob", 1, "ann", "cat"))
    assert store.surveys.forget_person("ann") == 3  # her link, her answers, bob's mention
    with pytest.raises(NotFound):
        store.surveys.token("h-ann")
    (bob,) = store.surveys.answers_of_wave("c1", Wave.END)
    assert [a.person_id for a in bob.answers] == ["cat"]
    assert store.surveys.token("h-bob").person_id == "bob"
