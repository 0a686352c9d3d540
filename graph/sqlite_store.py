"""The embedded default store, on Python's own ``sqlite3``.

One table per kind of record: the record's JSON plus the columns that queries
filter or join on, with foreign keys. WAL mode, foreign keys on, one
transaction per call, ``secure_delete`` so an erased person's bytes are
overwritten rather than left in free pages.

The tables are in ``graph.sqlite_store_schema``, the primitives one transaction
offers ``graph.writes`` in ``graph.sqlite_store_tx``, and page sessions, in a file
of their own, in ``graph.sqlite_store_sessions``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from graph.derived import DERIVED_KINDS, Group, derived_ends, derived_ties, ties_by_key
from graph.errors import Invalid, NotFound, Problem, Stale, StoreUnavailable
from graph.model import (
    AMBITIONS,
    DEFAULT_METRIC_KINDS,
    KIND_BY_NAME,
    SURVEY_KINDS,
    WRITE_ORDER,
    Ambition,
    ApiKey,
    Assessment,
    Employment,
    Erasure,
    IngestRun,
    Membership,
    Person,
    Project,
    Tie,
    TieKind,
    Wave,
    normalise_email,
)
from graph.redact import FREE_TEXT_KINDS, erasure_scrubs, journal_scrubber
from graph.snapshot import SnapshotRows, build_snapshot
from graph.sqlite_store_changes import TABLE as CHANGES_TABLE
from graph.sqlite_store_changes import changes_since, forget_changes, note_change, tie_ends_of
from graph.sqlite_store_counts import count_records
from graph.sqlite_store_schema import (
    COLUMNS,
    CONNECTION_PRAGMAS,
    create_schema,
    path_from_url,
    search_text,
)
from graph.sqlite_store_search import SCHEMA as SEARCH_SCHEMA
from graph.sqlite_store_search import SqliteSearch, erase_from_index
from graph.sqlite_store_sessions import SessionFile
from graph.sqlite_store_tx import SqliteTx
from graph.store import (
    Batch,
    Page,
    PageResult,
    PageSession,
    PersonQuery,
    R,
    StoreChanges,
    StoreContent,
    TieEnds,
    WriteReport,
)
from graph.store_changes import ALL, describe_batch, describe_records
from graph.surveys import SurveyStore
from graph.writes import apply_batch, read_content, rollback_run, write_content

__all__ = ["SqliteStore", "path_from_url", "search_text"]

if TYPE_CHECKING:
    import networkx as nx


def _kind_filter(kinds: Collection[TieKind] | None) -> tuple[str, list[str]]:
    """An ``AND tie_kind IN (...)`` clause and its parameters; nothing for all kinds."""
    if kinds is None:
        return "", []
    return f" AND tie_kind IN ({','.join('?' * len(kinds))})", [k.value for k in kinds]


class SqliteStore(SqliteSearch):
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
        try:
            for pragma in CONNECTION_PRAGMAS:
                self._conn.execute(pragma)
            self._create_schema()
        except sqlite3.DatabaseError as exc:  # e.g. "file is not a database"
            self._conn.close()
            raise StoreUnavailable(f"cannot open {path}: {exc}") from exc

    def _create_schema(self) -> None:
        with self._transaction(describe_records(AMBITIONS)) as tx:
            create_schema(tx.conn)
            tx.conn.execute(CHANGES_TABLE)
            for statement in SEARCH_SCHEMA:
                tx.conn.execute(statement)
            tx.upsert(Ambition, list(AMBITIONS))

    @contextmanager
    def _transaction(self, change: str = ALL) -> Iterator[SqliteTx]:
        """One write transaction; if it changed anything, ``change`` says what, in the
        store's log of writes (``graph.store_changes``; by default: anything)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            before = self._conn.total_changes
            try:
                yield SqliteTx(self._conn)
                if self._conn.total_changes != before:
                    note_change(self._conn, change)
            except sqlite3.IntegrityError as exc:
                self._conn.execute("ROLLBACK")
                raise Invalid([Problem("batch", "reference", None, str(exc))]) from exc
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
                self._writes += 1

    @contextmanager
    def _reading(self) -> Iterator[SqliteTx]:
        """One read transaction, so reads of several tables agree."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield SqliteTx(self._conn)
            finally:
                self._conn.execute("ROLLBACK")

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
        with self._transaction(describe_batch(batch, run)) as tx:
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
            erase_from_index(tx.conn, person_id)
            tx.conn.execute(
                "DELETE FROM journal WHERE EXISTS "
                "(SELECT 1 FROM json_each(journal.people) WHERE value = ?)",
                (person_id,),
            )
            forget_changes(tx.conn)
            erasure = Erasure(person_id=person_id, erased_at=datetime.now(UTC), actor=actor)
            tx.add_erasures([erasure])
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
            found = SqliteTx(self._conn).fetch(model, keys)
        if model is Tie:
            derived = ties_by_key(keys, lambda people: self._groups(None, people))
            found |= cast(dict[str, R], derived)
        return found

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
                if name in COLUMNS.get(model.kind, {})
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
        ties = [Tie.model_validate_json(d) for (d,) in rows]
        ties += derived_ties(self._groups(kinds, ids), kinds, touching=ids)
        return sorted(ties, key=lambda t: t.key)

    def _groups(
        self, kinds: Collection[TieKind] | None, person_ids: Collection[str] | None = None
    ) -> list[Group]:
        """The derived groups of these kinds (all when ``None``), touching these people."""
        chosen = [k for k in DERIVED_KINDS if kinds is None or k in kinds]
        if not chosen:
            return []
        with self._lock:
            return SqliteTx(self._conn).groups(chosen, person_ids)

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
        ties = [Tie.model_validate_json(d) for (d,) in rows]
        ties += derived_ties(self._groups(kinds, ids), kinds, among=ids)
        return sorted(ties, key=lambda t: t.key)

    def members_of(self, kind: TieKind, contexts: Collection[str]) -> dict[str, set[str]]:
        with self._lock:
            return SqliteTx(self._conn).members_of(kind, contexts)

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

    def assessments(
        self, cohort_id: str, *, wave: Wave | None = None, person_id: str | None = None
    ) -> list[Assessment]:
        rows = self._read(
            "SELECT data FROM assessment WHERE cohort_id = ? AND (? IS NULL OR wave = ?)"
            " AND (? IS NULL OR person_id = ?) ORDER BY key",
            (cohort_id, *(2 * [wave.value if wave else None]), *(2 * [person_id])),
        )
        return [Assessment.model_validate_json(d) for (d,) in rows]

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
        for source, target, tie_kind in derived_ends(self._groups(kinds), kinds):
            sources, targets = found.setdefault(tie_kind, ([], []))
            sources.append(source)
            targets.append(target)
        return found

    def version(self) -> str:
        (changes,) = self._read("PRAGMA data_version")[0]
        return f"{changes}.{self._writes}"

    def changes_since(self, mark: int | None) -> StoreChanges:
        with self._reading() as tx:
            return changes_since(tx.conn, mark)

    def tie_ends_of(
        self, person_ids: Collection[str], kinds: Collection[TieKind]
    ) -> dict[TieKind, TieEnds]:
        with self._reading() as tx:
            return tie_ends_of(tx, person_ids, kinds)

    def runs(self) -> list[IngestRun]:
        with self._lock:
            return SqliteTx(self._conn).load_runs()

    def save_key(self, key: ApiKey) -> None:
        with self._transaction(describe_records([key])) as tx:
            tx.save_keys([key])

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
        derived = [(s, t, k.value) for s, t, k in derived_ends(self._groups(kinds), kinds, as_of)]
        return derived + [
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
        with self._lock:
            return count_records(self._conn)

    def dump(self) -> dict[str, list[dict[str, object]]]:
        out: dict[str, list[dict[str, object]]] = {}
        for model in WRITE_ORDER:
            rows = self._read(f'SELECT data FROM "{model.kind}" ORDER BY key')
            records = [KIND_BY_NAME[model.kind].model_validate_json(d) for (d,) in rows]
            if model is Tie:
                records = sorted([*records, *derived_ties(self._groups(None))], key=lambda r: r.key)
            out[model.kind] = [r.model_dump(mode="json") for r in records]
        return out

    def export_records(self) -> StoreContent:
        with self._reading() as tx:
            return read_content(tx)

    def import_records(self, content: StoreContent, *, replace: bool = False) -> None:
        with self._transaction() as tx:
            write_content(tx, content, replace=replace)

    # -- page sessions --------------------------------------------------------------
    @property
    def _sessions(self) -> SessionFile:
        with self._lock:
            found = self.__dict__.get("_session_file")
            if found is None:
                found = self.__dict__["_session_file"] = SessionFile(path_from_url(self.url))
            assert isinstance(found, SessionFile)
            return found

    def save_session(self, session: PageSession, *, keep_per_key: int | None = None) -> None:
        self._sessions.save(session, keep_per_key)

    def session(self, token_sha256: str, now: datetime) -> PageSession:
        return self._sessions.get(token_sha256, now)

    def delete_session(self, token_sha256: str) -> None:
        self._sessions.delete(token_sha256)

    def delete_sessions_of_key(self, key_id: str) -> int:
        return self._sessions.delete_of_key(key_id)

    def delete_expired_sessions(self, now: datetime) -> int:
        return self._sessions.delete_expired(now)

    def sessions_of_key(self, key_id: str) -> list[PageSession]:
        return self._sessions.of_key(key_id)

    # -- survey waves: bookkeeping in a file of their own, as sessions (graph/sqlite_surveys.py)
    @property
    def surveys(self) -> SurveyStore:
        from graph.sqlite_surveys import surveys_of

        return surveys_of(self, path_from_url(self.url))
