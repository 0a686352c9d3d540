"""What the command line and the API suggest, read from each store (issue 18, item 6).

On the hand-drawn sample programme (tests/contract/sample.py): people ann..fay with
emails ``<id>@example.org`` (dan has no directory consent), cohorts c2019 and c2021,
organisations ecc ("Essex County Council", alias "ECC"), mse-icb and essex-police.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from graph.errors import NotFound
from graph.model import KeyRole, Wave
from graph.store import GraphStore
from graph.surveys import SurveyWave
from services.consent import Viewer
from services.people import person_id_of, with_suggestions

from ..contract.sample import programme

TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="t")
ALUMNA = Viewer(role=KeyRole.ALUMNI, key_id="a", person_id="ann")


@pytest.fixture
def sample(store: GraphStore) -> GraphStore:
    store.apply(programme())
    return store


@pytest.mark.parametrize("typed", ["fay@example.org", "FAY@Example.ORG", "  fay@example.org"])
def test_person_id_of_an_email_in_any_case_is_their_id(sample: GraphStore, typed: str) -> None:
    assert person_id_of(sample, TEAM, typed) == "fay"


def test_person_id_of_an_id_is_the_id_as_typed(sample: GraphStore) -> None:
    assert person_id_of(sample, TEAM, "fay") == "fay"


def test_an_unknown_email_suggests_emails_to_the_team_only(sample: GraphStore) -> None:
    with pytest.raises(NotFound) as team:
        person_id_of(sample, TEAM, "fay@exampel.org")
    assert team.value.suggestions == ("fay@example.org",)
    with pytest.raises(NotFound) as alumna:
        person_id_of(sample, ALUMNA, "fay@exampel.org")
    assert alumna.value.suggestions == ()


@pytest.mark.parametrize(
    ("kind", "typed", "suggested"),
    [
        ("cohort", "c2O19", ("c2019",)),
        ("cohort", "Leading Greater Essex 2012", ("c2019", "c2021")),
        ("organisation", "Essex County Counsil", ("ecc",)),
        ("organisation", "essex polise", ("essex-police",)),
        ("wicked_issue", "domestic abuse", ("domestic-abuse",)),
    ],
)
def test_not_found_suggests_the_closest_records_to_anyone(
    sample: GraphStore, kind: str, typed: str, suggested: tuple[str, ...]
) -> None:
    for viewer in (TEAM, ALUMNA):
        assert with_suggestions(sample, viewer, NotFound(kind, typed)).suggestions == suggested


def test_people_are_suggested_to_the_team_only(sample: GraphStore) -> None:
    assert with_suggestions(sample, TEAM, NotFound("person", "Dan Exampel")).suggestions == ("dan",)
    assert with_suggestions(sample, ALUMNA, NotFound("person", "Dan Exampel")).suggestions == ()


def test_an_unopened_survey_wave_suggests_the_waves_opened(sample: GraphStore) -> None:
    opened = SurveyWave(
        cohort_id="c2019",
        wave=Wave.BASELINE,
        opened_at=datetime(2019, 5, 1, tzinfo=UTC),
        closes_on=date(2019, 6, 1),
    )
    sample.surveys.save_wave(opened)
    missing = NotFound("survey wave", "c2O19 baseline")
    assert with_suggestions(sample, TEAM, missing).suggestions == ("c2019 baseline",)
    assert with_suggestions(sample, ALUMNA, missing).suggestions == ()
