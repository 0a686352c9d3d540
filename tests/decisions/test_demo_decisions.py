"""The demo's mentor pool and applicants (demo/mentor-pool.csv, demo/applicants.csv) read
cleanly against the demo programme and give a full answer, as ``make run`` shows them."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

import demo
from graph.model import KeyRole
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from services.consent import Viewer
from services.mentoring import match_for
from services.selection import plan_for
from tests.conftest import Demo

TEAM = Viewer(KeyRole.PROGRAMME, "k-team")


@pytest.fixture(scope="module")
def demo_store(
    demo_programme: Demo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GraphStore]:
    path = demo_programme.sqlite_copy(tmp_path_factory.mktemp("decisions") / "demo.db")
    store = SqliteStore(f"sqlite:///{path}")
    yield store
    store.close()


def _rows(name: str) -> list[dict[str, str]]:
    with demo.path(name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_demo_pool_matches_the_newest_cohort(demo_store: GraphStore) -> None:
    found = match_for(demo_store, TEAM, "lge-2021", demo.path("mentor-pool.csv"))
    capacity = sum(int(r["capacity"]) for r in _rows("mentor-pool.csv"))
    assert len(found.pairs) == capacity  # 49 participants, fewer places: every place used
    assert {u.reason for u in found.unmatched} == {"no capacity left"}
    outside = {r["email"] for r in _rows("mentor-pool.csv") if r["name"]}
    assert outside & {p.mentor for p in found.pairs}
    assert all(p.score == 3 * p.new_sector + p.new_orgs + p.shared_interests for p in found.pairs)


def test_demo_applicants_give_a_selection_for_the_next_cohort(demo_store: GraphStore) -> None:
    plan = plan_for(
        demo_store, TEAM, demo.path("applicants.csv"), places=20, sector_min={"health": 2},
        organisation_max=3,
    )  # fmt: skip
    assert len(plan.selected) == 20 and plan.quotas_unmet == []
    assert plan.network_value > plan.by_score.network_value
    reasons = sorted(i.reason.split(" cohort")[0] for i in plan.ineligible)
    assert reasons == ["already a member of", "no sponsor_email"]


def test_demo_files_are_small_data(tmp_path: Path) -> None:
    for name in ("mentor-pool.csv", "applicants.csv"):
        assert demo.path(name).stat().st_size < 20_000
