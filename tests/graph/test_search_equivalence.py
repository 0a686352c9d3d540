"""On the demo, on both stores, the index-served search answers exactly as the in-memory
index it replaced (kept in ``benchmarks.search_memory`` as the benchmarks' peer): the
same people in the same order, the same counts, page by page, for the team and for
alumni, with and without filters; and the same areas to filter by.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import search_memory as memory
from graph.model import Person, Sector
from graph.search import areas, search
from graph.sqlite_store import SqliteStore
from graph.store import GraphStore, Page, PersonQuery

from ..conftest import Demo


class Team:
    def sees(self, person: Person) -> bool:
        return True

    def may_route_through(self, person: Person) -> bool:
        return person.consent_directory


class Alumnus:
    def __init__(self, me: str) -> None:
        self.me = me

    def sees(self, person: Person) -> bool:
        return person.consent_directory or person.id == self.me

    def may_route_through(self, person: Person) -> bool:
        return person.consent_directory


TEXTS = [
    None, "police", "Essex Police", "NHS", "Sian", "fire", "pol", "ice", "council",
    "health", "a", "e s", "lead", "head of", "essex county council", "2019", "ÉSSEX",
    "data", "zzz", "o",
]  # fmt: skip


@pytest.fixture
def demo(store: GraphStore, demo_programme: Demo, tmp_path: Path) -> GraphStore:
    source = SqliteStore(f"sqlite:///{demo_programme.sqlite_copy(tmp_path / 'demo.db')}")
    try:
        store.import_records(source.export_records(), replace=True)
    finally:
        source.close()
    return store


def _viewers(store: GraphStore) -> list[tuple[object, dict[str, object]]]:
    people = store.search_people(PersonQuery(), Page(limit=10_000)).data
    hidden = next(p.id for p in people if not p.consent_directory)
    shown = next(p.id for p in people if p.consent_directory)
    return [
        (Team(), {}),
        (Alumnus(hidden), {"directory_only": True, "also_id": hidden}),
        (Alumnus(shown), {"directory_only": True, "also_id": shown}),
    ]


def test_search_by_index_answers_as_the_in_memory_index_did(demo: GraphStore) -> None:
    old_index = memory.index_of(demo)
    some = sorted(old_index.organisations)[0]
    cohort = sorted(old_index.cohorts)[0]
    filters: list[dict[str, object]] = [
        {},
        {"sector": Sector.POLICE},
        {"organisation_id": some},
        {"cohort_id": cohort},
        {"area": "chelmsford"},
    ]
    cases = [(text, {}, Page(limit=1_000)) for text in TEXTS]
    cases += [(t, f, Page(limit=1_000)) for t in (None, "police", "a") for f in filters[1:]]
    cases += [(t, {}, Page(limit=7, offset=7)) for t in (None, "police", "a")]
    compared = 0
    for viewer, consent in _viewers(demo):
        for text, narrowed, page in cases:
            query = PersonQuery(text=text, **narrowed)  # type: ignore[arg-type]
            old = memory.search(old_index, query, page, viewer=viewer)  # type: ignore[arg-type]
            new = search(demo, PersonQuery(text=text, **narrowed, **consent), page)  # type: ignore[arg-type]
            assert [p.person.id for p in new.data] == [p.person.id for p in old.data], (
                text,
                narrowed,
                page,
            )
            assert new.count == old.count
            assert [p.organisation for p in new.data] == [p.organisation for p in old.data]
            assert [p.cohorts for p in new.data] == [p.cohorts for p in old.data]
            compared += old.count
        assert areas(demo, PersonQuery(**consent)) == old_index.areas(viewer)  # type: ignore[arg-type]
    assert compared > 1_000  # the queries found people, not only nobody
