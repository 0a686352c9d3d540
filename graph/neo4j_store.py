"""The Neo4j store: the same records as SQLite, kept as a genuine property graph.

People, organisations, cohorts, issues, projects and handovers are nodes;
memberships, employments, project work and ties are relationships that carry
every field of their record; references of node records become structural
relationships (``(:Project)-[:ADDRESSES]->(:WickedIssue)``). The graph model
and every statement live in ``graph.neo4j_queries``.

What to write is decided by ``graph.writes`` and the snapshot is built by
``graph.snapshot``, exactly as for SQLite: this module runs one managed
transaction per public call; ``graph.neo4j_store_tx`` moves the records in and
out inside it, in ``UNWIND`` batches, and ``graph.neo4j_store_sessions`` shapes
page sessions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, LiteralString, TypeVar, cast
from urllib.parse import urlsplit

import networkx as nx
from neo4j import Driver, GraphDatabase, NotificationDisabledClassification, Session
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
from pydantic import ValidationError

from graph import neo4j_queries as q
from graph import neo4j_store_wipe as wiping
from graph.derived import DERIVED_KINDS, Group, derived_ends, derived_ties, ties_by_key
from graph.errors import AlumniGraphError, Invalid, NotFound, Problem, Stale, StoreUnavailable
from graph.model import (
    AMBITIONS,
    DEFAULT_METRIC_KINDS,
    SURVEY_KINDS,
    WRITE_ORDER,
    ApiKey,
    Assessment,
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
from graph.neo4j_queries_counts import DERIVED_PAIRS
from graph.neo4j_store_changes import changes_since, tie_ends_of
from graph.neo4j_store_log import withhold_driver_parameters
from graph.neo4j_store_read import RETRY_SECONDS, read_rows, read_work
from graph.neo4j_store_search import ERASE_SEARCH_WORDS, Neo4jSearch
from graph.neo4j_store_sessions import session_of, session_props
from graph.neo4j_store_snapshot import active_ties, snapshot_rows
from graph.neo4j_store_tx import (
    Neo4jTx,
    chunks,
    field_adapter,
    queries_of,
    record_of,
    to_property,
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
    StoreChanges,
    StoreContent,
    TieEnds,
    WriteReport,
)
from graph.store_changes import ALL, KEEP, describe_batch, describe_records
from graph.surveys import SurveyStore
from graph.writes import apply_batch, read_content, rollback_run, write_content

__all__ = ["RETRY_SECONDS", "SCHEMES", "Neo4jStore"]

T = TypeVar("T")

SCHEMES = frozenset({"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"})

_COUNT_KINDS: tuple[str, ...] = (
    *(m.kind for m in WRITE_ORDER),
    "ambition",
    "ingest_run",
    "erasure",
    "api_key",
)


# -- the store ------------------------------------------------------------------------


class Neo4jStore(Neo4jSearch):
    """``GraphStore`` on a Neo4j 5 database."""

    def __init__(self, url: str, user: str, password: str, database: str = "neo4j") -> None:
        scheme = urlsplit(url).scheme
        if scheme not in SCHEMES:
            raise ValueError(f"not a Neo4j URL: {url!r} (expected one of {sorted(SCHEMES)})")
        withhold_driver_parameters()
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
        self._write(wiping.seed, change=describe_records(AMBITIONS))

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

    def _write(
        self,
        work: Callable[[Neo4jTx], T],
        *,
        expected_version: str | None = None,
        change: str | Callable[[T], str] = ALL,
    ) -> T:
        """Run ``work`` in one write transaction; the driver may re-run it on transient errors.

        ``Stale``, writing nothing, when ``expected_version`` is given and is not the
        store's version once the transaction holds the store's write lock. ``change``
        (or ``change(result)``) says what it wrote, in the log of writes
        (``graph.store_changes``; by default: anything).
        """
        with self._driver_session() as session:
            return session.execute_write(
                lambda tx: _complete(
                    work, Neo4jTx(tx), bump=True, expected_version=expected_version, change=change
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

    def _read(self, work: Callable[[Neo4jTx], T], *, auto: bool = False) -> T:
        """``work`` in one read transaction; ``auto``: one per statement (neo4j_store_read)."""
        if auto:
            with self._translated():
                return read_work(self._driver, self._database, work)
        with self._driver_session() as session:
            return session.execute_read(lambda tx: _complete(work, Neo4jTx(tx)))

    def _query(self, query: LiteralString, **params: Any) -> list[Row]:
        with self._translated():
            return read_rows(self._driver, self._database, query, params)

    def close(self) -> None:
        with self._translated():
            self._driver.close()

    def wipe(self) -> None:
        """Delete every node in batches, keeping the schema; re-seed the ambitions (tests).
        A short batch was the last: a small store is wiped and seeded in one write."""
        if self._write(wiping.wipe_small):  # the change is anything: every record went
            return
        for query, limit in wiping.WIPE_BATCHES:
            while self._write(wiping.delete_some(query, limit)) == limit:
                pass
        self._seed()

    # -- writes -----------------------------------------------------------
    def apply(
        self, batch: Batch, run: IngestRun | None = None, *, expected_version: str | None = None
    ) -> WriteReport:
        return self._write(
            lambda tx: apply_batch(tx, batch, run),
            expected_version=expected_version,
            change=describe_batch(batch, run),
        )

    def plan(self, batch: Batch) -> WriteReport:
        return self._read(lambda tx: apply_batch(tx, batch, None, dry_run=True))

    def rollback(self, run_id: str) -> WriteReport:
        return self._write(lambda tx: rollback_run(tx, run_id))

    def erase_person(self, person_id: str, actor: str) -> Erasure:
        def erase(tx: Neo4jTx) -> Erasure:
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
            tx.run(ERASE_SEARCH_WORDS, id=person_id)
            tx.run(q.ERASE_PERSON, id=person_id)
            tx.run(q.DROP_PERSON_KEYS, ids=[person_id])
            tx.run(q.ERASE_JOURNAL_CHUNKS, id=person_id)
            tx.run(q.FORGET_CHANGES)
            erasure = Erasure(person_id=person_id, erased_at=datetime.now(UTC), actor=actor)
            tx.add_erasures([erasure])
            return erasure

        return self._write(erase)

    # -- reads ------------------------------------------------------------
    def get(self, model: type[R], key: str) -> R:
        found = self.get_many(model, [key])
        if key not in found:
            raise NotFound(model.kind, key)
        return found[key]

    def get_many(self, model: type[R], keys: Collection[str]) -> dict[str, R]:
        found = self._read(lambda tx: tx.fetch(model, keys), auto=True)
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
        """Values are read as the field's type (``"2024-01-01"`` is a date), as SQLite
        compares them as text; a value that is not of that type matches nothing."""
        page = page or Page()
        conditions: list[dict[str, Any]] = []
        for name, value in (where or {}).items():
            if name not in model.model_fields:
                raise Invalid([Problem(model.kind, name, value, "no such field to filter on")])
            if value is not None:
                try:
                    value = to_property(field_adapter(model, name).validate_python(value))
                except ValidationError:
                    return PageResult([], 0)
            conditions.append({"field": name, "value": value})
        queries, anchor = queries_of(model), None
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
        return PageResult([record_of(model, p) for p in row["page"]], row["count"])

    def person_by_email(self, email: str) -> Person:
        rows = self._query(q.PERSON_BY_EMAIL, email=normalise_email(email))
        if not rows:
            raise NotFound("person", "by email")
        return record_of(Person, rows[0]["props"])

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
        return PageResult([record_of(Person, p) for p in row["page"]], row["count"])

    def ties_of(
        self, person_ids: Collection[str], kinds: Collection[TieKind] | None = None
    ) -> list[Tie]:
        ids = list(person_ids)
        if not ids:
            return []
        rows = self._query(
            q.TIES_OF, ids=ids, kinds=None if kinds is None else [k.value for k in kinds]
        )
        ties = [record_of(Tie, row["props"]) for row in rows]
        ties += derived_ties(self._groups(kinds, ids), kinds, touching=ids)
        return sorted(ties, key=lambda t: t.key)

    def _groups(
        self, kinds: Collection[TieKind] | None, person_ids: Collection[str] | None = None
    ) -> list[Group]:
        """The derived groups of these kinds (all when ``None``), touching these people."""
        chosen = [k for k in DERIVED_KINDS if kinds is None or k in kinds]
        if not chosen:
            return []
        return self._read(lambda tx: tx.groups(chosen, person_ids), auto=True)

    def ties_among(
        self, person_ids: Collection[str], kinds: Collection[TieKind] | None = None
    ) -> list[Tie]:
        ids = list(dict.fromkeys(person_ids))
        if not ids:
            return []
        rows = self._query(
            q.TIES_AMONG, ids=ids, kinds=None if kinds is None else [k.value for k in kinds]
        )
        ties = [record_of(Tie, row["props"]) for row in rows]
        ties += derived_ties(self._groups(kinds, ids), kinds, among=ids)
        return sorted(ties, key=lambda t: t.key)

    def members_of(self, kind: TieKind, contexts: Collection[str]) -> dict[str, set[str]]:
        return self._read(lambda tx: tx.members_of(kind, contexts), auto=True)

    def profile_links(
        self, person_ids: Collection[str]
    ) -> tuple[list[Employment], list[Membership]]:
        jobs: list[Employment] = []
        memberships: list[Membership] = []
        for chunk in chunks(list(dict.fromkeys(person_ids))):
            for row in self._query(q.PROFILE_LINKS, ids=list(chunk)):
                jobs += [record_of(Employment, props) for props in row["jobs"]]
                memberships += [record_of(Membership, props) for props in row["memberships"]]
        return sorted(jobs, key=lambda e: e.key), sorted(memberships, key=lambda m: m.key)

    def assessments(
        self, cohort_id: str, *, wave: Wave | None = None, person_id: str | None = None
    ) -> list[Assessment]:
        rows = self._query(
            q.ASSESSMENTS,
            cohort_id=cohort_id,
            wave=wave.value if wave else None,
            person_id=person_id,
        )
        return [record_of(Assessment, row["props"]) for row in rows]

    def tie_ends(self, kinds: Collection[TieKind]) -> dict[TieKind, TieEnds]:
        if not kinds:
            return {}
        rows = self._query(q.TIE_ENDS, kinds=[k.value for k in kinds])
        found = {TieKind(r["kind"]): (r["sources"], r["targets"]) for r in rows}
        for source, target, kind in derived_ends(self._groups(kinds), kinds):
            sources, targets = found.setdefault(kind, ([], []))
            sources.append(source)
            targets.append(target)
        return found

    def version(self) -> str:
        (row,) = self._query(q.VERSION)
        return str(row["token"])

    def changes_since(self, mark: int | None) -> StoreChanges:
        return self._read(lambda tx: changes_since(tx, mark))

    def tie_ends_of(
        self, person_ids: Collection[str], kinds: Collection[TieKind]
    ) -> dict[TieKind, TieEnds]:
        return self._read(lambda tx: tie_ends_of(tx, person_ids, kinds))

    def runs(self) -> list[IngestRun]:
        return self._read(lambda tx: tx.load_runs())

    # -- API keys -----------------------------------------------------------
    def save_key(self, key: ApiKey) -> None:
        def save(tx: Neo4jTx) -> None:
            if key.person_id and not tx.fetch(Person, [key.person_id]):
                raise Invalid(
                    [Problem(f"api_key {key.id}", "person_id", key.person_id, "no such person")]
                )
            tx.save_keys([key])

        self._write(save, change=describe_records([key]))

    def key_by_hash(self, secret_sha256: str) -> ApiKey:
        rows = self._query(q.KEY_BY_HASH, secret_sha256=secret_sha256)
        if not rows:
            raise NotFound("api key", "by hash")
        return record_of(ApiKey, rows[0]["props"])

    def keys(self) -> list[ApiKey]:
        return self._read(lambda tx: tx.every(ApiKey))

    def revoke_key(self, key_id: str, at: datetime) -> ApiKey:
        def revoke(tx: Neo4jTx) -> ApiKey:
            found = tx.fetch(ApiKey, [key_id])
            if not found:
                raise NotFound("api key", key_id)
            revoked = found[key_id].model_copy(update={"revoked_at": at})
            tx.save_keys([revoked])
            return revoked

        return self._write(revoke, change=lambda revoked: describe_records([revoked]))

    def erasures(self) -> list[Erasure]:
        return self._read(lambda tx: tx.every(Erasure))

    def snapshot(self, as_of: date, kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS) -> nx.Graph:
        def rows(tx: Neo4jTx) -> SnapshotRows:
            return snapshot_rows(tx, as_of, kinds, active_ties(tx, as_of, kinds))

        return build_snapshot(self._read(rows))

    def wave_snapshot(
        self, cohort_id: str, wave: Wave, kinds: Sequence[TieKind] = DEFAULT_METRIC_KINDS
    ) -> nx.Graph:
        def rows(tx: Neo4jTx) -> SnapshotRows:
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
            ties += active_ties(tx, as_of, [k for k in kinds if k not in SURVEY_KINDS])
            return snapshot_rows(tx, as_of, kinds, ties)

        return build_snapshot(self._read(rows))

    def counts(self) -> dict[str, int]:
        (row,) = self._query(q.COUNTS)
        found = {kind: row[kind] for kind in _COUNT_KINDS}
        (derived,) = self._query(DERIVED_PAIRS)
        found[Tie.kind] += int(derived["pairs"])
        return found

    def dump(self) -> dict[str, list[dict[str, object]]]:
        def dump(tx: Neo4jTx) -> dict[str, list[dict[str, object]]]:
            out: dict[str, list[dict[str, object]]] = {}
            for model in WRITE_ORDER:
                records: list[Record] = list(tx.every(model))
                if model is Tie:
                    records = sorted([*records, *derived_ties(tx.groups())], key=lambda r: r.key)
                out[model.kind] = [r.model_dump(mode="json") for r in records]
            return out

        return self._read(dump)

    def export_records(self) -> StoreContent:
        return self._read(read_content)

    def import_records(self, content: StoreContent, *, replace: bool = False) -> None:
        self._write(lambda tx: write_content(tx, content, replace=replace))

    # -- page sessions --------------------------------------------------------------
    def _session_write(self, work: Callable[[Neo4jTx], T]) -> T:
        """One write transaction that leaves the version token alone: a session is
        bookkeeping, and every other process would otherwise drop its read caches."""
        if not self.__dict__.get("_session_schema"):
            with self._translated():
                for statement in q.SESSION_SCHEMA:
                    self._driver.execute_query(statement, database_=self._database)
            self.__dict__["_session_schema"] = True
        with self._driver_session() as session:
            return session.execute_write(lambda tx: _complete(work, Neo4jTx(tx)))

    def save_session(self, session: PageSession, *, keep_per_key: int | None = None) -> None:
        def save(tx: Neo4jTx) -> None:
            tx.run(q.SAVE_SESSION, props=session_props(session))
            if keep_per_key is not None:
                tx.run(q.KEEP_NEWEST_SESSIONS, key_id=session.key_id, keep=max(keep_per_key, 0))

        self._session_write(save)

    def session(self, token_sha256: str, now: datetime) -> PageSession:
        rows = self._query(q.SESSION, token_sha256=token_sha256, now=now.timestamp())
        if not rows:
            raise NotFound("session", "by hash")
        return session_of(rows[0]["props"])

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
        return [session_of(r["props"]) for r in rows]

    # -- survey waves: their own nodes, outside the version token (graph/neo4j_surveys.py)
    @property
    def surveys(self) -> SurveyStore:
        from graph.neo4j_surveys import surveys_of

        return surveys_of(self)


def _complete(
    work: Callable[[Neo4jTx], T],
    tx: Neo4jTx,
    *,
    bump: bool = False,
    expected_version: str | None = None,
    change: str | Callable[[T], str] = ALL,
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
    if bump:  # every write changes the store's version token and notes its change, in it
        line = change(result) if callable(change) else change
        tx.run(q.BUMP_VERSION, line=line, keep_from=-KEEP)
    return result
