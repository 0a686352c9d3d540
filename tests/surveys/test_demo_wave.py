"""The demo's wave in progress: the latest demo cohort's follow-up wave is open with
the demo's six indicators, a third of its members have answered (their answers
confirm earlier ones, so every named person is on their roster), and a second demo
run leaves it alone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from graph.model import KeyRole, Wave
from graph.sqlite_store import SqliteStore
from services import surveys
from services.consent import Viewer
from services.survey_demo import demo_indicators, open_demo_wave
from tests.conftest import Demo


def test_demo_opens_the_latest_follow_up_wave_a_third_answered(
    demo_programme: Demo, tmp_path: Path
) -> None:
    store = SqliteStore(f"sqlite:///{demo_programme.sqlite_copy(tmp_path / 'demo.db')}")
    try:
        version = store.version()
        opened = open_demo_wave(store)
        assert opened is not None and opened.cohort_id == "lge-2021"
        assert opened.answered == opened.members // 3 and opened.members > 40
        wave = store.surveys.wave("lge-2021", Wave.FOLLOW_UP)
        assert wave.is_open(datetime.now(UTC))
        assert [i.id for i in wave.indicators] == [i.id for i in demo_indicators()]
        assert len(wave.indicators) == 6
        saved = store.surveys.answers_of_wave("lge-2021", Wave.FOLLOW_UP)
        assert len(saved) == opened.answered
        assert all(len(s.assessments) == 6 for s in saved)
        assert sum(len(s.answers) for s in saved) > opened.answered  # earlier answers confirmed
        status = surveys.wave_status(
            store, Viewer(role=KeyRole.PROGRAMME, key_id="t"), "lge-2021", Wave.FOLLOW_UP
        )
        assert (status.response.answered, status.response.members) == (
            opened.answered,
            opened.members,
        )
        assert store.version() == version  # answers are not graph facts until it closes
        assert open_demo_wave(store) is None
    finally:
        store.close()
