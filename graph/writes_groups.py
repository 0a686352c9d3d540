"""The derived groups (``graph.derived``) inside a write: what their ties are before a
batch, what they will be after it, and the marks that say a store derives them.

A batch only adds members, so the groups after it are the groups before it with the
batch laid over them: they are read once per write, not once before and once after.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import comb

from graph.derived import DERIVED_KINDS, Group, group_key
from graph.model import Cohort, Membership, Project, ProjectMember, Record, Tie, TieKind
from graph.store import Batch, JournalEntry, KindCounts
from graph.writes_tx import HeldReads, RecordTx

__all__ = [
    "GROUP_MARK",
    "StoredGroups",
    "derive_groups",
    "derived_now",
    "groups_before",
    "read_groups",
    "restamp",
    "stored_groups",
    "touched_groups",
]

GROUP_MARK = "derived_group"
"""The journal's kind for a group's mark: ``previous`` holds the stamp it had, ``None``
when the run marked it."""

_MODELS: tuple[tuple[TieKind, type[Cohort] | type[Project]], ...] = (
    (TieKind.COHORT_PEER, Cohort),
    (TieKind.PROJECT, Project),
)


@dataclass(frozen=True)
class StoredGroups:
    """Some groups as stored: their members (sponsors aside) and cohort or project."""

    wanted: tuple[tuple[TieKind, str], ...]
    members: Mapping[TieKind, Mapping[str, frozenset[str]]]
    records: Mapping[TieKind, Mapping[str, Record]]

    def groups(self, batch: Batch | None = None) -> dict[str, Group]:
        """The groups as stored (``batch`` None), or as they will be once ``batch``
        (already merged) is written: its members added, its cohort or project dates and
        sponsor."""
        out: dict[str, Group] = {}
        for kind, model in _MODELS:
            contexts = sorted({c for k, c in self.wanted if k is kind})
            members = {c: set(m) for c, m in self.members.get(kind, {}).items()}
            records = dict(self.records.get(kind, {}))
            if batch is not None:
                records |= {r.key: r for r in batch.of(model) if r.key in contexts}
                joined = (
                    [(m.cohort_id, m.person_id) for m in batch.memberships]
                    if kind is TieKind.COHORT_PEER
                    else [(m.project_id, m.person_id) for m in batch.project_members]
                )
                for context, person_id in joined:
                    members.setdefault(context, set()).add(person_id)
            for context in contexts:
                record = records.get(context)
                if record is None:
                    continue
                people = members.get(context, set())
                if isinstance(record, Project) and record.sponsor_id:
                    people.add(record.sponsor_id)
                assert isinstance(record, Cohort | Project)
                out[group_key(kind, context)] = Group(
                    kind, context, record.start_date, tuple(sorted(people))
                )
        return out


def read_groups(
    tx: RecordTx, wanted: Sequence[tuple[TieKind, str]], reads: HeldReads | None = None
) -> StoredGroups:
    """The stored members and records of these groups, a read per kind of each (records
    already in ``reads`` are not read again)."""
    members: dict[TieKind, Mapping[str, frozenset[str]]] = {}
    records: dict[TieKind, Mapping[str, Record]] = {}
    for kind, model in _MODELS:
        contexts = sorted({c for k, c in wanted if k is kind})
        if not contexts:
            continue
        held = tx.members_of(kind, contexts)
        members[kind] = {c: frozenset(m) for c, m in held.items()}
        found = reads.fetch(tx, model, contexts) if reads else tx.fetch(model, contexts)
        records[kind] = dict(found)
    return StoredGroups(tuple(wanted), members, records)


def stored_groups(tx: RecordTx, wanted: Sequence[tuple[TieKind, str]]) -> dict[str, Group]:
    """These groups as stored now."""
    return read_groups(tx, wanted).groups()


def groups_before(
    tx: RecordTx, batch: Batch, reads: HeldReads, *, dry_run: bool
) -> tuple[dict[str, dict[str, Tie]], dict[str, str | None], StoredGroups]:
    """What every read answers for the batch's groups now: their derived ties if marked,
    else their stored rows (deleted here, when writing: the marks will cover them). Also
    the groups as read, for ``derive_groups`` to lay the batch over."""
    keys = sorted({group_key(k, c) for k, c in batch.derived})
    marked = tx.marks(keys)
    stored = read_groups(tx, batch.derived, reads)
    before: dict[str, dict[str, Tie]] = {}
    for key, group in stored.groups().items():
        if key in marked:
            before[key] = {t.key: t for t in group.ties()}
    rows = tx.group_tie_rows([k for k in keys if k not in marked])
    for tie in rows:
        before.setdefault(group_key(tie.tie_kind, tie.context or ""), {})[tie.key] = tie
    if rows and not dry_run:
        tx.delete(Tie, [t.key for t in rows])
    return before, marked, stored


def derive_groups(
    tx: RecordTx,
    batch: Batch,
    run_id: str | None,
    counts: KindCounts,
    *,
    stored: StoredGroups,
    before: dict[str, dict[str, Tie]],
    marked: Mapping[str, str | None],
    dry_run: bool,
) -> list[tuple[str, dict[str, object] | None]]:
    """Count the derived ties of the batch's groups as ``tie`` records created, updated
    or unchanged, exactly as if they were rows; mark the groups, restamped with the run
    when their ties changed. Returns the (group key, previous stamp) to journal."""
    marks: list[tuple[TieKind, str, str | None]] = []
    for key, group in sorted(stored.groups(batch).items()):
        old = before.get(key, {})
        changed = False
        if not old:
            # Nothing held before: every pair a tie created (1,225 for 50), none built.
            created = comb(len(group.members), 2)
            counts.created += created
            changed = created > 0
        for tie in group.ties() if old else ():
            held = old.get(tie.key)
            if held is None:
                counts.created += 1
                changed = True
            elif held.content() != tie.content():
                counts.updated += 1
                changed = True
            else:
                counts.unchanged += 1
        if changed or key not in marked:
            marks.append((group.kind, group.context, run_id))
    if not dry_run and marks:
        tx.save_marks(marks)
    return [
        (
            group_key(k, c),
            {"run_id": marked[group_key(k, c)]} if group_key(k, c) in marked else None,
        )
        for k, c, _ in marks
    ]


def restamp(tx: RecordTx, entry: JournalEntry) -> None:
    """Give a group back the stamp it had before the run (a new mark stays, unstamped:
    its rows were dropped when it was marked; a mark lost since is not made again)."""
    if not tx.marks([entry.key]):
        return
    kind, context = entry.key.split("|", 1)
    run_id = None if entry.previous is None else entry.previous.get("run_id")
    tx.save_marks([(TieKind(kind), context, None if run_id is None else str(run_id))])


_GROUP_OF: dict[str, TieKind] = {
    Cohort.kind: TieKind.COHORT_PEER,
    Membership.kind: TieKind.COHORT_PEER,
    Project.kind: TieKind.PROJECT,
    ProjectMember.kind: TieKind.PROJECT,
}


def touched_groups(tx: RecordTx, entries: Sequence[JournalEntry]) -> list[tuple[TieKind, str]]:
    """The marked groups whose members, start or sponsor these journal entries changed
    (a membership's key starts with its cohort, a project member's with its project)."""
    touched = {(_GROUP_OF[e.kind], e.key.split("|", 1)[0]) for e in entries if e.kind in _GROUP_OF}
    marked = tx.marks([group_key(k, c) for k, c in touched])
    return sorted(g for g in touched if group_key(*g) in marked)


def derived_now(tx: RecordTx, tie: Tie) -> bool:
    """Whether this tie's group is marked: its ties are derived, it keeps no row."""
    if tie.tie_kind not in DERIVED_KINDS or tie.context is None:
        return False
    return bool(tx.marks([group_key(tie.tie_kind, tie.context)]))
