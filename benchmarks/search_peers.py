"""Issue 15 item 5: people search served by each store's text index, beside the in-memory
index it replaced (``benchmarks.search_memory``), in-process, same queries, same run.

Both sides answer ``graph.search``'s question for one page (50) of the programme
team's search and of an alumna's (consent filtered): the index through
``graph.search.search`` (one store query selecting, filtering, counting, scoring and
paging; then the page's profiles), the peer through ``search_memory.search`` over its
index already in memory.
The queries are the latency workload's interest words, their first four letters
(a word's start) and pairs of them (every word must match). Each answer is compared:
the same people in the same order and the same count, or the run says so. Also
timed: a full rebuild of the store's index (what the first search after a rollback
or an import pays) and a full build of the in-memory index (what every search after
any write paid before).
"""

from __future__ import annotations

import time

from benchmarks import search_memory as memory
from benchmarks.common import Json, summary
from graph import search as indexed
from graph.model import Person
from graph.store import GraphStore, Page, PersonQuery
from graph.viewer import Visibility

__all__ = ["compare_search", "search_lines"]


class _Team:
    def sees(self, person: Person) -> bool:
        return True

    def may_route_through(self, person: Person) -> bool:
        return person.consent_directory


class _Alumnus:
    def __init__(self, me: str) -> None:
        self.me = me

    def sees(self, person: Person) -> bool:
        return person.consent_directory or person.id == self.me

    def may_route_through(self, person: Person) -> bool:
        return person.consent_directory


def _queries(terms: list[str]) -> list[str]:
    words = sorted(set(terms))
    pairs = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return [*words, *(w[:4] for w in words), *pairs]


def compare_search(store: GraphStore, terms: list[str], alumna: str, budget_s: float) -> Json:
    """p50/p95 of both searches over the same queries, alternating, for the team and
    for ``alumna``; build times of both indexes; whether every answer agreed."""
    started = time.perf_counter()
    indexed.catch_up(store)
    mark = store.search_mark()
    assert mark is not None
    store.index_people(indexed.documents(store), drop=(), everything=True, mark=mark)
    index_rebuild_s = time.perf_counter() - started
    started = time.perf_counter()
    old_index = memory.SearchIndex.read(store, store.version())
    memory_build_s = time.perf_counter() - started
    page = Page()
    viewers: list[tuple[str, Visibility, dict[str, object]]] = [
        ("team", _Team(), {}),
        ("alumna", _Alumnus(alumna), {"directory_only": True, "also_id": alumna}),
    ]
    result: Json = {
        "index_rebuild_s": round(index_rebuild_s, 2),
        "memory_build_s": round(memory_build_s, 2),
        "queries": len(_queries(terms)),
    }
    differing = 0
    for name, viewer, consent in viewers:
        new_times: list[float] = []
        old_times: list[float] = []
        deadline = time.perf_counter() + budget_s
        for text in _queries(terms):
            indexed.forget_answers(store)  # the index's own work, not its page look-up
            started = time.perf_counter()
            new = indexed.search(store, PersonQuery(text=text, **consent), page)  # type: ignore[arg-type]
            new_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            old = memory.search(old_index, PersonQuery(text=text), page, viewer=viewer)
            old_times.append(time.perf_counter() - started)
            same = new.count == old.count and [p.person.id for p in new.data] == [
                p.person.id for p in old.data
            ]
            differing += not same
            if time.perf_counter() > deadline and len(new_times) >= 20:
                break
        result[name] = {"index": summary(new_times), "memory": summary(old_times)}
    result["differing_answers"] = differing
    return result


def search_lines(rows: list[tuple[str, str, Json]]) -> list[str]:
    """The report's paragraph and table: (people, store, ``compare_search``'s figures)."""
    if not rows:
        return []
    table = [
        "| people | store | caller | index p50 / p95 ms | in-memory p50 / p95 ms"
        " | index rebuild s | in-memory build s | answers differing |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for people, store, f in rows:
        for caller in ("team", "alumna"):
            new, old = f[caller]["index"], f[caller]["memory"]
            table.append(
                f"| {people} | {store} | {caller} | {new['p50_ms']} / **{new['p95_ms']}**"
                f" | {old['p50_ms']} / {old['p95_ms']} | {f['index_rebuild_s']}"
                f" | {f['memory_build_s']} | {f['differing_answers']} of {f['queries'] * 2} |"
            )
    return [
        "People search in-process (issue 15 item 5): each store's text index (candidates,"
        " filters, consent, count, score and page in the store's query, then the page's"
        " profiles read) beside the in-memory index it replaced (already built, scanned per query),"
        " one page of 50, the same queries alternating (interest words, their first four"
        " letters, pairs). The rebuild is the whole store index, written again; the build"
        " what the in-memory index paid after every write.",
        "",
        *table,
        "",
    ]
