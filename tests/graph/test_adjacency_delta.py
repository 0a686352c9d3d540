"""The warm network catches up with a write by its delta, and ends as a fresh read would.

After each kind of write the cached network is compared with one read whole from
the store: its people, organisations, cohorts and projects, the multiset of its
ties (ends and kind), and every person's ties through the compressed rows. Where the
delta is known (a load's journal, a consent change, an API key) the catching up must
not read the store whole again: the reads are counted through a wrapper.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from graph.adjacency import Adjacency, AdjacencyCache
from graph.contacts import WARM_KINDS
from graph.facts import set_consent
from graph.model import ApiKey, IngestRun, KeyRole, Membership, Person, Role, Tie, TieKind
from graph.sqlite_store import SqliteStore, path_from_url
from graph.store import Batch, GraphStore, StoreChanges
from graph.store_changes import ALL
from ingest.pipeline import load_bundle
from tests.contract.sample import programme

from ..conftest import Demo

WHOLE_READS = frozenset({"tie_ends", "search_people", "find"})
"""What reading the network whole calls (``Adjacency.read``), and a delta must not."""


class Counting:
    """A store whose calls are counted by method name (and otherwise passed through)."""

    def __init__(self, store: GraphStore) -> None:
        self.inner = store
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.inner, name)
        if not callable(found):
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return found(*args, **kwargs)

        return counted


Summary = tuple[
    dict[str, dict[str, object]],
    dict[str, dict[str, dict[str, object]]],
    Counter[tuple[str, str, TieKind]],
    dict[str, list[tuple[str, str]]],
]


def _summary(network: Adjacency) -> Summary:
    """Everything the network says, independent of how it numbers people and ties."""
    ids = network.ids
    ties: Counter[tuple[str, str, TieKind]] = Counter(
        (ids[s], ids[t], network.kind_order[k])
        for s, t, k in zip(
            network.source.tolist(), network.target.tolist(), network.kind.tolist(), strict=True
        )
    )
    everyone = sorted({*network.people, *(p for s, t, _ in ties for p in (s, t))})
    return (
        {k: p.model_dump(mode="json") for k, p in network.people.items()},
        {
            model.kind: {k: r.model_dump(mode="json") for k, r in records.items()}
            for model, records in network.held.items()
        },
        ties,
        {p: sorted(network.ties_of([p])) for p in everyone},
    )


def _fresh(store: GraphStore) -> Summary:
    return _summary(Adjacency.read(store, store.version(), WARM_KINDS))


@pytest.fixture(scope="module")
def bundles(demo_programme: Demo) -> list[Path]:
    return demo_programme.bundles[:1]


@pytest.fixture
def watched(store: GraphStore) -> Iterator[tuple[Counting, AdjacencyCache]]:
    counting = Counting(store)
    yield counting, AdjacencyCache(counting, WARM_KINDS)  # type: ignore[arg-type]


def _caught_up_by_delta(
    store: GraphStore, counting: Counting, cache: AdjacencyCache, write: Callable[[], object]
) -> Adjacency:
    """Write, then ask the cache: it must be caught up by the delta, reading little."""
    before = cache.current()
    updates, builds = cache.updates, cache.builds
    write()
    assert store.version() != before.version
    counting.calls.clear()
    after = cache.current()
    assert (cache.builds, cache.updates) == (builds, updates + 1)
    assert not WHOLE_READS & set(counting.calls), counting.calls
    assert _summary(after) == _fresh(store)
    return after


def _read_whole_again(
    store: GraphStore, cache: AdjacencyCache, write: Callable[[], object]
) -> None:
    builds = cache.builds
    write()
    assert _summary(cache.current()) == _fresh(store)
    assert cache.builds == builds + 1


def _runs() -> list[tuple[Batch, IngestRun]]:
    """The sample programme as two loads, each a run as ``load_bundle`` writes it: the
    2019 cohort, then the 2021 cohort with the ties that reach it (and a project tie
    restated, unchanged)."""
    whole = programme()
    later = {"eve", "fay"}

    def run(n: int) -> IngestRun:
        started = datetime(2026, 1, n, tzinfo=UTC)
        return IngestRun(id=f"run-{n}", file_name=f"{n}.json", sha256="0" * 64, started_at=started)

    first = replace(
        whole,
        people=[p for p in whole.people if p.id not in later],
        cohorts=[c for c in whole.cohorts if c.id == "c2019"],
        memberships=[m for m in whole.memberships if m.person_id not in later],
        employments=[e for e in whole.employments if e.person_id not in later],
        handovers=[],
        ties=[t for t in whole.ties if not later & {t.source_id, t.target_id}],
    )
    second = replace(
        whole,
        people=[p for p in whole.people if p.id in later],
        cohorts=[c for c in whole.cohorts if c.id == "c2021"],
        memberships=[m for m in whole.memberships if m.person_id in later],
        employments=[e for e in whole.employments if e.person_id in later],
        projects=[],
        project_members=[],
        ties=[t for t in whole.ties if later & {t.source_id, t.target_id}] + first.ties[:1],
    )
    return [(first, run(1)), (second, run(2))]


def test_network_caught_up_by_each_write_equals_a_fresh_read(
    store: GraphStore, watched: tuple[Counting, AdjacencyCache]
) -> None:
    counting, cache = watched
    empty = cache.current()
    assert cache.builds == 1 and empty.size() == 0
    # a first load, then a second: each a run whose journal names what it wrote
    (batch1, run1), (batch2, run2) = _runs()
    first = _caught_up_by_delta(store, counting, cache, lambda: store.apply(batch1, run1))
    # by hand: three project ties and four survey ties (ann's want-to-meet is not warm)
    assert first.size() == 7 and set(first.people) == {"ann", "bob", "cat", "dan"}
    second = _caught_up_by_delta(store, counting, cache, lambda: store.apply(batch2, run2))
    assert second.size() == 8 and ("dan", "fay") in second.ties_of(["fay"])
    # a consent change (a write without a run): the person is read again
    changed = _caught_up_by_delta(
        store,
        counting,
        cache,
        lambda: set_consent(store, "cat", {"consent_directory": False}, datetime.now(UTC)),
    )
    assert not changed.people["cat"].consent_directory
    assert second.people["cat"].consent_directory
    # an API key moves the version and changes nothing the network holds
    key = ApiKey(
        id="k-delta",
        role=KeyRole.PROGRAMME,
        secret_sha256="0" * 64,
        created_at=datetime.now(UTC),
    )
    counting.calls.clear()
    unchanged = _caught_up_by_delta(store, counting, cache, lambda: store.save_key(key))
    assert _summary(unchanged) == _summary(changed)
    assert counting.calls["ties_of"] == 0 and counting.calls["get_many"] == 0
    # a rollback and an erasure cannot be told as a delta: read whole again
    _read_whole_again(store, cache, lambda: store.rollback(run2.id))
    assert "fay" not in cache.current().people
    _read_whole_again(store, cache, lambda: store.erase_person("cat", actor="test"))
    assert "cat" not in cache.current().people and cache.current().size() == 2
    if isinstance(store, SqliteStore):  # the consent change's line named cat: forgotten
        with closing(sqlite3.connect(path_from_url(store.url))) as db:
            lines = [line for (line,) in db.execute("SELECT line FROM store_change")]
        assert lines == [ALL]


def test_write_without_a_run_adds_the_ties_of_the_people_it_names(
    store: GraphStore, watched: tuple[Counting, AdjacencyCache], bundles: list[Path]
) -> None:
    # a load through the pipeline (its ties derived from the bundle), caught up from the
    # empty network; then a newcomer, their membership and a tie: whether cohort-peer
    # ties are stored or derived from memberships when read, everyone a written tie or
    # membership names has their ties read again
    counting, cache = watched
    cache.current()
    network = _caught_up_by_delta(store, counting, cache, lambda: load_bundle(bundles[0], store))
    assert network.size() > 100
    cohort = sorted({m.cohort_id for m in store.find(Membership, None).data})[0]
    mentor = sorted(network.people)[0]
    newcomer = Person(id="p-delta-newcomer", name="Delta Newcomer", email="newcomer@example.org")
    tie = Tie(
        source_id=mentor,
        target_id=newcomer.id,
        tie_kind=TieKind.MENTORING,
        start=date(2024, 1, 1),
    )
    after = _caught_up_by_delta(
        store,
        counting,
        cache,
        lambda: store.apply(
            Batch(
                people=[newcomer],
                memberships=[
                    Membership(person_id=newcomer.id, cohort_id=cohort, role=Role.PARTICIPANT)
                ],
                ties=[tie],
            )
        ),
    )
    assert newcomer.id in after.people and newcomer.id not in network.people
    assert (mentor, newcomer.id) in after.ties_of([newcomer.id])


def test_cache_far_behind_the_log_reads_the_network_whole(
    store: GraphStore, watched: tuple[Counting, AdjacencyCache]
) -> None:
    from graph.store_changes import KEEP

    counting, cache = watched
    cache.current()
    for i in range(KEEP + 1):
        store.save_key(
            ApiKey(
                id=f"k-{i}",
                role=KeyRole.PROGRAMME,
                secret_sha256=f"{i:064x}",
                created_at=datetime.now(UTC),
            )
        )
    counting.calls.clear()
    cache.current()
    assert cache.builds == 2 and cache.updates == 0
    assert "tie_ends" in counting.calls


def test_new_cohort_caught_up_by_delta_holds_the_ties_worked_out_by_hand(
    store: GraphStore, watched: tuple[Counting, AdjacencyCache]
) -> None:
    # the 2019 cohort, then the 2021 cohort: the second write adds more ties than the
    # people it touches had, so the new ones take the numbers of those gone and more
    counting, cache = watched
    (batch1, run1), (batch2, run2) = _runs()
    store.apply(batch1, run1)
    before = cache.current()
    after = _caught_up_by_delta(store, counting, cache, lambda: store.apply(batch2, run2))
    # by hand from the sample: the 2019 network's seven warm ties, and dan mentoring fay
    assert (before.size(), after.size()) == (7, 8)
    assert sorted(after.ties_of(["dan"])) == [("cat", "dan"), ("dan", "fay")]
    assert after.ties_of(["fay"]) == [("dan", "fay")] and after.ties_of(["eve"]) == []
    assert (
        sorted(after.ties_of(["bob"]))
        == sorted(before.ties_of(["bob"]))
        == [
            ("ann", "bob"),
            ("ann", "bob"),
            ("bob", "cat"),
            ("bob", "cat"),
        ]
    )


def test_delta_leaving_fewer_ties_is_caught_up_as_a_fresh_read(store: GraphStore) -> None:
    # a delta naming ties that are gone: the network read with the 2021 cohort, told of
    # the cohort's records after the cohort was rolled back (a rollback itself
    # says "everything"; here the delta is handed over as a store would name it)
    (batch1, run1), (batch2, run2) = _runs()
    store.apply(batch1, run1)
    store.apply(batch2, run2)
    network = Adjacency.read(store, store.version(), WARM_KINDS)
    # what the rollback removed: the records the 2021 load wrote first (not its restated
    # 2019 tie), which touch ann, dan, eve and fay; bob's and cat's tie numbers shift
    earlier = {(r.kind, r.key) for _, rs in batch1.by_kind() for r in rs}
    named = [
        (r.kind, r.key, tuple(r.person_ids()))
        for _, rs in batch2.by_kind()
        for r in rs
        if (r.kind, r.key) not in earlier
    ]
    store.rollback(run2.id)
    mark = store.changes_since(None).mark
    caught_up = network.caught_up(
        store, store.version(), StoreChanges(mark, tuple(named)), most=1_000
    )
    assert caught_up is not None
    assert _summary(caught_up) == _fresh(store)
    # by hand: the 2019 network's seven warm ties again, dan's mentoring of fay gone
    assert (network.size(), caught_up.size()) == (8, 7)
    assert caught_up.ties_of(["dan"]) == [("cat", "dan")]
