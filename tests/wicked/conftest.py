"""Wicked-issue tests: the hand-drawn sample grown with a second issue and newcomers
(tests/wicked/sample.py) on each store, an app with the ``/wicked-issues`` router, and
one key per role (the alumni key is Ann's)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from graph.model import IngestRun
from graph.store import GraphStore

from ..api.conftest import SETTINGS, Keys, api_for, make_keys, sample_run
from ..contract.sample import programme
from .sample import baton


def baton_run() -> IngestRun:
    return IngestRun(
        id="run-2",
        file_name="baton.json",
        sha256="1" * 64,
        started_at=datetime(2024, 1, 2, tzinfo=UTC),
    )


@pytest.fixture
def baton_store(store: GraphStore) -> GraphStore:
    """The sample programme (run-1) and the wicked-issue additions (run-2)."""
    store.apply(programme(), sample_run())
    store.apply(baton(), baton_run())
    return store


@pytest.fixture(scope="session")
def wicked_app() -> Iterator[TestClient]:
    """One app and client for every test here (each test sets its own store)."""
    app = create_app(store_url="sqlite:///:memory:", settings=SETTINGS)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client(baton_store: GraphStore, wicked_app: TestClient) -> TestClient:
    return api_for(wicked_app, baton_store)


@pytest.fixture
def keys(baton_store: GraphStore) -> Keys:
    return make_keys(baton_store)
