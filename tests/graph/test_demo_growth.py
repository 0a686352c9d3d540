"""The demo programme, loaded into each store, shows what the programme is for:
cross-organisation ties grow from baseline to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph import measure
from graph.store import GraphStore
from ingest.demo import COHORT_IDS
from ingest.pipeline import load_bundle

from ..conftest import Demo


@pytest.fixture(scope="module")
def demo_bundles(demo_programme: Demo) -> list[Path]:
    return demo_programme.bundles


def test_growth_report_on_demo_shows_cross_org_share_rising(
    store: GraphStore, demo_bundles: list[Path]
) -> None:
    for bundle in demo_bundles:
        assert load_bundle(bundle, store).ok
    for cohort_id in COHORT_IDS:
        step = measure.growth_report(store, cohort_id)["baseline_to_end"]
        assert step is not None
        before, after = step["before"]["cross_org_share"], step["after"]["cross_org_share"]
        assert before is not None and after is not None
        assert after > before, cohort_id


def _content(dump: dict[str, list[dict[str, object]]]) -> dict[str, list[dict[str, object]]]:
    """The dump without run ids: each store's runs have their own (clock-based) ids."""
    return {kind: [{**r, "run_id": None} for r in rows] for kind, rows in dump.items()}


def test_demo_metrics_are_identical_on_both_stores(
    both_stores: list[GraphStore], demo_bundles: list[Path]
) -> None:
    for each in both_stores:
        for bundle in demo_bundles:
            assert load_bundle(bundle, each).ok
    sqlite, neo4j = both_stores
    assert _content(sqlite.dump()) == _content(neo4j.dump())
    for cohort_id in COHORT_IDS:
        a, b = (
            json.dumps(measure.growth_report(s, cohort_id), sort_keys=True) for s in both_stores
        )
        assert a == b
