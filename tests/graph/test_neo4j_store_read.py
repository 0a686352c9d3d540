"""The Neo4j store's auto-commit reads (``graph.neo4j_store_read``): a read session on
the store's database, chained to the driver's bookmarks, each statement's records read
inside it, retried on a retryable failure only. No server: a driver that records."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import READ_ACCESS
from neo4j.exceptions import ClientError, ServiceUnavailable

from graph import neo4j_store_read as reads


class _Session:
    def __init__(self, driver: _Driver) -> None:
        self.driver = driver

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.driver.closed += 1

    def run(self, query: str, parameters: dict[str, Any]) -> Any:
        self.driver.ran.append((query, parameters))
        if self.driver.failures:
            raise self.driver.failures.pop(0)
        return iter([{"n": parameters.get("x")}])


class _Driver:
    def __init__(self, failures: list[Exception] | None = None) -> None:
        self.failures = failures or []
        self.sessions: list[dict[str, Any]] = []
        self.ran: list[tuple[str, dict[str, Any]]] = []
        self.closed = 0
        self.execute_query_bookmark_manager = object()

    def session(self, **config: Any) -> _Session:
        self.sessions.append(config)
        return _Session(self)


def test_one_statement_is_one_read_session_on_the_database_chained_to_bookmarks() -> None:
    driver = _Driver()
    rows = reads.read_rows(driver, "people", "RETURN $x AS n", {"x": 7})  # type: ignore[arg-type]
    assert rows == [{"n": 7}]
    assert driver.ran == [("RETURN $x AS n", {"x": 7})]
    assert driver.sessions == [
        {
            "database": "people",
            "default_access_mode": READ_ACCESS,
            "bookmark_manager": driver.execute_query_bookmark_manager,
        }
    ]
    assert driver.closed == 1


def test_several_statements_of_a_work_share_one_session() -> None:
    driver = _Driver()
    got = reads.read_work(
        driver,  # type: ignore[arg-type]
        "neo4j",
        lambda tx: [tx.run("A", x=1), tx.run("B", x=2)],
    )
    assert got == [[{"n": 1}], [{"n": 2}]]
    assert [q for q, _ in driver.ran] == ["A", "B"]
    assert len(driver.sessions) == 1


def test_a_retryable_failure_runs_the_work_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reads.time, "sleep", lambda s: None)
    driver = _Driver([ServiceUnavailable("gone"), ServiceUnavailable("gone again")])
    assert reads.read_rows(driver, "neo4j", "Q", {"x": 3}) == [{"n": 3}]  # type: ignore[arg-type]
    assert len(driver.ran) == 3
    assert len(driver.sessions) == 3


def test_a_failure_that_is_not_retryable_is_raised_at_once() -> None:
    driver = _Driver([ClientError("bad statement")])
    with pytest.raises(ClientError):
        reads.read_rows(driver, "neo4j", "Q", {})  # type: ignore[arg-type]
    assert len(driver.ran) == 1


def test_retries_stop_after_the_retry_time(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [0.0]
    monkeypatch.setattr(reads.time, "monotonic", lambda: clock[0])

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    monkeypatch.setattr(reads.time, "sleep", sleep)
    driver = _Driver([ServiceUnavailable("down")] * 1000)
    with pytest.raises(ServiceUnavailable):
        reads.read_rows(driver, "neo4j", "Q", {})  # type: ignore[arg-type]
    assert clock[0] <= reads.RETRY_SECONDS
    assert 3 <= len(driver.ran) < 20
