"""Metric answers kept between writes: asked again, remembered; after any write, by
this store object or another (another process), worked out afresh."""

from __future__ import annotations

from datetime import date

from graph.measure import network_report
from graph.memo import VersionedMemo
from graph.model import Tie, TieKind
from graph.store import Batch, GraphStore
from graph.stores import open_store
from tests.contract.sample import programme

DAY = date(2022, 1, 1)


def _edges(store: GraphStore) -> int:
    return network_report(store, as_of=DAY, people=False)["network"]["ties"]


def test_an_answer_is_remembered_until_a_write(store: GraphStore) -> None:
    store.apply(programme())
    memo = VersionedMemo(store)
    first = memo.get(("edges", DAY), lambda: _edges(store))
    # the sample on 2022-01-01, default kinds: project ann-bob, ann-cat, bob-cat; survey
    # ann-bob (advice, already a pair), bob-cat, ann-cat, cat-dan; mentoring dan-fay
    assert first == 5
    assert memo.get(("edges", DAY), lambda: -1) == 5  # remembered, not worked out
    assert memo.computed == 1
    store.apply(
        Batch(
            ties=[
                Tie(
                    source_id="bob",  # eve would not count: she refuses analytics
                    target_id="fay",
                    tie_kind=TieKind.MENTORING,
                    start=date(2021, 6, 1),
                )
            ]
        )
    )
    assert memo.get(("edges", DAY), lambda: _edges(store)) == 6
    assert memo.computed == 2


def test_a_write_through_another_store_object_is_seen(store: GraphStore) -> None:
    store.apply(programme())
    memo = VersionedMemo(store)
    assert memo.get("edges", lambda: _edges(store)) == 5
    other = open_store(store.url)  # as another process (the CLI) would
    try:
        other.erase_person("cat", actor="another process")
    finally:
        other.close()
    # without cat: ann-bob, dan-fay
    assert memo.get("edges", lambda: _edges(store)) == 2


def test_questions_are_kept_apart_and_the_oldest_forgotten(store: GraphStore) -> None:
    memo = VersionedMemo(store, size=2)
    assert [memo.get(q, lambda q=q: q * 10) for q in (1, 2, 1, 3)] == [10, 20, 10, 30]
    assert memo.computed == 3  # 1 was remembered
    assert memo.get(2, lambda: -2) == -2  # forgotten: 1 and 3 were asked since
    assert memo.get(1, lambda: -1) == -1  # forgotten when 2 came back
