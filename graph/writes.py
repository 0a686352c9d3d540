"""The write algorithm every store shares: check, diff, write, journal, undo.

A store supplies a ``RecordTx`` (its primitives inside one transaction); this
module decides what to write. Keeping the decision here means SQLite and Neo4j
cannot disagree about what "unchanged" or "rolled back" means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TypeVar

from graph.derived import DERIVED_KINDS, Group, derived_ties
from graph.errors import Conflict, Invalid, NotFound
from graph.facts import (
    by_person,
    employment_history,
    keep_later_changes,
    merge_cohort,
    merge_organisation,
    merge_person,
    merge_project,
)
from graph.integrity import check_batch
from graph.model import (
    KIND_BY_NAME,
    WRITE_ORDER,
    ApiKey,
    Cohort,
    Employment,
    Erasure,
    Handover,
    IngestRun,
    Membership,
    Organisation,
    Person,
    Project,
    ProjectMember,
    Record,
    Tie,
    TieKind,
    last_by_key,
)
from graph.store import Batch, JournalEntry, KindCounts, StoreContent, WriteReport
from graph.writes_groups import (
    GROUP_MARK,
    derive_groups,
    derived_now,
    groups_before,
    restamp,
    stored_groups,
    touched_groups,
)
from graph.writes_tx import ContentTx, HeldReads, RecordTx

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
D = TypeVar("D", Person, Project, Organisation, Cohort)


def _merged(
    tx: RecordTx,
    model: type[D],
    incoming: list[D],
    reads: HeldReads,
    merge: Callable[[D | None, D], D],
) -> list[D]:
    """Each record as the store will keep it: fact by fact, the later-dated wins
    (``graph.facts``), against what the store holds in this transaction."""
    held: dict[str, D] = reads.fetch(tx, model, {r.key for r in incoming})
    stated: dict[str, D] = {}
    for record in incoming:
        stated[record.key] = merge(stated.get(record.key) or held.get(record.key), record)
    return list(stated.values())


def _merge_handovers(tx: RecordTx, incoming: list[Handover], reads: HeldReads) -> list[Handover]:
    """A handover restated without its receiving project or notes keeps those known.

    An earlier cohort's bundle names a handover before the receiving project
    exists; the later cohort's bundle names the project. Loading the earlier
    bundle again must not forget it (empty cells mean "not given").
    """
    stored = reads.fetch(tx, Handover, {h.key for h in incoming})
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
    problems = check_batch(batch, tx.fetch, tx.held)
    if problems:
        raise Invalid(problems)
    employments, retired = _settle_employments(tx, batch.employments)
    reads = HeldReads()
    batch = replace(
        batch,
        organisations=_merged(tx, Organisation, batch.organisations, reads, merge_organisation),
        people=_merged(tx, Person, batch.people, reads, merge_person),
        cohorts=_merged(tx, Cohort, batch.cohorts, reads, merge_cohort),
        projects=_merged(tx, Project, batch.projects, reads, merge_project),
        handovers=_merge_handovers(tx, batch.handovers, reads),
        employments=employments,
    )
    groups = groups_before(tx, batch, reads, dry_run=dry_run) if batch.derived else None
    report = WriteReport(dry_run=dry_run)
    journal: list[JournalEntry] = []
    run_id = run.id if run else None
    for model in WRITE_ORDER:
        incoming = last_by_key(batch.of(model))
        existing = reads.fetch(tx, model, incoming)
        counts = report.counts.setdefault(model.kind, KindCounts())
        to_create: list[Record] = []
        to_update: list[Record] = []
        for key, record in incoming.items():
            old = existing.get(key)
            if old is not None and old.content() == record.content():
                counts.unchanged += 1
                continue
            stamped = record.stamped(run_id)
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
                    key=key,
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
        if model is Tie and groups is not None:
            before, marked, stored = groups
            stamps = derive_groups(
                tx,
                batch,
                run_id,
                counts,
                stored=stored,
                before=before,
                marked=marked,
                dry_run=dry_run,
            )
            journal += [
                JournalEntry(
                    run_id=run_id or "",
                    seq=len(journal) + i,
                    kind=GROUP_MARK,
                    key=key,
                    previous=previous,
                    people=(),
                )
                for i, (key, previous) in enumerate(stamps)
            ]
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
    entries = tx.journal(run_id)
    groups = touched_groups(tx, entries)
    before = stored_groups(tx, groups)
    for entry in sorted(entries, key=lambda e: e.seq, reverse=True):
        if entry.kind == GROUP_MARK:
            restamp(tx, entry)
            continue
        model = KIND_BY_NAME[entry.kind]
        counts = report.counts.setdefault(entry.kind, KindCounts())
        if entry.previous is None:
            tx.delete(model, [entry.key])
            counts.deleted += 1
        else:
            previous = model.model_validate(entry.previous)
            if isinstance(previous, Tie) and derived_now(tx, previous):
                counts.updated += 1  # the group's ties are derived now: no row to restore
                continue
            if isinstance(previous, Person):
                current = tx.fetch(Person, [entry.key]).get(entry.key)
                previous = keep_later_changes(previous, current, target.started_at)
            tx.upsert(model, [previous])
            counts.updated += 1
    if groups:
        after = stored_groups(tx, groups)
        counts = report.counts.setdefault(Tie.kind, KindCounts())
        for key, group in before.items():
            now = {t.key: t for t in after[key].ties()} if key in after else {}
            for tie in group.ties():
                if tie.key not in now:
                    counts.deleted += 1
                elif now[tie.key].content() != tie.content():
                    counts.updated += 1
    tx.drop_journal(run_id)
    tx.save_run(target.model_copy(update={"status": "rolled_back"}))
    return report


def read_content(tx: ContentTx) -> StoreContent:
    """Everything the store holds, as ``GraphStore.export_records`` returns it."""
    content = StoreContent()
    for model in WRITE_ORDER:
        content.records[model.kind] = _by_key(tx.every(model))
    # Derived ties travel as the tie records they mean: a backup restored anywhere
    # answers the same, whether or not the store it goes to derives them.
    content.records[Tie.kind] = _by_key([*tx.every(Tie), *derived_ties(tx.groups())])
    runs = tx.load_runs()
    content.records[IngestRun.kind] = list(runs)
    for run in runs:
        content.journal += sorted(tx.journal(run.id), key=lambda e: e.seq)
    content.records[ApiKey.kind] = _by_key(tx.every(ApiKey))
    content.records[Erasure.kind] = _by_key(tx.every(Erasure))
    return content


def _by_key(records: list[R]) -> list[Record]:
    return sorted(records, key=lambda r: r.key)


def _compact(content: StoreContent) -> tuple[list[Record], list[tuple[TieKind, str, str | None]]]:
    """The content's tie records to store as rows, and the groups to mark instead: a
    group whose tie records are exactly what its memberships derive, all with one stamp
    (as an export of a marked group writes them), is marked and keeps no rows."""
    records = content.records
    ties = [t for t in records.get(Tie.kind, []) if isinstance(t, Tie)]
    by_group: dict[tuple[TieKind, str], dict[str, Tie]] = {}
    for tie in ties:
        if tie.tie_kind in DERIVED_KINDS and tie.context is not None:
            by_group.setdefault((tie.tie_kind, tie.context), {})[tie.key] = tie
    members: dict[tuple[TieKind, str], set[str]] = {}
    for m in records.get(Membership.kind, []):
        assert isinstance(m, Membership)
        members.setdefault((TieKind.COHORT_PEER, m.cohort_id), set()).add(m.person_id)
    for pm in records.get(ProjectMember.kind, []):
        assert isinstance(pm, ProjectMember)
        members.setdefault((TieKind.PROJECT, pm.project_id), set()).add(pm.person_id)
    starts: dict[tuple[TieKind, str], date] = {}
    for c in records.get(Cohort.kind, []):
        assert isinstance(c, Cohort)
        starts[(TieKind.COHORT_PEER, c.id)] = c.start_date
    for p in records.get(Project.kind, []):
        assert isinstance(p, Project)
        starts[(TieKind.PROJECT, p.id)] = p.start_date
        if p.sponsor_id:
            members.setdefault((TieKind.PROJECT, p.id), set()).add(p.sponsor_id)
    marks: list[tuple[TieKind, str, str | None]] = []
    dropped: set[str] = set()
    for (kind, context), held in sorted(by_group.items()):
        stamps = {t.run_id for t in held.values()}
        if (kind, context) not in starts or len(stamps) != 1:
            continue
        (stamp,) = stamps
        people = tuple(sorted(members.get((kind, context), ())))
        derived = {
            t.key: t for t in Group(kind, context, starts[(kind, context)], people, stamp).ties()
        }
        if derived == held:
            marks.append((kind, context, stamp))
            dropped |= held.keys()
    return [t for t in ties if t.key not in dropped], marks


def write_content(tx: ContentTx, content: StoreContent, *, replace: bool = False) -> None:
    """Write ``content`` as ``GraphStore.import_records`` does, in ``tx``."""
    if replace:
        tx.empty()
    ties, marks = _compact(content)
    for model in WRITE_ORDER:
        records = ties if model is Tie else content.records.get(model.kind, [])
        if records:
            tx.upsert(model, records)
    if marks:
        tx.save_marks(marks)
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
