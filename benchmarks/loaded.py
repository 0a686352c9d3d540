"""The HTTP piece on a store that already holds a programme, without loading it again.

::

    python -m benchmarks.loaded --store URL --bundles DIR --tag after1 [--workers 1,2]
                                [--before-tree DIR] [--results benchmarks/results]

``python -m benchmarks --reuse`` reloads a store that holds anything beside the
generated bundles (an extra cohort written by an earlier HTTP phase). This runs
``benchmarks.latency.run_http`` on the store as it is, with a new extra cohort
(``benchmarks.generate.extra_cohort`` renamed by ``--tag``, so each run writes
people the store does not hold yet). With ``--before-tree`` (a checkout of an
earlier commit), the first introduction path after a one-cohort write is timed
first with that tree's code, in its own process, on another renamed cohort: the
earlier code beside this one, on the same store, in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import Json, LoadSampler, isolated, loadavg, machine, write_json
from benchmarks.generate import extra_cohort
from benchmarks.latency import run_http
from benchmarks.stores import neo4j_memory, neo4j_version

HERE = Path(__file__).resolve().parent

_BEFORE = """
import json, sys
from benchmarks.latency import _first_path_after_write, _workload
from graph.stores import open_store
store = open_store(sys.argv[1])
workload, facts, warm = _workload(store, 10, 5)
result = _first_path_after_write(store, warm, workload["paths"][0], sys.argv[2])
result["warm_network"] = facts["warm_network"]
store.close()
print(json.dumps(result))
"""
"""The earlier tree's own functions, as its ``run_http`` calls them."""


def first_path_before(tree: Path, url: str, extra_bundle: str) -> Json:
    """The first path after a one-cohort write, timed by the code in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", _BEFORE, url, extra_bundle],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    found: Json = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.loaded", description=__doc__)
    parser.add_argument("--store", required=True, help="sqlite:///PATH or neo4j://HOST:PORT")
    parser.add_argument("--bundles", type=Path, required=True, help="the generated bundles")
    parser.add_argument("--tag", required=True, help="renames the extra cohort: new each run")
    parser.add_argument("--before-tree", type=Path, help="an earlier checkout to time beside")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", default="1,4")
    parser.add_argument("--budget", type=float, default=15.0)
    parser.add_argument(
        "--workers", default="1,2", help="server worker processes, each in turn, e.g. 1,2"
    )
    parser.add_argument("--workdir", type=Path, default=HERE / "out" / "loaded")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    last = str(sorted(args.bundles.glob("cohort-*.json"))[-1])
    started = datetime.now(UTC)
    store_name = "sqlite" if args.store.startswith("sqlite:") else "neo4j"
    results: Json = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join(["python -m benchmarks.loaded", *(argv or sys.argv[1:])]),
        "machine": machine(),
        "store": store_name,
        "people_bundles": len(list(args.bundles.glob("cohort-*.json"))),
    }
    generated = args.bundles.parent / "generated.json"
    if generated.exists():  # the programme's size, under which the report files these
        results["people"] = json.loads(generated.read_text())["people"]
    if store_name == "neo4j":
        results["machine"]["neo4j_server"] = neo4j_version(args.store)
        results["machine"]["neo4j_memory"] = neo4j_memory(args.store)
    results["machine"]["loadavg_start"] = loadavg()
    with LoadSampler() as load:
        if args.before_tree is not None:
            bundle = extra_cohort(
                last, str(args.workdir / f"{args.tag}-before.json"), f"{args.tag}b"
            )
            results["after_write_before"] = {
                "tree": str(args.before_tree),
                **first_path_before(args.before_tree, args.store, bundle),
            }
        bundle = extra_cohort(last, str(args.workdir / f"{args.tag}.json"), args.tag)
        results["http"] = isolated(
            run_http,
            url=args.store,
            requests=args.requests,
            concurrency=[int(c) for c in args.concurrency.split(",")],
            budget_s=args.budget,
            log_dir=str(args.workdir),
            extra_bundle=bundle,
            workers=tuple(int(w) for w in args.workers.split(",")),
        )
    results["machine"]["loadavg_end"] = loadavg()
    results["machine"]["load_1min_during_run"] = load.result()
    finished = datetime.now(UTC)
    results["duration_s"] = round((finished - started).total_seconds(), 1)
    out = args.results / f"{started:%Y%m%dT%H%M%SZ}-loaded-{store_name}.json"
    write_json(out, results)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
