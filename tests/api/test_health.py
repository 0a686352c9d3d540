"""``/health`` answers load balancers on both stores, without a key."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from api.app import create_app
from graph.errors import StoreUnavailable
from graph.store import GraphStore


def test_health_says_ok_and_names_the_store(store: GraphStore) -> None:
    with TestClient(create_app(store=store)) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": store.url.split(":", 1)[0]}


class _Probed:
    """A store that answers its version with ``version`` (a lost Neo4j: it raises),
    and whose counts take seconds (Neo4j at 100,000 people): /health must not ask."""

    url = "neo4j://127.0.0.1:7687"

    def __init__(self, version: Callable[[], str]) -> None:
        self.version = version

    def counts(self) -> dict[str, int]:
        raise AssertionError("/health counted every record to see whether the store answers")

    def close(self) -> None:
        pass


def _refused() -> str:
    raise StoreUnavailable("connection refused")


def test_health_answers_503_while_the_store_is_down() -> None:
    with TestClient(create_app(store=_Probed(_refused))) as client:  # type: ignore[arg-type]
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "store": "neo4j"}


def test_health_asks_the_store_only_its_version() -> None:
    with TestClient(create_app(store=_Probed(lambda: "42"))) as client:  # type: ignore[arg-type]
        response = client.get("/health")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "store": "neo4j"}
