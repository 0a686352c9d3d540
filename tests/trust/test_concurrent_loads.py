"""Concurrent writes lose nothing: loads started at the same moment, in separate
processes, leave the store exactly as the same bundles loaded one by one.

Every bundle is drawn by hand: three new people (one organisation shared by all
bundles), all members of the bundle's cohort, and two survey answers among them.
Most bundles of a run share one cohort, so each load's cohort-peer ties join
members that other loads are writing at the same moment; the rest have cohorts
of their own. Each child process opens its own store, waits at a barrier, reads
and validates its bundle, then waits at a second barrier before its first write:
every load has read the store before any load writes, which is the race that
lost half the cohort-peer ties when the ties were derived outside the write.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from math import comb
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any, cast

import pytest

from graph import errors
from graph.model import IngestRun, Membership, Person, Tie, TieKind
from graph.sqlite_store import SqliteStore
from graph.store import Batch, GraphStore
from ingest import pipeline
from ingest.pipeline import load_bundle
from ingest.write import write_bundle

from ..ingest.conftest import Tables, pid, survey_row
from . import figures

SHARED = "c-shared"
"""The cohort most bundles of a run belong to (starts 2022-05-01)."""

PEOPLE_PER_BUNDLE = 3
NOW = datetime(2026, 1, 1, tzinfo=UTC)
WAIT_SECONDS = 120
"""Longest wait at a barrier or for a child's answer: far beyond a load of three people."""


def bundle(i: int, cohort_id: str, people: int = PEOPLE_PER_BUNDLE) -> Tables:
    """Bundle ``i``: people ``b{i}p0, p1, ...`` in ``cohort_id``, two survey answers among them."""
    names = [f"b{i}p{j}" for j in range(people)]
    start = "2022-05-01" if cohort_id == SHARED else "2023-05-01"
    return {
        "cohort": [{"cohort_id": cohort_id, "name": f"Cohort {cohort_id}", "start_date": start}],
        "organisations": [{"name": "Essex Police", "sector": "police"}],
        "people": [
            {
                "email": f"{n}@example.org",
                "name": f"Person {n.upper()}",
                "organisation": "Essex Police",
            }
            for n in names
        ],
        "members": [{"email": f"{n}@example.org", "role": "participant"} for n in names],
        "survey": [
            survey_row(names[0], names[1], "advice", "baseline", start),
            survey_row(names[1], names[2], "collaboration", "baseline", start),
        ],
    }


def cohorts_for(loads: int) -> list[str]:
    """Two thirds (at least two) of the loads in the shared cohort, each other in its own."""
    shared = max(2, loads - loads // 3)
    return [SHARED if i < shared else f"c-own-{i}" for i in range(loads)]


# -- the child process -------------------------------------------------------------------


@dataclass(frozen=True)
class Opener:
    """What a child needs to open its own store (picklable, no connection in it)."""

    kind: str
    url: str
    user: str = ""
    password: str = ""

    def open(self) -> GraphStore:
        if self.kind == "sqlite":
            return SqliteStore(self.url)
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore(self.url, user=self.user, password=self.password)


class _WaitBeforeFirstWrite:
    """The store, but its first ``apply`` waits until every load has got that far."""

    def __init__(self, store: GraphStore, barrier: Barrier) -> None:
        self._store = store
        self._barrier: Barrier | None = barrier

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def apply(self, batch: Batch, run: IngestRun | None = None, **kwargs: Any) -> Any:
        if self._barrier is not None:
            self._barrier.wait(WAIT_SECONDS)
            self._barrier = None
        return self._store.apply(batch, run, **kwargs)


def load_job(store: GraphStore, path: str, write: Barrier) -> tuple[object, ...]:
    """Load ``path``, waiting at ``write`` before the first write: (ok, run id, errors)."""
    report = load_bundle(Path(path), cast(GraphStore, _WaitBeforeFirstWrite(store, write)))
    return report.ok, report.run_id, [str(e) for e in report.errors]


def apply_job(store: GraphStore, name: str, write: Barrier) -> tuple[object, ...]:
    """Read the version, wait for the others to read it too, then write one person with it."""
    seen = store.version()
    write.wait(WAIT_SECONDS)
    person = Person(id=pid(name), email=f"{name}@example.org", name=f"Person {name.upper()}")
    run = IngestRun(id=f"run-{name}", file_name=f"{name}.json", sha256="0" * 64, started_at=NOW)
    try:
        store.apply(Batch(people=[person]), run, expected_version=seen)
    except errors.Stale:
        return ("stale",)
    return ("applied",)


Job = Callable[[GraphStore, str, Barrier], tuple[object, ...]]


def in_child(
    job: Job, opener: Opener, index: int, item: str, start: Barrier, write: Barrier, answers: Any
) -> None:
    """Open a store of its own, wait for the others, do ``job``; answer (index, *result)."""
    try:
        store = opener.open()
        try:
            start.wait(WAIT_SECONDS)
            answers.put((index, *job(store, item, write)))
        finally:
            store.close()
    except BaseException as exc:  # the parent reports it; a child's traceback is lost
        start.abort()
        write.abort()
        answers.put((index, "failed", f"{type(exc).__name__}: {exc}"))


# -- helpers -------------------------------------------------------------------------------


def opener_for(store: GraphStore, request: pytest.FixtureRequest) -> Opener:
    if isinstance(store, SqliteStore):
        return Opener("sqlite", store.url)
    uri, user, password = request.getfixturevalue("neo4j_server")
    return Opener("neo4j", uri, user, password)


def content(store: GraphStore) -> dict[str, list[dict[str, object]]]:
    """Every record by kind, without who wrote it when (run ids, timestamps)."""
    return {
        kind: [
            {f: v for f, v in record.items() if f != "run_id" and not f.endswith("_at")}
            for record in records
        ]
        for kind, records in store.dump().items()
    }


def at_once(job: Job, opener: Opener, items: list[str]) -> list[tuple[Any, ...]]:
    """Do ``job`` on every item at the same moment, each in a process of its own.

    The processes come from a fork server: a fresh interpreter (as ``spawn`` gives) that
    has imported this module but opened no store, so each child has its own connection
    as a separate ``alumni-graph ingest`` would, without paying the imports ten times.
    """
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    start, write = ctx.Barrier(len(items)), ctx.Barrier(len(items))
    answers = ctx.Queue()
    children = [
        ctx.Process(target=in_child, args=(job, opener, i, item, start, write, answers))
        for i, item in enumerate(items)
    ]
    for child in children:
        child.start()
    got = []
    try:
        for _ in children:
            got.append(answers.get(timeout=WAIT_SECONDS))
    except queue.Empty:
        pytest.fail(f"only {len(got)} of {len(children)} processes answered")
    finally:
        for child in children:
            child.join(WAIT_SECONDS)
            if child.is_alive():
                child.kill()
    return sorted(got)


@pytest.mark.parametrize("loads", [2, 3, 10])
def test_loads_at_once_equal_loads_one_by_one(
    store: GraphStore, request: pytest.FixtureRequest, tmp_path: Path, loads: int
) -> None:
    cohorts = cohorts_for(loads)
    paths = [write_bundle(bundle(i, c), tmp_path / f"b{i}.json") for i, c in enumerate(cohorts)]
    opener = opener_for(store, request)

    answers = at_once(load_job, opener, [str(p) for p in paths])

    assert [a for a in answers if a[1:2] != (True,) or a[3]] == []  # every load reports success
    assert [a[0] for a in answers] == list(range(loads))
    assert len({run_id for _, _, run_id, _ in answers}) == loads
    assert sorted(r.id for r in store.runs()) == sorted(str(a[2]) for a in answers)
    together = content(store)

    # Worked out from the bundles: every member of a cohort is tied to every other.
    shared = PEOPLE_PER_BUNDLE * cohorts.count(SHARED)
    own = loads - cohorts.count(SHARED)
    peers = [t for t in together["tie"] if t["tie_kind"] == TieKind.COHORT_PEER.value]
    assert len(peers) == comb(shared, 2) + own * comb(PEOPLE_PER_BUNDLE, 2)
    shared_ids = {
        pid(f"b{i}p{j}")
        for i, c in enumerate(cohorts)
        if c == SHARED
        for j in range(PEOPLE_PER_BUNDLE)
    }
    assert {
        frozenset((t["source_id"], t["target_id"])) for t in peers if t["context"] == SHARED
    } == {frozenset((a, b)) for a in shared_ids for b in shared_ids if a < b}
    assert len(together[Person.kind]) == len(together[Membership.kind]) == PEOPLE_PER_BUNDLE * loads
    survey = [t for t in together[Tie.kind] if t["tie_kind"] != TieKind.COHORT_PEER.value]
    assert len(survey) == 2 * loads

    if isinstance(store, SqliteStore):
        one_by_one_store: GraphStore = SqliteStore(f"sqlite:///{tmp_path / 'one-by-one.db'}")
    else:
        store.wipe()  # type: ignore[attr-defined]
        one_by_one_store = store
    try:
        for path in paths:
            assert load_bundle(path, one_by_one_store).ok
        assert together == content(one_by_one_store)
    finally:
        if one_by_one_store is not store:
            one_by_one_store.close()
    figures.record("concurrent_loads_compared", loads)


@pytest.mark.parametrize("writers", [2, 5])
def test_applies_at_once_with_one_version_let_exactly_one_through(
    store: GraphStore, request: pytest.FixtureRequest, writers: int
) -> None:
    """Every writer read the same version before any wrote: the store's write lock must
    make all but the first see the first one's commit (Neo4j reads committed data)."""
    names = [f"race{i}" for i in range(writers)]

    answers = at_once(apply_job, opener_for(store, request), names)

    assert sorted(a[1:] for a in answers) == [("applied",)] + [("stale",)] * (writers - 1)
    (winner,) = [names[a[0]] for a in answers if a[1:] == ("applied",)]
    assert {p["id"] for p in content(store)[Person.kind]} == {pid(winner)}
    assert [r.id for r in store.runs()] == [f"run-{winner}"]


# -- the version check itself --------------------------------------------------------------


def another_handle(store: GraphStore, request: pytest.FixtureRequest) -> GraphStore:
    """A second store object on the same data: another connection, as another process has."""
    return opener_for(store, request).open()


def test_apply_with_stale_version_raises_stale_and_writes_nothing(
    store: GraphStore, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    first = write_bundle(bundle(0, SHARED), tmp_path / "first.json")
    second = write_bundle(bundle(1, SHARED), tmp_path / "second.json")
    seen = store.version()
    other = another_handle(store, request)
    try:
        assert load_bundle(first, other).ok  # written through another connection
    finally:
        other.close()
    before, runs = content(store), store.runs()
    late = Person(id=pid("late"), email="late@example.org", name="Late Example")
    run = IngestRun(
        id="run-stale", file_name="late.json", sha256="0" * 64, started_at=runs[0].started_at
    )

    with pytest.raises(errors.Stale):
        store.apply(Batch(people=[late]), run, expected_version=seen)

    assert content(store) == before
    assert [r.id for r in store.runs()] == [r.id for r in runs]
    # Read again, the same write goes through.
    store.apply(Batch(people=[late]), run, expected_version=store.version())
    assert pid("late") in {p["id"] for p in content(store)[Person.kind]}
    # The store's own writes move the token too (SQLite counts them apart).
    seen = store.version()
    assert load_bundle(second, store).ok
    with pytest.raises(errors.Stale):
        store.apply(Batch(people=[late]), None, expected_version=seen)


class _AlwaysBehind:
    """The store, but every version it reports is already out of date."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.versions_read = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def version(self) -> str:
        self.versions_read += 1
        return f"long-gone-{self.versions_read}"


def test_load_that_keeps_losing_gives_up_with_stale_and_writes_nothing(
    store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "BACKOFF_SECONDS", 0.0)
    path = write_bundle(bundle(0, SHARED), tmp_path / "b.json")
    before = content(store)
    behind = _AlwaysBehind(store)

    with pytest.raises(errors.Stale):  # a Conflict: the API answers 409, the CLI exits 1
        load_bundle(path, cast(GraphStore, behind))

    assert behind.versions_read == pipeline.TRIES  # validated and tried again each time
    assert content(store) == before
    assert store.runs() == []
