"""The done-when of issue 6 on the demo programme, on each store: the handed-over
issue's lineage shows both cohorts' projects in order with the handover note; a
handover that breaks a rule is refused, through the API and in a bundle, and
changes nothing.

Only the first two demo bundles are loaded (they hold the rural-isolation handover,
2019 -> 2020), once per store for the whole module: the tests here only read, or are
refused. Expected values are the demo's own rows (ingest/demo.py), not this code's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.keys import issue_key
from graph.model import KeyRole
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from ingest.demo import demo_tables
from ingest.pipeline import load_bundle
from ingest.write import write_bundle

from ..api.conftest import api_for
from ..conftest import STORE_KINDS, Demo

ISSUE = "rural-isolation"
TABLES = dict(demo_tables())
HANDOVER = next(h for h in TABLES["02-lge-2020"]["handovers"] if h["issue_id"] == ISSUE)
"""The rural-isolation handover as the 2020 bundle states it (with its receiving project)."""


def rows(stem: str, table: str) -> list[dict[str, Any]]:
    return [r for r in TABLES[stem][table] if r.get("issue_id") == ISSUE]


@pytest.fixture(scope="module", params=STORE_KINDS)
def demo(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    demo_programme: Demo,
) -> Iterator[GraphStore]:
    """The first two demo bundles, loaded through the pipeline, once per store (on
    SQLite, a copy of the session's load)."""
    folder = tmp_path_factory.mktemp("demo")
    if request.param == "sqlite":
        db = demo_programme.sqlite_copy(folder / "graph.db", bundles=2)
        store: GraphStore = SqliteStore(f"sqlite:///{db}")
    else:
        store = request.getfixturevalue("neo4j_session_store")
        store.wipe()  # type: ignore[attr-defined]
        for path in demo_programme.bundles[:2]:
            assert load_bundle(path, store).ok
    yield store
    if request.param == "sqlite":
        store.close()


@pytest.fixture(scope="module")
def team_key(demo: GraphStore) -> str:
    key, _ = issue_key(demo, KeyRole.PROGRAMME)
    return key


@pytest.fixture
def api(demo: GraphStore, wicked_app: TestClient, team_key: str) -> TestClient:
    client = api_for(wicked_app, demo)
    client.headers["Authorization"] = f"Bearer {team_key}"
    return client


def test_show_lineage_of_handed_over_issue_in_order_with_its_note(api: TestClient) -> None:
    projects = rows("01-lge-2019", "projects") + rows("02-lge-2020", "projects")
    body = api.get(f"/wicked-issues/{ISSUE}/lineage").json()
    assert [(s["project"]["id"], s["project"]["cohort"]["id"]) for s in body["steps"]] == [
        (projects[0]["project_id"], "lge-2019"),
        (projects[1]["project_id"], "lge-2020"),
    ]
    assert [s["outcomes"] for s in body["steps"]] == [p["outcomes"] for p in projects]
    first, second = body["steps"]
    (handed,) = first["handed_over"]
    assert (handed["date"], handed["notes"]) == (HANDOVER["date"].isoformat(), HANDOVER["notes"])
    assert (handed["to_cohort"]["id"], handed["to_project"]["id"]) == (
        "lge-2020",
        HANDOVER["to_project_id"],
    )
    assert handed["open_questions"] == [
        "A way to fund community connectors beyond the pilot villages."
    ]
    assert second["received"] == [handed]
    assert [p["email"] for p in first["leads"]] == [
        m["email"]
        for m in TABLES["01-lge-2019"]["project_members"]
        if m["project_id"] == projects[0]["project_id"] and m["role"] == "lead"
    ]
    assert body["working_now"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"from_project_id": "lge-2019-school-readiness"}, "from_project_id"),
        ({"date": "2019-07-08"}, "date"),
    ],
    ids=["project-off-the-issue", "before-project-start"],
)
def test_post_handover_breaking_a_rule_on_the_demo_changes_nothing(
    api: TestClient, demo: GraphStore, changes: dict[str, str], field: str
) -> None:
    # lge-2019-rural-isolation started on 2019-07-09 (the 2019 bundle's projects row).
    assert rows("01-lge-2019", "projects")[0]["start_date"].isoformat() == "2019-07-09"
    body = {
        "from_project_id": "lge-2019-rural-isolation",
        "to_cohort_id": "lge-2021",
        "date": "2020-06-01",
        "notes": "Remains: transport",
    } | changes
    before, runs = demo.dump(), demo.runs()
    response = api.post(f"/wicked-issues/{ISSUE}/handovers", json=body)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == field
    assert (demo.dump(), demo.runs()) == (before, runs)


def test_load_bundle_with_a_handover_breaking_both_rules_writes_nothing(
    demo: GraphStore, tmp_path: Path
) -> None:
    bad = {
        "issue_id": ISSUE,
        "from_project_id": "lge-2020-school-readiness",
        "to_cohort_id": "lge-2021",
        "date": "2020-01-01",
    }
    bundle = write_bundle(
        {"cohort": TABLES["02-lge-2020"]["cohort"], "handovers": [bad]}, tmp_path / "bad.json"
    )
    before, runs = demo.dump(), demo.runs()
    report = load_bundle(bundle, demo)
    assert sorted((e.column, e.location.sheet) for e in report.errors) == [
        ("date", "handovers"),
        ("from_project_id", "handovers"),
    ]
    assert (demo.dump(), demo.runs()) == (before, runs)
