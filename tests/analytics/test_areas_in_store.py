"""Areas, the third grouping, through a store: each person's own area, else their
organisation's in that snapshot (``graph.measure.with_areas``); and the expected E-I on
the demo against a pair-by-pair count."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest

from graph import measure
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore

from ..conftest import Demo
from ..contract.sample import programme


def _sample_with_unplaced_people(store: GraphStore) -> None:
    batch = programme()
    # cat and dan state no area: cat works at ECC (Chelmsford) until 2020-05-31, then
    # at Essex Police (no area); dan at Essex Police throughout
    batch.people = [
        p.model_copy(update={"area": None}) if p.id in {"cat", "dan"} else p for p in batch.people
    ]
    store.apply(batch)


def test_snapshot_areas_fall_back_to_the_organisation_of_the_day(store: GraphStore) -> None:
    _sample_with_unplaced_people(store)
    early = measure.snapshot_for(store, as_of=date(2019, 7, 1))
    late = measure.snapshot_for(store, as_of=date(2021, 7, 1))
    assert dict(early.nodes(data="area")) == {
        "ann": "Tendring",
        "bob": "Tendring",
        "cat": "Chelmsford",
        "dan": None,
    }
    assert late.nodes["cat"]["area"] is None  # moved to Essex Police, which has no area


def test_network_report_area_figures_match_hand_values(store: GraphStore) -> None:
    _sample_with_unplaced_people(store)
    network = measure.network_report(store, as_of=date(2019, 7, 1), people=False)["network"]
    # ties on 2019-07-01: ann-bob (Tendring-Tendring), ann-cat and bob-cat (Tendring-
    # Chelmsford); dan has no area and no tie. EL = 2, IL = 1
    assert network["cross_area_share"] == pytest.approx(2 / 3)
    assert network["ei_area"] == pytest.approx(1 / 3)
    # 3 placed people, sizes 2 and 1: 2 of 6 ordered pairs inside, expected 1 - 2/3
    assert network["ei_area_expected"] == pytest.approx(1 / 3)
    assert network["ei_area_excess"] == pytest.approx(0.0)


def test_timeline_report_carries_areas(store: GraphStore) -> None:
    _sample_with_unplaced_people(store)
    points = measure.timeline_report(store, date(2019, 7, 1), date(2019, 7, 1))
    assert points[0]["ei_area"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("attribute", ["organisation", "sector", "area"])
def test_demo_expected_ei_matches_a_pair_by_pair_count(
    demo_programme: Demo, tmp_path: Path, attribute: str
) -> None:
    store = SqliteStore(f"sqlite:///{demo_programme.sqlite_copy(tmp_path / 'demo.db')}")
    try:
        day = date(2024, 6, 30)
        snapshot = measure.snapshot_for(store, as_of=day)
        network = measure.network_report(store, as_of=day, people=False)["network"]
    finally:
        store.close()
    label = dict(snapshot.nodes(data=attribute))
    known = [v for v in snapshot if label[v] is not None]
    pairs = list(itertools.combinations(known, 2))
    inside = sum(label[u] == label[v] for u, v in pairs)
    assert len(known) > 50 and 0 < inside < len(pairs)  # the demo has groups to compare
    expected = 1 - 2 * inside / len(pairs)
    across = sum(label[u] != label[v] for u, v in snapshot.edges() if label[u] and label[v])
    counted = sum(1 for u, v in snapshot.edges() if label[u] and label[v])
    short = {"organisation": "org", "sector": "sector", "area": "area"}[attribute]
    assert network[f"ei_{short}_expected"] == pytest.approx(expected)  # type: ignore[literal-required]
    observed = (2 * across - counted) / counted
    assert network[f"ei_{short}_excess"] == pytest.approx(observed - expected)  # type: ignore[literal-required]
