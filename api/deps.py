"""What routes are handed: the one store of this process, opened in ``lifespan``,
and the settings the app was created with."""

from __future__ import annotations

import logging
import threading
import time
from typing import Annotated, Any, cast

from fastapi import Depends, Query, Request

from api.settings import ApiSettings
from graph.adjacency import AdjacencyCache
from graph.connections import WARM_KINDS
from graph.memo import VersionedMemo
from graph.store import GraphStore, Page


def get_store(request: Request) -> GraphStore:
    return cast(GraphStore, request.app.state.store)


StoreDep = Annotated[GraphStore, Depends(get_store)]

_NETWORK_LOCK = threading.Lock()


def get_network(request: Request) -> AdjacencyCache:
    """The warm-tie network of this process's store, made on first use and re-read
    whenever the store's version says something was written."""
    return network_of(request.app.state)


def network_of(state: Any) -> AdjacencyCache:
    """:func:`get_network` of an app's state (``warm_on_start`` reads it at start)."""
    with _NETWORK_LOCK:
        cache = getattr(state, "warm_network", None)
        if cache is None or cache.store is not state.store:
            cache = state.warm_network = AdjacencyCache(state.store, WARM_KINDS)
    return cast(AdjacencyCache, cache)


NetworkDep = Annotated[AdjacencyCache, Depends(get_network)]

_log = logging.getLogger("alumni_graph.api")


WARMED = "warm network read at start in %.1f s"
"""What a worker logs once its warm read is done (a duration, nothing about anyone): a
benchmark waits for it before it times requests."""


def warm_network_in_background(state: Any) -> threading.Thread:
    """Read the warm-tie network now, in a daemon thread (kept as ``state.warming``), so
    that the first introduction path asked for does not wait for it; a path asked for
    meanwhile waits for this same read. A failure is logged by its kind alone (no record,
    no person), and the first path reads the network as it would have."""

    def warm() -> None:
        started = time.perf_counter()
        try:
            network_of(state).current()
        except Exception as error:  # e.g. the store closed at shutdown, or unreachable
            _log.warning("reading the warm network at start failed: %s", type(error).__name__)
            return
        _log.info(WARMED, time.perf_counter() - started)

    thread = threading.Thread(target=warm, name="warm-network", daemon=True)
    state.warming = thread
    thread.start()
    return thread


def get_answers(request: Request) -> VersionedMemo:
    """Metric answers of this process's store, kept until anything is written."""
    state = request.app.state
    with _NETWORK_LOCK:
        memo = getattr(state, "answers", None)
        if memo is None or memo.store is not state.store:
            memo = state.answers = VersionedMemo(state.store)
    return cast(VersionedMemo, memo)


AnswersDep = Annotated[VersionedMemo, Depends(get_answers)]


def get_settings(request: Request) -> ApiSettings:
    return cast(ApiSettings, request.app.state.settings)


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]


def get_page(
    limit: Annotated[int, Query(ge=1, le=500, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")] = 0,
) -> Page:
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(get_page)]
"""``limit`` (1..500, default 50) and ``offset``: every list is paged the same way."""
