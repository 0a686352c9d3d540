"""``warm_on_start``: a served app reads the warm-tie network as it starts, so the first
introduction path asked for finds it read (12-15 s at 100,000 people otherwise)."""

from __future__ import annotations

import logging
import re
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import warm_network_in_background
from api.settings import ApiSettings
from graph.errors import StoreUnavailable
from graph.store import GraphStore

from .conftest import Keys


def _path(client: TestClient, keys: Keys) -> list[list[str]]:
    response = client.get("/paths/introduction?from=ann&to=dan", headers=keys.header("programme"))
    assert response.status_code == 200, response.text
    return [[p["id"] for p in path["people"]] for path in response.json()["paths"]]


def test_an_app_warmed_at_start_answers_the_first_path_from_the_network_it_read(
    sample: GraphStore, keys: Keys
) -> None:
    app = create_app(store=sample, settings=ApiSettings(warm_on_start=True))
    with TestClient(app) as client:
        app.state.warming.join(timeout=60)
        network = app.state.warm_network
        assert (network.builds, network.updates) == (1, 0)  # read once, before any request
        assert _path(client, keys) == [["ann", "cat", "dan"], ["ann", "bob", "cat", "dan"]]
        assert app.state.warm_network is network
        assert (network.builds, network.updates) == (1, 0)  # not read again for the path


def test_an_app_not_warmed_reads_the_network_at_the_first_path(
    sample: GraphStore, keys: Keys
) -> None:
    app = create_app(store=sample, settings=ApiSettings(warm_on_start=False))
    with TestClient(app) as client:
        assert not hasattr(app.state, "warming")
        assert getattr(app.state, "warm_network", None) is None
        assert _path(client, keys)[0] == ["ann", "cat", "dan"]
        assert app.state.warm_network.builds == 1


class _Unreachable:
    """A store whose every read fails, as a Neo4j server that went away would."""

    def version(self) -> str:
        raise StoreUnavailable("the server at neo4j://127.0.0.1:1 did not answer")


def test_a_failed_warm_read_is_logged_by_its_kind_alone(
    caplog: pytest.LogCaptureFixture,
) -> None:
    state = SimpleNamespace(store=_Unreachable())
    with caplog.at_level(logging.WARNING, logger="alumni_graph.api"):
        warm_network_in_background(state).join(timeout=30)
    assert [r.getMessage() for r in caplog.records] == [
        "reading the warm network at start failed: StoreUnavailable"
    ]
    assert state.warm_network.builds == 0  # the first path asked for reads it instead


def test_a_warm_read_done_is_logged_as_a_duration_alone(
    sample: GraphStore, caplog: pytest.LogCaptureFixture
) -> None:
    """What a benchmark waits for before timing requests: nothing about anyone."""
    state = SimpleNamespace(store=sample)
    with caplog.at_level(logging.INFO, logger="alumni_graph.api"):
        warm_network_in_background(state).join(timeout=60)
    assert state.warm_network.builds == 1
    [said] = [r.getMessage() for r in caplog.records]
    assert re.fullmatch(r"warm network read at start in \d+\.\d s", said), said


def test_a_path_asked_for_while_the_app_warms_waits_for_that_read_not_a_second(
    sample: GraphStore, keys: Keys
) -> None:
    """Whichever comes first, the warm read or the path's, the network is read once."""
    app = create_app(store=sample, settings=ApiSettings(warm_on_start=True))
    with TestClient(app) as client:
        assert _path(client, keys)[0] == ["ann", "cat", "dan"]  # asked for at once
        app.state.warming.join(timeout=60)
        network = app.state.warm_network
        assert (network.builds, network.updates) == (1, 0)
