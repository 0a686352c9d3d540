"""services.selection on both stores, against figures worked out by hand.

The network (tests/decisions/network.py): a_{Org A} = 2 (alum1 in 2018, p1 in 2019),
a_{Org B} = a_{Org C} = 1, a_{Tendring} = 1 (alum1). Eligible applicants x1 (Org A,
Tendring, 5), x2 (New Co, new, 3), x4 (Org A, 9); two places, w = 1:
{x1, x2}: V = 1/3 + 1/2 + 1 = 11/6, M = 0.8 -> 2.6333 (the best)
{x1, x4}: V = 1/3 + 1/4 + 1/2 = 13/12, M = 1.4 -> 2.4833 (the top two by score)
{x2, x4}: V = 1 + 1/3, M = 1.2 -> 2.5333
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import Forbidden, Invalid
from graph.model import KeyRole
from graph.store import GraphStore
from services.consent import Viewer
from services.selection import alumni_counts, parse_quota, plan_for
from tests.decisions.network import load_programme

TEAM = Viewer(KeyRole.PROGRAMME, "k-team")

APPLICANTS = [
    {"email": "x1@x.org", "name": "X1", "organisation": "org a", "area": "tendring",
     "sponsor_email": "s@x.org", "score": 5},
    {"email": "x2@x.org", "name": "X2", "organisation": "New Co", "sector": "business",
     "sponsor_email": "s@x.org", "score": "3"},
    {"email": "x3@x.org", "name": "X3", "organisation": "Org B", "score": 10},
    {"email": "alum3@x.org", "name": "Alum3", "organisation": "Org C", "sponsor_email": "s@x.org"},
    {"email": "x4@x.org", "name": "X4", "organisation": "Org A", "sponsor_email": "s@x.org",
     "score": 9},
]  # fmt: skip


@pytest.fixture
def programme(store: GraphStore, tmp_path: Path) -> GraphStore:
    load_programme(store, tmp_path)
    return store


def test_alumni_counts_by_organisation_and_area(programme: GraphStore) -> None:
    by_org, by_area = alumni_counts(programme)
    assert by_org == {"org-a": 2, "org-b": 1, "org-c": 1, "org-d": 1}
    assert by_area == {"tendring": 1}


def test_plan_for_finds_the_hand_worked_selection(programme: GraphStore) -> None:
    plan = plan_for(programme, TEAM, APPLICANTS, places=2)
    assert sorted(s.email for s in plan.selected) == ["x1@x.org", "x2@x.org"]
    assert plan.objective == pytest.approx(11 / 6 + 0.8)
    assert plan.network_value == pytest.approx(11 / 6)
    assert plan.by_score.selected == ["x1@x.org", "x4@x.org"]
    assert plan.by_score.objective == pytest.approx(13 / 12 + 1.4)
    assert plan.organisations == ["New Co", "Org A"]
    assert [(x.email, round(x.adds_objective, 6)) for x in plan.left_out] == [
        ("x4@x.org", round(1 / 4 + 0.9, 6))
    ]
    assert {(i.email, i.reason) for i in plan.ineligible} == {
        ("x3@x.org", "no sponsor_email"),
        ("alum3@x.org", "already a member of cohort c-2018"),
    }
    adds = {s.email: s.adds for s in plan.selected}
    assert adds["x2@x.org"] == ["first from New Co"]
    assert adds["x1@x.org"] == [
        "first from Org A (after 2 alumni)",
        "first from area tendring (after 1 alumni)",
    ]


def test_plan_for_with_quotas_and_unmet_quotas(programme: GraphStore) -> None:
    health_only = plan_for(programme, TEAM, APPLICANTS, places=2, sector_min={"health": 2})
    assert sorted(s.email for s in health_only.selected) == ["x1@x.org", "x4@x.org"]
    unmet = plan_for(programme, TEAM, APPLICANTS, places=2, sector_min={"police": 1})
    assert unmet.selected == []
    assert [(u.quota, u.short_by) for u in unmet.quotas_unmet] == [("sector_min police=1", 1)]


def test_plan_for_refuses_bad_input_clearly(programme: GraphStore) -> None:
    with pytest.raises(Forbidden):
        plan_for(programme, Viewer(KeyRole.ALUMNI, "k", "p"), APPLICANTS, places=2)
    with pytest.raises(Invalid, match="past the 1 places"):
        plan_for(programme, TEAM, APPLICANTS, places=1, sector_min={"health": 1, "business": 1})
    with pytest.raises(Invalid, match="not a sector"):
        plan_for(programme, TEAM, APPLICANTS, places=1, sector_max={"space": 1})
    bad = [{**APPLICANTS[0], "organisation": "Org AA"}]
    with pytest.raises(Invalid) as caught:
        plan_for(programme, TEAM, bad, places=1)
    (problem,) = caught.value.problems
    assert (problem.record, problem.field) == ("applicants item 1", "organisation")
    assert "did you mean: Org A" in problem.reason


def test_parse_quota_reads_sector_equals_count() -> None:
    assert parse_quota("Health=2", "--sector-min") == ("health", 2)
    with pytest.raises(Invalid):
        parse_quota("health", "--sector-min")
    with pytest.raises(Invalid):
        parse_quota("planet=1", "--sector-min")
