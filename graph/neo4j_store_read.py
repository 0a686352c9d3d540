"""Reads of the Neo4j store that a user waits for, one Bolt round trip per statement.

A managed transaction (``execute_query``, ``execute_read``) costs a round trip for
``BEGIN``/``RUN``/``PULL`` and another for ``COMMIT``; an auto-commit statement sends
``RUN`` and ``PULL`` together and is done when its records arrive. A request reads
five to ten small statements (its key, the version token, the page's profiles, a
person's ties and groups), so on a loaded machine the commits alone were a third of
a request's time. These reads keep everything else of a managed read: the session is
a read session on the store's database, chained to the driver's bookmarks (it sees
what an earlier write of this process committed), and a retryable failure (a lost
connection, a transient server error) runs the work again, for up to
``RETRY_SECONDS`` as the driver would.

What is given up: a managed read runs its statements in one transaction, an
auto-commit read each in its own. Neo4j's transactions are read-committed, so a
second statement of one read transaction could already see a write committed after
the first; the reads routed here are each one statement, or statements that read
disjoint things (a person's ties, then the groups they are in), so they agree no less.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, LiteralString, TypeVar, cast

from neo4j import READ_ACCESS, Driver, ManagedTransaction
from neo4j import Record as Row
from neo4j.exceptions import DriverError, Neo4jError

from graph.neo4j_store_tx import Neo4jTx

__all__ = ["RETRY_SECONDS", "AutoCommit", "read_rows", "read_work"]

T = TypeVar("T")

RETRY_SECONDS = 10.0
"""How long the driver retries a transaction (deadlock, lost server) before we give up:
its default of 30 s (about a minute with back-off) is too long to keep a request waiting.
The reads here retry as long."""

_FIRST_DELAY_S = 0.05


class AutoCommit:
    """What ``Neo4jTx`` needs of a transaction (``run``), on a session: each statement
    its own auto-commit transaction, its records read at once."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def run(self, query: LiteralString, parameters: dict[str, Any] | None = None) -> list[Row]:
        return list(self._session.run(query, parameters or {}))


def read_work(driver: Driver, database: str, work: Callable[[Neo4jTx], T]) -> T:
    """``work`` given a ``Neo4jTx`` over an ``AutoCommit`` on a read session; run again
    on a retryable failure until ``RETRY_SECONDS`` have gone."""
    deadline = time.monotonic() + RETRY_SECONDS
    delay = _FIRST_DELAY_S
    while True:
        try:
            with driver.session(
                database=database,
                default_access_mode=READ_ACCESS,
                bookmark_manager=driver.execute_query_bookmark_manager,
            ) as session:
                return work(Neo4jTx(cast(ManagedTransaction, AutoCommit(session))))
        except (Neo4jError, DriverError) as exc:
            if not exc.is_retryable() or time.monotonic() + delay > deadline:
                raise
        time.sleep(delay)
        delay *= 2


def read_rows(
    driver: Driver, database: str, query: LiteralString, params: dict[str, Any]
) -> list[Row]:
    """One read statement's records (``read_work``)."""
    return read_work(driver, database, lambda tx: list(tx.tx.run(query, params)))
