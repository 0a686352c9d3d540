"""The first introduction path after the server starts, with and without
``warm_on_start``, on a store that already holds a programme.

::

    python -m benchmarks.first_path --store URL [--rounds 4] [--after 5] [--results DIR]

Each round starts ``alumni-graph serve`` twice on the store, the setting off then on,
waits until ``/health`` answers, searches for people one request after another for
``--after`` seconds (what warming costs the other requests of a worker that has just
started: its slowest is recorded), and then times one ``GET /paths/introduction`` (each round
its own pair of people in the directory). Off, that request reads the warm network
whole; on, the worker read it as it started. The figures (medians over the rounds, the
two sides alternating) go to ``<timestamp>-first-path-<store>.json``. It writes one
programme-team API key into the store.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import Json, loadavg, machine, write_json

CLI = str(Path(sys.executable).with_name("alumni-graph"))
SEARCHED = "health"
"""What the other requests search for while the path waits to be asked."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _pairs(url: str, count: int) -> tuple[str, list[tuple[str, str]]]:
    """A new programme key, and ``count`` pairs of people in the directory."""
    from api.keys import issue_key
    from graph.model import KeyRole, Person
    from graph.search import catch_up
    from graph.store import Page
    from graph.stores import open_store

    store = open_store(url)
    try:
        key, _ = issue_key(store, KeyRole.PROGRAMME)
        catch_up(store)  # the search index brought up to date here, untimed, once
        found = store.find(Person, None, Page(limit=4 * count)).data
        listed = [p.id for p in found if p.consent_directory]
    finally:
        store.close()
    return key, [(listed[i], listed[-1 - i]) for i in range(count)]


def _searches_for(port: int, key: str, seconds: float) -> list[float]:
    """One search after another for ``seconds``: what other requests wait meanwhile."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    took: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        started = time.perf_counter()
        connection.request(
            "GET", f"/people?q={SEARCHED}&limit=5", headers={"Authorization": f"Bearer {key}"}
        )
        response = connection.getresponse()
        response.read()
        took.append(time.perf_counter() - started)
        if response.status != 200:
            raise RuntimeError(f"the search answered {response.status}")
    return took


def _first_path(
    url: str, warm: bool, pair: tuple[str, str], key: str, after_s: float
) -> tuple[float, list[float]]:
    port = _free_port()
    env = {**os.environ, "ALUMNI_GRAPH_WARM_ON_START": "true" if warm else "false"}
    server = subprocess.Popen(
        [CLI, "serve", "--store", url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server on port {port} did not start")
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/health")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)  # a 503 too: asking again at once kept the worker busy
        searches = _searches_for(port, key, after_s)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        started = time.perf_counter()
        connection.request(
            "GET",
            f"/paths/introduction?from={pair[0]}&to={pair[1]}",
            headers={"Authorization": f"Bearer {key}"},
        )
        response = connection.getresponse()
        response.read()
        took = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"the path answered {response.status}")
        return took, searches
    finally:
        server.terminate()
        server.wait()


def run_first_path(url: str, rounds: int = 4, after_s: float = 5.0) -> Json:
    key, pairs = _pairs(url, rounds)
    times: dict[str, list[float]] = {"off": [], "on": []}
    slowest: dict[str, list[float]] = {"off": [], "on": []}
    load_before = loadavg()
    for pair in pairs:
        for side in ("off", "on"):
            took, searches = _first_path(url, side == "on", pair, key, after_s)
            times[side].append(took)
            slowest[side].append(max(searches))
    medians = {side: statistics.median(values) for side, values in times.items()}
    return {
        "rounds": rounds,
        "after_s": after_s,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "first_path_ms": {side: [round(1000 * t) for t in got] for side, got in times.items()},
        "median_ms": {side: round(1000 * m) for side, m in medians.items()},
        "ratio_off_to_on": round(medians["off"] / medians["on"], 1),
        "slowest_search_meanwhile_ms": {
            side: [round(1000 * t) for t in got] for side, got in slowest.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, help="a store holding a programme")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--after", type=float, default=5.0, help="seconds after /health")
    parser.add_argument("--results", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    started = datetime.now(UTC)
    result = run_first_path(args.store, args.rounds, args.after)
    store = "sqlite" if args.store.startswith("sqlite:") else "neo4j"
    path = args.results / f"{started.strftime('%Y%m%dT%H%M%SZ')}-first-path-{store}.json"
    write_json(
        path, {"started": started.isoformat(), "store": store, "machine": machine(), **result}
    )
    for side in ("off", "on"):
        got, median = result["first_path_ms"][side], result["median_ms"][side]
        print(f"warm_on_start {side:>3}: {got} ms, median {median} ms", end="; ")
        print(f"slowest search meanwhile: {result['slowest_search_meanwhile_ms'][side]} ms")
    print(f"results: {path}")


if __name__ == "__main__":
    main()
