"""The Neo4j store: the same records as SQLite, kept as a genuine property graph.

People, organisations, cohorts, issues, projects and handovers are nodes;
memberships, employments, project work and ties are relationships that carry
every field of their record; references of node records become structural
relationships (``(:Project)-[:ADDRESSES]->(:WickedIssue)``). The graph model
and every statement live in ``graph.neo4j_queries``.

What to write is decided by ``graph.writes`` and the snapshot is built by
``graph.snapshot``, exactly as for SQLite: this module only moves records in
and out, one managed transaction per public call, in ``UNWIND`` batches.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import Enum
from functools import cache
from typing import Any, LiteralString, TypeVar, get_origin
from urllib.parse import urlsplit

import networkx as nx
from neo4j import (
    Driver,
    GraphDatabase,
    ManagedTransaction,
    NotificationDisabledClassification,
    RoutingControl,
    Session,
)
from neo4j import Record as Row
from neo4j.exceptions import (
    AuthError,
    ConnectionPoolError,
    ConstraintError,
    DatabaseError,
    DriverError,
    Forbidden,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from neo4j.time import Date, DateTime
from pydantic import TypeAdapter, ValidationError

from graph import neo4j_queries as q
from graph.errors import AlumniGraphError, Invalid, NotFound, Problem, Stale, StoreUnavailable
from graph.model import (
    AMBITIONS,
    DEFAULT_METRIC_KINDS,
    SURVEY_KINDS,
    WRITE_ORDER,
    Ambition,
    ApiKey,
    Employment,
    Erasure,
    IngestRun,
    Membership,
    Person,
    Record,
    Tie,
    TieKind,
    Wave,
    normalise_email,
)
from graph.redact import FREE_TEXT_KINDS, erasure_scrubs, journal_scrubber
from graph.snapshot import SnapshotRows, build_snapshot
from graph.sqlite_store import search_text
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

T = TypeVar("T")

SCHEMES = frozenset({"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"})
CHUNK = 5_000
"""Rows per ``UNWIND``: inside the 1k-50k band that batches well."""
JOURNAL_CHUNK = 2_000
"""Journal entries per ``JournalChunk`` node (about one bundle's records)."""
RETRY_SECONDS = 10.0
"""How long the driver retries a transaction (deadlock, lost server) before we give up:
its default of 30 s (about a minute with back-off) is too long to keep a request waiting."""

_COUNT_KINDS: tuple[str, ...] = (
    *(m.kind for m in WRITE_ORDER),
    "ambition",
    "ingest_run",
    "erasure",
    "api_key",
)


# -- values in and out ------------------------------------------------------------


def _to_property(value: object) -> Any:
    """A field value as Neo4j stores it: enums by value, tuples as lists, dicts as JSON.

    ``date`` and ``datetime`` pass through: the driver makes them ``Date`` and
    ``DateTime`` (``LocalDateTime`` when naive), so Cypher compares them as dates.
    """
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_to_property(v) for v in value]
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def _properties(record: Record, *, keep_none: bool = False) -> dict[str, Any]:
    """Every field of the record; ``None`` is left out (absent reads back as ``None``)."""
    props = {
        name: _to_property(getattr(record, name))
        for name in type(record).model_fields
        if keep_none or getattr(record, name) is not None
    }
    node = q.NODE_KINDS.get(record.kind)
    props[node.identity if node else "key"] = record.key
    if isinstance(record, Person):
        props["search"] = search_text(record)
    return props


@cache
def _json_fields(model: type[Record]) -> frozenset[str]:
    return frozenset(
        name for name, f in model.model_fields.items() if get_origin(f.annotation) is dict
    )


def _record(model: type[R], props: Mapping[str, Any]) -> R:
    """Rebuild a record from its properties, ignoring the store's own (``search``, ``key``)."""
    data: dict[str, Any] = {}
    for name in model.model_fields:
        if name not in props:
            continue
        value = props[name]
        if isinstance(value, Date | DateTime):
            value = value.to_native()
        elif name in _json_fields(model):
            value = json.loads(value)
        data[name] = value
    return model.model_validate(data)


@cache
def _adapter(model: type[Record], name: str) -> TypeAdapter[Any]:
    annotation = model.model_fields[name].annotation
    assert annotation is not None  # pydantic has resolved every field of a Record
    return TypeAdapter(annotation)


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _queries(model: type[Record]) -> q.KindQueries:
    try:
        return q.KIND_QUERIES[model.kind]
    except KeyError:
        raise Invalid([Problem(model.kind, "kind", model.kind, "not stored")]) from None


def _native(value: Any) -> Any:
    return value.to_native() if isinstance(value, Date | DateTime) else value


# -- one transaction ----------------------------------------------------------------


class _Neo4jTx:
    """``RecordTx`` on one managed transaction (also used for reads in a read one).

    Upserts and deletes are queued and sent when the next call of another kind
    (or a read, or the end of the transaction) comes: ``rollback_run`` undoes one
    record per call, and one round trip per record would make a large rollback
    take minutes. Consecutive calls of one kind become one ``UNWIND`` batch.
    """

    def __init__(self, tx: ManagedTransaction) -> None:
        self.tx = tx
        self._queued: tuple[str, type[Record]] | None = None
        self._items: list[Any] = []

    def run(self, query: LiteralString, **params: Any) -> list[Row]:
        self.flush()
        return list(self.tx.run(query, params))

    def _queue(self, op: str, model: type[Record], items: Sequence[Any]) -> None:
        if self._queued != (op, model):
            self.flush()
            self._queued = (op, model)
        self._items += items
        if len(self._items) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Send the queued writes; must run before the transaction commits."""
        if self._queued is None:
            return
        (op, model), items = self._queued, self._items
        self._queued, self._items = None, []
        if op == "upsert":
            self._upsert(model, list({r.key: r for r in items}.values()))
        elif op == "create":
            self._upsert(model, list({r.key: r for r in items}.values()), create=True)
        else:
            self._delete(model, items)

    def fetch(self, model: type[R], keys: Collection[str]) -> dict[str, R]:
        query = _queries(model).fetch
        found: dict[str, R] = {}
        for chunk in _chunks(list(dict.fromkeys(keys))):
            for row in self.run(query, keys=list(chunk)):
                record = _record(model, row["props"])
                found[record.key] = record
        return found

    def every(self, model: type[R]) -> list[R]:
        records = [_record(model, row["props"]) for row in self.run(_queries(model).every)]
        return sorted(records, key=lambda r: r.key)

    def upsert(self, model: type[R], records: Sequence[R]) -> None:
        self._queue("upsert", model, records)

    def create(self, model: type[R], records: Sequence[R]) -> None:
        self._queue("create", model, records)

    def delete(self, model: type[Record], keys: Collection[str]) -> None:
        self._queue("delete", model, list(keys))

    def _upsert(
        self, model: type[Record], records: Sequence[Record], *, create: bool = False
    ) -> None:
        """``MERGE`` the records, or ``CREATE`` them when ``create`` says none exists yet."""
        rel = q.REL_KINDS.get(model.kind)
        rows = [
            {"key": r.key, "props": _properties(r)}
            | (
                {"source": getattr(r, rel.source_field), "target": getattr(r, rel.target_field)}
                if rel
                else {}
            )
            for r in records
        ]
        query = q.CREATE[model.kind] if create else _queries(model).upsert
        self._write_rows(query, rows, model.kind, "reference")
        if model.kind in q.LINKS:
            self._relink(model.kind, records, new=create)

    def _relink(self, kind: str, records: Sequence[Record], *, new: bool = False) -> None:
        """Replace the structural relationships of rewritten nodes with their current ones
        (``new`` nodes have none to drop)."""
        keys = [] if new else [r.key for r in records]
        for chunk in _chunks(keys):
            self.run(q.UNLINK[kind], keys=list(chunk))
        for link in q.LINKS[kind]:
            rows: list[dict[str, Any]] = []
            for r in records:
                value = _to_property(getattr(r, link.field))
                others = value if isinstance(value, list) else [] if value is None else [value]
                rows += [{"key": r.key, "other": other} for other in others]
            self._write_rows(q.LINK[(kind, link.rel_type)], rows, kind, link.field)

    def _write_rows(
        self, query: LiteralString, rows: Sequence[dict[str, Any]], kind: str, field: str
    ) -> None:
        """Run a batched write; a row that matched no endpoint is a dangling reference."""
        for chunk in _chunks(rows):
            (row,) = self.run(query, rows=list(chunk))
            if row["written"] != len(chunk):
                missing = len(chunk) - row["written"]
                raise Invalid(
                    [Problem(kind, field, None, f"{missing} reference(s) to missing records")]
                )

    def _delete(self, model: type[Record], keys: Sequence[str]) -> None:
        for chunk in _chunks(keys):
            if model is Person:
                self.run(q.DROP_PERSON_KEYS, ids=list(chunk))
            self.run(_queries(model).delete, keys=list(chunk))

    def employments_of(self, person_ids: Collection[str]) -> list[Employment]:
        found: list[Employment] = []
        for chunk in _chunks(list(dict.fromkeys(person_ids))):
            rows = self.run(q.EMPLOYMENTS_OF, ids=list(chunk))
            found += [_record(Employment, row["props"]) for row in rows]
        return sorted(found, key=lambda e: e.key)

    def add_journal(self, entries: Sequence[JournalEntry]) -> None:
        """The entries as ``JournalChunk`` nodes (see ``q.ADD_JOURNAL``), per run, in order."""
        by_run: dict[str, list[JournalEntry]] = {}
        for e in entries:
            by_run.setdefault(e.run_id, []).append(e)
        rows = [
            {
                "run_id": run_id,
                "seq": chunk[0].seq,
                "seqs": [e.seq for e in chunk],
                "kinds": [e.kind for e in chunk],
                "keys": [e.key for e in chunk],
                "previous": ["" if e.previous is None else json.dumps(e.previous) for e in chunk],
                "entry_people": [" ".join(e.people) for e in chunk],
                "people": sorted({p for e in chunk for p in e.people}),
            }
            for run_id, run_entries in by_run.items()
            for chunk in _chunks(run_entries, JOURNAL_CHUNK)
        ]
        for batch in _chunks(rows, 10):
            self.run(q.ADD_JOURNAL, rows=list(batch))

    def journal(self, run_id: str) -> list[JournalEntry]:
        chunked = [
            JournalEntry(
                run_id=run_id,
                seq=seq,
                kind=kind,
                key=key,
                previous=json.loads(previous) if previous else None,
                people=tuple(people.split()),
            )
            for row in self.run(q.JOURNAL_CHUNKS, run_id=run_id)
            for seq, kind, key, previous, people in zip(
                row["seqs"],
                row["kinds"],
                row["keys"],
                row["previous"],
                row["entry_people"],
                strict=True,
            )
        ]
        return sorted(chunked + self._journal_entries(run_id), key=lambda e: e.seq)

    def _journal_entries(self, run_id: str) -> list[JournalEntry]:
        """A journal written one node per entry (by versions before ``JournalChunk``)."""
        return [
            JournalEntry(
                run_id=run_id,
                seq=row["seq"],
                kind=row["kind"],
                key=row["key"],
                previous=None if row["previous"] is None else json.loads(row["previous"]),
                people=tuple(row["people"]),
            )
            for row in self.run(q.JOURNAL, run_id=run_id)
        ]

    def drop_journal(self, run_id: str) -> None:
        self.run(q.DROP_JOURNAL, run_id=run_id)
        self.run(q.DROP_JOURNAL_CHUNKS, run_id=run_id)

    def save_run(self, run: IngestRun) -> None:
        self.run(
            q.SAVE_RUN,
            id=run.id,
            sort_key=run.started_at.isoformat(),
            props=_properties(run, keep_none=True),
        )

    def load_runs(self) -> list[IngestRun]:
        rows = [row["props"] for row in self.run(q.KIND_QUERIES["ingest_run"].every)]
        rows.sort(key=lambda p: (p["sort_key"], p["id"]))
        return [_record(IngestRun, p) for p in rows]


# -- the store ------------------------------------------------------------------------


class _WithholdParameters(logging.Filter):
    """The driver logs every statement's parameters at DEBUG (``C: RUN``): names, emails,
    key hashes. Keep the statement's log line, never its values, whoever turns DEBUG on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "C: RUN" in record.msg:
            port = record.args[0] if isinstance(record.args, tuple) and record.args else 0
            record.msg, record.args = "[#%04X]  C: RUN (parameters withheld)", (port,)
        return True


def _withhold_driver_parameters() -> None:
    logger = logging.getLogger("neo4j.io")
    if not any(isinstance(f, _WithholdParameters) for f in logger.filters):
        logger.addFilter(_WithholdParameters())


class Neo4jStore:
    """``GraphStore`` on a Neo4j 5 database."""

    def __init__(self, url: str, user: str, password: str, database: str = "neo4j") -> None:
        scheme = urlsplit(url).scheme
        if scheme not in SCHEMES:
            raise ValueError(f"not a Neo4j URL: {url!r} (expected one of {sorted(SCHEMES)})")
        _withhold_driver_parameters()
        self.url = url
        self._database = database
        with self._translated():
            self._driver: Driver = GraphDatabase.driver(
                url,
                auth=(user, password),
                max_transaction_retry_time=RETRY_SECONDS,
                # "property `end` does not exist": absent optional fields are normal here,
                # and the warning was logged for every statement that reads one.
                notifications_disabled_classifications=[
                    NotificationDisabledClassification.UNRECOGNIZED
                ],
            )
        try:
            with self._translated():
                self._driver.verify_connectivity()
            self._create_schema()
        except BaseException:
            self._driver.close()
            raise

    def _create_schema(self) -> None:
        """Constraints first, so that every ``MERGE`` is an index seek; then the ambitions."""
        with self._translated():
            for statement in q.SCHEMA:
                self._driver.execute_query(statement, database_=self._database)
        self._seed()

    def _seed(self) -> None:
        self._write(lambda tx: tx.upsert(Ambition, list(AMBITIONS)))

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """Driver errors never leave the store: each becomes one of ``graph.errors``."""
        try:
            yield
        except (AuthError, Forbidden) as exc:
            raise StoreUnavailable(
                f"Neo4j at {self.url} refused the credentials or the action: {exc.message}"
            ) from exc
        except ConstraintError as exc:
            raise Invalid([Problem("batch", "reference", None, exc.message)]) from exc
        except (ServiceUnavailable, SessionExpired, ConnectionPoolError) as exc:
            raise StoreUnavailable(f"cannot reach Neo4j at {self.url}: {exc}") from exc
        except (TransientError, DatabaseError) as exc:
            raise StoreUnavailable(f"Neo4j at {self.url} failed, try again: {exc.message}") from exc
        except Neo4jError as exc:
            if exc.code == "Neo.ClientError.Database.DatabaseNotFound":
                raise StoreUnavailable(
                    f"Neo4j at {self.url} has no database {self._database!r}"
                ) from exc
            raise AlumniGraphError(
                f"Neo4j rejected a statement: {exc.code}: {exc.message}"
            ) from exc
        except DriverError as exc:
            raise AlumniGraphError(f"Neo4j driver error: {exc}") from exc

    def _write(self, work: Callable[[_Neo4jTx], T], *, expected_version: str | None = None) -> T:
        """Run ``work`` in one write transaction; the driver may re-run it on transient errors.

        ``Stale``, writing nothing, when ``expected_version`` is given and is not the
        store's version once the transaction holds the store's write lock.
        """
        with self._driver_session() as session:
            return session.execute_write(
                lambda tx: _complete(
                    work, _Neo4jTx(tx), bump=True, expected_version=expected_version
                )
            )

    @contextmanager
    def _driver_session(self) -> Iterator[Session]:
        """A driver session on this store's database, chained to the bookmarks of
        ``execute_query`` (so a transaction sees what an earlier query wrote), with the
        driver's errors translated."""
        with (
            self._translated(),
            self._driver.session(
                database=self._database,
                bookmark_manager=self._driver.execute_query_bookmark_manager,
            ) as session,
        ):
            yield session

    def _read(self, work: Callable[[_Neo4jTx], T]) -> T:
        """Run ``work`` in one read transaction, so multi-statement reads agree."""
        with self._driver_session() as session:
            return session.execute_read(lambda tx: _complete(work, _Neo4jTx(tx)))

    def _query(self, query: LiteralString, **params: Any) -> list[Row]:
        with self._translated():
            result = self._driver.execute_query(
                query, params, routing_=RoutingControl.READ, database_=self._database
            )
        return list(result.records)

    def close(self) -> None:
        with self._translated():
            self._driver.close()

    def wipe(self) -> None:
        """Delete every node in batches, keeping the schema; re-seed the ambitions (tests)."""
        while self._write(lambda tx: tx.run(q.WIPE_SOME_RELATIONSHIPS, limit=50_000)[0]["deleted"]):
            pass
        while self._write(lambda tx: tx.run(q.WIPE_SOME, limit=10_000)[0]["deleted"]):
            pass
        self._seed()

    # -- writes -----------------------------------------------------------
    def apply(
        self, batch: Batch, run: IngestRun | None = None, *, expected_version: str | None = None
    ) -> WriteReport:
        return self._write(
            lambda tx: apply_batch(tx, batch, run), expected_version=expected_version
        )

    def plan(self, batch: Batch) -> WriteReport:
        return self._read(lambda tx: apply_batch(tx, batch, None, dry_run=True))

    def rollback(self, run_id: str) -> WriteReport:
        return self._write(lambda tx: rollback_run(tx, run_id))

    def erase_person(self, person_id: str, actor: str) -> Erasure:
        def erase(tx: _Neo4jTx) -> Erasure:
            person = tx.fetch(Person, [person_id]).get(person_id)
            if person is None:
                raise NotFound("person", person_id)
            tx.run(q.ERASE_SPONSORSHIPS, id=person_id)
            for model, scrubbed in erasure_scrubs(person, tx.every):
                tx.upsert(model, scrubbed)
            scrub, kinds = journal_scrubber(person), list(FREE_TEXT_KINDS)
            for row in tx.run(q.FREE_TEXT_JOURNAL_CHUNKS, kinds=kinds):
                after = [
                    scrub(k, p) or p for k, p in zip(row["kinds"], row["previous"], strict=True)
                ]
                if after != row["previous"]:
                    tx.run(q.SET_JOURNAL_CHUNK_PREVIOUS, id=row["id"], previous=after)
            for row in tx.run(q.FREE_TEXT_JOURNAL_ENTRIES, kinds=kinds):
                if (image := scrub(row["kind"], row["previous"])) is not None:
                    tx.run(q.SET_JOURNAL_ENTRY_PREVIOUS, id=row["id"], previous=image)
            tx.run(q.ERASE_PERSON, id=person_id)
            tx.run(q.DROP_PERSON_KEYS, ids=[person_id])
            tx.run(q.ERASE_JOURNAL, id=person_id)
            tx.run(q.ERASE_JOURNAL_CHUNKS, id=person_id)
            erasure = Erasure(person_id=person_id, erased_at=datetime.now(UTC), actor=actor)
            tx.run(q.ADD_ERASURE, props=_properties(erasure))
            return erasure

        return self._write(erase)

    # -- reads ------------------------------------------------------------
    def get(self, model: type[R], key: str) -> R:
        found = self.get_many(model, [key])
        if key not in found:
            raise NotFound(model.kind, key)
        return found[key]

    def get_many(self, model: type[R], keys: Collection[str]) -> dict[str, R]:
        return self._read(lambda tx: tx.fetch(model, keys))

    def find(
        self,
        model: type[R],
        where: Mapping[str, str | None] | None = None,
        page: Page | None = None,
    ) -> PageResult[R]:
        """Values are read as the field's type (``"2024-01-01"`` is a date), as SQLite
        compares them as text; a value that is not of that type matches nothing."""
        page = page or Page()
        conditions: list[dict[str, Any]] = []
        for name, value in (where or {}).items():
            if name not in model.model_fields:
                raise Invalid([Problem(model.kind, name, value, "no such field to filter on")])
            if value is not None:
                try:
                    value = _to_property(_adapter(model, name).validate_python(value))
                except ValidationError:
                    return PageResult([], 0)
            conditions.append({"field": name, "value": value})
        queries, anchor = _queries(model), None
        query = queries.find
        rel = q.REL_KINDS.get(model.kind)
        if rel is not None and queries.find_by_source and queries.find_by_target:
            if isinstance(source := (where or {}).get(rel.source_field), str):
                query, anchor = queries.find_by_source, source
            elif isinstance(target := (where or {}).get(rel.target_field), str):
                query, anchor = queries.find_by_target, target
        (row,) = self._query(
            query, conditions=conditions, anchor=anchor, offset=page.offset, limit=page.limit
        )
        return PageResult([_record(model, p) for p in row["page"]], row["count"])

    def person_by_email(self, email: str) -> Person:
        rows = self._query(q.PERSON_BY_EMAIL, email=normalise_email(email))
        if not rows:
            raise NotFound("person", "by email")
        return _record(Person, rows[0]["props"])

    def search_people(self, query: PersonQuery, page: Page | None = None) -> PageResult[Person]:
        page = page or Page()
        (row,) = self._query(
            q.SEARCH_PEOPLE,
            words=(query.text or "").casefold().split(),
            organisation_id=query.organisation_id or None,
            sector=query.sector.value if query.sector else None,
            cohort_id=query.cohort_id or None,
            issue_id=query.issue_id or None,
            area=query.area.strip() if query.area else None,
            ids=None if query.ids is None else list(query.ids),
            directory_only=query.directory_only,
            also_id=query.also_id,
            offset=page.offset,
            limit=page.limit,
        )
        return PageResult([_record(Person, p) for p in row["page"]], row["count"])

    def ties_of(
        self, person_ids: Collection[str], kinds: Collection[TieKind] | None = None
    ) -> list[Tie]:
        ids = list(person_ids)
        if not ids:
            return []
        rows = self._query(
            q.TIES_OF, ids=ids, kinds=None if kinds is None else [k.value for k in kinds]
        )
        return sorted((_record(Tie, row["props"]) for row in rows), key=lambda t: t.key)

    def ties_among(
        self, person_ids: Collection[str], kinds: Collection[TieKind] | None = None
    ) -> list[Tie]:
        ids = list(dict.fromkeys(person_ids))
        if not ids:
            return []
        rows = self._query(
            q.TIES_AMONG, ids=ids, kinds=None if kinds is None else [k.value for k in kinds]
        )
        return sorted((_record(Tie, row["props"]) for row in rows), key=lambda t: t.key)

    def profile_links(
        self, person_ids: Collection[str]
    ) -> tuple[list[Employment], list[Membership]]:
        jobs: list[Employment] = []
        memberships: list[Membership] = []
        for chunk in _chunks(list(dict.fromkeys(person_ids))):
            for row in self._query(q.PROFILE_LINKS, ids=list(chunk)):
                jobs += [_record(Employment, props) for props in row["jobs"]]
                memberships += [_record(Membership, props) for props in row["memberships"]]
        return sorted(jobs, key=lambda e: e.key), sorted(memberships, key=lambda m: m.key)

    def tie_ends(self, kinds: Collection[TieKind]) -> dict[TieKind, TieEnds]:
        if not kinds:
            return {}
        rows = self._query(q.TIE_ENDS, kinds=[k.value for k in kinds])
        return {TieKind(r["kind"]): (r["sources"], r["targets"]) for r in rows}

    def version(self) -> str:
        (row,) = self._query(q.VERSION)
        return str(row["token"])

    def runs(self) -> list[IngestRun]:
        return self._read(lambda tx: tx.load_runs())

    # -- API keys -----------------------------------------------------------
    def save_key(self, key: ApiKey) -> None:
        def save(tx: _Neo4jTx) -> None:
            if key.person_id and not tx.fetch(Person, [key.person_id]):
                raise Invalid(
                    [Problem(f"api_key {key.id}", "person_id", key.person_id, "no such person")]
                )
            tx.run(q.SAVE_KEY, id=key.id, props=_properties(key))

        self._write(save)

    def key_by_hash(self, secret_sha256: str) -> ApiKey:
        rows = self._query(q.KEY_BY_HASH, secret_sha256=secret_sha256)
        if not rows:
            raise NotFound("api key", "by hash")
        return _record(ApiKey, rows[0]["props"])

    def keys(self) -> list[ApiKey]:
        return self._read(lambda tx: tx.every(ApiKey))

    def revoke_key(self, key_id: str, at: datetime) -> ApiKey:
        def revoke(tx: _Neo4jTx) -> ApiKey:
            found = tx.fetch(ApiKey, [key_id])
            if not found:
                raise NotFound("api key", key_id)
            revoked = found[key_id].model_copy(update={"revoked_at": at})
            tx.run(q.SAVE_KEY, id=revoked.id, props=_properties(revoked))
            return revoked

        return self._write(revoke)

    def erasures(self) -> list[Erasure]:
        return self._read(lambda tx: tx.every(Erasure))

    def snapshot(self, as_of: date, kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS) -> nx.Graph:
        def rows(tx: _Neo4jTx) -> SnapshotRows:
            return _snapshot_rows(tx, as_of, kinds, _active_ties(tx, as_of, kinds))

        return build_snapshot(self._read(rows))

    def wave_snapshot(
        self, cohort_id: str, wave: Wave, kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS
    ) -> nx.Graph:
        def rows(tx: _Neo4jTx) -> SnapshotRows:
            survey = {"cohort_id": cohort_id, "wave": wave.value}
            (row,) = tx.run(q.WAVE_LATEST, kinds=[k.value for k in SURVEY_KINDS], **survey)
            if row["latest"] is None:
                raise NotFound("survey wave", f"{cohort_id}/{wave.value}")
            as_of: date = row["latest"].to_native()
            chosen = [k.value for k in kinds if k in SURVEY_KINDS]
            ties: list[tuple[str, str, str]] = []
            if chosen:
                ties += [
                    (r["source"], r["target"], r["kind"])
                    for r in tx.run(q.WAVE_TIES, kinds=chosen, **survey)
                ]
            ties += _active_ties(tx, as_of, [k for k in kinds if k not in SURVEY_KINDS])
            return _snapshot_rows(tx, as_of, kinds, ties)

        return build_snapshot(self._read(rows))

    def counts(self) -> dict[str, int]:
        (row,) = self._query(q.COUNTS)
        return {kind: row[kind] for kind in _COUNT_KINDS}

    def dump(self) -> dict[str, list[dict[str, object]]]:
        def dump(tx: _Neo4jTx) -> dict[str, list[dict[str, object]]]:
            return {
                model.kind: [r.model_dump(mode="json") for r in tx.every(model)]
                for model in WRITE_ORDER
            }

        return self._read(dump)

    # -- page sessions --------------------------------------------------------------
    def _session_write(self, work: Callable[[_Neo4jTx], T]) -> T:
        """One write transaction that leaves the version token alone: a session is
        bookkeeping, and every other process would otherwise drop its read caches."""
        if not self.__dict__.get("_session_schema"):
            with self._translated():
                for statement in q.SESSION_SCHEMA:
                    self._driver.execute_query(statement, database_=self._database)
            self.__dict__["_session_schema"] = True
        with self._driver_session() as session:
            return session.execute_write(lambda tx: _complete(work, _Neo4jTx(tx)))

    def save_session(self, session: PageSession, *, keep_per_key: int | None = None) -> None:
        def save(tx: _Neo4jTx) -> None:
            tx.run(q.SAVE_SESSION, props=_session_props(session))
            if keep_per_key is not None:
                tx.run(q.KEEP_NEWEST_SESSIONS, key_id=session.key_id, keep=max(keep_per_key, 0))

        self._session_write(save)

    def session(self, token_sha256: str, now: datetime) -> PageSession:
        rows = self._query(q.SESSION, token_sha256=token_sha256, now=now.timestamp())
        if not rows:
            raise NotFound("session", "by hash")
        return _session_record(rows[0]["props"])

    def delete_session(self, token_sha256: str) -> None:
        self._session_write(lambda tx: tx.run(q.DELETE_SESSION, token_sha256=token_sha256))

    def delete_sessions_of_key(self, key_id: str) -> int:
        rows = self._session_write(lambda tx: tx.run(q.DELETE_SESSIONS_OF_KEY, key_id=key_id))
        return int(rows[0]["deleted"])

    def delete_expired_sessions(self, now: datetime) -> int:
        rows = self._session_write(
            lambda tx: tx.run(q.DELETE_EXPIRED_SESSIONS, now=now.timestamp())
        )
        return int(rows[0]["deleted"])

    def sessions_of_key(self, key_id: str) -> list[PageSession]:
        rows = self._query(q.SESSIONS_OF_KEY, key_id=key_id)
        return [_session_record(r["props"]) for r in rows]

    # -- survey waves: their own nodes, outside the version token (graph/neo4j_surveys.py)
    @property
    def surveys(self) -> SurveyStore:
        from graph.neo4j_surveys import surveys_of

        return surveys_of(self)


def _complete(
    work: Callable[[_Neo4jTx], T],
    tx: _Neo4jTx,
    *,
    bump: bool = False,
    expected_version: str | None = None,
) -> T:
    if bump:
        # The store's write lock first, before any read: writers queue here rather than
        # interleave under read-committed isolation (or deadlock half way), and what
        # ``work`` reads is then every earlier writer's committed data.
        (row,) = tx.run(q.LOCK_VERSION)
        if expected_version is not None and str(row["token"]) != expected_version:
            raise Stale("the store changed since this batch was checked; check it again")
    result = work(tx)
    tx.flush()
    if bump:  # every write changes the store's version token, in the same transaction
        tx.run(q.BUMP_VERSION)
    return result


def _active_ties(tx: _Neo4jTx, as_of: date, kinds: Sequence[TieKind]) -> list[tuple[str, str, str]]:
    if not kinds:
        return []
    rows = tx.run(q.ACTIVE_TIES, kinds=[k.value for k in kinds], as_of=as_of)
    return [(r["source"], r["target"], r["kind"]) for r in rows]


def _snapshot_rows(
    tx: _Neo4jTx, as_of: date, kinds: Sequence[TieKind], ties: list[tuple[str, str, str]]
) -> SnapshotRows:
    people = [r["id"] for r in tx.run(q.SNAPSHOT_PEOPLE, as_of=as_of)]
    employments = [
        (r["person_id"], r["organisation_id"], _native(r["start"]))
        for r in tx.run(q.SNAPSHOT_EMPLOYMENTS)
    ]
    organisations = {r["id"]: (r["name"], r["sector"]) for r in tx.run(q.SNAPSHOT_ORGANISATIONS)}
    return SnapshotRows(as_of, kinds, people, employments, organisations, ties)


def _session_props(session: PageSession) -> dict[str, Any]:
    return {
        "token_sha256": session.token_sha256,
        "key_id": session.key_id,
        "key_sha256": session.key_sha256,
        "created_at": session.created_at.timestamp(),
        "expires_at": session.expires_at.timestamp(),
        "staged_id": session.staged_id,
        "staged_name": session.staged_name,
    }


def _session_record(props: Mapping[str, Any]) -> PageSession:
    return PageSession(
        token_sha256=props["token_sha256"],
        key_id=props["key_id"],
        key_sha256=props["key_sha256"],
        created_at=datetime.fromtimestamp(props["created_at"], UTC),
        expires_at=datetime.fromtimestamp(props["expires_at"], UTC),
        staged_id=props.get("staged_id"),
        staged_name=props.get("staged_name"),
    )
