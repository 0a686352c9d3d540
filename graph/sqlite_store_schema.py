"""The SQLite store's tables: one per kind of record (its JSON plus the columns that
queries filter or join on, with foreign keys), the bookkeeping tables, and the values
the columns hold.

Table and column names are code constants; values are always bound parameters.
"""

from __future__ import annotations

import functools
import operator
import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

from graph.model import Person, Record

COLUMNS: dict[str, dict[str, str]] = {
    "ambition": {},
    "area": {},
    "organisation": {"name": "TEXT NOT NULL UNIQUE", "sector": "TEXT NOT NULL"},
    "person": {
        "email": "TEXT NOT NULL UNIQUE",
        "name": "TEXT NOT NULL",
        "area": "TEXT",
        "consent_analytics": "INTEGER NOT NULL",
        "search": "TEXT NOT NULL",
    },
    "cohort": {"start_date": "TEXT NOT NULL"},
    "wicked_issue": {},
    "membership": {
        "person_id": "TEXT NOT NULL REFERENCES person(key) ON DELETE CASCADE",
        "cohort_id": "TEXT NOT NULL REFERENCES cohort(key)",
        "role": "TEXT NOT NULL",
    },
    "employment": {
        "person_id": "TEXT NOT NULL REFERENCES person(key) ON DELETE CASCADE",
        "organisation_id": "TEXT NOT NULL REFERENCES organisation(key)",
        "start": "TEXT NOT NULL",
        "end": "TEXT",
    },
    "project": {
        "cohort_id": "TEXT NOT NULL REFERENCES cohort(key)",
        "issue_id": "TEXT REFERENCES wicked_issue(key)",
        "sponsor_id": "TEXT REFERENCES person(key)",
        "status": "TEXT NOT NULL",
    },
    "project_member": {
        "project_id": "TEXT NOT NULL REFERENCES project(key) ON DELETE CASCADE",
        "person_id": "TEXT NOT NULL REFERENCES person(key) ON DELETE CASCADE",
    },
    "handover": {
        "issue_id": "TEXT NOT NULL REFERENCES wicked_issue(key)",
        "from_project_id": "TEXT NOT NULL REFERENCES project(key)",
        "to_cohort_id": "TEXT NOT NULL",
    },
    "tie": {
        "source_id": "TEXT NOT NULL REFERENCES person(key) ON DELETE CASCADE",
        "target_id": "TEXT NOT NULL REFERENCES person(key) ON DELETE CASCADE",
        "tie_kind": "TEXT NOT NULL",
        "start": "TEXT NOT NULL",
        "end": "TEXT",
        "wave": "TEXT",
        "cohort_id": "TEXT",
    },
    "assessment": {
        "person_id": "TEXT NOT NULL REFERENCES person(key) ON DELETE CASCADE",
        "cohort_id": "TEXT NOT NULL REFERENCES cohort(key)",
        "wave": "TEXT NOT NULL",
    },
}
"""Columns beside the JSON, per kind: name -> SQL declaration."""

INDEXES = (
    "CREATE INDEX IF NOT EXISTS membership_person ON membership(person_id)",
    "CREATE INDEX IF NOT EXISTS membership_cohort ON membership(cohort_id)",
    "CREATE INDEX IF NOT EXISTS employment_person ON employment(person_id)",
    "CREATE INDEX IF NOT EXISTS project_issue ON project(issue_id)",
    "CREATE INDEX IF NOT EXISTS project_sponsor ON project(sponsor_id)",
    "CREATE INDEX IF NOT EXISTS project_member_person ON project_member(person_id)",
    "CREATE INDEX IF NOT EXISTS project_member_project ON project_member(project_id)",
    "CREATE INDEX IF NOT EXISTS handover_issue ON handover(issue_id)",
    "CREATE INDEX IF NOT EXISTS tie_source ON tie(source_id, tie_kind)",
    "CREATE INDEX IF NOT EXISTS tie_target ON tie(target_id, tie_kind)",
    "CREATE INDEX IF NOT EXISTS tie_kind_start ON tie(tie_kind, start)",
    "CREATE INDEX IF NOT EXISTS tie_wave ON tie(cohort_id, wave)",
    "CREATE INDEX IF NOT EXISTS assessment_cohort ON assessment(cohort_id, wave)",
    "CREATE INDEX IF NOT EXISTS assessment_person ON assessment(person_id)",
)

SIDE_TABLES = (
    "CREATE TABLE IF NOT EXISTS ingest_run (key TEXT PRIMARY KEY, started_at TEXT NOT NULL,"
    " data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS erasure (key TEXT PRIMARY KEY, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS api_key (key TEXT PRIMARY KEY, data TEXT NOT NULL,"
    " secret_sha256 TEXT NOT NULL UNIQUE,"
    " person_id TEXT REFERENCES person(key) ON DELETE CASCADE)",
    "CREATE TABLE IF NOT EXISTS journal (run_id TEXT NOT NULL, seq INTEGER NOT NULL,"
    " kind TEXT NOT NULL, key TEXT NOT NULL, previous TEXT, people TEXT NOT NULL,"
    " PRIMARY KEY (run_id, seq))",
    # Cohorts and projects whose co-membership ties are derived when read (graph.derived).
    "CREATE TABLE IF NOT EXISTS derived_group (key TEXT PRIMARY KEY, tie_kind TEXT NOT NULL,"
    " context TEXT NOT NULL, run_id TEXT)",
)


CACHE_KIB = 65_536
"""The connection's page cache (SQLite's default is 2 MiB). A bundle's ties land at
random places in the tie indexes (by key, source, target) and the person's email index:
once those outgrow the cache, every insert re-reads its pages from the file and spills
dirty ones to the log mid-transaction, a cost that grows with what the store holds.
64 MiB (taken only as used) keeps the indexes' upper levels and a bundle's pages in
memory: loading bundles 181-200 into a store of 180 read 12,294 pages instead of 48,231
and wrote 157,498 instead of 225,040."""


WAL_AUTOCHECKPOINT_PAGES = 10_000
"""Pages (4 KiB) the write-ahead log holds before a commit copies them into the file:
SQLite's 1,000 checkpoints (and fsyncs) after nearly every bundle of a bulk load; 10,000
(40 MiB) a tenth as often. A commit is as durable either way (WAL, ``synchronous =
NORMAL``): a process crash loses nothing committed, a power cut at most the last."""

CONNECTION_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA busy_timeout = 5000",
    f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}",
    f"PRAGMA cache_size = -{CACHE_KIB}",
)
"""Set on every connection the store opens."""


def column_value(record: Record, column: str) -> Any:
    if column == "search":
        assert isinstance(record, Person)
        return search_text(record)
    if column == "area":  # compared case-insensitively, beyond ASCII too
        assert isinstance(record, Person)
        return record.area.casefold() if record.area else None
    return _plain(getattr(record, column))


def _plain(value: Any) -> Any:
    """A field's value as its column holds it (``column_value`` past the special columns)."""
    if value is None or type(value) is str:  # ids and free text: most columns
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


@functools.cache
def row_maker(kind: str) -> Callable[[Record], list[Any]]:
    """``[key, data, run_id, *columns]`` of a record of ``kind`` as its table holds it:
    ``column_value`` of each column, the fields read by one ``attrgetter`` (a load writes
    hundreds of thousands of rows; the person's computed columns go the general way)."""
    columns = tuple(COLUMNS[kind])
    if kind == "person" or not columns:
        return lambda r: [
            r.key,
            r.model_dump_json(),
            r.run_id,
            *(column_value(r, c) for c in columns),
        ]
    get = operator.attrgetter(*columns)
    if len(columns) == 1:
        return lambda r: [r.key, r.model_dump_json(), r.run_id, _plain(get(r))]
    return lambda r: [
        r.key,
        r.model_dump_json(),
        r.run_id,
        *[v if v is None or type(v) is str else _plain(v) for v in get(r)],
    ]


def search_text(person: Person) -> str:
    """What free-text search looks in: name, job title, interests, skills."""
    parts = [person.name, person.job_title or "", *person.interests, *person.skills]
    return " ".join(parts).casefold()


def path_from_url(url: str) -> str:
    """``sqlite:///./a.db`` -> ``./a.db``; ``sqlite:////abs/a.db`` -> ``/abs/a.db``."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise ValueError(f"not a sqlite URL: {url!r} (expected sqlite:///PATH)")
    return url[len(prefix) :] or ":memory:"


def create_schema(conn: sqlite3.Connection) -> None:
    """Every table and index, if not there yet (inside the caller's transaction)."""
    for kind, columns in COLUMNS.items():
        extra = "".join(f', "{name}" {decl}' for name, decl in columns.items())
        conn.execute(
            f'CREATE TABLE IF NOT EXISTS "{kind}" '
            f"(key TEXT PRIMARY KEY, data TEXT NOT NULL, run_id TEXT{extra})"
        )
    for statement in (*INDEXES, *SIDE_TABLES):
        conn.execute(statement)
