"""An API on the hand-drawn sample programme (tests/contract/sample.py), on each store,
with one key per role. The alumni key is Ann's (directory and contact consent).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import FailedAuthLimiter
from api.keys import issue_key
from api.settings import ApiSettings
from graph.model import IngestRun, KeyRole
from graph.store import GraphStore
from ingest.write import write_bundle

from ..contract.sample import programme

ROLES = ("alumni", "programme", "admin")


@dataclass(frozen=True)
class Keys:
    alumni: str
    programme: str
    admin: str
    spare_id: str
    """A programme key nobody uses, for revocation."""

    def header(self, role: str | None) -> dict[str, str]:
        """The ``Authorization`` header of a role's key (none for ``None``)."""
        if role is None:
            return {}
        return {"Authorization": f"Bearer {getattr(self, role)}"}


def sample_run() -> IngestRun:
    return IngestRun(
        id="run-1",
        file_name="sample.xlsx",
        sha256="0" * 64,
        started_at=datetime(2024, 1, 1, tzinfo=UTC),
    )


def make_keys(store: GraphStore, alumni_person: str = "ann") -> Keys:
    alumni, _ = issue_key(store, KeyRole.ALUMNI, alumni_person)
    team, _ = issue_key(store, KeyRole.PROGRAMME)
    admin, _ = issue_key(store, KeyRole.ADMIN)
    _, spare = issue_key(store, KeyRole.PROGRAMME)
    return Keys(alumni, team, admin, spare.id)


@pytest.fixture
def sample(store: GraphStore) -> GraphStore:
    """The store with the sample programme, loaded as run ``run-1``."""
    store.apply(programme(), sample_run())
    return store


@pytest.fixture
def keys(sample: GraphStore) -> Keys:
    return make_keys(sample)


SETTINGS = ApiSettings(max_upload_bytes=64 * 1024, auth_failures_per_minute=20)
"""Test settings: a small upload limit, so 413 is cheap to provoke."""


@pytest.fixture(scope="session")
def shared_client() -> Iterator[TestClient]:
    """One app and client for every API test: FastAPI builds each route's state lazily,
    per app, on the first request that passes it (~0.1 s), and a client outside its
    context starts an event loop per request, so an app per test would triple the
    suite's time. Each test gets its own store and limiter (see ``api_for``)."""
    with TestClient(create_app(store_url="sqlite:///:memory:", settings=SETTINGS)) as client:
        yield client


def api_for(client: TestClient, store: GraphStore) -> TestClient:
    """``client`` on ``store``, with a fresh failed-authentication limiter and metric memo.

    The app's own (in-memory) store, opened by ``lifespan``, is set aside;
    tests/api/test_health.py runs ``lifespan`` on the store under test.
    """
    app = client.app
    assert isinstance(app, FastAPI)
    app.state.store = store
    app.state.answers = None  # a fresh memo: a Neo4j store object is the same from test to test
    app.state.auth_limiter = FailedAuthLimiter(
        SETTINGS.auth_failures_per_minute, SETTINGS.auth_failure_window_seconds
    )
    return client


@pytest.fixture
def client(sample: GraphStore, shared_client: TestClient) -> TestClient:
    return api_for(shared_client, sample)


def bundle_tables() -> dict[str, list[dict[str, object]]]:
    """A small valid bundle: a new cohort of two people at the sample's organisations."""
    return {
        "cohort": [
            {"cohort_id": "c2023", "name": "Leading Greater Essex 2023", "start_date": "2023-05-01"}
        ],
        "organisations": [
            {"name": "Essex Police", "sector": "police"},
            {"name": "Essex County Fire and Rescue Service", "sector": "fire"},
        ],
        "people": [
            {
                "email": "gus@example.org",
                "name": "Gus Example",
                "organisation": "Essex Police",
                "consent_directory": "yes",
            },
            {
                "email": "hal@example.org",
                "name": "Hal Example",
                "organisation": "Essex County Fire and Rescue Service",
            },
        ],
        "members": [
            {"email": "gus@example.org", "role": "participant"},
            {"email": "hal@example.org", "role": "participant"},
        ],
    }


def write_json_bundle(
    folder: Path, tables: dict[str, list[dict[str, object]]] | None = None
) -> Path:
    return write_bundle(tables or bundle_tables(), folder / "c2023.json")


def raw_json_bundle(tables: dict[str, object]) -> bytes:
    """A JSON bundle written by hand (for bundles ``write_bundle`` would refuse to write)."""
    return json.dumps(tables).encode()
