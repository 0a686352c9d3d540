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
5. on Neo4j, the store's own ``allShortestPaths`` in Cypher between the same pairs
   (warm ties only, consenting intermediaries filtered after the search, one
   path) is timed beside the route, which searches the cached warm network and
   ranks the best three; searches stopped at the timeout are a count of their own.

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

from benchmarks.common import Json, process_peak_mb, summary
from benchmarks.generate import TOPICS
from benchmarks.search_peers import compare_search
from graph.model import KeyRole, Person
from graph.store import GraphStore, Page, PersonQuery
from graph.stores import open_store

__all__ = ["ENDPOINTS", "run_http"]

ENDPOINTS = ("search", "contacts", "paths")
MIN_REQUESTS = 20
"""A run stops at its time budget only once it has this many requests: p95 needs some."""

CYPHER_SHORTEST_PATH: LiteralString = (
    "MATCH (a:Person {id: $source}), (b:Person {id: $target})"
    " MATCH p = allShortestPaths((a)-[:TIE*..4]-(b))"
    " WHERE all(t IN relationships(p) WHERE t.tie_kind <> 'want_to_meet')"
    " WITH p WHERE all(x IN nodes(p)[1..-1] WHERE x.consent_directory)"
    " RETURN [x IN nodes(p) | x.id] AS ids LIMIT 1"
)
"""One shortest warm path, intermediaries consenting: the peer of the route's search, in
Neo4j's fast form. The relationship predicate is checked during the bidirectional
search; the predicate on the intermediaries is applied to its results afterwards,
because a predicate on the path's nodes inside ``shortestPath`` makes Neo4j fall back
to an exhaustive search. (A pair whose shortest paths all pass a non-consenting person
therefore finds nothing here, where the route would go one hop longer.)"""
CYPHER_TIMEOUT_S = 2.0
"""A search still running after this long is stopped by the server, and counted apart."""

Request = tuple[str, str, Callable[[], object]]
"""(HTTP path and query, bearer key, the same call in-process)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workload(store: GraphStore, count: int, seed: int) -> tuple[dict[str, list[Request]], Json]:
    from api.keys import issue_key
    from api.routes import paths as paths_route
    from api.routes import people as people_route
    from graph.adjacency import AdjacencyCache
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
    return workload, facts


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


def _cypher_paths(url: str, pairs: list[tuple[str, str]], budget_s: float) -> Json:
    from neo4j import GraphDatabase, Query
    from neo4j.exceptions import Neo4jError

    from graph.settings import get_settings

    settings = get_settings()
    auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    query = Query(CYPHER_SHORTEST_PATH, timeout=CYPHER_TIMEOUT_S)
    times: list[float] = []
    found = timed_out = 0
    deadline = time.perf_counter() + budget_s
    with GraphDatabase.driver(url, auth=auth) as driver:
        for i, (source, target) in enumerate([*pairs[:2], *pairs]):
            started = time.perf_counter()
            try:
                records, _, _ = driver.execute_query(
                    query, source=source, target=target, database_=settings.neo4j_database
                )
            except Neo4jError as error:  # stopped by the server after the timeout
                if "TimedOut" not in (error.code or ""):
                    raise
                timed_out += i >= 2  # counted, never folded into the percentiles
            else:
                if i >= 2:  # the first two warm the plan cache
                    times.append(time.perf_counter() - started)
                    found += bool(records)
            if time.perf_counter() > deadline and len(times) >= MIN_REQUESTS:
                break
    return {**summary(times), "found": found, "timed_out": timed_out, "timeout_s": CYPHER_TIMEOUT_S}


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


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = Path(sys.executable).with_name("alumni-graph")
    args = [str(command)] if command.exists() else [sys.executable, "-m", "cli.main"]
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*args, "serve", "--store", url, "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}); see {log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError(f"the server did not answer /health within 90 s; see {log}")


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def run_http(
    url: str,
    requests: int,
    concurrency: list[int],
    budget_s: float,
    log_dir: str,
    seed: int = 5,
) -> Json:
    """In-process, then HTTP, latencies of the three endpoints on the store at ``url``."""
    store = open_store(url)
    try:
        workload, facts = _workload(store, requests, seed)
        in_process = {name: _in_process(items, budget_s) for name, items in workload.items()}
        alumna = facts["pairs"][0][0]  # a path's start: in the directory
        peers = compare_search(store, facts["search_terms"], alumna, budget_s)
    finally:
        store.close()
    result: Json = {"facts": facts, "in_process": in_process, "http": {}, "search_peers": peers}
    if not url.startswith("sqlite:"):
        pairs = [(s, t) for s, t in facts["pairs"]]
        result["cypher_shortest_path"] = _cypher_paths(url, pairs * 4, budget_s)
    port = _free_port()
    server = _serve(url, port, Path(log_dir) / f"server-{port}.log")
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as client:
            for c in concurrency:
                for name, items in workload.items():
                    plain = [(path, key) for path, key, _ in items]
                    figures = client.submit(fire, f"127.0.0.1:{port}", plain, c, budget_s).result()
                    result["http"].setdefault(name, {})[str(c)] = figures
        result["server_peak_mb"] = process_peak_mb(server.pid)
    finally:
        _stop(server)
    return result
