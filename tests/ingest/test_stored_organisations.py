"""The organisations a load checks a bundle against, kept between loads and caught up
by the store's change log (``ingest.stored``): on both stores, after every kind of
write, they are exactly what reading every organisation gives; and a load after a
load reads only the organisations written in between."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from graph.model import IngestRun, Organisation, Person, Sector
from graph.store import Batch, GraphStore
from graph.store_changes import KEEP
from graph.stores import open_store
from ingest.stored import find_all, stored_organisations

from ..contract.sample import programme


def _run(run_id: str) -> IngestRun:
    return IngestRun(
        id=run_id, file_name=f"{run_id}.json", sha256="0" * 64, started_at=datetime.now(UTC)
    )


def _read_whole(store: GraphStore) -> dict[str, Organisation]:
    return {o.key: o for o in find_all(store, Organisation)}


@contextmanager
def _reads(store: GraphStore) -> Iterator[list[tuple[str, Any]]]:
    """Each ``find`` and ``get_many`` of organisations the store is asked, as it is asked."""
    asked: list[tuple[str, Any]] = []
    find, get_many = store.find, store.get_many

    def counted(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def call(model: type[Any], *args: Any, **kwargs: Any) -> Any:
            if model is Organisation:
                asked.append((name, args[0] if args else None))
            return method(model, *args, **kwargs)

        return call

    store.find = counted("find", find)  # type: ignore[method-assign]
    store.get_many = counted("get_many", get_many)  # type: ignore[method-assign]
    try:
        yield asked
    finally:
        del store.find, store.get_many  # the class's own methods again


UOE = Organisation(id="uoe", name="University of Essex", sector=Sector.EDUCATION)


def test_kept_organisations_follow_every_kind_of_write(store: GraphStore) -> None:
    store.apply(programme(), _run("run-1"))
    assert stored_organisations(store) == _read_whole(store)
    # a load (its run's journal names the organisation)
    store.apply(Batch(organisations=[UOE]), _run("run-2"))
    assert stored_organisations(store)["uoe"].name == UOE.name
    assert stored_organisations(store) == _read_whole(store)
    # an organisation changed by a load: its aliases
    renamed = UOE.model_copy(update={"aliases": ("UoE", "Essex Uni")})
    store.apply(Batch(organisations=[renamed]), _run("run-3"))
    assert stored_organisations(store)["uoe"].aliases == ("UoE", "Essex Uni")
    # a write without a run that names no organisation
    bob = store.get(Person, "bob")
    store.apply(Batch(people=[bob.model_copy(update={"job_title": "Director"})]))
    assert stored_organisations(store) == _read_whole(store)
    # a rollback (the log says only: read everything)
    store.rollback("run-3")
    assert stored_organisations(store)["uoe"].aliases == ()
    store.rollback("run-2")
    assert "uoe" not in stored_organisations(store)
    assert stored_organisations(store) == _read_whole(store)


def test_a_load_after_a_load_reads_only_the_organisations_written_between(
    store: GraphStore,
) -> None:
    store.apply(programme(), _run("run-1"))
    with _reads(store) as asked:
        stored_organisations(store)
        first = list(asked)
        store.apply(Batch(organisations=[UOE]), _run("run-2"))
        asked.clear()
        assert "uoe" in stored_organisations(store)
        then = list(asked)
        asked.clear()
        stored_organisations(store)  # nothing written since
        again = list(asked)
    assert [name for name, _ in first] == ["find"]  # the first time, everything
    assert then == [("get_many", {"uoe"})]
    assert again == []


def test_an_organisation_written_by_another_process_is_seen(store: GraphStore) -> None:
    store.apply(programme(), _run("run-1"))
    stored_organisations(store)
    other = open_store(store.url)
    try:
        other.apply(Batch(organisations=[UOE]), _run("run-2"))
    finally:
        other.close()
    assert stored_organisations(store)["uoe"].name == UOE.name
    assert stored_organisations(store) == _read_whole(store)


def test_what_is_returned_cannot_change_what_is_kept(store: GraphStore) -> None:
    store.apply(programme(), _run("run-1"))
    kept = stored_organisations(store)
    with pytest.raises(TypeError):
        kept["uoe"] = UOE  # type: ignore[index]
    assert stored_organisations(store) == _read_whole(store) != {}


def test_a_reader_further_behind_than_the_log_reads_everything(store: GraphStore) -> None:
    """The log keeps its last ``KEEP`` writes: past them the kept organisations cannot
    be caught up, and are read again whole."""
    store.apply(programme(), _run("run-1"))
    stored_organisations(store)
    behind = KEEP + 2
    for i in range(behind):
        store.apply(Batch(organisations=[UOE.model_copy(update={"name": f"Essex Uni {i}"})]))
    with _reads(store) as asked:
        assert stored_organisations(store)["uoe"].name == f"Essex Uni {behind - 1}"
    assert [name for name, _ in asked] == ["find"]
