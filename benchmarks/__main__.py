"""``python -m benchmarks``: every figure of issues 3, 4, 5 and 8, measured in one run.

::

    python -m benchmarks [--sizes 1000,10000] [--stores sqlite,neo4j]
                         [--only decisions,ingest,metrics,http,maps] [--quick] [--large]

For each size the programme is generated (``benchmarks.generate``), then for
each store: ingest (batched beside row-at-a-time), snapshot, and latency over
HTTP beside in-process; then the metric suite by plain networkx, by the
service's route and by igraph alone, on the same snapshot. Every phase runs in
a fresh process so its peak memory is its own. Results go to
``benchmarks/results/<timestamp>.json`` and ``latest.json``; then
``benchmarks.report`` writes ``BENCHMARKS.md`` from them.

Neo4j is not started here: give ``--neo4j-uri`` (or ``NEO4J_URI``); ``make
bench`` starts one on its own port and stops it afterwards. Its data is wiped
before each load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import generate as gen
from benchmarks.common import (
    Json,
    LoadSampler,
    isolated,
    loadavg,
    machine,
    write_json,
)
from benchmarks.decisions import run_decisions
from benchmarks.ingest import holds_programme, load_programme, run_ingest
from benchmarks.latency import run_http
from benchmarks.maps import run_maps
from benchmarks.maps import summary as maps_summary
from benchmarks.metrics import (
    compare_suites,
    run_igraph,
    run_networkx_blocks,
    run_snapshot,
    run_suite,
)
from benchmarks.stores import neo4j_memory, neo4j_version, sqlite_url

HERE = Path(__file__).resolve().parent
PHASES = ("decisions", "ingest", "metrics", "http", "maps")
"""``decisions`` runs first: it wipes Neo4j, which then keeps the last programme loaded
(for ``benchmarks.loaded`` to time again without loading it)."""
STORES = ("sqlite", "neo4j")


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sizes", default="1000,10000", help="people per programme, e.g. 1000,10000"
    )
    parser.add_argument("--large", action="store_true", help="add the 100,000-people programme")
    parser.add_argument("--stores", default="sqlite,neo4j", help="sqlite, neo4j or both")
    parser.add_argument(
        "--only", default=",".join(PHASES), help="decisions, ingest, metrics, http, maps"
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 1,000 people, few requests"
    )
    parser.add_argument("--neo4j-uri", default=os.environ.get("NEO4J_URI"))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--sample-bundles",
        type=int,
        default=2,
        help="bundles both sides of the ingest ratio load, in each of its rounds",
    )
    parser.add_argument("--ingest-rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--requests", type=int, default=200, help="per endpoint and concurrency")
    parser.add_argument("--concurrency", default="1,4", help="client threads, e.g. 1,4")
    parser.add_argument(
        "--workers", default="1,2", help="server worker processes, each served in turn, e.g. 1,2"
    )
    parser.add_argument("--budget", type=float, default=15.0, help="seconds per endpoint run")
    parser.add_argument(
        "--networkx-full-limit",
        type=int,
        default=2000,
        help="largest programme on which the whole plain-networkx suite is run; above it, "
        "plain networkx is timed block by block, its all-pairs path length from sampled sources",
    )
    parser.add_argument("--networkx-full", action="store_true", help="run it at every size")
    parser.add_argument(
        "--networkx-budget",
        type=float,
        default=1800.0,
        help="seconds before a whole plain-networkx suite is stopped and reported unfinished",
    )
    parser.add_argument("--snapshot-repeats", type=int, default=3)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an earlier run's bundles of the same size and seed, and its store when it"
        " holds exactly them (not for the ingest phase, which always loads afresh)",
    )
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument(
        "--no-report", action="store_true", help="do not rewrite BENCHMARKS.md (--quick never does)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.requests, args.budget, args.snapshot_repeats = "1000", 40, 10.0, 1
        args.workers = "1"
        args.sample_bundles, args.ingest_rounds = 1, 1
        if args.results == HERE / "results":  # a smoke run's figures are not for committing
            args.results = args.workdir / "quick-results"
    args.size_list = [int(s) for s in _csv(args.sizes)] + ([100_000] if args.large else [])
    args.store_list = _csv(args.stores)
    args.phase_list = _csv(args.only)
    args.concurrency_list = [int(c) for c in _csv(args.concurrency)]
    args.workers_list = tuple(int(w) for w in _csv(args.workers))
    for store in args.store_list:
        if store not in STORES:
            parser.error(f"unknown store {store!r}: use {', '.join(STORES)}")
    for phase in args.phase_list:
        if phase not in PHASES:
            parser.error(f"unknown phase {phase!r}: use {', '.join(PHASES)}")
    if "neo4j" in args.store_list and not args.neo4j_uri:
        parser.error("neo4j needs --neo4j-uri or NEO4J_URI (make bench starts a server)")
    return args


def say(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S} load {loadavg()[0]:.2f}] {message}", flush=True)


def _phase(log: list[Json], name: str, result: Json | None) -> Json | None:
    if result is not None and "phase" in result:
        log.append({"name": name, **result["phase"]})
        say(f"  {name}: {result['phase']['seconds']} s, peak {result['phase']['peak_mb']} MiB")
    return result


def run_size(args: argparse.Namespace, people: int, log: list[Json]) -> Json:
    work = args.workdir / f"people-{people}"
    bundles = work / "bundles"
    manifest = work / "generated.json"
    kept = json.loads(manifest.read_text()) if args.reuse and manifest.exists() else None
    if kept is not None and kept.get("seed") == args.seed and kept.get("people") == people:
        say(f"{people} people: reusing the bundles generated at {kept['generated_at']}")
        generated = kept
    else:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        say(f"{people} people: generating bundles")
        generated = _phase(
            log,
            f"{people}/generate",
            isolated(gen.generate_bundles, people=people, seed=args.seed, folder=str(bundles)),
        )
        if generated is not None:
            generated["generated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            manifest.write_text(json.dumps(generated))
    size: Json = {"people": people, "generated": generated, "stores": {}}
    snapshot_file = work / "snapshot.pickle"
    for store in args.store_list:
        url = sqlite_url(work, "store") if store == "sqlite" else args.neo4j_uri
        figures: Json = {"url": url.split("?")[0]}
        size["stores"][store] = figures
        name = f"{people}/{store}"
        if "ingest" in args.phase_list:
            say(f"{name}: ingest, row at a time then batched")
            figures["ingest"] = _phase(
                log,
                f"{name}/ingest",
                isolated(
                    run_ingest,
                    url=url,
                    bundles=str(bundles),
                    sample_bundles=args.sample_bundles,
                    rounds=args.ingest_rounds,
                ),
            )
        elif args.reuse and holds_programme(url, str(bundles)):
            say(f"{name}: the store already holds these bundles, not reloaded")
        else:
            say(f"{name}: loading (not timed as ingest)")
            _phase(log, f"{name}/load", isolated(load_programme, url=url, bundles=str(bundles)))
        if "metrics" in args.phase_list:
            say(f"{name}: snapshot")
            out = None if snapshot_file.exists() else str(snapshot_file)
            figures["snapshot"] = _phase(
                log,
                f"{name}/snapshot",
                isolated(
                    run_snapshot,
                    url=url,
                    as_of=gen.AS_OF.isoformat(),
                    repeats=args.snapshot_repeats,
                    out=out,
                ),
            )
        if "http" in args.phase_list:
            say(f"{name}: latency in-process and over HTTP")
            figures["http"] = _phase(
                log,
                f"{name}/http",
                isolated(
                    run_http,
                    url=url,
                    requests=args.requests,
                    concurrency=args.concurrency_list,
                    budget_s=args.budget,
                    log_dir=str(work),
                    workers=args.workers_list,
                    extra_bundle=gen.extra_cohort(
                        str(sorted(bundles.glob("cohort-*.json"))[-1]),
                        str(work / f"extra-cohort-{store}.json"),
                    ),
                ),
            )
        if "maps" in args.phase_list and store == "sqlite":  # drawing is the same per store
            say(f"{name}: the map in Chromium, beside organisations collapsed")
            figures["maps"] = _phase(
                log,
                f"{name}/maps",
                isolated(run_maps, url=url, as_of=gen.AS_OF.isoformat(), work=str(work / "maps")),
            )
            for line in maps_summary(figures["maps"]) if figures["maps"] else ():
                say(f"  {line}")
    if "metrics" in args.phase_list:
        size["metrics"] = run_suites(args, people, work, snapshot_file, log)
        digests = {s: f["snapshot"]["digest"] for s, f in size["stores"].items() if "snapshot" in f}
        size["metrics"]["snapshots_equal"] = len(set(digests.values())) == 1
    return size


def run_suites(
    args: argparse.Namespace, people: int, work: Path, snapshot: Path, log: list[Json]
) -> Json:
    name = f"{people}/suite"
    nx_out, auto_out = work / "suite-networkx.json", work / "suite-auto.json"
    say(f"{name}: the service's route (backend='auto')")
    auto = _phase(
        log,
        f"{name}/auto",
        isolated(run_suite, snapshot=str(snapshot), backend="auto", out=str(auto_out)),
    )
    say(f"{name}: igraph alone (betweenness, components)")
    igraph = _phase(
        log,
        f"{name}/igraph",
        isolated(run_igraph, snapshot=str(snapshot), estimate_from=str(auto_out)),
    )
    metrics: Json = {"auto": auto, "igraph": igraph}
    if people <= args.networkx_full_limit or args.networkx_full:
        say(
            f"{name}: plain networkx (backend='networkx'),"
            f" stopped after {args.networkx_budget:.0f} s"
        )
        plain = _phase(
            log,
            f"{name}/networkx",
            isolated(
                run_suite,
                timeout=args.networkx_budget,
                snapshot=str(snapshot),
                backend="networkx",
                out=str(nx_out),
            ),
        )
        if plain is None:
            plain = {"finished": False, "budget_s": args.networkx_budget}
        else:
            metrics["same_answers"] = compare_suites(str(nx_out), str(auto_out))
        metrics["networkx"] = plain
    say(f"{name}: plain networkx block by block (path length from sampled sources)")
    metrics["networkx_blocks"] = _phase(
        log, f"{name}/networkx-blocks", isolated(run_networkx_blocks, snapshot=str(snapshot))
    )
    return metrics


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    results: Json = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join(
            ["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])]
        ),
        "config": {
            "sizes": args.size_list,
            "stores": args.store_list,
            "phases": args.phase_list,
            "quick": args.quick,
            "seed": args.seed,
            "ingest_sample_bundles": args.sample_bundles,
            "ingest_rounds": args.ingest_rounds,
            "requests": args.requests,
            "concurrency": args.concurrency_list,
            "workers": list(args.workers_list),
            "budget_s": args.budget,
            "networkx_budget_s": args.networkx_budget,
            "networkx_full_limit": args.networkx_full_limit if not args.networkx_full else None,
            "snapshot_repeats": args.snapshot_repeats,
        },
        "machine": machine(),
        "sizes": [],
        "phases": [],
    }
    if "neo4j" in args.store_list:
        results["machine"]["neo4j_server"] = neo4j_version(args.neo4j_uri)
        results["machine"]["neo4j_memory"] = neo4j_memory(args.neo4j_uri)
    results["machine"]["loadavg_start"] = loadavg()
    status = 0
    with LoadSampler() as load:
        if "decisions" in args.phase_list:
            say("decisions: a match of 50 x 40 and a selection of 50 of 200 (issue 19)")
            try:
                neo4j = args.neo4j_uri if "neo4j" in args.store_list else None
                results["decisions"] = run_decisions(neo4j_uri=neo4j)
            except Exception:
                traceback.print_exc()
                results["decisions"] = {"error": traceback.format_exc()}
                status = 1
        for people in args.size_list:
            try:
                results["sizes"].append(run_size(args, people, results["phases"]))
            except Exception:
                traceback.print_exc()
                results["sizes"].append({"people": people, "error": traceback.format_exc()})
                status = 1
    finished = datetime.now(UTC)
    results["machine"]["loadavg_end"] = loadavg()
    results["machine"]["load_1min_during_run"] = load.result()
    results["finished_at"] = finished.isoformat(timespec="seconds")
    results["duration_s"] = round((finished - started).total_seconds(), 1)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    suffix = "-quick" if args.quick else ""
    write_json(args.results / f"{stamp}{suffix}.json", results)
    # A smoke run never replaces the figures BENCHMARKS.md is written from.
    latest = args.results / f"latest{suffix}.json"
    write_json(latest, results)
    say(f"results: {args.results / f'{stamp}{suffix}.json'} ({results['duration_s']} s)")
    if not args.no_report and not args.quick:
        from benchmarks.report import write_report

        target = write_report(latest)
        say(f"wrote {target}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
