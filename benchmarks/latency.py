"""Issue 5: p50/p95 of search, contacts and introduction paths, over HTTP and in-process.

For one store holding the programme:

1. keys are minted the way ``alumni-graph keys create`` mints them
   (``api.keys.issue_key``): one ``programme`` key, and an ``alumni`` key for
   each person an introduction path starts from (alumni ask from themselves);
2. **in-process**, the route's own handler is called directly, request by
   request (``api.routes.people.search_people``, ``get_contacts``,
   ``api.routes.paths.introduction``): the store reads, ``graph.contacts`` and
   the consent mapping, without HTTP, authentication or JSON;
3. **over HTTP**, ``alumni-graph serve`` runs in its own process on a free
   loopback port, and a second process fires the same requests from
   ``concurrency`` threads, each with a keep-alive connection;
4. people search through the store's text index beside the in-memory index it
   replaced, in-process, on the same queries (``benchmarks.search_peers``);
5. on Neo4j, Cypher's ``shortestPath`` in its fast form (``CYPHER_SHORTEST_PATH``)
   and the route are timed on the same 50 pairs, alternating pair by pair in one
   loop; searches stopped at the timeout are a count of their own;
6. with an extra cohort's bundle, that cohort is loaded after the workload is
   built and the first introduction path after the write is timed (the warm
   network catches up by the write's delta).

Requests are bounded in number and time: every endpoint stops at ``requests``,
or at ``budget_s`` seconds once it has at least ``MIN_REQUESTS``.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import LiteralString
from urllib.parse import quote, urlencode

from api.deps import WARMED
from benchmarks.common import Json, process_peak_mb, summary
from benchmarks.generate import TOPICS
from benchmarks.search_peers import compare_search
from graph.adjacency import AdjacencyCache
from graph.model import KeyRole, Person
from graph.store import GraphStore, Page, PersonQuery
from graph.stores import open_store

__all__ = ["ENDPOINTS", "run_http"]

ENDPOINTS = ("search", "contacts", "paths")
MIN_REQUESTS = 20
"""A run stops at its time budget only once it has this many requests: p95 needs some."""

CYPHER_SHORTEST_PATH: LiteralString = (
    "MATCH (a:Person {id: $source}), (b:Person {id: $target})"
    " MATCH p = shortestPath((a)-[:TIE|MEMBER_OF|WORKS_ON|SPONSORS*..8]-(b))"
    " WHERE all(r IN relationships(p) WHERE coalesce(r.tie_kind, '') <> 'want_to_meet')"
    " WITH p, [x IN nodes(p) WHERE x:Person] AS people"
    " WHERE size(people) <= 5 AND all(x IN people[1..-1] WHERE x.consent_directory)"
    " RETURN [x IN people | x.id] AS ids"
)
"""One shortest warm path, intermediaries consenting: the peer of the route's search, in
Neo4j's fast form (Cypher manual 5.26, "Shortest path planning"): ``shortestPath``, whose
only predicate inside is universal on the relationships (no ``want_to_meet``), so the
server runs its bidirectional breadth-first search and plans no exhaustive fallback; the
hop limit and the consent of the intermediaries are applied to the path it returns
(``WITH ... WHERE``). Cohort-peer and project ties are not stored (``graph.derived``):
Cypher walks them as they are held, person - cohort or project - person, so one such
tie is two relationships, hence ``*..8`` for the route's 4 hops. (It answers "no path"
where its one shortest path passes a person who does not consent or has more than four
hops, where the route would search on; and it counts relationships, not hops.)"""
CYPHER_TIMEOUT_S = 2.0
"""A search still running after this long is stopped by the server, and counted apart."""

Request = tuple[str, str, Callable[[], object]]
"""(HTTP path and query, bearer key, the same call in-process)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workload(
    store: GraphStore, count: int, seed: int
) -> tuple[dict[str, list[Request]], Json, AdjacencyCache]:
    from api.keys import issue_key
    from api.routes import paths as paths_route
    from api.routes import people as people_route
    from graph.connections import WARM_KINDS
    from services.consent import Viewer  # what the routes receive from authentication

    rng = random.Random(seed)
    warm = AdjacencyCache(store, WARM_KINDS)  # what the server keeps in ``app.state``
    everyone = store.search_people(PersonQuery(), Page(limit=1_000_000)).data
    listed = [p for p in everyone if p.consent_directory]
    programme_key, programme = issue_key(store, KeyRole.PROGRAMME)
    team = Viewer(role=programme.role, key_id=programme.id)
    page = Page()

    terms = [rng.choice(TOPICS) for _ in range(20)]
    search: list[Request] = [
        (
            f"/people?{urlencode({'q': q})}",
            programme_key,
            partial(people_route.search_people, store, team, page, q, None, None, None, None, None),
        )
        for q in terms
    ]
    subjects: list[Person] = rng.sample(everyone, min(50, len(everyone)))
    contacts: list[Request] = [
        (
            f"/people/{quote(p.id)}/contacts?scope=other-organisations",
            programme_key,
            partial(people_route.get_contacts, store, team, p.id, page, "other-organisations", 1),
        )
        for p in subjects
    ]
    starts = rng.sample(listed, min(25, len(listed)))
    alumni: dict[str, tuple[str, Viewer]] = {}
    for person in starts:
        key, record = issue_key(store, KeyRole.ALUMNI, person.id)
        alumni[person.id] = (key, Viewer(role=record.role, key_id=record.id, person_id=person.id))
    pairs: list[tuple[Person, Person]] = []
    while len(pairs) < 50:
        source, target = rng.choice(starts), rng.choice(listed)
        if source.id != target.id:
            pairs.append((source, target))
    paths: list[Request] = [
        (
            f"/paths/introduction?{urlencode({'to': t.id})}",
            alumni[s.id][0],
            partial(paths_route.introduction, store, alumni[s.id][1], warm, None, t.id, None, 4),
        )
        for s, t in pairs
    ]
    cycle = {"search": search, "contacts": contacts, "paths": paths}
    workload = {
        name: [items[i % len(items)] for i in range(count)] for name, items in cycle.items()
    }
    facts = {
        "people": len(everyone),
        "distinct": {name: len(items) for name, items in cycle.items()},
        "search_terms": sorted(set(terms)),
        "pairs": [(s.id, t.id) for s, t in pairs],
    }
    started = time.perf_counter()
    network = warm.current()  # the keys just written made it stale, as any write does
    facts["warm_network"] = {
        "build_s": round(time.perf_counter() - started, 2),
        "people": len(network.people),
        "ties": network.size(),
    }
    return workload, facts, warm


def _in_process(requests: list[Request], budget_s: float) -> Json:
    for _, _, call in requests[:2]:  # warm caches and connections, as a server would be
        call()
    times: list[float] = []
    deadline = time.perf_counter() + budget_s
    for _, _, call in requests:
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
        if time.perf_counter() > deadline and len(times) >= MIN_REQUESTS:
            break
    return summary(times)


def _paths_beside_cypher(url: str, requests: list[Request], pairs: list[tuple[str, str]]) -> Json:
    """The route and Cypher's ``shortestPath`` on the same pairs, in one loop: pair by
    pair, the route's in-process call then the Cypher query. Cypher's searches stopped
    at ``CYPHER_TIMEOUT_S`` are counted apart, never folded into its percentiles."""
    from neo4j import GraphDatabase, Query
    from neo4j.exceptions import Neo4jError

    from graph.settings import get_settings

    settings = get_settings()
    auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    query = Query(CYPHER_SHORTEST_PATH, timeout=CYPHER_TIMEOUT_S)
    route: list[float] = []
    cypher: list[float] = []
    found = timed_out = 0
    with GraphDatabase.driver(url, auth=auth) as driver:

        def ask(source: str, target: str) -> tuple[float, bool | None]:
            started = time.perf_counter()
            try:
                records, _, _ = driver.execute_query(
                    query, source=source, target=target, database_=settings.neo4j_database
                )
            except Neo4jError as error:  # stopped by the server after the timeout
                if "TimedOut" not in (error.code or ""):
                    raise
                return time.perf_counter() - started, None
            return time.perf_counter() - started, bool(records)

        for (_, _, call), (source, target) in list(zip(requests, pairs, strict=True))[:2]:
            call()  # warm-up of both sides: plan cache, connections
            ask(source, target)
        for (_, _, call), (source, target) in zip(requests, pairs, strict=True):
            started = time.perf_counter()
            call()
            route.append(time.perf_counter() - started)
            seconds, answered = ask(source, target)
            if answered is None:
                timed_out += 1
            else:
                cypher.append(seconds)
                found += answered
    return {
        "pairs": len(pairs),
        "route": summary(route),
        "cypher": {
            **summary(cypher),
            "found": found,
            "timed_out": timed_out,
            "timeout_s": CYPHER_TIMEOUT_S,
            "query": CYPHER_SHORTEST_PATH,
        },
    }


def _first_path_after_write(
    store: GraphStore, warm: AdjacencyCache, request: Request, extra_bundle: str
) -> Json:
    """One cohort of new people loaded (``load_bundle``, as an upload does), then the first
    introduction path: it waits for the warm network to catch up with the write."""
    from benchmarks.ingest import SALT
    from ingest.pipeline import load_bundle

    _, _, call = request
    call()  # the network is current before the write
    builds, updates = warm.builds, warm.updates
    started = time.perf_counter()
    report = load_bundle(Path(extra_bundle), store, salt=SALT)
    load_s = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(f"the extra cohort did not load: {report.errors[:3]}")
    started = time.perf_counter()
    call()
    first = time.perf_counter() - started
    started = time.perf_counter()
    call()
    second = time.perf_counter() - started
    return {
        "write": "one cohort of 50 new people (benchmarks.generate.extra_cohort)",
        "load_s": round(load_s, 3),
        "records": sum(report.total(w) for w in ("created", "updated")),
        "first_path_ms": round(first * 1000, 1),
        "next_path_ms": round(second * 1000, 1),
        "caught_up_by_delta": warm.updates - updates,
        "read_whole": warm.builds - builds,
    }


# -- the load generator: a second process -----------------------------------------------


def fire(base: str, requests: list[tuple[str, str]], concurrency: int, budget_s: float) -> Json:
    """Send ``requests`` from ``concurrency`` threads; latencies of the 200 answers."""
    host, port = base.split(":")
    local = threading.local()

    def send(item: tuple[str, str]) -> tuple[float, int]:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection(host, int(port), timeout=120)
        path, key = item
        started = time.perf_counter()
        connection.request("GET", path, headers={"Authorization": f"Bearer {key}"})
        response = connection.getresponse()
        response.read()
        return time.perf_counter() - started, response.status

    for item in requests[:2]:  # warm-up, not counted
        send(item)
    times: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.perf_counter() + budget_s
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        pending = []
        for item in requests:
            pending.append(pool.submit(send, item))
        for done, future in enumerate(pending):
            if time.perf_counter() > deadline and done >= MIN_REQUESTS:
                future.cancel()
                continue
            if future.cancelled():
                continue
            seconds, status = future.result()
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                times.append(seconds)
    wall = time.perf_counter() - started
    return {
        **summary(times),
        "concurrency": concurrency,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "throughput_rps": round(len(times) / wall, 2) if wall else None,
    }


def _serve(url: str, port: int, log: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    """``alumni-graph serve`` with ``workers`` processes, once it answers ``/health`` and
    each worker has logged its warm read (``api.deps.WARMED``): a request timed during
    that read would time the read."""
    command = Path(sys.executable).with_name("alumni-graph")
    args = [str(command)] if command.exists() else [sys.executable, "-m", "cli.main"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*args, "serve", "--store", url, "--host", "127.0.0.1", "--port", str(port)]
            + ["--workers", str(workers)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )
    deadline = time.monotonic() + SERVER_START_S
    answered = False
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}); see {log}")
        if not answered:
            answered = _health(port)
        if answered and _warmed(log) >= workers:
            return server
        time.sleep(0.3)
    server.terminate()
    raise RuntimeError(f"the server was not up and warm within {SERVER_START_S} s; see {log}")


SERVER_START_S = 300
"""How long a server may take to answer and read its warm network (each worker its own:
about 15 s at 100,000 people on Neo4j, longer with two reading at once)."""


def _health(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/health")
        return connection.getresponse().status == 200
    except OSError:
        return False


def _warmed(log: Path) -> int:
    """How many workers have read their warm network (all of them when the environment
    turns ``warm_on_start`` off: nothing to wait for)."""
    if os.environ.get("ALUMNI_GRAPH_WARM_ON_START", "true").lower() in ("false", "0", "no"):
        return sys.maxsize
    text = log.read_text(errors="replace")
    if "reading the warm network at start failed" in text:
        raise RuntimeError(f"a worker could not read its warm network; see {log}")
    return text.count(WARMED.split("%", 1)[0])


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _over_http(
    url: str,
    workload: dict[str, list[Request]],
    concurrency: list[int],
    budget_s: float,
    log_dir: Path,
    workers: int,
) -> Json:
    """Every endpoint's requests over HTTP at each concurrency, from a second process, to
    a server of ``workers`` processes started for them and stopped afterwards."""
    figures: Json = {"workers": workers, "http": {}}
    port = _free_port()
    started = time.monotonic()
    server = _serve(url, port, log_dir / f"server-{port}.log", workers)
    figures["start_and_warm_s"] = round(time.monotonic() - started, 1)
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as client:
            for c in concurrency:
                for name, items in workload.items():
                    plain = [(path, key) for path, key, _ in items]
                    answer = client.submit(fire, f"127.0.0.1:{port}", plain, c, budget_s)
                    figures["http"].setdefault(name, {})[str(c)] = answer.result()
        figures["server_peak_mb"] = _largest_peak_mb(server.pid)
    finally:
        _stop(server)
    return figures


def _largest_peak_mb(pid: int) -> float | None:
    """The peak memory of the server's largest process: with several workers, the
    workers are the supervisor's children, each its own peak."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    peaks = [p for p in map(process_peak_mb, [pid, *map(int, children)]) if p is not None]
    return max(peaks, default=None)


def run_http(
    url: str,
    requests: int,
    concurrency: list[int],
    budget_s: float,
    log_dir: str,
    seed: int = 5,
    extra_bundle: str | None = None,
    workers: tuple[int, ...] = (1,),
) -> Json:
    """In-process, then HTTP, latencies of the three endpoints on the store at ``url``; on
    Neo4j, Cypher's shortest path beside the route on the same pairs; with
    ``extra_bundle``, the first introduction path after that cohort is written (the
    store then holds it too, for the HTTP figures). Over HTTP the server runs with each
    number of ``workers`` in turn, the same requests fired at each: the first's figures
    are ``http``, every one's ``http_by_workers``."""
    store = open_store(url)
    result: Json = {}
    try:
        workload, facts, warm = _workload(store, requests, seed)
        in_process = {name: _in_process(items, budget_s) for name, items in workload.items()}
        alumna = facts["pairs"][0][0]  # a path's start: in the directory
        result["search_peers"] = compare_search(store, facts["search_terms"], alumna, budget_s)
        if not url.startswith("sqlite:"):
            distinct = min(facts["distinct"]["paths"], len(workload["paths"]))
            pairs = [(s, t) for s, t in facts["pairs"]][:distinct]
            result["paths_beside_cypher"] = _paths_beside_cypher(
                url, workload["paths"][:distinct], pairs
            )
        if extra_bundle is not None:
            result["after_write"] = _first_path_after_write(
                store, warm, workload["paths"][0], extra_bundle
            )
    finally:
        store.close()
    result.update({"facts": facts, "in_process": in_process, "http_by_workers": {}})
    for count in workers:
        result["http_by_workers"][str(count)] = _over_http(
            url, workload, concurrency, budget_s, Path(log_dir), count
        )
    first = result["http_by_workers"][str(workers[0])]
    result["http"], result["server_peak_mb"] = first["http"], first["server_peak_mb"]
    return result
