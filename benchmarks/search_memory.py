"""The in-memory people search the service used before each store kept a text index
(``graph.search``), kept unchanged as the benchmarks' peer: ``benchmarks.latency``
times both on the same queries in the same run, and tests/graph/test_search_equivalence
checks that the index answers exactly as this did.

Finding people the way people ask: one query over everything a directory shows.

A query's words are looked for in a person's name, their employer now (name and
aliases), its sector, their area, job title, interests, skills, cohorts and the
wicked issues they worked on (as a project member or sponsor), case- and
accent-insensitively ("Sian" finds "Siân"). Every word must be found somewhere;
people rank by where the words are found (a name above an employer above a job
title above the rest), whole words above the start of a word above the middle,
and a query found as a whole phrase above the same words apart; then by name.

The index is built from store reads once per store version (as
``graph.adjacency`` keeps the warm network) and kept in memory: a few hundred
bytes a person. Who may be found is not decided here: ``search`` takes one
``Visibility``, and the people it may not see are neither returned nor counted.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from graph.model import (
    Cohort,
    Employment,
    Organisation,
    Person,
    Project,
    ProjectMember,
    Sector,
    WickedIssue,
)
from graph.profiles import Profile, current_employment
from graph.store import GraphStore, Page, PageResult, PersonQuery
from graph.viewer import Visibility

__all__ = ["Entry", "SearchIndex", "fold", "index_of", "search"]

_EVERYTHING = Page(limit=100_000_000)

NAME, EMPLOYER, JOB, SECTOR, AREA, TOPICS, ISSUES, COHORTS = 8.0, 6.0, 4.0, 3.0, 3.0, 3.0, 2.0, 1.0
"""How much a word found in each field counts (whole word; less at a word's start or middle)."""

_WHOLE, _START, _INSIDE = 1.0, 0.75, 0.4
_SEPARATORS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Text as it is compared: accents dropped, case folded, punctuation as spaces.

    >>> fold("Siân O'Brien-Jones")
    'sian o brien jones'
    >>> fold("local_government")
    'local government'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", bare.casefold()).strip()


@dataclass(frozen=True)
class Entry:
    """One person as the index holds them: what a directory shows, and what is searched."""

    profile: Profile
    employers: frozenset[str]
    """Organisations employing them now (open employments)."""
    sectors: frozenset[Sector]
    area: str
    """Folded."""
    cohorts: frozenset[str]
    issues: frozenset[str]
    fields: tuple[tuple[float, str], ...]
    """(weight, folded text padded with a space each side) of every field searched."""
    text: str
    """Every field at once: a word found nowhere here is found in no field (checked first)."""

    @property
    def person(self) -> Person:
        return self.profile.person

    def score(self, words: list[str], phrase: str) -> float:
        """How well the query matches (0: some word is found nowhere)."""
        total = 0.0
        for word in words:
            best = max((weight * _quality(word, text) for weight, text in self.fields), default=0)
            if best == 0:
                return 0.0
            total += best
        if len(words) > 1:
            total += max((w for w, text in self.fields if _quality(phrase, text) > 0), default=0)
        return total


def _quality(word: str, text: str) -> float:
    """How ``word`` is found in ``text`` (both folded, ``text`` padded with spaces)."""
    if word not in text:
        return 0.0
    if f" {word} " in text:
        return _WHOLE
    return _START if f" {word}" in text else _INSIDE


@dataclass(frozen=True)
class SearchIndex:
    """Everyone of a store as of one version, in name order, with what they are found by."""

    version: str
    entries: tuple[Entry, ...]
    organisations: Mapping[str, Organisation]
    cohorts: Mapping[str, Cohort]
    issues: Mapping[str, WickedIssue]

    @classmethod
    def read(cls, store: GraphStore, version: str) -> SearchIndex:
        """Read it from ``store``; ``version`` read *before*, so a racing write leaves it
        labelled older than it is, never newer."""
        people = store.search_people(PersonQuery(), _EVERYTHING).data
        organisations = {o.id: o for o in store.find(Organisation, None, _EVERYTHING).data}
        cohorts = {c.id: c for c in store.find(Cohort, None, _EVERYTHING).data}
        issues = {i.id: i for i in store.find(WickedIssue, None, _EVERYTHING).data}
        projects = {p.id: p for p in store.find(Project, None, _EVERYTHING).data}
        members = store.find(ProjectMember, None, _EVERYTHING).data
        spells: dict[str, list[Employment]] = defaultdict(list)
        cohort_ids: dict[str, set[str]] = defaultdict(set)
        if people:
            employments, memberships = store.profile_links([p.id for p in people])
            for e in employments:
                spells[e.person_id].append(e)
            for m in memberships:
                cohort_ids[m.person_id].add(m.cohort_id)
        issue_ids: dict[str, set[str]] = defaultdict(set)
        for member in members:
            if (project := projects.get(member.project_id)) is not None and project.issue_id:
                issue_ids[member.person_id].add(project.issue_id)
        for project in projects.values():
            if project.sponsor_id and project.issue_id:
                issue_ids[project.sponsor_id].add(project.issue_id)
        entries = [
            _entry(p, spells.get(p.id, []), cohort_ids.get(p.id, set()),
                   issue_ids.get(p.id, set()), organisations, cohorts, issues)
            for p in people
        ]  # fmt: skip
        entries.sort(key=lambda e: (e.person.name, e.person.id))
        return cls(version, tuple(entries), organisations, cohorts, issues)

    def areas(self, viewer: Visibility) -> list[str]:
        """The areas of the people this viewer may see, as written, one per folded spelling."""
        found: dict[str, str] = {}
        for e in self.entries:
            if e.person.area and viewer.sees(e.person):
                found.setdefault(e.area, e.person.area.strip())
        return sorted(found.values(), key=fold)


def _entry(
    person: Person,
    spells: list[Employment],
    cohort_ids: Iterable[str],
    issue_ids: Iterable[str],
    organisations: Mapping[str, Organisation],
    cohorts: Mapping[str, Cohort],
    issues: Mapping[str, WickedIssue],
) -> Entry:
    job = current_employment(spells)
    now = [o for e in spells if e.end is None and (o := organisations.get(e.organisation_id))]
    own_cohorts = sorted((cohorts[c] for c in cohort_ids if c in cohorts),
                         key=lambda c: (c.start_date, c.id))  # fmt: skip
    own_issues = [issues[i] for i in sorted(issue_ids) if i in issues]
    fields: list[tuple[float, str]] = [(NAME, person.name)]
    for o in now:
        fields += [(EMPLOYER, o.name), *((EMPLOYER, a) for a in o.aliases), (SECTOR, o.sector)]
    fields += [(JOB, person.job_title or ""), (AREA, person.area or "")]
    fields += [(TOPICS, t) for t in (*person.interests, *person.skills)]
    fields += [(COHORTS, c.name) for c in own_cohorts]
    fields += [(ISSUES, i.title) for i in own_issues]
    searched = tuple((w, f" {f} ") for w, text in fields if (f := fold(text)))
    return Entry(
        profile=Profile(
            person=person,
            organisation=organisations.get(job.organisation_id) if job else None,
            cohorts=tuple(own_cohorts),
        ),
        employers=frozenset(o.id for o in now),
        sectors=frozenset(o.sector for o in now),
        area=fold(person.area or ""),
        cohorts=frozenset(cohort_ids),
        issues=frozenset(issue_ids),
        fields=searched,
        text="|".join(f for _, f in searched),
    )


def _passes(entry: Entry, query: PersonQuery) -> bool:
    return (
        (query.organisation_id is None or query.organisation_id in entry.employers)
        and (query.sector is None or query.sector in entry.sectors)
        and (query.area is None or fold(query.area) == entry.area)
        and (query.cohort_id is None or query.cohort_id in entry.cohorts)
        and (query.issue_id is None or query.issue_id in entry.issues)
        and (query.ids is None or entry.person.id in query.ids)
    )


def search(
    index: SearchIndex, query: PersonQuery, page: Page, *, viewer: Visibility
) -> PageResult[Profile]:
    """One page of the people matching ``query`` whom ``viewer`` sees, best first, and
    how many there are in all.

    Every filter given must hold (organisation and sector: the employer now); the
    text ranks as the module says; without text, people come in name order.
    """
    words = fold(query.text or "").split()
    phrase = " ".join(words)
    filtered = any(
        x is not None
        for x in (query.organisation_id, query.sector, query.area, query.cohort_id,
                  query.issue_id, query.ids)
    )  # fmt: skip
    sees = viewer.sees
    found: list[tuple[float, Entry]] = []
    for entry in index.entries:  # in name order: a stable sort keeps it among equals
        text = entry.text
        for word in words:
            if word not in text:
                break
        else:
            if (filtered and not _passes(entry, query)) or not sees(entry.profile.person):
                continue
            score = entry.score(words, phrase) if words else 1.0
            if score > 0:
                found.append((score, entry))
    if words:
        found.sort(key=lambda f: -f[0])
    shown = found[page.offset : page.offset + page.limit]
    return PageResult([e.profile for _, e in shown], len(found))


_INDEXES: WeakKeyDictionary[GraphStore, SearchIndex] = WeakKeyDictionary()
_LOCK = threading.Lock()


def index_of(store: GraphStore) -> SearchIndex:
    """The store's index as of now: read again only when the store's version changed
    (a write by this process or another)."""
    version = store.version()
    with _LOCK:
        known = _INDEXES.get(store)
    if known is not None and known.version == version:
        return known
    built = SearchIndex.read(store, version)
    with _LOCK:
        _INDEXES[store] = built
    return built
