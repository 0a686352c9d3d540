"""The SQLite store's primitives inside one open transaction (``graph.writes.ContentTx``):
what ``graph.writes`` decides to write, written."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from typing import Any

from graph.derived import DERIVED_KINDS, Group, group_key, groups_from_rows
from graph.model import (
    WRITE_ORDER,
    ApiKey,
    Employment,
    Erasure,
    IngestRun,
    Record,
    Tie,
    TieKind,
)
from graph.sqlite_store_schema import COLUMNS, row_maker
from graph.store import JournalEntry, R


class SqliteTx:
    """``RecordTx`` on one open SQLite transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def fetch(self, model: type[R], keys: Collection[str]) -> dict[str, R]:
        found: dict[str, R] = {}
        keys = list(keys)
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f'SELECT data FROM "{model.kind}" WHERE key IN ({marks})', chunk
            )
            for (data,) in rows:
                record = model.model_validate_json(data)
                found[record.key] = record
        return found

    def held(self, model: type[Record], keys: Collection[str]) -> set[str]:
        """Which of ``keys`` the store holds: one look-up of keys alone (no record read)."""
        if not keys:
            return set()
        rows = self.conn.execute(
            f'SELECT key FROM "{model.kind}" WHERE key IN (SELECT value FROM json_each(?))',
            (json.dumps(list(keys)),),
        )
        return {key for (key,) in rows}

    def every(self, model: type[R]) -> list[R]:
        rows = self.conn.execute(f'SELECT data FROM "{model.kind}" ORDER BY key')
        return [model.model_validate_json(d) for (d,) in rows]

    def upsert(self, model: type[R], records: Sequence[R]) -> None:
        columns = list(COLUMNS[model.kind])
        names = ", ".join(f'"{c}"' for c in ["key", "data", "run_id", *columns])
        marks = ", ".join("?" * (3 + len(columns)))
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in ["data", "run_id", *columns])
        sql = (
            f'INSERT INTO "{model.kind}" ({names}) VALUES ({marks}) '
            f"ON CONFLICT(key) DO UPDATE SET {updates}"
        )
        self.conn.executemany(sql, map(row_maker(model.kind), records))

    def create(self, model: type[R], records: Sequence[R]) -> None:
        """As ``upsert``: SQLite's upsert of an absent key is already a plain insert."""
        self.upsert(model, records)

    def delete(self, model: type[Record], keys: Collection[str]) -> None:
        self.conn.executemany(f'DELETE FROM "{model.kind}" WHERE key = ?', ((k,) for k in keys))

    def employments_of(self, person_ids: Collection[str]) -> list[Employment]:
        out: list[Employment] = []
        ids = list(person_ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT data FROM employment WHERE person_id IN ({marks})", chunk
            )
            out += [Employment.model_validate_json(d) for (d,) in rows]
        return out

    def add_journal(self, entries: Sequence[JournalEntry]) -> None:
        self.conn.executemany(
            "INSERT INTO journal (run_id, seq, kind, key, previous, people) VALUES (?,?,?,?,?,?)",
            (
                (
                    e.run_id,
                    e.seq,
                    e.kind,
                    e.key,
                    None if e.previous is None else json.dumps(e.previous),
                    json.dumps(list(e.people)),
                )
                for e in entries
            ),
        )

    def journal(self, run_id: str) -> list[JournalEntry]:
        rows = self.conn.execute(
            "SELECT seq, kind, key, previous, people FROM journal WHERE run_id = ? ORDER BY seq",
            (run_id,),
        )
        return [
            JournalEntry(
                run_id=run_id,
                seq=seq,
                kind=kind,
                key=key,
                previous=None if previous is None else json.loads(previous),
                people=tuple(json.loads(people)),
            )
            for seq, kind, key, previous, people in rows
        ]

    def members_of(self, kind: TieKind, contexts: Collection[str]) -> dict[str, set[str]]:
        table, column = (
            ("membership", "cohort_id")
            if kind is TieKind.COHORT_PEER
            else ("project_member", "project_id")
        )  # constants
        found: dict[str, set[str]] = {}
        ids = list(contexts)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for context, person_id in self.conn.execute(
                f"SELECT {column}, person_id FROM {table} WHERE {column} IN ({marks})", chunk
            ):
                found.setdefault(context, set()).add(person_id)
        return found

    def marks(self, keys: Collection[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        ids = list(keys)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found |= dict(
                self.conn.execute(
                    f"SELECT key, run_id FROM derived_group WHERE key IN ({marks})", chunk
                ).fetchall()
            )
        return found

    def save_marks(self, groups: Sequence[tuple[TieKind, str, str | None]]) -> None:
        self.conn.executemany(
            "INSERT INTO derived_group (key, tie_kind, context, run_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET run_id = excluded.run_id",
            [(group_key(k, c), k.value, c, r) for k, c, r in groups],
        )

    def group_tie_rows(self, keys: Collection[str]) -> list[Tie]:
        wanted = set(keys)
        if not wanted:
            return []
        kinds = sorted({k.split("|", 1)[0] for k in wanted})
        contexts = sorted({k.split("|", 1)[1] for k in wanted})
        rows = self.conn.execute(
            "SELECT data FROM tie"
            f" WHERE tie_kind IN ({','.join('?' * len(kinds))})"
            " AND json_extract(data, '$.context') IN (SELECT value FROM json_each(?))",
            [*kinds, json.dumps(contexts)],
        )
        ties = [Tie.model_validate_json(d) for (d,) in rows]
        return [t for t in ties if group_key(t.tie_kind, t.context or "") in wanted]

    def groups(
        self, kinds: Collection[TieKind] = DERIVED_KINDS, person_ids: Collection[str] | None = None
    ) -> list[Group]:
        """The marked groups of these kinds (with a member among ``person_ids`` when
        given), with their current members, start and stamp."""
        parts: list[str] = []
        params: list[Any] = []
        people = None if person_ids is None else json.dumps(sorted(set(person_ids)))
        if TieKind.COHORT_PEER in kinds:
            parts.append(
                "SELECT g.tie_kind, g.context, c.start_date, g.run_id, m.person_id"
                " FROM derived_group g JOIN cohort c ON c.key = g.context"
                " JOIN membership m ON m.cohort_id = g.context WHERE g.tie_kind = 'cohort_peer'"
                + (
                    ""
                    if people is None
                    else " AND g.context IN (SELECT cohort_id FROM membership"
                    " WHERE person_id IN (SELECT value FROM json_each(?)))"
                )
            )
            params += [] if people is None else [people]
        if TieKind.PROJECT in kinds:
            chosen = (
                ""
                if people is None
                else " AND g.context IN (SELECT project_id FROM project_member"
                " WHERE person_id IN (SELECT value FROM json_each(?))"
                " UNION SELECT key FROM project WHERE sponsor_id IN"
                " (SELECT value FROM json_each(?)))"
            )
            for member in (
                "JOIN project_member pm ON pm.project_id = g.context",
                "",
            ):
                parts.append(
                    "SELECT g.tie_kind, g.context, json_extract(p.data, '$.start_date'), g.run_id,"
                    f" {'pm.person_id' if member else 'p.sponsor_id'}"
                    f" FROM derived_group g JOIN project p ON p.key = g.context {member}"
                    " WHERE g.tie_kind = 'project'" + chosen
                )
                params += [] if people is None else [people, people]
        if not parts:
            return []
        return groups_from_rows(self.conn.execute(" UNION ALL ".join(parts), params))

    def drop_journal(self, run_id: str) -> None:
        self.conn.execute("DELETE FROM journal WHERE run_id = ?", (run_id,))

    def save_run(self, run: IngestRun) -> None:
        self.conn.execute(
            "INSERT INTO ingest_run (key, started_at, data) VALUES (?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET data = excluded.data",
            (run.key, run.started_at.isoformat(), run.model_dump_json()),
        )

    def load_runs(self) -> list[IngestRun]:
        rows = self.conn.execute("SELECT data FROM ingest_run ORDER BY started_at, key")
        return [IngestRun.model_validate_json(d) for (d,) in rows]

    def save_keys(self, keys: Sequence[ApiKey]) -> None:
        self.conn.executemany(
            "INSERT INTO api_key (key, data, secret_sha256, person_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET data = excluded.data,"
            " secret_sha256 = excluded.secret_sha256, person_id = excluded.person_id",
            [(k.id, k.model_dump_json(), k.secret_sha256, k.person_id) for k in keys],
        )

    def add_erasures(self, erasures: Sequence[Erasure]) -> None:
        self.conn.executemany(
            "INSERT INTO erasure (key, data) VALUES (?, ?)",
            [(e.key, e.model_dump_json()) for e in erasures],
        )

    def empty(self) -> None:
        for table in ("journal", "api_key", "erasure", "ingest_run", "derived_group"):
            self.conn.execute(f'DELETE FROM "{table}"')  # table: a constant
        for model in reversed(WRITE_ORDER):
            self.conn.execute(f'DELETE FROM "{model.kind}"')  # kind: a constant
