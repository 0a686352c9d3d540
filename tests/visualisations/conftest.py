"""Maps, plots and reports: the hand-drawn sample programme (tests/contract/sample.py)
on each store, an API client with one key per role (the alumni key is Ann's), and
the demo programme loaded once into SQLite for the tests that look at a real map."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from graph.model import KeyRole
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore
from services.consent import Viewer

from ..api.conftest import Keys, api_for, make_keys, sample_run
from ..api.conftest import keys as keys  # the sample programme, with a key per role
from ..api.conftest import sample as sample
from ..api.conftest import shared_client as shared_client  # the session-wide app
from ..conftest import Demo
from ..contract.sample import programme

TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="test-team")
ANN = Viewer(role=KeyRole.ALUMNI, key_id="test-ann", person_id="ann")


@pytest.fixture
def client(sample: GraphStore, shared_client: TestClient) -> TestClient:
    return api_for(shared_client, sample)


@pytest.fixture
def sqlite_client(tmp_path: Path, shared_client: TestClient) -> Iterator[tuple[TestClient, Keys]]:
    """The API on the sample in SQLite only, for checks of the routes' own logic (their
    statuses on both stores are in tests/api/test_roles.py)."""
    store = SqliteStore(f"sqlite:///{tmp_path / 'sample.db'}")
    store.apply(programme(), sample_run())
    yield api_for(shared_client, store), make_keys(store)
    store.close()


@pytest.fixture(scope="session")
def demo_store(
    demo_programme: Demo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SqliteStore]:
    """The demo programme (ingest/demo.py), loaded through the users' path once: a copy
    of the session's load."""
    db = demo_programme.sqlite_copy(tmp_path_factory.mktemp("visualisations") / "demo.db")
    store = SqliteStore(f"sqlite:///{db}")
    yield store
    store.close()


def map_data(html: str) -> list[dict[str, Any]]:
    """The vis-network data of every panel of a map page, as the page's script reads it."""
    found = re.findall(
        r'<script type="application/json" id="map-\d+-data">(.*?)</script>', html, re.S
    )
    return [json.loads(text) for text in found]
