"""The SQLite search index's postings path (``graph.sqlite_store_postings``) answers
exactly as its FTS5 path does, for queries of several words too: the same page, order
and count, with filters and consent. SQLite only: these postings and FTS5 are this
store's own tables (Neo4j keeps its postings as relationships, tested in
tests/graph/test_search_vocabulary.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import sqlite_store_search
from graph.search import catch_up, words_of
from graph.sqlite_store import SqliteStore
from graph.store import Page, PersonQuery, SearchHit

from ..conftest import Demo

TEXTS = [
    "police", "essex police", "head of", "essex county council", "e s", "ice pol",
    "data data", "council health", "lead a", "2019 cohort", "zzz police", "o",
]  # fmt: skip


@pytest.fixture
def demo(demo_programme: Demo, tmp_path: Path) -> SqliteStore:
    store = SqliteStore(f"sqlite:///{demo_programme.sqlite_copy(tmp_path / 'demo.db')}")
    catch_up(store)
    return store


def test_postings_answer_several_words_as_fts_does(
    demo: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = demo.search_people(PersonQuery(), Page(limit=10_000)).data
    hidden = next(p.id for p in people if not p.consent_directory)
    queries = [
        PersonQuery(text=t, **extra)
        for t in TEXTS
        for extra in ({}, {"directory_only": True, "also_id": hidden}, {"area": "chelmsford"})
    ]
    pages = [Page(limit=1_000), Page(limit=7, offset=7)]

    def answers(posted: int) -> list[tuple[list[SearchHit], int]]:
        monkeypatch.setattr(sqlite_store_search, "_POSTED_WORDS", posted)
        return [demo.search_index(q, words_of(q.text), p) for q in queries for p in pages]

    by_fts, by_postings = answers(0), answers(12)
    assert by_postings == by_fts
    assert sum(count for _, count in by_fts) > 500  # the queries found people
    demo.close()
