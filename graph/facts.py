"""Facts in time order: what a store keeps when statements arrive in any order.

``../shared/spec/cohort-bundle.md`` ("Order-independent"): every stated fact
about a person carries when it was true (a bundle's ``as_of`` day, or the UTC
moment the service changed it); a stored fact is replaced only by one stated at
the same time or later. A bundle's day counts from its first moment, so a
consent withdrawn through the service during that day outlasts the bundle.
An employment history is every stated (organisation, from) pair, each spell
ending the day before the next one starts. A project's, a cohort's and an
organisation's facts are dated the same way; a project's cohort is the earliest
stated.

These rules are pure functions of what has been stated, never of the order it
was stated in, so loading bundles in any order gives the same graph and a
second load of any bundle changes nothing. ``graph.writes`` applies them inside
the write transaction, against what the store holds at that moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from graph.errors import Invalid, Problem
from graph.model import (
    COHORT_FACTS,
    CONSENT_FACTS,
    ORGANISATION_FACTS,
    PERSON_FACTS,
    PROJECT_FACTS,
    Cohort,
    Employment,
    Organisation,
    Person,
    Project,
)
from graph.store import Batch, GraphStore

__all__ = [
    "by_person",
    "dated",
    "employment_history",
    "keep_later_changes",
    "merge_cohort",
    "merge_facts",
    "merge_organisation",
    "merge_person",
    "merge_project",
    "set_consent",
    "stamp_of",
    "stated_on",
]


D = TypeVar("D", Person, Project, Organisation, Cohort)
"""A record whose facts carry the date they were stated on."""


def _moment(stamp: str) -> datetime:
    """A stamp as a point in time: a bundle's day counts from its first moment, so a
    change made through the service during that day is the later of the two."""
    if len(stamp) == len("YYYY-MM-DD"):
        return datetime.combine(date.fromisoformat(stamp), time.min, UTC)
    moment = datetime.fromisoformat(stamp)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def stated_on(person: Person, fact: str) -> datetime | None:
    """When ``fact`` was stated as true; None for a default never stated."""
    stamp = person.stated_on.get(fact)
    return _moment(stamp) if stamp else None


def stamp_of(on: date | datetime) -> str:
    """How a statement's time is kept: a bundle's ISO day, or the service's UTC moment."""
    if isinstance(on, datetime):
        aware = on if on.tzinfo else on.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    return on.isoformat()


def dated(record: D, facts: Iterable[str], on: date | datetime) -> D:
    """``record`` with ``facts`` marked as stated on ``on`` (other dates kept)."""
    stamps = dict(record.stated_on)
    for fact in facts:
        stamps[fact] = stamp_of(on)
    return record.model_copy(update={"stated_on": dict(sorted(stamps.items()))})


def _newer_or_same(incoming: date | datetime | None, stored: date | datetime | None) -> bool:
    """Does a fact stated on ``incoming`` replace one stated on ``stored``?"""
    if incoming is None:
        return stored is None
    return stored is None or incoming >= stored


def merge_person(stored: Person | None, incoming: Person) -> Person:
    """What the store keeps when ``incoming`` is stated about a person it may hold.

    Fact by fact: the incoming value wins when it is dated the same time or later
    than the stored one (an undated default never beats a stated fact); the
    email and id are the key and never change.
    """
    return merge_facts(stored, incoming, PERSON_FACTS)


def merge_project(stored: Project | None, incoming: Project) -> Project:
    """As ``merge_person``, for a project's facts; its cohort is the one stated first
    (the earliest date, then the smallest id), whatever order bundles arrive in."""
    return merge_facts(stored, incoming, PROJECT_FACTS, earliest=("cohort_id",))


def merge_organisation(stored: Organisation | None, incoming: Organisation) -> Organisation:
    """As ``merge_person``, for an organisation's facts (sector, type, aliases, area)."""
    return merge_facts(stored, incoming, ORGANISATION_FACTS)


def merge_cohort(stored: Cohort | None, incoming: Cohort) -> Cohort:
    """As ``merge_person``, for a cohort's facts (name and dates)."""
    return merge_facts(stored, incoming, COHORT_FACTS)


def merge_facts(
    stored: D | None, incoming: D, facts: tuple[str, ...], earliest: tuple[str, ...] = ()
) -> D:
    """Fact by fact, the later-stated (for ``earliest``: the earlier-stated) of two records."""
    if stored is None:
        return incoming
    values: dict[str, object] = {}
    stamps: dict[str, str] = {}
    for fact in facts:
        mine = incoming.stated_on.get(fact)
        held = stored.stated_on.get(fact)
        if fact in earliest:
            # a record already held keeps it unless an earlier statement is known
            take = (
                mine is not None
                and held is not None
                and (_moment(mine), str(getattr(incoming, fact)))
                < (_moment(held), str(getattr(stored, fact)))
            )
        else:
            take = _newer_or_same(_moment(mine) if mine else None, _moment(held) if held else None)
        source = incoming if take else stored
        values[fact] = getattr(source, fact)
        if fact in source.stated_on:
            stamps[fact] = source.stated_on[fact]
    values["stated_on"] = dict(sorted(stamps.items()))
    return incoming.model_copy(update=values)


def keep_later_changes(restored: Person, current: Person | None, since: datetime) -> Person:
    """``restored`` (a rollback's pre-image) with every fact the service changed after
    ``since`` (the run's start) kept from ``current``: undoing a load never gives
    back a consent the person withdrew after it."""
    if current is None:
        return restored
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    values: dict[str, object] = {}
    stamps = dict(restored.stated_on)
    for fact in PERSON_FACTS:
        stamp = current.stated_on.get(fact)
        if stamp and len(stamp) > len("YYYY-MM-DD") and _moment(stamp) > since:
            values[fact] = getattr(current, fact)
            stamps[fact] = stamp
    if not values:
        return restored
    return restored.model_copy(update={**values, "stated_on": dict(sorted(stamps.items()))})


@dataclass(frozen=True)
class _Statement:
    organisation_id: str
    start: date
    job_title: str | None
    as_of: date | None
    end: date | None


def _statements(records: Iterable[Employment]) -> dict[tuple[str, date], _Statement]:
    """Every (organisation, from) pair the records state.

    A pair's job title is the one stated on the latest date (an empty title is
    "not given" and replaces nothing); an end given with a pair is kept.
    """
    pairs: dict[tuple[str, date], _Statement] = {}

    def add(statement: _Statement) -> None:
        key = (statement.organisation_id, statement.start)
        held = pairs.get(key)
        if held is None:
            pairs[key] = statement
            return
        titled = held
        if statement.job_title is not None and (
            held.job_title is None or _newer_or_same(statement.as_of, held.as_of)
        ):
            titled = statement
        end = statement.end if statement.end is not None else held.end
        pairs[key] = _Statement(key[0], key[1], titled.job_title, titled.as_of, end)

    for record in records:
        as_of = record.as_of if record.job_title is not None else None
        add(_Statement(record.organisation_id, record.start, record.job_title, as_of, record.end))
        for later in record.restated:
            add(_Statement(record.organisation_id, later, None, None, None))
    return pairs


def employment_history(
    person_id: str, stored: Iterable[Employment], incoming: Iterable[Employment]
) -> list[Employment]:
    """One person's whole history from every pair stated so far, in start order.

    Consecutive pairs at the same organisation are one spell (restating the
    current employer is no job move); each spell ends the day before the next
    starts, so at most one is open. The last spell keeps an end given with it
    (a bundle never gives one; the store API may).
    """
    pairs = _statements([*stored, *incoming])
    ordered = sorted(pairs.values(), key=lambda s: (s.start, s.organisation_id))
    runs: list[list[_Statement]] = []
    for statement in ordered:
        if runs and runs[-1][0].organisation_id == statement.organisation_id:
            runs[-1].append(statement)
        else:
            runs.append([statement])
    history: list[Employment] = []
    for i, run in enumerate(runs):
        first = run[0]
        titled = [s for s in run if s.job_title is not None]
        title = max(titled, key=lambda s: (s.as_of or date.min, s.start)) if titled else None
        if i + 1 < len(runs):
            end: date | None = runs[i + 1][0].start - timedelta(days=1)
        else:
            end = next((s.end for s in reversed(run) if s.end is not None), None)
        history.append(
            Employment(
                person_id=person_id,
                organisation_id=first.organisation_id,
                start=first.start,
                end=end,
                job_title=title.job_title if title else None,
                as_of=title.as_of if title else None,
                restated=tuple(s.start for s in run[1:]),
            )
        )
    return history


def by_person(records: Iterable[Employment]) -> Mapping[str, list[Employment]]:
    grouped: dict[str, list[Employment]] = {}
    for record in records:
        grouped.setdefault(record.person_id, []).append(record)
    return grouped


def set_consent(
    store: GraphStore, person_id: str, changes: Mapping[str, bool], at: datetime
) -> Person:
    """Change a person's consents through the service, dated ``at``; the person as kept.

    The change is a stated fact like any bundle's, stamped with the moment
    itself: it replaces what the store holds unless that was stated later, and
    no bundle dated ``at``'s day or before can undo it (``cohort-bundle.md``: an
    older bundle never restores consent that was withdrawn). ``Invalid`` names an unknown consent;
    ``NotFound`` an absent person. Nothing is written for an empty change.
    """
    unknown = sorted(set(changes) - set(CONSENT_FACTS))
    if unknown:
        raise Invalid(
            [
                Problem("consent", name, None, f"not a consent: {', '.join(CONSENT_FACTS)}")
                for name in unknown
            ]
        )
    person = store.get(Person, person_id)
    if not changes:
        return person
    changed = dated(person.model_copy(update=dict(changes)), changes, at)
    store.apply(Batch(people=[changed]))
    return store.get(Person, person_id)
