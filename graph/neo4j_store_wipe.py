"""The work of the Neo4j store's wipe (tests start each from an empty store): bounded
batches, and on a small store all of it in one write."""

from __future__ import annotations

from collections.abc import Callable
from typing import LiteralString

from graph import neo4j_queries as q
from graph.model import AMBITIONS, Ambition
from graph.neo4j_store_tx import Neo4jTx

__all__ = ["WIPE_BATCHES", "delete_some", "seed", "wipe_small"]

WIPE_BATCHES: tuple[tuple[LiteralString, int], ...] = (
    (q.WIPE_SOME_RELATIONSHIPS, 50_000),
    (q.WIPE_SOME, 10_000),
)
"""Relationships, then nodes, a bounded number per transaction."""


def delete_some(query: LiteralString, limit: int) -> Callable[[Neo4jTx], int]:
    """The work of one wipe batch: how many it deleted."""
    return lambda tx: int(tx.run(query, limit=limit)[0]["deleted"])


def seed(tx: Neo4jTx) -> None:
    """The seven ambitions every store holds."""
    tx.upsert(Ambition, list(AMBITIONS))


def wipe_small(tx: Neo4jTx) -> bool:
    """One batch of each kind, then the ambitions seeded, when every batch was short (the
    store is now empty but for them): whether it was. A test's store is wiped in one
    write where three writes (a lock, the version and a commit each) took about 30 ms."""
    if all(delete_some(query, limit)(tx) < limit for query, limit in WIPE_BATCHES):
        seed(tx)
        return True
    return False
