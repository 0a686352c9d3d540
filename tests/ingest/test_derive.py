"""Derived ties, counted by hand: n members give n(n-1)/2 undirected ties."""

from __future__ import annotations

from datetime import date

import pytest

from graph.model import Cohort, Frequency, Project, Tie, TieKind, Wave
from ingest.derive import (
    cohort_peer_ties,
    mentoring_tie,
    project_ties,
    survey_tie,
    unique_ties,
)

COHORT = Cohort(id="c2019", name="LGE 2019", start_date=date(2019, 5, 1))
PROJECT = Project(
    id="pr-da", title="DA", cohort_id="c2019", sponsor_id="p-dan", start_date=date(2019, 6, 1)
)


@pytest.mark.parametrize(("members", "ties"), [(0, 0), (1, 0), (2, 1), (4, 6), (10, 45)])
def test_cohort_peer_ties_n_members_give_n_choose_two(members: int, ties: int) -> None:
    assert len(cohort_peer_ties(COHORT, [f"p-{i:02d}" for i in range(members)])) == ties


def test_cohort_peer_ties_person_with_two_roles_counts_once() -> None:
    assert len(cohort_peer_ties(COHORT, ["p-a", "p-b", "p-c", "p-a"])) == 3


def test_cohort_peer_ties_undirected_from_cohort_start() -> None:
    assert cohort_peer_ties(COHORT, ["p-b", "p-a"]) == [
        Tie(
            source_id="p-a",
            target_id="p-b",
            tie_kind=TieKind.COHORT_PEER,
            start=date(2019, 5, 1),
            context="c2019",
        )
    ]


def test_project_ties_include_sponsor() -> None:
    ties = project_ties(PROJECT, ["p-ann", "p-bob", "p-cat"])
    assert {(t.source_id, t.target_id) for t in ties} == {
        ("p-ann", "p-bob"),
        ("p-ann", "p-cat"),
        ("p-ann", "p-dan"),
        ("p-bob", "p-cat"),
        ("p-bob", "p-dan"),
        ("p-cat", "p-dan"),
    }
    assert {(t.tie_kind, t.start, t.context) for t in ties} == {
        (TieKind.PROJECT, date(2019, 6, 1), "pr-da")
    }


def test_project_ties_sponsor_also_member_counts_once() -> None:
    assert len(project_ties(PROJECT, ["p-ann", "p-dan"])) == 1


def test_mentoring_tie_points_mentor_to_mentee_over_its_dates() -> None:
    tie = mentoring_tie("p-dan", "p-ann", date(2019, 7, 1), date(2020, 6, 30))
    assert (tie.source_id, tie.target_id, tie.tie_kind, tie.start, tie.end) == (
        "p-dan",
        "p-ann",
        TieKind.MENTORING,
        date(2019, 7, 1),
        date(2020, 6, 30),
    )


def test_survey_tie_carries_wave_cohort_and_frequency() -> None:
    tie = survey_tie(
        "p-b", "p-a", TieKind.ADVICE, Wave.END, date(2020, 4, 20), "c2019", Frequency.WEEKLY
    )
    assert (tie.source_id, tie.target_id) == ("p-b", "p-a")  # directed: no reordering
    assert (tie.wave, tie.cohort_id, tie.context, tie.frequency) == (
        Wave.END,
        "c2019",
        "c2019",
        Frequency.WEEKLY,
    )


def test_unique_ties_same_pair_kind_wave_gives_one_keeping_first() -> None:
    first = survey_tie("p-a", "p-b", TieKind.ADVICE, Wave.END, date(2020, 4, 20), "c2019")
    again = survey_tie("p-a", "p-b", TieKind.ADVICE, Wave.END, date(2020, 4, 21), "c2019")
    other_wave = survey_tie("p-a", "p-b", TieKind.ADVICE, Wave.BASELINE, date(2019, 5, 1), "c2019")
    assert unique_ties([first, again, other_wave]) == [first, other_wave]
