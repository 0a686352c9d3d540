"""The Neo4j store's primitives inside one managed transaction (``graph.writes.ContentTx``),
and the values they move: records as node and relationship properties and back.

Every statement comes from ``graph.neo4j_queries``; ``graph.writes`` decides what to
write, this module writes it in ``UNWIND`` batches.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from enum import Enum
from functools import cache
from typing import Any, LiteralString, TypeVar, get_origin

from neo4j import ManagedTransaction
from neo4j import Record as Row
from neo4j.time import Date, DateTime
from pydantic import TypeAdapter

from graph import neo4j_queries as q
from graph.derived import DERIVED_KINDS, Group, GroupRow, group_key, groups_from_rows
from graph.errors import Invalid, Problem
from graph.model import (
    AMBITIONS,
    Ambition,
    ApiKey,
    Employment,
    Erasure,
    IngestRun,
    Person,
    Record,
    Tie,
    TieKind,
)
from graph.neo4j_queries_load import HELD
from graph.sqlite_store_schema import search_text
from graph.store import JournalEntry, R

T = TypeVar("T")

CHUNK = 5_000
"""Rows per ``UNWIND``: inside the 1k-50k band that batches well."""
JOURNAL_CHUNK = 2_000
"""Journal entries per ``JournalChunk`` node (about one bundle's records)."""


# -- values in and out ------------------------------------------------------------


def to_property(value: object) -> Any:
    """A field value as Neo4j stores it: enums by value, tuples as lists, dicts as JSON.

    ``date`` and ``datetime`` pass through: the driver makes them ``Date`` and
    ``DateTime`` (``LocalDateTime`` when naive), so Cypher compares them as dates.
    """
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [to_property(v) for v in value]
    if isinstance(value, dict):
        return json.dumps(value)
    return value


def properties(record: Record, *, keep_none: bool = False) -> dict[str, Any]:
    """Every field of the record; ``None`` is left out (absent reads back as ``None``)."""
    props = {
        name: to_property(getattr(record, name))
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


def record_of(model: type[R], props: Mapping[str, Any]) -> R:
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
def field_adapter(model: type[Record], name: str) -> TypeAdapter[Any]:
    annotation = model.model_fields[name].annotation
    assert annotation is not None  # pydantic has resolved every field of a Record
    return TypeAdapter(annotation)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def queries_of(model: type[Record]) -> q.KindQueries:
    try:
        return q.KIND_QUERIES[model.kind]
    except KeyError:
        raise Invalid([Problem(model.kind, "kind", model.kind, "not stored")]) from None


def native(value: Any) -> Any:
    return value.to_native() if isinstance(value, Date | DateTime) else value


# -- one transaction ----------------------------------------------------------------


class Neo4jTx:
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
        query = queries_of(model).fetch
        found: dict[str, R] = {}
        for chunk in chunks(list(dict.fromkeys(keys))):
            for row in self.run(query, keys=list(chunk)):
                record = record_of(model, row["props"])
                found[record.key] = record
        return found

    def held(self, model: type[Record], keys: Collection[str]) -> set[str]:
        """Which of ``keys`` the store holds; node kinds by key alone, one look-up per
        ``CHUNK`` keys."""
        query = HELD.get(model.kind)
        if query is None:
            return set(self.fetch(model, keys))
        found: set[str] = set()
        for chunk in chunks(list(dict.fromkeys(keys))):
            found |= {row["key"] for row in self.run(query, keys=list(chunk))}
        return found

    def every(self, model: type[R]) -> list[R]:
        records = [record_of(model, row["props"]) for row in self.run(queries_of(model).every)]
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
            {"key": r.key, "props": properties(r)}
            | (
                {"source": getattr(r, rel.source_field), "target": getattr(r, rel.target_field)}
                if rel
                else {}
            )
            for r in records
        ]
        query = q.CREATE[model.kind] if create else queries_of(model).upsert
        self._write_rows(query, rows, model.kind, "reference")
        if model.kind in q.LINKS:
            self._relink(model.kind, records, new=create)

    def _relink(self, kind: str, records: Sequence[Record], *, new: bool = False) -> None:
        """Replace the structural relationships of rewritten nodes with their current ones
        (``new`` nodes have none to drop)."""
        keys = [] if new else [r.key for r in records]
        for chunk in chunks(keys):
            self.run(q.UNLINK[kind], keys=list(chunk))
        for link in q.LINKS[kind]:
            rows: list[dict[str, Any]] = []
            for r in records:
                value = to_property(getattr(r, link.field))
                others = value if isinstance(value, list) else [] if value is None else [value]
                rows += [{"key": r.key, "other": other} for other in others]
            self._write_rows(q.LINK[(kind, link.rel_type)], rows, kind, link.field)

    def _write_rows(
        self, query: LiteralString, rows: Sequence[dict[str, Any]], kind: str, field: str
    ) -> None:
        """Run a batched write; a row that matched no endpoint is a dangling reference."""
        for chunk in chunks(rows):
            (row,) = self.run(query, rows=list(chunk))
            if row["written"] != len(chunk):
                missing = len(chunk) - row["written"]
                raise Invalid(
                    [Problem(kind, field, None, f"{missing} reference(s) to missing records")]
                )

    def _delete(self, model: type[Record], keys: Sequence[str]) -> None:
        for chunk in chunks(keys):
            if model is Person:
                self.run(q.DROP_PERSON_KEYS, ids=list(chunk))
            self.run(queries_of(model).delete, keys=list(chunk))

    def employments_of(self, person_ids: Collection[str]) -> list[Employment]:
        found: list[Employment] = []
        for chunk in chunks(list(dict.fromkeys(person_ids))):
            rows = self.run(q.EMPLOYMENTS_OF, ids=list(chunk))
            found += [record_of(Employment, row["props"]) for row in rows]
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
            for chunk in chunks(run_entries, JOURNAL_CHUNK)
        ]
        for batch in chunks(rows, 10):
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
        return sorted(chunked, key=lambda e: e.seq)

    def members_of(self, kind: TieKind, contexts: Collection[str]) -> dict[str, set[str]]:
        query = q.COHORT_MEMBERS if kind is TieKind.COHORT_PEER else q.PROJECT_MEMBERS
        found: dict[str, set[str]] = {}
        for chunk in chunks(list(dict.fromkeys(contexts))):
            for row in self.run(query, contexts=list(chunk)):
                found.setdefault(row["context"], set()).add(row["person"])
        return found

    def marks(self, keys: Collection[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for chunk in chunks(list(dict.fromkeys(keys))):
            found |= {row["key"]: row["run_id"] for row in self.run(q.MARKS, keys=list(chunk))}
        return found

    def save_marks(self, groups: Sequence[tuple[TieKind, str, str | None]]) -> None:
        rows = [
            {"key": group_key(k, c), "kind": k.value, "context": c, "run_id": r}
            for k, c, r in groups
        ]
        for chunk in chunks(rows):
            self.run(q.SAVE_MARKS, rows=list(chunk))

    def group_tie_rows(self, keys: Collection[str]) -> list[Tie]:
        wanted = set(keys)
        if not wanted:
            return []
        rows = self.run(
            q.GROUP_TIE_ROWS,
            kinds=sorted({k.split("|", 1)[0] for k in wanted}),
            contexts=sorted({k.split("|", 1)[1] for k in wanted}),
        )
        ties = [record_of(Tie, row["props"]) for row in rows]
        return [t for t in ties if group_key(t.tie_kind, t.context or "") in wanted]

    def groups(
        self, kinds: Collection[TieKind] = DERIVED_KINDS, person_ids: Collection[str] | None = None
    ) -> list[Group]:
        """The marked groups of these kinds (with a member among ``person_ids`` when
        given), with their current members, start and stamp."""
        found: list[GroupRow] = []
        for kind, every, of in (
            (TieKind.COHORT_PEER, q.COHORT_GROUPS, q.COHORT_GROUPS_OF),
            (TieKind.PROJECT, q.PROJECT_GROUPS, q.PROJECT_GROUPS_OF),
        ):
            if kind not in kinds:
                continue
            rows = (
                self.run(every)
                if person_ids is None
                else [r for c in chunks(list(person_ids)) for r in self.run(of, ids=list(c))]
            )
            for row in rows:
                start = native(row["start"])
                found += [
                    (row["kind"], row["context"], start, row["run_id"], m) for m in row["members"]
                ]
        return groups_from_rows(found)

    def drop_journal(self, run_id: str) -> None:
        self.run(q.DROP_JOURNAL_CHUNKS, run_id=run_id)

    def save_run(self, run: IngestRun) -> None:
        self.run(
            q.SAVE_RUN,
            id=run.id,
            sort_key=run.started_at.isoformat(),
            props=properties(run, keep_none=True),
        )

    def load_runs(self) -> list[IngestRun]:
        rows = [row["props"] for row in self.run(q.KIND_QUERIES["ingest_run"].every)]
        rows.sort(key=lambda p: (p["sort_key"], p["id"]))
        return [record_of(IngestRun, p) for p in rows]

    def save_keys(self, keys: Sequence[ApiKey]) -> None:
        for key in keys:
            self.run(q.SAVE_KEY, id=key.id, props=properties(key))

    def add_erasures(self, erasures: Sequence[Erasure]) -> None:
        for erasure in erasures:
            self.run(q.ADD_ERASURE, props=properties(erasure))

    def empty(self) -> None:
        """Every node but the version's, in bounded deletes; the ambitions seeded again."""
        while self.run(q.WIPE_SOME, limit=10_000)[0]["deleted"]:
            pass
        self.upsert(Ambition, list(AMBITIONS))
