"""What a map costs to work out, kept per store until the store is next written.

A whole-network map of 10,000 people reads a snapshot (seconds), sizes everyone by
betweenness (a second) and lays them out; none of it changes until the store does.
Each store object gets one :class:`graph.memo.VersionedMemo` (held weakly: it goes
with its store), so a map asked for again of the same snapshot costs only its page,
and any write, by this process or another, changes ``GraphStore.version()`` and so
empties it before the next map is drawn: the map after a write shows it.

The memo keeps the last :data:`MAP_ANSWERS` answers; a whole-network map keeps
four (snapshot, directory, betweenness, the finished map: its layout is in it), so
two such maps stay (at 10,000 people a map process peaks at about 430 MiB).
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar, cast
from weakref import WeakKeyDictionary

from graph.memo import VersionedMemo
from graph.store import GraphStore

__all__ = ["MAP_ANSWERS", "collector_paused", "computed", "forget", "remembered"]

T = TypeVar("T")

MAP_ANSWERS = 8
"""How many map answers (snapshots, sizes, layouts, maps) each store's memo keeps."""

_MEMOS: WeakKeyDictionary[GraphStore, VersionedMemo] = WeakKeyDictionary()
_LOCK = threading.Lock()


def _memo(store: GraphStore) -> VersionedMemo:
    with _LOCK:
        memo = _MEMOS.get(store)
        if memo is None:
            # The memo asks the store its version through a weak proxy, so that holding
            # the memo does not keep the store (its key here) alive.
            proxy = cast(GraphStore, weakref.proxy(store))
            memo = _MEMOS[store] = VersionedMemo(proxy, size=MAP_ANSWERS)
        return memo


def remembered(store: GraphStore, question: Hashable, work_out: Callable[[], T]) -> T:
    """``work_out()``, or its answer to ``question`` as of the store's current version."""
    return _memo(store).get(question, work_out)


def forget(store: GraphStore | None = None) -> None:
    """Drop what is kept for ``store`` (every store when ``None``): a cold map next time."""
    with _LOCK:
        if store is None:
            _MEMOS.clear()
        else:
            _MEMOS.pop(store, None)


def computed(store: GraphStore) -> int:
    """How many answers were worked out for ``store`` rather than remembered (for tests)."""
    with _LOCK:
        memo = _MEMOS.get(store)
    return 0 if memo is None else memo.computed


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a map or its page is built.

    A 10,000-person map allocates millions of small containers (the snapshot's
    attribute dicts, ~100,000 edges, the page's lists and dicts). Each time their count
    crosses the collector's threshold it walks containers already held, and at the
    oldest generation every container of the process (the maps kept here are
    millions): that doubled a cold map's time and the page's. What a map allocates is
    freed by reference counting; the collector runs again, as it was, afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
