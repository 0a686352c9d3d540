"""``python -m benchmarks.report``: the latest results as the tables of ``BENCHMARKS.md``.

Everything in the file comes from results JSON: the figures, their ratios to
the peer measured in the same run, the machine, and the load on it. Nothing is
typed in by hand, so the file cannot claim a figure a run did not print.

By default (``benchmarks/results/latest.json``) every full run in
``benchmarks/results/`` is merged: for each size, store and phase the figures
of the latest run that measured it, so a partial run (``--only ingest``,
``--sizes 100000``) replaces only what it measured. Each figure keeps the run
it came from, and the file lists every run used with the load on the machine
during it. ``--results FILE`` renders that one file alone.

The sections live by topic: ``report_stores`` (ingest, snapshots, latency, maps,
memory), ``report_suite`` (analytics), ``merge`` (reading and merging runs) and
``report_format`` (the shared words and table layout); this module puts them in order.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import Json
from benchmarks.merge import cli_start_runs, load_results, merge_runs
from benchmarks.report_format import md_table, num, peak_mib, run_of, secs, stores_of, times
from benchmarks.report_stores import (
    ingest_tables,
    latency_tables,
    map_tables,
    memory_tables,
    served_by_workers,
    snapshot_tables,
)
from benchmarks.report_suite import igraph_same_work, suite_tables

__all__ = ["load_results", "main", "merge_runs", "render", "write_report"]

HERE = Path(__file__).resolve().parent
DEFAULT_RESULTS = HERE / "results" / "latest.json"
DEFAULT_TARGET = HERE.parent / "BENCHMARKS.md"


def _machine(results: Json) -> list[str]:
    m = results["machine"]
    load = m.get("load_1min_during_run", {})
    packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
    lines = [
        "## The latest run: machine and settings" if results.get("runs") else "## The run",
        "",
        f"- command: `{results['command']}`, "
        f"{results['started_at']} to {results['finished_at']} UTC, "
        f"{secs(results['duration_s'])} s in all; commit {m.get('git_commit')}"
        + (" with uncommitted changes" if m.get("git_dirty") else ""),
        f"- machine: {m['nproc']} cores ({m.get('cpu') or 'unknown CPU'}), "
        f"{num(m.get('memory_mb'))} MiB of memory, {m['platform']}",
        f"- load average (1 min): {load.get('min')} to {load.get('max')}, mean "
        f"{load.get('mean')} over {load.get('samples')} samples; at the start "
        f"{m.get('loadavg_start')}, at the end {m.get('loadavg_end')} (1, 5, 15 min). "
        "Other work may share the machine: a load above the core count slows every figure.",
        f"- Python {m['python']}; {packages}",
    ]
    if m.get("neo4j_server"):
        memory = m.get("neo4j_memory") or {}
        sizes = (
            f"page cache {memory.get('server.memory.pagecache.size')}, transaction memory"
            f" {memory.get('dbms.memory.transaction.total.max')} (70% of the heap)"
            if memory
            else f"heap {m.get('neo4j_heap')}"
        )
        lines.append(f"- Neo4j: {m['neo4j_server']} (scripts/neo4j, {sizes}), on the same machine")
    c = results["config"]
    lines += [
        f"- settings: seed {c['seed']}; "
        + (
            f"ingest ratio from {c['ingest_rounds']} alternating rounds on the first"
            f" {c['ingest_sample_bundles']} bundles"
            if "ingest_rounds" in c
            else f"row-at-a-time sample {c.get('row_at_a_time_sample')} records"
        )
        + f"; up to {c['requests']} requests per endpoint and concurrency "
        f"{c['concurrency']}, each run stopped after {c['budget_s']:.0f} s; the whole"
        " plain-networkx suite run up to "
        + (
            f"{num(c['networkx_full_limit'])} people"
            if c.get("networkx_full_limit") is not None
            else "every size"
        )
        + f" (stopped after {c['networkx_budget_s']:.0f} s), block by block at every size",
        "",
    ]
    return lines


def _generated(results: Json) -> list[str]:
    rows = []
    for size in results["sizes"]:
        g = size.get("generated")
        if not g:
            continue
        r = g["rows"]
        rows.append(
            [
                num(size["people"]),
                num(g["bundles"]),
                num(r.get("organisations")),
                num(r.get("projects")),
                num(r.get("mentoring")),
                num(r.get("survey")),
                num(g["total_rows"]),
            ]
        )
    lines = [
        "## The generated programmes",
        "",
        "`benchmarks/generate.py`, deterministic from the seed: one JSON bundle per cohort of"
        " 50 (47 participants, 2 sponsors, 1 facilitator), loaded oldest first; heavy-tailed"
        " organisation sizes; projects of 4–8; mentoring by earlier alumni; three survey"
        " waves of 5–15 names chosen with homophily by organisation, sector, cohort and"
        " project. Rows are the bundles' input rows (organisation rows repeat across"
        " bundles, as each bundle lists the bodies it names).",
        "",
    ]
    return lines + md_table(
        ["people", "bundles", "organisation rows", "projects", "mentoring", "survey rows",
         "all rows"],
        rows,
    )  # fmt: skip


def _targets(results: Json) -> list[str]:
    lines = ["## Against the issues' targets", ""]
    for size in results["sizes"]:
        for store, f in stores_of(size):
            i = f.get("ingest") or {}
            if isinstance(i.get("rounds"), list):
                lines.append(
                    f"- Issue 15, {store}: the batched load is {times(i['ratio'])} faster than"
                    f" row at a time on the same {i['sample_bundles']} bundles (median of"
                    f" {len(i['rounds'])} alternating rounds:"
                    f" {', '.join(times(r['ratio']) for r in i['rounds'])};"
                    f" {run_of(results, i)})."
                )
        m = size.get("metrics") or {}
        auto, ig = m.get("auto"), m.get("igraph")
        peer, route = igraph_same_work(auto or {}, ig or {})
        if size["people"] >= 10_000 and peer and route:
            ratio = route / peer
            lines.append(
                f"- Issue 15, {num(size['people'])} people: the route's betweenness and components"
                f" take {times(ratio)} igraph's own time for the same work"
                f" (target ≤ 1.2×: {'met' if ratio <= 1.2 else 'not met'})."
            )
        blocks = m.get("networkx_blocks") or {}
        if size["people"] >= 10_000 and auto and blocks.get("estimated") is False:
            ratio = blocks["seconds"] / auto["seconds"]
            lines.append(
                f"- Issue 15, {num(size['people'])} people: the whole suite by the service's route"
                f" is {times(ratio)} faster than plain networkx measured block by block on a"
                f" plain graph (target ≥ 5×: {'met' if ratio >= 5 else 'not met'})."
            )
        if size["people"] >= 100_000:
            lines += _large_targets(results, size)
    for size in results["sizes"]:
        m = size.get("stores", {}).get("sqlite", {}).get("maps")
        if size["people"] >= 10_000 and m:
            drawn = m["people"]["median_drawn_s"]
            lines.append(
                f"- Issue 7: the map of {num(size['people'])} people finishes drawing in Chromium"
                f" in {drawn} s (aim < 10 s: {'met' if drawn < 10 else 'not met'})."
            )
    if not any(s["people"] >= 100_000 for s in results["sizes"]):
        lines.append(
            "- Issue 8's 100,000-people targets are not measured by the runs in this file"
            " (`python -m benchmarks --large`)."
        )
    lines.append("")
    return lines


LOAD_TARGET_S = {"sqlite": 120.0, "neo4j": 300.0}
"""Issue 15: 100,000 people into SQLite in under 2 minutes, into Neo4j in under 5."""
PATH_P95_TARGET_MS = {"1": 100.0, "4": 150.0}
"""Issue 15: introduction path p95 over HTTP at 100,000 people, by client count."""


def _large_targets(results: Json, size: Json) -> list[str]:
    """Issue 15's 100,000-people targets, per store, each with the run it came from."""
    lines = []
    people = num(size["people"])
    for store, f in stores_of(size):
        ingest, h = f.get("ingest"), f.get("http") or {}
        if ingest:
            b, target = ingest["batched"], LOAD_TARGET_S.get(store, 300.0)
            ties = (b.get("store_counts") or {}).get("tie")
            met = "met" if b["seconds"] < target else "not met"
            lines.append(
                f"- Issue 15: {people} people ({num(b['records'])} records, {num(ties)} ties"
                f" in meaning) load into {store} in {secs(b['seconds'])} s, one run, peak"
                f" {peak_mib(ingest)} MiB in the loading process (target < {target:.0f} s:"
                f" {met}; {run_of(results, ingest)})."
            )
        after = h.get("after_write")
        if after:
            met = "met" if after["first_path_ms"] < 1000 else "not met"
            lines.append(
                f"- Issue 15: the first introduction path after a one-cohort write on {store}"
                f" at {people} people: {num(after['first_path_ms'], 1)} ms (target < 1 s:"
                f" {met}; {run_of(results, h)})."
            )
        for workers, served in served_by_workers(h) if h else []:
            by = "" if workers == "1" else f", served by {workers} workers"
            for c, x in served.get("paths", {}).items():
                p95_target = PATH_P95_TARGET_MS.get(c)
                met = "met" if p95_target and x["p95_ms"] < p95_target else "not met"
                verdict = f"target < {p95_target:.0f} ms: {met}; " if p95_target else ""
                lines.append(
                    f"- Issue 15: introduction path p95 over HTTP ×{c} on {store} at {people}"
                    f" people{by}: {x['p95_ms']} ms ({verdict}"
                    f"{x['throughput_rps']} answers/s; {run_of(results, h)})."
                )
        beside = h.get("paths_beside_cypher")
        if beside:
            route, cy = beside["route"], beside["cypher"]
            lines.append(
                f"- Issue 15: on the same {beside['pairs']} pairs, the route p50 / p95"
                f" {route['p50_ms']} / {route['p95_ms']} ms beside Cypher's `shortestPath`"
                f" {cy['p50_ms']} / {cy['p95_ms']} ms over the {cy['n']} it answered,"
                f" {cy['timed_out']} of {beside['pairs']} stopped at {cy['timeout_s']} s"
                f" ({run_of(results, h)})."
            )
    return lines


def _runs(results: Json) -> list[str]:
    runs = results.get("runs")
    if not runs:
        return []
    lines = [
        "## Runs merged into this file",
        "",
        "For each size, store and phase the figures come from the latest run that measured"
        " them (tables say which). Load average (1 min) during each run, sampled by the"
        " harness: the machine has 2 cores and is shared, so a load above 2 slows every figure"
        " of that run, and ratios are only fair between figures of the same run.",
        "",
    ]
    return lines + md_table(
        ["started (UTC)", "command", "s", "commit", "load min / mean / max"],
        (
            [
                r["started_at"],
                f"`{r['command']}`",
                secs(r["duration_s"]),
                f"{r['git_commit']}" + (" (+ changes)" if r.get("git_dirty") else ""),
                f"{r['load'].get('min')} / {r['load'].get('mean')} / {r['load'].get('max')}",
            ]
            for r in runs
        ),
    )


def cli_start_table(runs: list[Json]) -> list[str]:
    """``benchmarks.cli_start``'s runs: each command's median start beside the bare
    interpreter's in the same rounds (issue 15: ``--help`` and ``status`` under 0.4 s)."""
    if not runs:
        return []
    lines = [
        "## Command-line start",
        "",
        "`python -m benchmarks.cli_start` (`make bench`'s first step): the median wall time"
        " of each command over alternating rounds, beside `python -c pass` in the same rounds"
        " (issue 15: `--help` and `status` under 0.4 s). *as started here*: this machine's"
        " `PYTHONDONTWRITEBYTECODE=1`, every start compiling the project's modules; *bytecode"
        " cached*: as a user's install runs.",
        "",
    ]
    rows = []
    for run in runs:
        machine = run["machine"]
        commit = machine["git_commit"] + (" (+ changes)" if machine["git_dirty"] else "")
        for mode in run["runs"]:
            median = mode["median_s"]
            ratio = mode["ratio_to_bare_python"]
            rows.append(
                [
                    run["started"][:16],
                    commit,
                    "bytecode cached" if mode["bytecode_cached"] else "as started here",
                    str(mode["repeats"]),
                    *(
                        f"{1000 * median[c]:.1f} ms ({ratio[c]}×)"
                        for c in ("python -c pass", "alumni-graph --help", "alumni-graph status")
                    ),
                    f"{mode['loadavg_before'][0]} / {mode['loadavg_after'][0]}",
                ]
            )
    header = ["started (UTC)", "commit", "mode", "rounds", "`python -c pass`", "`--help`"]
    return lines + md_table([*header, "`status` (SQLite)", "load before / after"], rows)


def render(
    results: Json,
    source: str = "benchmarks/results/latest.json",
    cli_runs: Sequence[Json] = (),
) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Written by `python -m benchmarks.report` from `{source}`, which `make bench`"
        " (`python -m benchmarks`) produced; do not edit by hand."
        " Every ratio is against a peer measured in the same run. `make test` never runs"
        " these, and no test asserts a time.",
        "",
    ]
    for size in results["sizes"]:
        if "error" in size:
            lines += [f"**{num(size['people'])} people: the run failed:**", "", "```",
                      size["error"].strip(), "```", ""]  # fmt: skip
    lines += _targets(results)
    lines += _runs(results)
    lines += _machine(results)
    lines += _generated(results)
    lines += ingest_tables(results)
    lines += snapshot_tables(results)
    lines += suite_tables(results)
    lines += latency_tables(results)
    lines += map_tables(results)
    lines += memory_tables(results)
    lines += cli_start_table(list(cli_runs))
    return "\n".join(lines).rstrip() + "\n"


def write_report(results_path: Path = DEFAULT_RESULTS, target: Path = DEFAULT_TARGET) -> Path:
    results = load_results(results_path)
    try:
        source = results_path.resolve().relative_to(HERE.parent).as_posix()
    except ValueError:
        source = results_path.name
    if results.get("runs"):
        source = f"{Path(source).parent.as_posix()}/*.json, merged"
    target.write_text(render(results, source, cli_start_runs(results_path.parent)))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__)
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--out", type=Path, default=DEFAULT_TARGET)
    args = parser.parse_args(argv)
    print(f"wrote {write_report(args.results, args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
