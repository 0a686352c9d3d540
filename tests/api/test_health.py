"""``/health`` answers load balancers on both stores, without a key."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from graph.errors import StoreUnavailable
from graph.store import GraphStore


def test_health_says_ok_and_names_the_store(store: GraphStore) -> None:
    with TestClient(create_app(store=store)) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": store.url.split(":", 1)[0]}


class _DownStore:
    url = "neo4j://127.0.0.1:1"

    def counts(self) -> dict[str, int]:
        raise StoreUnavailable("connection refused")

    def close(self) -> None:
        pass


def test_health_answers_503_while_the_store_is_down() -> None:
    with TestClient(create_app(store=_DownStore())) as client:  # type: ignore[arg-type]
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
