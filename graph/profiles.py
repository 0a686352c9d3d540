"""Profiles: a person with what a directory shows next to them, and reading people once.

Pure functions over the ``GraphStore`` protocol, shared by contacts, introduction
paths, recommendations and lineage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from graph.adjacency import Adjacency
from graph.errors import NotFound
from graph.model import Cohort, Employment, Organisation, Person, Sector
from graph.store import GraphStore, R

__all__ = [
    "PeopleOnDemand",
    "Predicate",
    "Profile",
    "current_employment",
    "get_many",
    "other_organisation",
    "other_sector",
    "profiles",
]

Predicate = Callable[[Person], bool]
"""A consent rule applied to a person (graph functions of people, contacts, paths and
recommendations take one ``graph.viewer.Visibility`` instead)."""


def get_many(
    store: GraphStore, model: type[R], keys: Iterable[str], network: Adjacency | None = None
) -> dict[str, R]:
    """``store.get_many``, without a round trip when there is nothing to read, or when
    ``network`` holds this kind of record (as of the store's version it was read at)."""
    wanted = set(keys)
    if network is not None and (held := network.records(model)) is not None:
        return {k: held[k] for k in wanted if k in held}
    return store.get_many(model, wanted) if wanted else {}


@dataclass(frozen=True)
class Profile:
    """A person with what a directory shows next to them: employer now, sector, cohorts."""

    person: Person
    organisation: Organisation | None
    cohorts: tuple[Cohort, ...]

    @property
    def sector(self) -> Sector | None:
        return self.organisation.sector if self.organisation else None


def current_employment(employments: Iterable[Employment]) -> Employment | None:
    """The spell that names a person's employer now: the latest open one, else the latest.

    >>> from datetime import date
    >>> old = Employment(person_id="p", organisation_id="a", start=date(2019, 1, 1),
    ...                  end=date(2020, 1, 1))
    >>> new = Employment(person_id="p", organisation_id="b", start=date(2020, 1, 2))
    >>> current_employment([new, old]).organisation_id
    'b'
    """
    spells = sorted(employments, key=lambda e: (e.end is None, e.start))
    return spells[-1] if spells else None


def profiles(
    store: GraphStore, people: Iterable[Person], network: Adjacency | None = None
) -> dict[str, Profile]:
    """Profiles of these people, keyed by id, in the order given (organisations and
    cohorts taken from ``network`` when given)."""
    people = list(people)
    spells: dict[str, list[Employment]] = defaultdict(list)
    cohort_ids: dict[str, set[str]] = defaultdict(set)
    if people:  # one read for everyone's employments and memberships
        employments, memberships = store.profile_links([p.id for p in people])
        for e in employments:
            spells[e.person_id].append(e)
        for m in memberships:
            cohort_ids[m.person_id].add(m.cohort_id)
    jobs = {p.id: current_employment(spells.get(p.id, ())) for p in people}
    organisations = get_many(
        store, Organisation, {j.organisation_id for j in jobs.values() if j is not None}, network
    )
    cohorts = get_many(store, Cohort, {c for ids in cohort_ids.values() for c in ids}, network)
    result: dict[str, Profile] = {}
    for p in people:
        job = jobs[p.id]
        result[p.id] = Profile(
            person=p,
            organisation=organisations.get(job.organisation_id) if job else None,
            cohorts=tuple(
                sorted(
                    (cohorts[c] for c in cohort_ids.get(p.id, ()) if c in cohorts),
                    key=lambda c: (c.start_date, c.id),
                )
            ),
        )
    return result


class PeopleOnDemand:
    """Person records read on demand, once each; erased or unknown ids read as None.

    With ``known`` (every person of the store, as of now) nothing is read.
    """

    def __init__(self, store: GraphStore, known: Mapping[str, Person] | None = None) -> None:
        self.store = store
        self.known = known
        self.cache: dict[str, Person | None] = {}

    def load(self, ids: Iterable[str]) -> None:
        missing = sorted({i for i in ids if i not in self.cache})
        if missing and self.known is not None:
            for i in missing:
                self.cache[i] = self.known.get(i)
        elif missing:
            found = get_many(self.store, Person, missing)
            for i in missing:
                self.cache[i] = found.get(i)

    def get(self, person_id: str) -> Person | None:
        self.load([person_id])
        return self.cache[person_id]

    def require(self, person_id: str) -> Person:
        person = self.get(person_id)
        if person is None:
            raise NotFound("person", person_id)
        return person


def other_organisation(a: Profile, b: Profile) -> bool:
    return b.organisation is not None and (
        a.organisation is None or a.organisation.id != b.organisation.id
    )


def other_sector(a: Profile, b: Profile) -> bool:
    return b.sector is not None and a.sector is not None and a.sector is not b.sector
