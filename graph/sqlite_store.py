"""The embedded default store, on Python's own ``sqlite3``.

One table per kind of record: the record's JSON plus the columns that queries
filter or join on, with foreign keys. WAL mode, foreign keys on, one
transaction per call, ``secure_delete`` so an erased person's bytes are
overwritten rather than left in free pages.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import Invalid, NotFound, Problem, Stale, StoreUnavailable
from graph.model import (
    AMBITIONS,
    DEFAULT_METRIC_KINDS,
    KIND_BY_NAME,
    SURVEY_KINDS,
    WRITE_ORDER,
    Ambition,
    ApiKey,
    Employment,
    Erasure,
    IngestRun,
    Membership,
    Person,
    Project,
    Record,
    Tie,
    TieKind,
    Wave,
    normalise_email,
)
from graph.redact import FREE_TEXT_KINDS, erasure_scrubs, journal_scrubber
from graph.snapshot import SnapshotRows, build_snapshot
from graph.store import (
    Batch,
    Page,
    PageResult,
    PageSession,
    PersonQuery,
    R,
    TieEnds,
    WriteReport,
)
from graph.surveys import SurveyStore
from graph.writes import JournalEntry, apply_batch, rollback_run

if TYPE_CHECKING:
    import networkx as nx

# Columns beside the JSON, per kind: name -> SQL declaration. Table and column
# names are code constants; values are always bound parameters.
_COLUMNS: dict[str, dict[str, str]] = {
    "ambition": {},
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
}

_INDEXES = (
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
)

_SIDE_TABLES = (
    "CREATE TABLE IF NOT EXISTS ingest_run (key TEXT PRIMARY KEY, started_at TEXT NOT NULL,"
    " data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS erasure (key TEXT PRIMARY KEY, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS api_key (key TEXT PRIMARY KEY, data TEXT NOT NULL,"
    " secret_sha256 TEXT NOT NULL UNIQUE,"
    " person_id TEXT REFERENCES person(key) ON DELETE CASCADE)",
    "CREATE TABLE IF NOT EXISTS journal (run_id TEXT NOT NULL, seq INTEGER NOT NULL,"
    " kind TEXT NOT NULL, key TEXT NOT NULL, previous TEXT, people TEXT NOT NULL,"
    " PRIMARY KEY (run_id, seq))",
)


def _column_value(record: Record, column: str) -> Any:
    if column == "search":
        assert isinstance(record, Person)
        return search_text(record)
    if column == "area":  # compared case-insensitively, beyond ASCII too
        assert isinstance(record, Person)
        return record.area.casefold() if record.area else None
    value = getattr(record, column)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


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


class _SqliteTx:
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

    def every(self, model: type[R]) -> list[R]:
        rows = self.conn.execute(f'SELECT data FROM "{model.kind}" ORDER BY key')
        return [model.model_validate_json(d) for (d,) in rows]

    def upsert(self, model: type[R], records: Sequence[R]) -> None:
        columns = list(_COLUMNS[model.kind])
        names = ", ".join(f'"{c}"' for c in ["key", "data", "run_id", *columns])
        marks = ", ".join("?" * (3 + len(columns)))
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in ["data", "run_id", *columns])
        sql = (
            f'INSERT INTO "{model.kind}" ({names}) VALUES ({marks}) '
            f"ON CONFLICT(key) DO UPDATE SET {updates}"
        )
        self.conn.executemany(
            sql,
            (
                [r.key, r.model_dump_json(), r.run_id, *(_column_value(r, c) for c in columns)]
                for r in records
            ),
        )

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


def _kind_filter(kinds: Collection[TieKind] | None) -> tuple[str, list[str]]:
    """An ``AND tie_kind IN (...)`` clause and its parameters; nothing for all kinds."""
    if kinds is None:
        return "", []
    return f" AND tie_kind IN ({','.join('?' * len(kinds))})", [k.value for k in kinds]


class SqliteStore:
    """``GraphStore`` on a SQLite file (or ``:memory:``)."""

    def __init__(self, url: str = "sqlite:///./alumni-graph.db") -> None:
        self.url = url
        path = path_from_url(url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open {path}: {exc}") from exc
        self._lock = threading.RLock()
        self._writes = 0
        """Transactions committed through this connection (``data_version`` counts the others)."""
        for pragma in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA secure_delete = ON",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA busy_timeout = 5000",
        ):
            self._conn.execute(pragma)
        self._create_schema()

    def _create_schema(self) -> None:
        with self._transaction() as tx:
            for kind, columns in _COLUMNS.items():
                extra = "".join(f', "{name}" {decl}' for name, decl in columns.items())
                tx.conn.execute(
                    f'CREATE TABLE IF NOT EXISTS "{kind}" '
                    f"(key TEXT PRIMARY KEY, data TEXT NOT NULL, run_id TEXT{extra})"
                )
            for statement in (*_INDEXES, *_SIDE_TABLES):
                tx.conn.execute(statement)
            tx.upsert(Ambition, list(AMBITIONS))

    @contextmanager
    def _transaction(self) -> Iterator[_SqliteTx]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTx(self._conn)
            except sqlite3.IntegrityError as exc:
                self._conn.execute("ROLLBACK")
                raise Invalid([Problem("batch", "reference", None, str(exc))]) from exc
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
                self._writes += 1

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._conn.execute(sql, params))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
        if (sessions := self.__dict__.get("_session_file")) is not None:
            sessions.close()

    # -- writes -----------------------------------------------------------
    def apply(
        self, batch: Batch, run: IngestRun | None = None, *, expected_version: str | None = None
    ) -> WriteReport:
        with self._transaction() as tx:
            # BEGIN IMMEDIATE holds the file's write lock and sees every commit before it:
            # another connection's moved ``data_version``, one through this one ``_writes``.
            if expected_version is not None and self.version() != expected_version:
                raise Stale("the store changed since this batch was checked; check it again")
            return apply_batch(tx, batch, run)

    def plan(self, batch: Batch) -> WriteReport:
        with self._transaction() as tx:
            return apply_batch(tx, batch, None, dry_run=True)

    def rollback(self, run_id: str) -> WriteReport:
        with self._transaction() as tx:
            return rollback_run(tx, run_id)

    def erase_person(self, person_id: str, actor: str) -> Erasure:
        with self._transaction() as tx:
            person = tx.fetch(Person, [person_id]).get(person_id)
            if person is None:
                raise NotFound("person", person_id)
            sponsored = self._conn.execute(
                "SELECT data FROM project WHERE sponsor_id = ?", (person_id,)
            ).fetchall()
            tx.upsert(
                Project,
                [
                    Project.model_validate_json(d).model_copy(update={"sponsor_id": None})
                    for (d,) in sponsored
                ],
            )
            for model, scrubbed in erasure_scrubs(person, tx.every):
                tx.upsert(model, scrubbed)
            scrub = journal_scrubber(person)
            kinds = ",".join("?" * len(FREE_TEXT_KINDS))
            for run_id, seq, kind, previous in tx.conn.execute(
                "SELECT run_id, seq, kind, previous FROM journal"
                f" WHERE previous IS NOT NULL AND kind IN ({kinds})",
                FREE_TEXT_KINDS,
            ).fetchall():
                if (after := scrub(kind, previous)) is not None:
                    tx.conn.execute(
                        "UPDATE journal SET previous = ? WHERE run_id = ? AND seq = ?",
                        (after, run_id, seq),
                    )
            tx.conn.execute("DELETE FROM person WHERE key = ?", (person_id,))
            tx.conn.execute(
                "DELETE FROM journal WHERE EXISTS "
                "(SELECT 1 FROM json_each(journal.people) WHERE value = ?)",
                (person_id,),
            )
            erasure = Erasure(person_id=person_id, erased_at=datetime.now(UTC), actor=actor)
            tx.conn.execute(
                "INSERT INTO erasure (key, data) VALUES (?, ?)",
                (erasure.key, erasure.model_dump_json()),
            )
        with self._lock:
            # Move the overwritten pages out of the write-ahead log too.
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return erasure

    # -- reads ------------------------------------------------------------
    def get(self, model: type[R], key: str) -> R:
        found = self.get_many(model, [key])
        if key not in found:
            raise NotFound(model.kind, key)
        return found[key]

    def get_many(self, model: type[R], keys: Collection[str]) -> dict[str, R]:
        with self._lock:
            return _SqliteTx(self._conn).fetch(model, keys)

    def find(
        self,
        model: type[R],
        where: Mapping[str, str | None] | None = None,
        page: Page | None = None,
    ) -> PageResult[R]:
        page = page or Page()
        clauses, params = [], []
        for name, value in (where or {}).items():
            if name not in model.model_fields:
                raise Invalid([Problem(model.kind, name, value, "no such field to filter on")])
            column = (
                f'"{name}"'
                if name in _COLUMNS.get(model.kind, {})
                else f"json_extract(data, '$.{name}')"
            )
            if value is None:
                clauses.append(f"{column} IS NULL")
            else:
                clauses.append(f"{column} = ?")
                params.append(value)
        condition = " AND ".join(clauses) or "1"
        table = f'"{model.kind}"'
        (count,) = self._read(f"SELECT count(*) FROM {table} WHERE {condition}", params)[0]
        rows = self._read(
            f"SELECT data FROM {table} WHERE {condition} ORDER BY key LIMIT ? OFFSET ?",
            [*params, page.limit, page.offset],
        )
        return PageResult([model.model_validate_json(d) for (d,) in rows], count)

    def person_by_email(self, email: str) -> Person:
        rows = self._read("SELECT data FROM person WHERE email = ?", (normalise_email(email),))
        if not rows:
            raise NotFound("person", "by email")
        return Person.model_validate_json(rows[0][0])

    def search_people(self, query: PersonQuery, page: Page | None = None) -> PageResult[Person]:
        page = page or Page()
        clauses: list[str] = []
        params: list[Any] = []
        for word in (query.text or "").casefold().split():
            clauses.append("instr(p.search, ?) > 0")
            params.append(word)
        if query.organisation_id:
            clauses.append(
                'EXISTS (SELECT 1 FROM employment e WHERE e.person_id = p.key AND e."end" IS NULL'
                " AND e.organisation_id = ?)"
            )
            params.append(query.organisation_id)
        if query.sector:
            clauses.append(
                "EXISTS (SELECT 1 FROM employment e"
                " JOIN organisation o ON o.key = e.organisation_id"
                ' WHERE e.person_id = p.key AND e."end" IS NULL AND o.sector = ?)'
            )
            params.append(query.sector.value)
        if query.cohort_id:
            clauses.append(
                "EXISTS (SELECT 1 FROM membership m WHERE m.person_id = p.key AND m.cohort_id = ?)"
            )
            params.append(query.cohort_id)
        if query.issue_id:
            clauses.append(
                "(EXISTS (SELECT 1 FROM project_member pm JOIN project pr ON pr.key = pm.project_id"
                " WHERE pm.person_id = p.key AND pr.issue_id = ?)"
                " OR EXISTS (SELECT 1 FROM project pr WHERE pr.sponsor_id = p.key"
                " AND pr.issue_id = ?))"
            )
            params += [query.issue_id, query.issue_id]
        if query.area:
            clauses.append("p.area = ?")
            params.append(query.area.strip().casefold())
        if query.directory_only:
            clauses.append("(json_extract(p.data, '$.consent_directory') = 1 OR p.key IS ?)")
            params.append(query.also_id)
        if query.ids is not None:
            ids = list(query.ids)
            clauses.append(f"p.key IN ({','.join('?' * len(ids))})" if ids else "0")
            params += ids
        condition = " AND ".join(clauses) or "1"
        (count,) = self._read(f"SELECT count(*) FROM person p WHERE {condition}", params)[0]
        rows = self._read(
            f"SELECT data FROM person p WHERE {condition} ORDER BY p.name, p.key LIMIT ? OFFSET ?",
            [*params, page.limit, page.offset],
        )
        return PageResult([Person.model_validate_json(d) for (d,) in rows], count)

    def ties_of(
        self, person_ids: Collection[str], kinds: Collection[TieKind] | None = None
    ) -> list[Tie]:
        ids = list(person_ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        kind_clause, kind_params = _kind_filter(kinds)
        rows = self._read(
            f"SELECT data FROM tie WHERE source_id IN ({marks}){kind_clause} UNION "
            f"SELECT data FROM tie WHERE target_id IN ({marks}){kind_clause}",
            [*ids, *kind_params, *ids, *kind_params],
        )
        return sorted((Tie.model_validate_json(d) for (d,) in rows), key=lambda t: t.key)

    def ties_among(
        self, person_ids: Collection[str], kinds: Collection[TieKind] | None = None
    ) -> list[Tie]:
        ids = list(dict.fromkeys(person_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        kind_clause, kind_params = _kind_filter(kinds)
        rows = self._read(
            f"SELECT data FROM tie WHERE source_id IN ({marks}) AND target_id IN ({marks})"
            f"{kind_clause}",
            [*ids, *ids, *kind_params],
        )
        return sorted((Tie.model_validate_json(d) for (d,) in rows), key=lambda t: t.key)

    def profile_links(
        self, person_ids: Collection[str]
    ) -> tuple[list[Employment], list[Membership]]:
        ids = list(dict.fromkeys(person_ids))
        jobs: list[Employment] = []
        memberships: list[Membership] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            jobs += [
                Employment.model_validate_json(d)
                for (d,) in self._read(
                    f"SELECT data FROM employment WHERE person_id IN ({marks})", chunk
                )
            ]
            memberships += [
                Membership.model_validate_json(d)
                for (d,) in self._read(
                    f"SELECT data FROM membership WHERE person_id IN ({marks})", chunk
                )
            ]
        return sorted(jobs, key=lambda e: e.key), sorted(memberships, key=lambda m: m.key)

    def tie_ends(self, kinds: Collection[TieKind]) -> dict[TieKind, TieEnds]:
        values = [k.value for k in kinds]
        found: dict[TieKind, TieEnds] = {}
        if not values:
            return found
        for kind, source, target in self._read(
            "SELECT tie_kind, source_id, target_id FROM tie"
            f" WHERE tie_kind IN ({','.join('?' * len(values))})",
            values,
        ):
            sources, targets = found.setdefault(TieKind(kind), ([], []))
            sources.append(source)
            targets.append(target)
        return found

    def version(self) -> str:
        (changes,) = self._read("PRAGMA data_version")[0]
        return f"{changes}.{self._writes}"

    def runs(self) -> list[IngestRun]:
        with self._lock:
            return _SqliteTx(self._conn).load_runs()

    def save_key(self, key: ApiKey) -> None:
        with self._transaction() as tx:
            tx.conn.execute(
                "INSERT INTO api_key (key, data, secret_sha256, person_id) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET data = excluded.data,"
                " secret_sha256 = excluded.secret_sha256, person_id = excluded.person_id",
                (key.id, key.model_dump_json(), key.secret_sha256, key.person_id),
            )

    def key_by_hash(self, secret_sha256: str) -> ApiKey:
        rows = self._read("SELECT data FROM api_key WHERE secret_sha256 = ?", (secret_sha256,))
        if not rows:
            raise NotFound("api key", "by hash")
        return ApiKey.model_validate_json(rows[0][0])

    def keys(self) -> list[ApiKey]:
        return [
            ApiKey.model_validate_json(d)
            for (d,) in self._read("SELECT data FROM api_key ORDER BY key")
        ]

    def revoke_key(self, key_id: str, at: datetime) -> ApiKey:
        rows = self._read("SELECT data FROM api_key WHERE key = ?", (key_id,))
        if not rows:
            raise NotFound("api key", key_id)
        revoked = ApiKey.model_validate_json(rows[0][0]).model_copy(update={"revoked_at": at})
        self.save_key(revoked)
        return revoked

    def erasures(self) -> list[Erasure]:
        rows = self._read("SELECT data FROM erasure ORDER BY key")
        return [Erasure.model_validate_json(d) for (d,) in rows]

    def snapshot(self, as_of: date, kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS) -> nx.Graph:
        ties = self._active_ties(as_of, kinds)
        return build_snapshot(self._snapshot_rows(as_of, kinds, ties))

    def wave_snapshot(
        self, cohort_id: str, wave: Wave, kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS
    ) -> nx.Graph:
        survey = [k.value for k in SURVEY_KINDS]
        member = (
            "EXISTS (SELECT 1 FROM membership m"
            " WHERE m.person_id = t.source_id AND m.cohort_id = t.cohort_id)"
        )
        (latest,) = self._read(
            f"SELECT max(start) FROM tie t WHERE t.cohort_id = ? AND t.wave = ?"
            f" AND t.tie_kind IN ({','.join('?' * len(survey))}) AND {member}",
            [cohort_id, wave.value, *survey],
        )[0]
        if latest is None:
            raise NotFound("survey wave", f"{cohort_id}/{wave.value}")
        as_of = date.fromisoformat(latest)
        chosen_survey = [k.value for k in kinds if k in SURVEY_KINDS]
        ties: list[tuple[str, str, str]] = []
        if chosen_survey:
            ties += self._read(
                f"SELECT source_id, target_id, tie_kind FROM tie t WHERE t.cohort_id = ?"
                f" AND t.wave = ? AND t.tie_kind IN ({','.join('?' * len(chosen_survey))})"
                f" AND {member}",
                [cohort_id, wave.value, *chosen_survey],
            )
        ties += self._active_ties(as_of, [k for k in kinds if k not in SURVEY_KINDS])
        return build_snapshot(self._snapshot_rows(as_of, kinds, ties))

    def _active_ties(self, as_of: date, kinds: Sequence[TieKind]) -> list[tuple[str, str, str]]:
        if not kinds:
            return []
        day = as_of.isoformat()
        return [
            (s, t, k)
            for s, t, k in self._read(
                "SELECT source_id, target_id, tie_kind FROM tie"
                f" WHERE tie_kind IN ({','.join('?' * len(kinds))})"
                ' AND start <= ? AND ("end" IS NULL OR "end" > ?)',
                [*(k.value for k in kinds), day, day],
            )
        ]

    def _snapshot_rows(
        self, as_of: date, kinds: Sequence[TieKind], ties: list[tuple[str, str, str]]
    ) -> SnapshotRows:
        people = [
            key
            for (key,) in self._read(
                "SELECT DISTINCT p.key FROM person p JOIN membership m ON m.person_id = p.key"
                " JOIN cohort c ON c.key = m.cohort_id"
                " WHERE p.consent_analytics = 1 AND c.start_date <= ?",
                (as_of.isoformat(),),
            )
        ]
        employments = [
            (p, o, date.fromisoformat(s))
            for p, o, s in self._read("SELECT person_id, organisation_id, start FROM employment")
        ]
        organisations = {
            key: (name, sector)
            for key, name, sector in self._read("SELECT key, name, sector FROM organisation")
        }
        return SnapshotRows(as_of, kinds, people, employments, organisations, ties)

    def counts(self) -> dict[str, int]:
        tables = [*(m.kind for m in WRITE_ORDER), "ambition", "ingest_run", "erasure", "api_key"]
        return {t: self._read(f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}

    def dump(self) -> dict[str, list[dict[str, object]]]:
        out: dict[str, list[dict[str, object]]] = {}
        for model in WRITE_ORDER:
            rows = self._read(f'SELECT data FROM "{model.kind}" ORDER BY key')
            out[model.kind] = [
                KIND_BY_NAME[model.kind].model_validate_json(d).model_dump(mode="json")
                for (d,) in rows
            ]
        return out

    # -- page sessions --------------------------------------------------------------
    @property
    def _sessions(self) -> _SessionFile:
        with self._lock:
            found = self.__dict__.get("_session_file")
            if found is None:
                found = self.__dict__["_session_file"] = _SessionFile(path_from_url(self.url))
            assert isinstance(found, _SessionFile)
            return found

    def save_session(self, session: PageSession, *, keep_per_key: int | None = None) -> None:
        self._sessions.save(session, keep_per_key)

    def session(self, token_sha256: str, now: datetime) -> PageSession:
        return self._sessions.get(token_sha256, now)

    def delete_session(self, token_sha256: str) -> None:
        self._sessions.write("DELETE FROM page_session WHERE token_sha256 = ?", (token_sha256,))

    def delete_sessions_of_key(self, key_id: str) -> int:
        return self._sessions.write("DELETE FROM page_session WHERE key_id = ?", (key_id,))

    def delete_expired_sessions(self, now: datetime) -> int:
        return self._sessions.write(
            "DELETE FROM page_session WHERE expires_at <= ?", (now.timestamp(),)
        )

    def sessions_of_key(self, key_id: str) -> list[PageSession]:
        return self._sessions.of_key(key_id)

    # -- survey waves: bookkeeping in a file of their own, as sessions (graph/sqlite_surveys.py)
    @property
    def surveys(self) -> SurveyStore:
        from graph.sqlite_surveys import surveys_of

        return surveys_of(self, path_from_url(self.url))


_SESSION_COLUMNS = (
    "token_sha256, key_id, key_sha256, created_at, expires_at, staged_id, staged_name"
)


def _session_row(session: PageSession) -> tuple[Any, ...]:
    return (
        session.token_sha256,
        session.key_id,
        session.key_sha256,
        session.created_at.timestamp(),
        session.expires_at.timestamp(),
        session.staged_id,
        session.staged_name,
    )


def _session_of(row: Sequence[Any]) -> PageSession:
    token, key_id, key_sha256, created, expires, staged_id, staged_name = row
    return PageSession(
        token_sha256=token,
        key_id=key_id,
        key_sha256=key_sha256,
        created_at=datetime.fromtimestamp(created, UTC),
        expires_at=datetime.fromtimestamp(expires, UTC),
        staged_id=staged_id,
        staged_name=staged_name,
    )


class _SessionFile:
    """Page sessions in a file of their own beside the graph's (``graph.db-sessions``),
    on their own connection: a sign-in is not a change to the graph, so it must not
    change the graph file's ``data_version`` (every other process would drop its read
    caches) nor wait behind a long load holding the graph's write lock."""

    def __init__(self, graph_path: str) -> None:
        path = ":memory:" if graph_path == ":memory:" else f"{graph_path}-sessions"
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open {path}: {exc}") from exc
        self._lock = threading.Lock()
        for statement in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA secure_delete = ON",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA busy_timeout = 5000",
            "CREATE TABLE IF NOT EXISTS page_session (token_sha256 TEXT PRIMARY KEY,"
            " key_id TEXT NOT NULL, key_sha256 TEXT NOT NULL, created_at REAL NOT NULL,"
            " expires_at REAL NOT NULL, staged_id TEXT, staged_name TEXT)",
            "CREATE INDEX IF NOT EXISTS page_session_key ON page_session(key_id, created_at)",
            "CREATE INDEX IF NOT EXISTS page_session_expiry ON page_session(expires_at)",
        ):
            self._conn.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def write(self, sql: str, params: Sequence[Any]) -> int:
        with self._lock:
            return self._conn.execute(sql, params).rowcount

    def save(self, session: PageSession, keep_per_key: int | None) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute(
                    f"INSERT OR REPLACE INTO page_session ({_SESSION_COLUMNS})"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    _session_row(session),
                )
                if keep_per_key is not None:
                    self._conn.execute(
                        "DELETE FROM page_session WHERE token_sha256 IN"
                        " (SELECT token_sha256 FROM page_session WHERE key_id = ?"
                        "  ORDER BY created_at DESC, token_sha256 DESC LIMIT -1 OFFSET ?)",
                        (session.key_id, max(keep_per_key, 0)),
                    )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def get(self, token_sha256: str, now: datetime) -> PageSession:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM page_session"
                " WHERE token_sha256 = ? AND expires_at > ?",
                (token_sha256, now.timestamp()),
            ).fetchall()
        if not rows:
            raise NotFound("session", "by hash")
        return _session_of(rows[0])

    def of_key(self, key_id: str) -> list[PageSession]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM page_session WHERE key_id = ?"
                " ORDER BY created_at, token_sha256",
                (key_id,),
            ).fetchall()
        return [_session_of(r) for r in rows]
