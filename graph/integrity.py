"""The rules a batch must keep before anything is written, shared by every store.

Checks run against the batch itself and what the store already holds, and
collect every problem rather than stopping at the first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import date

from graph.errors import Problem
from graph.model import (
    SURVEY_KINDS,
    Cohort,
    Handover,
    Organisation,
    Person,
    Project,
    Record,
    Tie,
    WickedIssue,
)
from graph.store import Batch

Lookup = Callable[[type[Record], Collection[str]], dict[str, Record]]
"""Fetch existing records of one kind by key (what the store already holds)."""


def _label(record: Record) -> str:
    return f"{record.kind} {record.key}"


def _dates_in_order(
    record: Record, first: str, start: date | None, last: str, end: date | None
) -> Iterable[Problem]:
    if start is not None and end is not None and end < start:
        yield Problem(_label(record), last, end.isoformat(), f"is before {first} {start}")


Held = Callable[[type[Record], Collection[str]], set[str]]
"""Which of these keys of one kind the store holds: existence alone, no record read."""

_WHOLE = frozenset({Project})
"""Kinds whose stored records the checks read (a handover's project), not just keys."""


class _Resolver:
    """Answers 'does this key exist?' from the batch first, then the store: one bulk
    look-up per kind, of keys alone where the checks need no more than existence."""

    def __init__(self, batch: Batch, lookup: Lookup, held: Held | None) -> None:
        self._batch = batch
        self._lookup = lookup
        self._held = held or (lambda model, keys: set(lookup(model, keys)))
        self._cache: dict[type[Record], dict[str, Record]] = {}
        self._keys: dict[type[Record], set[str]] = {}

    def prefetch(self, model: type[Record], keys: Iterable[str | None]) -> None:
        wanted = {k for k in keys if k}
        mine = {r.key: r for r in self._batch.of(model)}
        missing = wanted - mine.keys()
        if model in _WHOLE:
            found = self._lookup(model, missing) if missing else {}
            self._cache[model] = {**found, **mine}
            self._keys[model] = set(self._cache[model])
        else:
            self._keys[model] = (self._held(model, missing) if missing else set()) | mine.keys()

    def has(self, model: type[Record], key: str) -> bool:
        return key in self._keys.get(model, ())

    def get(self, model: type[Record], key: str) -> Record | None:
        return self._cache.get(model, {}).get(key)


def check_batch(batch: Batch, lookup: Lookup, held: Held | None = None) -> list[Problem]:
    """Every rule broken by the batch; empty means it may be written.

    ``lookup`` reads stored records; ``held``, when given, answers which keys the store
    holds without reading their records (by default: ``lookup``'s keys)."""
    problems: list[Problem] = []
    resolve = _Resolver(batch, lookup, held)
    person_refs = [m.person_id for m in batch.memberships]
    person_refs += [e.person_id for e in batch.employments]
    person_refs += [p.sponsor_id for p in batch.projects if p.sponsor_id]
    person_refs += [m.person_id for m in batch.project_members]
    person_refs += [t.source_id for t in batch.ties] + [t.target_id for t in batch.ties]
    person_refs += [a.person_id for a in batch.assessments]
    resolve.prefetch(Person, person_refs)
    resolve.prefetch(Organisation, (e.organisation_id for e in batch.employments))
    resolve.prefetch(
        Cohort,
        [m.cohort_id for m in batch.memberships]
        + [p.cohort_id for p in batch.projects]
        + [a.cohort_id for a in batch.assessments],
    )
    resolve.prefetch(
        WickedIssue, [p.issue_id for p in batch.projects] + [h.issue_id for h in batch.handovers]
    )
    resolve.prefetch(
        Project,
        [m.project_id for m in batch.project_members]
        + [h.from_project_id for h in batch.handovers],
    )

    def need(record: Record, field: str, model: type[Record], key: str | None) -> None:
        if key and not resolve.has(model, key):
            problems.append(Problem(_label(record), field, key, f"no such {model.kind}"))

    problems += _duplicates(batch)
    for c in batch.cohorts:
        problems += _dates_in_order(c, "start_date", c.start_date, "end_date", c.end_date)
    for m in batch.memberships:
        need(m, "person_id", Person, m.person_id)
        need(m, "cohort_id", Cohort, m.cohort_id)
    for e in batch.employments:
        need(e, "person_id", Person, e.person_id)
        need(e, "organisation_id", Organisation, e.organisation_id)
        problems += _dates_in_order(e, "start", e.start, "end", e.end)
    for p in batch.projects:
        need(p, "cohort_id", Cohort, p.cohort_id)
        need(p, "issue_id", WickedIssue, p.issue_id)
        need(p, "sponsor_id", Person, p.sponsor_id)
        problems += _dates_in_order(p, "start_date", p.start_date, "due_date", p.due_date)
    for pm in batch.project_members:
        need(pm, "project_id", Project, pm.project_id)
        need(pm, "person_id", Person, pm.person_id)
    for h in batch.handovers:
        problems += _handover_problems(h, resolve)
    for t in batch.ties:
        need(t, "source_id", Person, t.source_id)
        need(t, "target_id", Person, t.target_id)
        problems += _tie_problems(t)
    for a in batch.assessments:
        need(a, "person_id", Person, a.person_id)
        need(a, "cohort_id", Cohort, a.cohort_id)
    return problems


def _duplicates(batch: Batch) -> list[Problem]:
    """Two records with one key but different content: which one is meant?"""
    problems = []
    for _, records in batch.by_kind():
        seen: dict[str, Record] = {}
        for r in records:
            key = r.key  # a tie's key is built on each ask: once per record here
            if key in seen and seen[key].content() != r.content():
                problems.append(Problem(_label(r), "key", key, "given twice, differently"))
            seen[key] = r
    return problems


def _handover_problems(h: Handover, resolve: _Resolver) -> list[Problem]:
    problems: list[Problem] = []
    if not resolve.has(WickedIssue, h.issue_id):
        problems.append(Problem(_label(h), "issue_id", h.issue_id, "no such wicked_issue"))
    giver = resolve.get(Project, h.from_project_id)
    if giver is None:
        problems.append(Problem(_label(h), "from_project_id", h.from_project_id, "no such project"))
        return problems
    assert isinstance(giver, Project)
    if giver.issue_id != h.issue_id:
        problems.append(
            Problem(
                _label(h),
                "from_project_id",
                h.from_project_id,
                f"project worked on {giver.issue_id!r}, not on {h.issue_id!r}",
            )
        )
    if h.date < giver.start_date:
        problems.append(
            Problem(
                _label(h),
                "date",
                h.date.isoformat(),
                f"is before the project started ({giver.start_date})",
            )
        )
    return problems


def _tie_problems(t: Tie) -> list[Problem]:
    problems = list(_dates_in_order(t, "start", t.start, "end", t.end))
    if t.source_id == t.target_id:
        problems.append(Problem(_label(t), "target_id", t.target_id, "a tie needs two people"))
    if t.tie_kind in SURVEY_KINDS and t.wave is None:
        problems.append(Problem(_label(t), "wave", None, "a survey tie needs its wave"))
    return problems
