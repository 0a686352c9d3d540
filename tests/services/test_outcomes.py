"""Outcomes at three levels (services/outcomes.py) on the sample of
tests/contract/sample.py, worked out by hand.

c2019 runs 2019-05-01 to 2020-04-30; its project pr-da (sponsor dan) started
2019-06-01, is due 2020-11-30 (within 18 months: by 2020-12-01), is still active, and
hands over to c2021 on 2020-12-01. c2021 starts 2021-05-01 with no end date.
"""

from __future__ import annotations

from datetime import date

import pytest

from graph.errors import Forbidden
from graph.model import KeyRole, Project, ProjectStatus
from graph.store import GraphStore
from services.consent import Viewer
from services.outcomes import NO_ASSESSMENTS, outcomes, project_outcomes

from ..contract.sample import programme

TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="k-team")


def test_outcomes_short_and_long_term_match_hand_values(store: GraphStore) -> None:
    store.apply(programme())
    found = outcomes(store, TEAM, as_of=date(2021, 7, 1))
    c2019, c2021 = found.cohorts
    assert (c2019.short_term, c2019.long_term) == (date(2020, 4, 30), date(2021, 7, 1))
    assert c2019.individual == NO_ASSESSMENTS
    # at its end: pr-da started, sponsored, due within 18 months, not yet overdue
    short = c2019.projects_short
    assert (short.projects, short.sponsored, short.due_within_18_months) == (1, 1, 1)
    assert (short.delivered, short.handed_over, short.overdue) == (0, 0, 0)
    # on 2021-07-01: handed over on 2020-12-01, still active and past its due date
    long = c2019.projects_long
    assert (long.delivered, long.handed_over, long.overdue) == (0, 1, 1)
    # 2020-04-30: ann, cat (ECC), bob (NHS), dan (police); ann-bob, bob-cat, cat-dan
    # cross, ann-cat does not: 3/4; E-I 1/2, by chance 2/3 (sizes 2, 1, 1): excess -1/6
    org = c2019.organisational_short
    assert (org.people, org.ties, org.cross_org_share) == (4, 4, 0.75)
    assert org.ei_org_excess == pytest.approx(-1 / 6)
    # c2021 has no end: its short term would be 2022-05-01, after the long term
    assert c2021.short_term == date(2021, 7, 1) and c2021.projects_long.projects == 0


def test_project_outcomes_delivered_are_never_overdue_and_closed_are_neither() -> None:
    def project(pid: str, status: ProjectStatus, due: date) -> Project:
        return Project(
            id=pid, title=pid, cohort_id="c", start_date=date(2020, 1, 1), due_date=due,
            status=status,
        )  # fmt: skip

    found = project_outcomes(
        [
            project("done", ProjectStatus.COMPLETED, date(2020, 6, 1)),
            project("closed", ProjectStatus.CLOSED, date(2020, 6, 1)),
            project("late", ProjectStatus.ACTIVE, date(2020, 6, 1)),
            project("long", ProjectStatus.ACTIVE, date(2022, 1, 1)),  # 24 months
        ],
        set(),
        date(2021, 1, 1),
    )
    assert (found.projects, found.delivered, found.overdue) == (4, 1, 1)
    assert found.due_within_18_months == 3


def test_outcomes_are_for_the_team_only(store: GraphStore) -> None:
    with pytest.raises(Forbidden):
        outcomes(store, Viewer(role=KeyRole.ALUMNI, key_id="k", person_id="ann"))
