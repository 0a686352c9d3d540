"""The warm network cached in memory: the same paths as reading the store, and never
stale: any write, through this store object or another (another process), is seen
by the next answer."""

from __future__ import annotations

from datetime import date

import pytest

from graph.adjacency import AdjacencyCache
from graph.connections import WARM_KINDS
from graph.model import Person, Tie, TieKind
from graph.paths import IntroductionPath, introduction_paths
from graph.store import Batch, GraphStore
from graph.stores import open_store
from tests.contract.sample import programme


def _everyone(_: Person) -> bool:
    return True


def _listed(person: Person) -> bool:
    return person.consent_directory


class _Team:
    """Sees everyone, routes through people listed in the directory."""

    def sees(self, person: Person) -> bool:
        return _everyone(person)

    def may_route_through(self, person: Person) -> bool:
        return _listed(person)


def _paths(
    store: GraphStore, source: str, target: str, cache: AdjacencyCache | None
) -> list[list[tuple[str, str, list[str]]]]:
    found: list[IntroductionPath] = introduction_paths(
        store,
        source,
        target_id=target,
        viewer=_Team(),
        network=cache.current() if cache else None,
    )
    return [[(h.source, h.target, [c.text for c in h.connections]) for h in p.hops] for p in found]


@pytest.fixture
def loaded(store: GraphStore) -> GraphStore:
    store.apply(programme())
    return store


def test_cached_network_finds_the_hand_worked_path_with_every_hop_explained(
    loaded: GraphStore,
) -> None:
    # ann -> cat (project pr-da, and ann named cat as a collaborator) -> dan (cat's advice
    # contact); the only other route, through bob, is one hop longer.
    cache = AdjacencyCache(loaded, WARM_KINDS)
    assert _paths(loaded, "ann", "dan", cache) == [
        [
            (
                "ann",
                "cat",
                [
                    "worked together on project Domestic abuse pathways",
                    "named them as a collaborator in the end-of-programme survey of"
                    " Leading Greater Essex 2019",
                ],
            ),
            (
                "cat",
                "dan",
                [
                    "named them as an advice contact in the end-of-programme survey of"
                    " Leading Greater Essex 2019",
                ],
            ),
        ],
        [
            (
                "ann",
                "bob",
                [
                    "worked together on project Domestic abuse pathways",
                    "named them as an advice contact in the baseline survey of"
                    " Leading Greater Essex 2019",
                ],
            ),
            (
                "bob",
                "cat",
                [
                    "worked together on project Domestic abuse pathways",
                    "named them as someone they knew before the programme in the baseline"
                    " survey of Leading Greater Essex 2019",
                ],
            ),
            (
                "cat",
                "dan",
                [
                    "named them as an advice contact in the end-of-programme survey of"
                    " Leading Greater Essex 2019",
                ],
            ),
        ],
    ]


@pytest.mark.parametrize(
    ("source", "target"),
    [("ann", "dan"), ("ann", "fay"), ("bob", "fay"), ("fay", "ann"), ("eve", "ann")],
)
def test_cached_network_finds_the_same_paths_as_reading_the_store(
    loaded: GraphStore, source: str, target: str
) -> None:
    cache = AdjacencyCache(loaded, WARM_KINDS)
    assert _paths(loaded, source, target, cache) == _paths(loaded, source, target, None)


def test_cache_is_read_once_until_a_write(loaded: GraphStore) -> None:
    cache = AdjacencyCache(loaded, WARM_KINDS)
    first = cache.current()
    assert cache.current() is first and cache.builds == 1
    loaded.apply(
        Batch(
            ties=[
                Tie(
                    source_id="bob",
                    target_id="eve",
                    tie_kind=TieKind.MENTORING,
                    start=date(2021, 6, 1),
                    context="c2021",
                )
            ]
        )
    )
    second = cache.current()
    # caught up by the write's delta (tests/graph/test_adjacency_delta.py), not read again
    assert (cache.builds, cache.updates) == (1, 1) and second is not first
    assert ("bob", "eve") in second.ties_of(["eve"])


def test_path_reflects_a_new_tie_written_through_this_store(loaded: GraphStore) -> None:
    cache = AdjacencyCache(loaded, WARM_KINDS)
    assert _paths(loaded, "ann", "fay", cache) == []  # only through dan, not in the directory
    loaded.apply(
        Batch(
            ties=[
                Tie(
                    source_id="bob",
                    target_id="fay",
                    tie_kind=TieKind.MENTORING,
                    start=date(2021, 6, 1),
                )
            ]
        )
    )
    assert [p[1] for p in _paths(loaded, "ann", "fay", cache)][0] == (
        "bob",
        "fay",
        ["mentor of"],
    )


def test_path_reflects_an_erasure_made_through_another_store_object(loaded: GraphStore) -> None:
    cache = AdjacencyCache(loaded, WARM_KINDS)
    assert _paths(loaded, "ann", "dan", cache)  # through cat, or bob and cat
    other = open_store(loaded.url)  # as another process (the CLI) would
    try:
        other.erase_person("cat", actor="another process")
    finally:
        other.close()
    assert _paths(loaded, "ann", "dan", cache) == []
    assert cache.builds == 2
