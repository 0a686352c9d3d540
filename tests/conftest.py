"""Stores for the tests: every store-backed test runs on SQLite and on Neo4j.

Neo4j comes from ``NEO4J_URI`` (``make test`` starts one with scripts/neo4j),
else from a testcontainers ``Neo4jContainer`` when a Docker engine answers,
else the Neo4j half skips with the reason, unless
``ALUMNI_GRAPH_REQUIRE_NEO4J=1`` makes that skip a failure.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.settings import get_settings
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore

STORE_KINDS = ("sqlite", "neo4j")

pytest_plugins = ["tests.browser"]
"""Browser fixtures (a live server, a Playwright page on Debian's Chromium) for any test."""


def _docker_answers() -> bool:
    """True when a Docker engine answers ``/_ping`` (checked without the docker
    library, which leaks its socket when the engine is absent)."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        return True  # a remote engine: let testcontainers try it
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(3)
            sock.connect(host.removeprefix("unix://"))
            sock.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
            return b" 200 " in sock.recv(64)
    except OSError:
        return False


def _neo4j_unavailable(reason: str) -> None:
    if os.environ.get("ALUMNI_GRAPH_REQUIRE_NEO4J") == "1":
        pytest.fail(f"Neo4j is required (ALUMNI_GRAPH_REQUIRE_NEO4J=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def neo4j_server() -> Iterator[tuple[str, str, str]]:
    """(uri, user, password) of a running Neo4j 5."""
    uri = os.environ.get("NEO4J_URI")
    user = os.environ.get("NEO4J_USER", "neo4j")
    password = os.environ.get("NEO4J_PASSWORD", get_settings().neo4j_password.get_secret_value())
    if uri:
        yield uri, user, password
        return
    if not _docker_answers():
        _neo4j_unavailable("NEO4J_URI is not set and no Docker engine answers for testcontainers")
    from testcontainers.community.neo4j import Neo4jContainer

    with Neo4jContainer("neo4j:5.26-community", password=password) as container:
        yield container.get_connection_url(), "neo4j", password


@pytest.fixture(scope="session")
def neo4j_session_store(neo4j_server: tuple[str, str, str]) -> Iterator[GraphStore]:
    from graph.neo4j_store import Neo4jStore

    uri, user, password = neo4j_server
    store = Neo4jStore(uri, user=user, password=password)
    yield store
    store.close()


def _fresh_store(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> GraphStore:
    if kind == "sqlite":
        return SqliteStore(f"sqlite:///{tmp_path / 'graph.db'}")
    store = request.getfixturevalue("neo4j_session_store")
    store.wipe()
    return store  # type: ignore[no-any-return]


@pytest.fixture(params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each kind in turn."""
    graph_store = _fresh_store(request.param, request, tmp_path)
    yield graph_store
    if request.param == "sqlite":
        graph_store.close()


@pytest.fixture
def both_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[GraphStore]]:
    """One empty store of every kind, side by side, for cross-store comparisons."""
    stores = [_fresh_store(kind, request, tmp_path) for kind in STORE_KINDS]
    yield stores
    stores[0].close()


def _store_of(nodeid: str) -> str | None:
    params = nodeid.partition("[")[2].rstrip("]").split("-")
    return next((kind for kind in STORE_KINDS if kind in params), None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say, per store, how many store-backed tests passed, failed and skipped, so
    the output shows the contract suite ran on both stores."""
    tally: dict[str, dict[str, int]] = {kind: {} for kind in STORE_KINDS}
    contract = dict.fromkeys(STORE_KINDS, 0)
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            kind = _store_of(getattr(report, "nodeid", ""))
            if kind is None:
                continue
            tally[kind][outcome] = tally[kind].get(outcome, 0) + 1
            if outcome == "passed" and report.nodeid.startswith("tests/contract"):
                contract[kind] += 1
    terminalreporter.section("tests per store")
    for kind, counts in tally.items():
        shown = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "none"
        terminalreporter.write_line(f"{kind}: {shown} (contract suite: {contract[kind]} passed)")
