"""The Neo4j store's log of writes (``graph.store_changes``): the last ``KEEP`` lines on
the version node, numbered by its ``change_seq`` (``q.NOTE_CHANGE``)."""

from __future__ import annotations

from collections.abc import Collection

from graph import neo4j_queries as q
from graph.neo4j_store_tx import Neo4jTx
from graph.store import ChangedRecord, StoreChanges
from graph.store_changes import resolve

__all__ = ["changes_since"]


def changes_since(tx: Neo4jTx, mark: int | None) -> StoreChanges:
    """``GraphStore.changes_since``, inside the caller's read transaction."""
    (row,) = tx.run(q.CHANGES)
    lines: list[str] = row["lines"]
    first = int(row["seq"]) - len(lines) + 1

    def journal(run_ids: Collection[str]) -> list[ChangedRecord]:
        return [
            (kind, key, tuple(people.split()))
            for r in tx.run(q.JOURNAL_CHANGES, run_ids=list(run_ids))
            for kind, key, people in zip(r["kinds"], r["keys"], r["entry_people"], strict=True)
        ]

    return resolve(mark, [(first + i, line) for i, line in enumerate(lines)], journal)
