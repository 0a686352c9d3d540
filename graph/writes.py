"""The write algorithm every store shares: check, diff, write, journal, undo.

A store supplies a ``RecordTx`` (its primitives inside one transaction); this
module decides what to write. Keeping the decision here means SQLite and Neo4j
cannot disagree about what "unchanged" or "rolled back" means.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from graph.errors import Conflict, Invalid, NotFound
from graph.facts import (
    by_person,
    employment_history,
    keep_later_changes,
    merge_person,
    merge_project,
)
from graph.integrity import check_batch
from graph.model import (
    KIND_BY_NAME,
    WRITE_ORDER,
    ApiKey,
    Employment,
    Erasure,
    Handover,
    IngestRun,
    Person,
    Project,
    Record,
)
from graph.store import Batch, JournalEntry, KindCounts, StoreContent, WriteReport

__all__ = [
    "ContentTx",
    "JournalEntry",
    "RecordTx",
    "apply_batch",
    "read_content",
    "rollback_run",
    "write_content",
]

R = TypeVar("R", bound=Record)


class RecordTx(Protocol):
    """A store's primitives inside one open transaction."""

    def fetch(self, model: type[R], keys: Collection[str]) -> dict[str, R]: ...

    def upsert(self, model: type[R], records: Sequence[R]) -> None: ...

    def create(self, model: type[R], records: Sequence[R]) -> None:
        """Write records this transaction has just fetched and found absent.

        The same result as ``upsert``; a store may write them without looking
        for an existing record first (Neo4j ``CREATE`` instead of ``MERGE``).
        """
        ...

    def delete(self, model: type[Record], keys: Collection[str]) -> None: ...

    def employments_of(self, person_ids: Collection[str]) -> list[Employment]:
        """Every employment, open or ended, of these people."""
        ...

    def add_journal(self, entries: Sequence[JournalEntry]) -> None: ...

    def journal(self, run_id: str) -> list[JournalEntry]: ...

    def drop_journal(self, run_id: str) -> None: ...

    def save_run(self, run: IngestRun) -> None: ...

    def load_runs(self) -> list[IngestRun]: ...


class ContentTx(RecordTx, Protocol):
    """What a store's transaction adds to ``RecordTx`` to read and write its whole
    content (``read_content``, ``write_content``)."""

    def every(self, model: type[R]) -> list[R]:
        """Every record of one kind (ambitions, API keys and erasures included)."""
        ...

    def save_keys(self, keys: Sequence[ApiKey]) -> None:
        """Create or replace these API keys."""
        ...

    def add_erasures(self, erasures: Sequence[Erasure]) -> None: ...

    def empty(self) -> None:
        """Remove every record, run, journal entry, API key and erasure; the ambitions
        stay (or are seeded again)."""
        ...


def _dedupe(records: Sequence[R]) -> list[R]:
    by_key: dict[str, R] = {}
    for record in records:
        by_key[record.key] = record
    return list(by_key.values())


def _merge_people(tx: RecordTx, incoming: list[Person]) -> list[Person]:
    """Each person as the store will keep them: fact by fact, the later-dated wins."""
    merged: dict[str, Person] = tx.fetch(Person, {p.key for p in incoming})
    stated: dict[str, Person] = {}
    for person in incoming:
        stated[person.key] = merge_person(stated.get(person.key) or merged.get(person.key), person)
    return list(stated.values())


def _merge_projects(tx: RecordTx, incoming: list[Project]) -> list[Project]:
    """Each project as the store will keep it: fact by fact, the later-dated wins."""
    merged: dict[str, Project] = tx.fetch(Project, {p.key for p in incoming})
    stated: dict[str, Project] = {}
    for project in incoming:
        stated[project.key] = merge_project(
            stated.get(project.key) or merged.get(project.key), project
        )
    return list(stated.values())


def _merge_handovers(tx: RecordTx, incoming: list[Handover]) -> list[Handover]:
    """A handover restated without its receiving project or notes keeps those known.

    An earlier cohort's bundle names a handover before the receiving project
    exists; the later cohort's bundle names the project. Loading the earlier
    bundle again must not forget it (empty cells mean "not given").
    """
    stored = tx.fetch(Handover, {h.key for h in incoming})
    kept: list[Handover] = []
    for handover in incoming:
        held = stored.get(handover.key)
        if held is not None:
            known = {
                f: getattr(held, f)
                for f in ("to_project_id", "notes")
                if getattr(handover, f) is None and getattr(held, f) is not None
            }
            handover = handover.model_copy(update=known) if known else handover
        kept.append(handover)
    return kept


def _settle_employments(
    tx: RecordTx, incoming: list[Employment]
) -> tuple[list[Employment], list[Employment]]:
    """Every touched person's whole history from every pair stated so far.

    Returns the spells to write (those the batch states or that change) and the
    stored spells that are no longer spells of their own (a pair stated earlier
    at the same employer now covers them) and must go.
    """
    if not incoming:
        return [], []
    people = {e.person_id for e in incoming}
    stored = by_person(tx.employments_of(people))
    mine = by_person(incoming)
    write: list[Employment] = []
    retire: list[Employment] = []
    for person_id in sorted(people):
        held = {e.key: e for e in stored.get(person_id, [])}
        said = {(e.organisation_id, e.start) for e in mine[person_id]}
        history = employment_history(person_id, held.values(), mine[person_id])
        for spell in history:
            pairs = {(spell.organisation_id, d) for d in (spell.start, *spell.restated)}
            old = held.get(spell.key)
            if pairs & said or old is None or old.content() != spell.content():
                write.append(spell)
        keep = {spell.key for spell in history}
        retire += [e for key, e in sorted(held.items()) if key not in keep]
    return write, retire


def apply_batch(
    tx: RecordTx, batch: Batch, run: IngestRun | None, *, dry_run: bool = False
) -> WriteReport:
    """Check the batch, then write what differs from the store, journaled to ``run``."""
    problems = check_batch(batch, tx.fetch)
    if problems:
        raise Invalid(problems)
    employments, retired = _settle_employments(tx, batch.employments)
    batch = replace(
        batch,
        people=_merge_people(tx, batch.people),
        projects=_merge_projects(tx, batch.projects),
        handovers=_merge_handovers(tx, batch.handovers),
        employments=employments,
    )
    report = WriteReport(dry_run=dry_run)
    journal: list[JournalEntry] = []
    run_id = run.id if run else None
    for model in WRITE_ORDER:
        incoming = _dedupe(batch.of(model))
        existing = tx.fetch(model, [r.key for r in incoming])
        counts = report.counts.setdefault(model.kind, KindCounts())
        to_create: list[Record] = []
        to_update: list[Record] = []
        for record in incoming:
            old = existing.get(record.key)
            if old is not None and old.content() == record.content():
                counts.unchanged += 1
                continue
            stamped = record.model_copy(update={"run_id": run_id})
            if old is None:
                counts.created += 1
                to_create.append(stamped)
            else:
                counts.updated += 1
                to_update.append(stamped)
            journal.append(
                JournalEntry(
                    run_id=run_id or "",
                    seq=len(journal),
                    kind=model.kind,
                    key=record.key,
                    previous=None if old is None else old.model_dump(mode="json"),
                    people=tuple(
                        sorted({*record.person_ids(), *(old.person_ids() if old else ())})
                    ),
                )
            )
        if model is Employment and retired:
            counts.deleted += len(retired)
            for old in retired:
                journal.append(
                    JournalEntry(
                        run_id=run_id or "",
                        seq=len(journal),
                        kind=model.kind,
                        key=old.key,
                        previous=old.model_dump(mode="json"),
                        people=old.person_ids(),
                    )
                )
            if not dry_run:
                tx.delete(Employment, [old.key for old in retired])
        if not dry_run:
            if to_create:
                tx.create(model, to_create)
            if to_update:
                tx.upsert(model, to_update)
    if not dry_run and run is not None:
        tx.add_journal(journal)
        tx.save_run(
            run.model_copy(update={"counts": report.as_dict(), "finished_at": datetime.now(UTC)})
        )
    return report


def rollback_run(tx: RecordTx, run_id: str) -> WriteReport:
    """Undo the latest applied run exactly: delete what it created, restore the rest.

    Only the latest run may be undone (undo several by repeating): a later run
    may stand on what an earlier one wrote.
    """
    runs = tx.load_runs()
    target = next((r for r in runs if r.id == run_id), None)
    if target is None:
        raise NotFound("ingest run", run_id)
    applied = [r for r in runs if r.status == "applied"]
    if target.status != "applied":
        raise Conflict(f"ingest run {run_id!r} is {target.status}, not applied")
    if applied[-1].id != run_id:
        raise Conflict(
            f"ingest run {run_id!r} is not the latest; roll back {applied[-1].id!r} first"
        )
    report = WriteReport()
    for entry in sorted(tx.journal(run_id), key=lambda e: e.seq, reverse=True):
        model = KIND_BY_NAME[entry.kind]
        counts = report.counts.setdefault(entry.kind, KindCounts())
        if entry.previous is None:
            tx.delete(model, [entry.key])
            counts.deleted += 1
        else:
            previous = model.model_validate(entry.previous)
            if isinstance(previous, Person):
                current = tx.fetch(Person, [entry.key]).get(entry.key)
                previous = keep_later_changes(previous, current, target.started_at)
            tx.upsert(model, [previous])
            counts.updated += 1
    tx.drop_journal(run_id)
    tx.save_run(target.model_copy(update={"status": "rolled_back"}))
    return report


def read_content(tx: ContentTx) -> StoreContent:
    """Everything the store holds, as ``GraphStore.export_records`` returns it."""
    content = StoreContent()
    for model in WRITE_ORDER:
        content.records[model.kind] = _by_key(tx.every(model))
    runs = tx.load_runs()
    content.records[IngestRun.kind] = list(runs)
    for run in runs:
        content.journal += sorted(tx.journal(run.id), key=lambda e: e.seq)
    content.records[ApiKey.kind] = _by_key(tx.every(ApiKey))
    content.records[Erasure.kind] = _by_key(tx.every(Erasure))
    return content


def _by_key(records: list[R]) -> list[Record]:
    return sorted(records, key=lambda r: r.key)


def write_content(tx: ContentTx, content: StoreContent, *, replace: bool = False) -> None:
    """Write ``content`` as ``GraphStore.import_records`` does, in ``tx``."""
    if replace:
        tx.empty()
    for model in WRITE_ORDER:
        records = content.records.get(model.kind, [])
        if records:
            tx.upsert(model, records)
    for run in content.records.get(IngestRun.kind, []):
        assert isinstance(run, IngestRun)
        tx.save_run(run)
    if content.journal:
        tx.add_journal(content.journal)
    keys = [k for k in content.records.get(ApiKey.kind, []) if isinstance(k, ApiKey)]
    if keys:
        tx.save_keys(keys)
    erasures = [e for e in content.records.get(Erasure.kind, []) if isinstance(e, Erasure)]
    if erasures:
        tx.add_erasures(erasures)
