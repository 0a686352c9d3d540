"""The upload use case (services/upload.py) gives what ``/ingest`` gives, on both stores.

Each test puts the same bundle through the service and through the route and compares
the two answers field by field (the start time aside, which is when each call ran); the
rollback is checked against the load report the route gave for the run it undoes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graph.errors import Conflict, Forbidden
from graph.model import KeyRole
from graph.store import GraphStore, Page
from services import upload
from services.consent import Viewer

from ..api.conftest import (
    Keys,
    api_for,
    bundle_tables,
    make_keys,
    raw_json_bundle,
    sample_run,
    shared_client,  # noqa: F401  (the API tests' one app, as a fixture here too)
    write_json_bundle,
)
from ..contract.sample import programme

TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="test-team")


@pytest.fixture
def sample(store: GraphStore) -> GraphStore:
    """The store with the sample programme, loaded as run ``run-1``."""
    store.apply(programme(), sample_run())
    return store


@pytest.fixture
def keys(sample: GraphStore) -> Keys:
    return make_keys(sample)


@pytest.fixture
def client(sample: GraphStore, shared_client: TestClient) -> Iterator[TestClient]:  # noqa: F811
    yield api_for(shared_client, sample)


def _post(client: TestClient, keys: Keys, path: Path, query: str = "") -> tuple[int, dict]:
    response = client.post(
        f"/ingest{query}",
        headers=keys.header("programme"),
        files={"file": (path.name, path.read_bytes())},
    )
    return response.status_code, response.json()


def _without_start(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "started_at"}


def test_ingest_bundle_dry_run_reports_what_post_ingest_reports(
    client: TestClient, keys: Keys, sample: GraphStore, tmp_path: Path
) -> None:
    bundle = write_json_bundle(tmp_path)
    status, by_route = _post(client, keys, bundle, "?dry_run=true")
    report = upload.ingest_bundle(sample, TEAM, bundle, dry_run=True)
    assert status == 200
    by_service = upload.report_out(report).model_dump(mode="json")
    assert _without_start(by_service) == _without_start(by_route)
    assert [r.id for r in sample.runs()] == ["run-1"], "a dry run writes no run"


def test_ingest_refused_bundle_reports_what_the_routes_422_carries(
    client: TestClient, keys: Keys, sample: GraphStore, tmp_path: Path
) -> None:
    tables = bundle_tables()
    tables["people"][0]["organisation"] = "Essex Polise"
    bundle = tmp_path / "bad.json"
    bundle.write_bytes(raw_json_bundle(dict(tables)))
    before = sample.dump()
    status, problem = _post(client, keys, bundle)
    report = upload.ingest_bundle(sample, TEAM, bundle)
    assert (status, report.ok) == (422, False)
    by_service = upload.report_out(report).model_dump(mode="json")
    assert _without_start(by_service) == _without_start(problem["report"])
    assert sample.dump() == before


def test_list_runs_gives_the_page_get_ingest_runs_gives(
    client: TestClient, keys: Keys, sample: GraphStore, tmp_path: Path
) -> None:
    report = upload.ingest_bundle(sample, TEAM, write_json_bundle(tmp_path))
    assert report.ok, report.errors
    pages = {(0, 50): ["run-1", report.run_id], (1, 1): [report.run_id], (2, 5): []}
    for (offset, limit), ids in pages.items():
        by_route = client.get(
            f"/ingest/runs?offset={offset}&limit={limit}", headers=keys.header("programme")
        ).json()
        by_service = upload.list_runs(sample, TEAM, Page(offset=offset, limit=limit))
        assert by_service.model_dump(mode="json") == by_route
        assert ([r.id for r in by_service.data], by_service.count) == (ids, 2)
    everything = upload.list_runs(sample, TEAM)
    assert [r.id for r in everything.data] == ["run-1", report.run_id]
    assert everything.count == 2


def test_roll_back_undoes_what_the_routes_load_created(
    client: TestClient, keys: Keys, sample: GraphStore, tmp_path: Path
) -> None:
    before = sample.dump()
    status, loaded = _post(client, keys, write_json_bundle(tmp_path))
    assert status == 200
    with pytest.raises(Conflict):
        upload.roll_back(sample, TEAM, "run-1")  # not the latest
    undone = upload.roll_back(sample, TEAM, str(loaded["run_id"]))
    assert (undone.deleted, undone.updated) == (
        loaded["totals"]["created"],
        loaded["totals"]["updated"],
    )
    assert sample.dump() == before


def test_upload_use_case_refuses_an_alumni_caller(sample: GraphStore, tmp_path: Path) -> None:
    alumnus = Viewer(role=KeyRole.ALUMNI, key_id="test-alumni", person_id=None)
    bundle = write_json_bundle(tmp_path)
    with pytest.raises(Forbidden):
        upload.ingest_bundle(sample, alumnus, bundle, dry_run=True)
    with pytest.raises(Forbidden):
        upload.list_runs(sample, alumnus)
    with pytest.raises(Forbidden):
        upload.roll_back(sample, alumnus, "run-1")
    assert [r.status for r in sample.runs()] == ["applied"]
