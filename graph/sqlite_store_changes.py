"""The SQLite store's log of writes (``graph.store_changes``): one row per write that
changed the file, the last ``KEEP`` kept."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection

from graph.store import ChangedRecord, StoreChanges
from graph.store_changes import KEEP, resolve

__all__ = ["TABLE", "changes_since", "forget_changes", "note_change"]

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
