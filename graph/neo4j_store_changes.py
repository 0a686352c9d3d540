"""The Neo4j store's log of writes (``graph.store_changes``): the last ``KEEP`` lines on
the version node, numbered by its ``change_seq`` (``q.BUMP_VERSION``)."""

from __future__ import annotations

from collections.abc import Collection
from typing import LiteralString

from graph import neo4j_queries as q
from graph.derived import add_derived_ends
from graph.model import TieKind
from graph.neo4j_store_tx import Neo4jTx
from graph.store import ChangedRecord, StoreChanges, TieEnds
from graph.store_changes import resolve

__all__ = ["TIE_ENDS_OF", "changes_since", "tie_ends_of"]

TIE_ENDS_OF: LiteralString = (
    "UNWIND $ids AS id MATCH (:Person {id: id})-[t:TIE]-()"
    " WHERE t.tie_kind IN $kinds WITH DISTINCT t"
    " RETURN t.tie_kind AS kind, collect(t.source_id) AS sources, collect(t.target_id) AS targets"
)
"""``TIE_ENDS`` (one record per kind, its ends in two lists) of the stored ties touching
these people, each once: what a read cache catching up with a write reads."""


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


def tie_ends_of(
    tx: Neo4jTx, person_ids: Collection[str], kinds: Collection[TieKind]
) -> dict[TieKind, TieEnds]:
    """``GraphStore.tie_ends_of``, inside the caller's read transaction."""
    ids = sorted(set(person_ids))
    found: dict[TieKind, TieEnds] = {}
    if not kinds or not ids:
        return found
    # one query for all of them: ``DISTINCT`` keeps a tie between two of them once
    for r in tx.run(TIE_ENDS_OF, ids=ids, kinds=[k.value for k in kinds]):
        sources, targets = found.setdefault(TieKind(r["kind"]), ([], []))
        sources += r["sources"]
        targets += r["targets"]
    add_derived_ends(found, tx.groups, kinds, ids)
    return found
