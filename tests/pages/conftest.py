"""The pages on the hand-drawn sample programme (tests/contract/sample.py), on SQLite.

The store contract already runs on Neo4j; the pages only call the domain functions
through ``services.consent``, so they are driven on the embedded store. The alumni key is
Ann's (every consent); Dan has not consented to the directory, so an alumni key never
sees him and nobody is routed through him.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import FailedAuthLimiter
from api.pages.sessions import Sessions
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore

from ..api.conftest import SETTINGS, Keys, make_keys, sample_run
from ..contract.sample import programme

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def sample_store(tmp_path: Path) -> Iterator[GraphStore]:
    store = SqliteStore(f"sqlite:///{tmp_path / 'graph.db'}")
    store.apply(programme(), sample_run())
    yield store
    store.close()


@pytest.fixture
def keys(sample_store: GraphStore) -> Keys:
    return make_keys(sample_store)


@pytest.fixture(scope="session")
def pages_client() -> Iterator[TestClient]:
    """One app and client for the page tests (as tests/api/conftest.py's
    ``shared_client``, for the same reason: an app per test triples the time)."""
    app = create_app(store_url="sqlite:///:memory:", settings=SETTINGS)
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def client(pages_client: TestClient, sample_store: GraphStore) -> TestClient:
    """The shared client on the sample programme, with fresh sessions, limiter and cookies."""
    app = pages_client.app
    assert isinstance(app, FastAPI)
    app.state.store = sample_store
    app.state.sessions = Sessions()
    app.state.auth_limiter = FailedAuthLimiter(
        SETTINGS.auth_failures_per_minute, SETTINGS.auth_failure_window_seconds
    )
    pages_client.cookies.clear()
    return pages_client


def form_token(html: str) -> str:
    """The CSRF token a rendered form carries."""
    found = CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> str:
    """Sign in through the form; the session's CSRF token (from the next page)."""
    token = form_token(client.get("/sign-in").text)
    response = client.post("/sign-in", data={"key": key, "csrf_token": token})
    assert response.status_code == 200, response.text
    return form_token(response.text)
