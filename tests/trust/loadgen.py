"""A bounded load generator, run as its own process against a served API.

    ALUMNI_GRAPH_LOAD_KEY=KEY python -m tests.trust.loadgen --base http://127.0.0.1:PORT \\
        --people people.json --bundle bundle.json --seconds 60 --out load.json

Worker threads send searches, introduction paths and metrics requests in turn,
as fast as the server answers, until the time is up; one more thread uploads
one bundle (``POST /ingest``) at the start. Every request is counted as sent
before it goes and as answered when a status comes back; a timeout or a broken
connection is an unanswered request. The figures (per route: count, statuses,
p50/p95 in ms) go to ``--out`` as JSON and a one-line summary to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

SEARCH_WORDS = ("housing", "health", "police", "head", "director", "data", "youth", "a")


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: int = 0
    answered: int = 0
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    ingest: dict[str, object] = field(default_factory=dict)

    def send(self) -> None:
        with self.lock:
            self.sent += 1

    def answer(self, route: str, status: int, seconds: float) -> None:
        with self.lock:
            self.answered += 1
            counts = self.statuses.setdefault(route, {})
            counts[str(status)] = counts.get(str(status), 0) + 1
            self.latencies.setdefault(route, []).append(seconds * 1000)

    def fail(self, route: str, error: str) -> None:
        with self.lock:
            self.failures.append(f"{route}: {error}")


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return round(values[0], 1) if values else 0.0
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1)


def _call(
    client: httpx2.Client, tally: Tally, route: str, method: str, url: str, **kw: object
) -> httpx2.Response | None:
    tally.send()
    started = time.perf_counter()
    try:
        response = client.request(method, url, **kw)  # type: ignore[arg-type]
    except httpx2.HTTPError as exc:
        tally.fail(route, f"{type(exc).__name__}: {exc}")
        return None
    tally.answer(route, response.status_code, time.perf_counter() - started)
    return response


def _worker(
    base: str, key: str, people: list[str], deadline: float, seed: int, tally: Tally
) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {key}"}
    with httpx2.Client(base_url=base, headers=headers, timeout=120) as client:
        turn = 0
        while time.monotonic() < deadline:
            kind = ("search", "path", "search", "metrics")[turn % 4]
            turn += 1
            if kind == "search":
                _call(client, tally, "GET /people", "GET", "/people",
                      params={"q": rng.choice(SEARCH_WORDS), "limit": 20})  # fmt: skip
            elif kind == "path":
                a, b = rng.sample(people, 2)
                _call(client, tally, "GET /paths/introduction", "GET", "/paths/introduction",
                      params={"from": a, "to": b})  # fmt: skip
            else:
                day = f"{rng.choice((2019, 2020, 2021, 2022))}-06-30"
                _call(client, tally, "GET /metrics/network", "GET", "/metrics/network",
                      params={"as_of": day, "people": "false"})  # fmt: skip


def _ingest(base: str, key: str, bundle: Path, tally: Tally) -> None:
    headers = {"Authorization": f"Bearer {key}"}
    with httpx2.Client(base_url=base, headers=headers, timeout=300) as client:
        files = {"file": (bundle.name, bundle.read_bytes(), "application/json")}
        response = _call(client, tally, "POST /ingest", "POST", "/ingest", files=files)
        if response is not None:
            tally.ingest = {"status": response.status_code, "report": response.json()}


def run(
    base: str, key: str, people: list[str], bundle: Path, seconds: float, workers: int
) -> dict[str, object]:
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_worker, args=(base, key, people, deadline, i, tally))
        for i in range(workers)
    ]
    threads.append(threading.Thread(target=_ingest, args=(base, key, bundle, tally)))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    routes = {
        route: {
            "requests": len(times),
            "statuses": tally.statuses[route],
            "p50_ms": _percentile(times, 50),
            "p95_ms": _percentile(times, 95),
        }
        for route, times in sorted(tally.latencies.items())
    }
    server_errors = sum(
        n for counts in tally.statuses.values() for s, n in counts.items() if s.startswith("5")
    )
    return {
        "seconds": round(elapsed, 1),
        "workers": workers,
        "sent": tally.sent,
        "answered": tally.answered,
        "server_errors": server_errors,
        "unanswered": tally.failures,
        "routes": routes,
        "ingest": tally.ingest,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--people", type=Path, required=True, help="JSON list of person ids")
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    people = json.loads(args.people.read_text())
    key = os.environ["ALUMNI_GRAPH_LOAD_KEY"]  # not an argument: ps would show it
    figures = run(args.base, key, people, args.bundle, args.seconds, args.workers)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    per_route = "; ".join(
        f"{route} {r['requests']} p50 {r['p50_ms']} ms p95 {r['p95_ms']} ms"
        for route, r in figures["routes"].items()  # type: ignore[attr-defined]
    )
    print(  # noqa: T201
        f"load: {figures['sent']} sent, {figures['answered']} answered,"
        f" {figures['server_errors']} 5xx in {figures['seconds']} s: {per_route}"
    )


if __name__ == "__main__":
    main()
