"""How many records of every kind a SQLite store holds, in SQL alone.

Kept apart from the store and the models so that ``alumni-graph status`` on an
existing file needs nothing but ``sqlite3``: importing the records' models and the
store costs about 60 ms of a command line that should answer in under 0.4 s.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["COUNTED_TABLES", "count_records", "counts_of_existing"]

COUNTED_TABLES: tuple[str, ...] = (
    "area",
    "organisation",
    "person",
    "cohort",
    "wicked_issue",
    "membership",
    "employment",
    "project",
    "project_member",
    "handover",
    "tie",
    "assessment",
    "ambition",
    "ingest_run",
    "erasure",
    "api_key",
)
"""The record kinds in the store's write order, then the bookkeeping kinds (the
tests hold this to ``graph.model.WRITE_ORDER``)."""

_NEEDED_TABLES = frozenset({*COUNTED_TABLES, "derived_group"})

DERIVED_PAIRS = """
WITH member(kind, context, person) AS (
    SELECT g.tie_kind, g.context, m.person_id
    FROM derived_group g JOIN cohort c ON c.key = g.context
    JOIN membership m ON m.cohort_id = g.context
    WHERE g.tie_kind = 'cohort_peer'
    UNION
    SELECT g.tie_kind, g.context, pm.person_id
    FROM derived_group g JOIN project p ON p.key = g.context
    JOIN project_member pm ON pm.project_id = g.context
    WHERE g.tie_kind = 'project'
    UNION
    SELECT g.tie_kind, g.context, p.sponsor_id
    FROM derived_group g JOIN project p ON p.key = g.context
    WHERE g.tie_kind = 'project' AND p.sponsor_id IS NOT NULL
)
SELECT coalesce(sum(n * (n - 1) / 2), 0)
FROM (SELECT count(*) AS n FROM member GROUP BY kind, context)
"""
"""The ties derived when read (``graph.derived``): every pair of a group's distinct
members, a cohort's members or a project's members and sponsor."""


def count_records(conn: sqlite3.Connection) -> dict[str, int]:
    """Records per kind, derived ties counted among the ties, in one read transaction."""
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        found = {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in COUNTED_TABLES
        }
        found["tie"] += conn.execute(DERIVED_PAIRS).fetchone()[0]
    finally:
        if began:
            conn.execute("COMMIT")
    return found


def counts_of_existing(path: str) -> dict[str, int] | None:
    """The counts of the store file at ``path`` read as it is, or ``None`` when the store
    must be opened in full first: no such file, or tables missing (a new file, or one
    written before a kind was added: opening creates them)."""
    if path == ":memory:" or not Path(path).is_file():
        return None
    try:
        conn = sqlite3.connect(
            f"{Path(path).resolve().as_uri()}?mode=rw", uri=True, isolation_level=None
        )
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        if not _NEEDED_TABLES.issubset(name for (name,) in rows):
            return None
        return count_records(conn)
    except sqlite3.Error:
        return None  # not a store this code reads as it is: the full open says why
    finally:
        conn.close()
