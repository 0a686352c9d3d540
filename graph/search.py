"""Finding people the way people ask: one query over everything a directory shows.

A query's words are looked for in a person's name, their employer now (name and
aliases), its sector, their area, job title, interests, skills, cohorts and the
wicked issues they worked on (as a project member or sponsor), case- and
accent-insensitively ("Sian" finds "Siân"). Every word must be found somewhere
(anywhere in a word: "polic" finds "Police", "lice" too); people rank by where the
words are found (a name above an employer above a job title above the rest), whole
words above the start of a word above the middle, and a query found as a whole
phrase above the same words apart; then by name.

Each store keeps a text index of one *search document* per person (``documents``:
every field above, folded here so both stores compare the same text, and the same
texts grouped by weight) and its words' postings: an FTS5 table and posting tables in
SQLite, ``SearchDoc`` nodes and ``SearchWord`` postings under a TEXT index in Neo4j.
The store selects the people holding every word (from the postings of one word, so
the work is bounded by that word's holders, not by every document), applies the
filters and the viewer's consent (``PersonQuery.directory_only`` and ``also_id``: whom
an alumni caller may see), counts them, scores them by the rules above (the weights
and qualities are ``graph.store.SEARCH_WEIGHTS`` and ``SEARCH_QUALITIES``; the score
is spelled out at ``GraphStore.search_index``) and returns one page; only that page
is read as profiles.

The index is brought up to date lazily, by the first search after the store's
version changed (``catch_up``): the store's log of writes (``changes_since``)
names the people a write touched, and only theirs are written again; after a
rollback, an import or a log too old it is rebuilt whole. Lazily rather than
inside every write transaction because the writes are many (ingest, rollback,
import, erasure, consent, keys) and most never touch a search document, and a
bulk load should not pay for an index nobody has read yet. The one exception is
erasure: the store removes the person's document inside the erasure itself, so
nothing of them is left in the index even before the next search.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import replace
from weakref import WeakKeyDictionary

from graph.model import (
    Cohort,
    Employment,
    Organisation,
    Person,
    Project,
    ProjectMember,
    WickedIssue,
)
from graph.profiles import Profile, profiles
from graph.store import (
    SEARCH_WEIGHTS,
    GraphStore,
    Page,
    PageResult,
    PersonQuery,
    SearchDocument,
    SearchHit,
)

__all__ = ["areas", "catch_up", "documents", "fold", "forget_answers", "search", "words_of"]

_EVERYTHING = Page(limit=100_000_000)

NAME, EMPLOYER, JOB, SECTOR, AREA, TOPICS, ISSUES, COHORTS = 8.0, 6.0, 4.0, 3.0, 3.0, 3.0, 2.0, 1.0
"""How much a word found in each field counts (whole word; less at a word's start or middle)."""

assert {NAME, EMPLOYER, JOB, SECTOR, AREA, TOPICS, ISSUES, COHORTS} == set(SEARCH_WEIGHTS)
_SEPARATORS = re.compile(r"[\W_]+")

_INDEXED_KINDS = frozenset(
    {"person", "employment", "membership", "project_member", "project", "organisation",
     "cohort", "wicked_issue"}
)  # fmt: skip
"""Kinds of record a search document is made of; writes of other kinds (ties,
assessments, keys) leave every document as it was."""

_FACET_OF_KIND = {
    "organisation": "organisation",
    "cohort": "cohort",
    "wicked_issue": "issue",
    "project": "project",
}
"""A record of these kinds is in the documents listing it under this facet."""

_BY_PERSON = 200
"""Up to this many people, their project memberships are read person by person."""


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


def words_of(text: str | None) -> list[str]:
    """A query's words, folded: letters and digits only, so no word can carry an index's
    query syntax (quotes, operators, wildcards)."""
    return fold(text or "").split()


# -- documents ---------------------------------------------------------------------------


def documents(store: GraphStore, person_ids: Collection[str] | None = None) -> list[SearchDocument]:
    """The search documents of these people (of everyone, with None) as the store holds
    them now; an id with no person has none."""
    if person_ids is None:
        people = store.search_people(PersonQuery(), _EVERYTHING).data
    else:
        people = list(store.get_many(Person, person_ids).values())
    if not people:
        return []
    ids = [p.id for p in people]
    spells: dict[str, list[Employment]] = defaultdict(list)
    cohort_ids: dict[str, set[str]] = defaultdict(set)
    employments, memberships = store.profile_links(ids)
    for e in employments:
        spells[e.person_id].append(e)
    for m in memberships:
        cohort_ids[m.person_id].add(m.cohort_id)
    projects = {p.id: p for p in store.find(Project, None, _EVERYTHING).data}
    if person_ids is not None and len(ids) <= _BY_PERSON:
        members = [
            m for i in ids for m in store.find(ProjectMember, {"person_id": i}, _EVERYTHING).data
        ]
    else:
        members = store.find(ProjectMember, None, _EVERYTHING).data
    worked: dict[str, set[str]] = defaultdict(set)
    for member in members:
        worked[member.person_id].add(member.project_id)
    for project in projects.values():
        if project.sponsor_id:
            worked[project.sponsor_id].add(project.id)
    organisations = store.get_many(
        Organisation, {e.organisation_id for e in employments if e.end is None}
    )
    cohorts = store.get_many(Cohort, {c for found in cohort_ids.values() for c in found})
    issue_ids = {p.issue_id for p in projects.values() if p.issue_id}
    issues = store.get_many(WickedIssue, issue_ids)
    return [
        _document(p, spells.get(p.id, []), cohort_ids.get(p.id, set()),
                  [projects[i] for i in sorted(worked.get(p.id, ())) if i in projects],
                  organisations, cohorts, issues)
        for p in people
    ]  # fmt: skip


def _document(
    person: Person,
    spells: list[Employment],
    cohort_ids: Iterable[str],
    worked_on: list[Project],
    organisations: Mapping[str, Organisation],
    cohorts: Mapping[str, Cohort],
    issues: Mapping[str, WickedIssue],
) -> SearchDocument:
    now = [o for e in spells if e.end is None and (o := organisations.get(e.organisation_id))]
    own_cohorts = sorted((cohorts[c] for c in cohort_ids if c in cohorts),
                         key=lambda c: (c.start_date, c.id))  # fmt: skip
    issue_ids = sorted({p.issue_id for p in worked_on if p.issue_id})
    own_issues = [issues[i] for i in issue_ids if i in issues]
    fields: list[tuple[float, str]] = [(NAME, person.name)]
    for o in now:
        fields += [(EMPLOYER, o.name), *((EMPLOYER, a) for a in o.aliases), (SECTOR, o.sector)]
    fields += [(JOB, person.job_title or ""), (AREA, person.area or "")]
    fields += [(TOPICS, t) for t in (*person.interests, *person.skills)]
    fields += [(COHORTS, c.name) for c in own_cohorts]
    fields += [(ISSUES, i.title) for i in own_issues]
    searched = [(w, f) for w, text in fields if (f := fold(text))]
    weighted = tuple(
        f" {' | '.join(f for w, f in searched if w == weight)} "
        if any(w == weight for w, _ in searched)
        else ""
        for weight in SEARCH_WEIGHTS
    )
    facets = {
        *(("organisation", o.id) for o in now),
        *(("sector", str(o.sector)) for o in now),
        *(("cohort", c) for c in cohort_ids),
        *(("issue", i) for i in issue_ids),
        *(("project", p.id) for p in worked_on),
    }
    return SearchDocument(
        person_id=person.id,
        name=person.name,
        directory=person.consent_directory,
        area=person.area or "",
        area_key=fold(person.area or ""),
        body=" | ".join(f for _, f in searched),
        weighted=weighted,
        facets=tuple(sorted(facets)),
    )


# -- keeping the index up to date ----------------------------------------------------------

_SEEN: WeakKeyDictionary[GraphStore, str] = WeakKeyDictionary()
_LOCK = threading.Lock()


def catch_up(store: GraphStore) -> str:
    """Bring the store's search index up to date with its content: nothing to do when
    the version is the one last caught up with; else the documents of the people the
    writes since the index's mark touched, or every document when the log cannot say.
    Returns the version the index is now at least as new as."""
    version = store.version()
    with _LOCK:
        if _SEEN.get(store) == version:
            return version
        mark = store.search_mark()
        changes = store.changes_since(mark)
        if changes.entries is None:
            store.index_people(documents(store), drop=(), everything=True, mark=changes.mark)
        elif changes.entries:
            named: set[str] = set()
            facets: set[tuple[str, str]] = set()
            for kind, key, people in changes.entries:
                if kind in _INDEXED_KINDS:
                    named.update(people)
                    if (facet := _FACET_OF_KIND.get(kind)) is not None:
                        facets.add((facet, key))
            touched = named | store.indexed_people(facets) if facets else named
            found = documents(store, touched)
            gone = touched - {d.person_id for d in found}
            store.index_people(found, drop=gone, everything=False, mark=changes.mark)
        _SEEN[store] = version
    return version


# -- searching -----------------------------------------------------------------------------

_Pages = OrderedDict[Hashable, tuple[list[SearchHit], int]]
_PAGES: WeakKeyDictionary[GraphStore, tuple[str, _Pages]] = WeakKeyDictionary()
_PAGES_KEPT = 256
_HITS_KEPT = 500
"""Pages the index answered, kept per store (the most recently asked): a query asked again
at the same store version (the same words, filters, consent and page) is answered by one
look-up. The pages of a store are kept with the version they were read at and dropped
whole at the first search after a write, so no page outlives its content (nor an erased
person's name in memory); only ids and names are kept (of pages up to ``_HITS_KEPT``
long), the profiles are read anew each time."""


def forget_answers(store: GraphStore) -> None:
    """Drop the pages kept for ``store``, so the next search asks the index itself (what a
    benchmark must time: its peer keeps no answers)."""
    _PAGES.pop(store, None)


def _frozen(ids: Collection[str] | None) -> frozenset[str] | None:
    return None if ids is None else frozenset(ids)


def search(store: GraphStore, query: PersonQuery, page: Page) -> PageResult[Profile]:
    """One page of the people matching ``query`` (its consent fields included: whom the
    caller may see), best first, and how many there are in all.

    Every filter given must hold (organisation and sector: the employer now); the
    text ranks as the module says; without text, people come in name order.
    """
    version = catch_up(store)
    if query.area is not None:
        query = replace(query, area=fold(query.area))
    words = words_of(query.text)
    key = (replace(query, text=None, ids=_frozen(query.ids)), tuple(words), page)
    with _LOCK:
        kept = _PAGES.get(store)
        if kept is None or kept[0] != version:
            kept = _PAGES[store] = (version, OrderedDict())
        pages = kept[1]
        answer = pages.get(key)
        if answer is not None:
            pages.move_to_end(key)
    if answer is None:
        answer = store.search_index(query, words, page)
        if len(answer[0]) > _HITS_KEPT:
            return _profiles(store, answer)
        with _LOCK:
            pages[key] = answer
            while len(pages) > _PAGES_KEPT:
                pages.popitem(last=False)
    return _profiles(store, answer)


def _profiles(store: GraphStore, answer: tuple[list[SearchHit], int]) -> PageResult[Profile]:
    shown, count = answer
    people = store.get_many(Person, [h.person_id for h in shown])
    found = profiles(store, [people[h.person_id] for h in shown if h.person_id in people])
    return PageResult(list(found.values()), count)


def areas(store: GraphStore, query: PersonQuery) -> list[str]:
    """The areas of the people ``query``'s consent lets through, as written, one per
    folded spelling, in folded order."""
    catch_up(store)
    found: dict[str, str] = {}
    for key, written in store.search_areas(query):
        found.setdefault(key, written.strip())
    return sorted(found.values(), key=fold)
