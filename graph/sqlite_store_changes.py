"""The SQLite store's log of writes (``graph.store_changes``): one row per write that
changed the file, the last ``KEEP`` kept."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection

from graph.derived import add_derived_ends
from graph.model import TieKind
from graph.sqlite_store_tx import SqliteTx
from graph.store import ChangedRecord, StoreChanges, TieEnds
from graph.store_changes import KEEP, resolve

__all__ = ["TABLE", "changes_since", "forget_changes", "note_change", "tie_ends_of"]

TABLE = (
    "CREATE TABLE IF NOT EXISTS store_change"
    " (seq INTEGER PRIMARY KEY AUTOINCREMENT, line TEXT NOT NULL)"
)


def note_change(conn: sqlite3.Connection, line: str) -> None:
    """Note one write, inside its transaction, and forget lines beyond ``KEEP``."""
    seq = conn.execute("INSERT INTO store_change (line) VALUES (?)", (line,)).lastrowid
    assert seq is not None
    conn.execute("DELETE FROM store_change WHERE seq <= ?", (seq - KEEP,))


def forget_changes(conn: sqlite3.Connection) -> None:
    """Forget every line (an erasure: lines name people); the erasure's own ``ALL`` follows."""
    conn.execute("DELETE FROM store_change")


def changes_since(conn: sqlite3.Connection, mark: int | None) -> StoreChanges:
    """``GraphStore.changes_since``, inside the caller's read transaction."""
    lines = [
        (int(s), str(w)) for s, w in conn.execute("SELECT seq, line FROM store_change ORDER BY seq")
    ]

    def journal(run_ids: Collection[str]) -> list[ChangedRecord]:
        marks = ",".join("?" * len(run_ids))
        return [
            (kind, key, tuple(json.loads(people)))
            for kind, key, people in conn.execute(
                f"SELECT kind, key, people FROM journal WHERE run_id IN ({marks})"
                " ORDER BY run_id, seq",
                list(run_ids),
            )
        ]

    return resolve(mark, lines, journal)


def tie_ends_of(
    tx: SqliteTx, person_ids: Collection[str], kinds: Collection[TieKind]
) -> dict[TieKind, TieEnds]:
    """``GraphStore.tie_ends_of``, inside the caller's read transaction: stored ties by
    either end (a tie with both ends among the people found by its source only), then
    the derived ones of the groups these people are in."""
    values = [k.value for k in kinds]
    ids = sorted(set(person_ids))
    found: dict[TieKind, TieEnds] = {}
    if not values or not ids:
        return found
    people = json.dumps(ids)
    marks = ",".join("?" * len(values))
    among = "(SELECT value FROM json_each(?))"
    for kind, source, target in tx.conn.execute(
        f"SELECT tie_kind, source_id, target_id FROM tie WHERE source_id IN {among}"
        f" AND tie_kind IN ({marks}) UNION ALL"
        f" SELECT tie_kind, source_id, target_id FROM tie WHERE target_id IN {among}"
        f" AND tie_kind IN ({marks}) AND source_id NOT IN {among}",
        [people, *values, people, *values, people],
    ):
        sources, targets = found.setdefault(TieKind(kind), ([], []))
        sources.append(source)
        targets.append(target)
    add_derived_ends(found, tx.groups, kinds, ids)
    return found
