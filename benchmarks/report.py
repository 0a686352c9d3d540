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
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.common import Json

HERE = Path(__file__).resolve().parent
DEFAULT_RESULTS = HERE / "results" / "latest.json"
DEFAULT_TARGET = HERE.parent / "BENCHMARKS.md"

ENDPOINT_TEXT = {
    "search": "`GET /people?q=` (programme key)",
    "contacts": "`GET /people/{id}/contacts?scope=other-organisations` (programme key)",
    "paths": "`GET /paths/introduction?to=` (alumni key, from themselves)",
}


def _n(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _s(value: Any) -> str:
    """Seconds with sensible precision."""
    if value is None:
        return "—"
    value = float(value)
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}×" if value < 100 else f"{value:,.0f}×"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _peak(result: Json | None) -> str:
    phase = (result or {}).get("phase") or {}
    return _n(phase.get("peak_mb", phase.get("maxrss_mb")), 0)


def _stores(size: Json) -> list[tuple[str, Json]]:
    return list(size.get("stores", {}).items())


def _machine(results: Json) -> list[str]:
    m = results["machine"]
    load = m.get("load_1min_during_run", {})
    packages = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
    lines = [
        "## The latest run: machine and settings" if results.get("runs") else "## The run",
        "",
        f"- command: `{results['command']}`, "
        f"{results['started_at']} to {results['finished_at']} UTC, "
        f"{_s(results['duration_s'])} s in all; commit {m.get('git_commit')}"
        + (" with uncommitted changes" if m.get("git_dirty") else ""),
        f"- machine: {m['nproc']} cores ({m.get('cpu') or 'unknown CPU'}), "
        f"{_n(m.get('memory_mb'))} MiB of memory, {m['platform']}",
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
        f"- settings: seed {c['seed']}; row-at-a-time sample {c['row_at_a_time_sample']} "
        f"records; up to {c['requests']} requests per endpoint and concurrency "
        f"{c['concurrency']}, each run stopped after {c['budget_s']:.0f} s; the whole"
        " plain-networkx suite run up to "
        + (
            f"{_n(c['networkx_full_limit'])} people"
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
                _n(size["people"]),
                _n(g["bundles"]),
                _n(r.get("organisations")),
                _n(r.get("projects")),
                _n(r.get("mentoring")),
                _n(r.get("survey")),
                _n(g["total_rows"]),
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
    return lines + _table(
        ["people", "bundles", "organisation rows", "projects", "mentoring", "survey rows",
         "all rows"],
        rows,
    )  # fmt: skip


def _ingest(results: Json) -> list[str]:
    rows, steps = [], []
    for size in results["sizes"]:
        for store, f in _stores(size):
            i = f.get("ingest")
            if not i:
                continue
            b, base = i["batched"], i["row_at_a_time"]
            rows.append(
                [
                    _n(size["people"]),
                    store,
                    _n(b["rows"]),
                    _n(b["records"]),
                    _s(b["seconds"]),
                    _n(b["rows_per_s"]),
                    _n(b["records_per_s"]),
                    f"{_n(base['records_per_s'])} ({_n(base['records'])} records"
                    + (", time budget" if base.get("stopped_by_budget") else "")
                    + ")",
                    f"**{_ratio(i['ratio_records_per_s'])}**",
                    _ratio(i["ratio_write_step"]),
                    _peak(i),
                    _run_of(results, i),
                ]
            )
            st = b["steps_s"]
            total = sum(st.values()) or 1.0
            steps.append(
                [
                    _n(size["people"]),
                    store,
                    *(f"{_s(st[k])} ({st[k] / total:.0%})" for k in ("reading", "checking",
                                                                       "writing")),
                    _n(b["write_records_per_s"]),
                    f"{_s(b['first_tenth_s_per_bundle'])} → {_s(b['last_tenth_s_per_bundle'])}",
                    _n(b.get("store_mib"), 0),
                ]
            )  # fmt: skip
    lines = [
        "## Ingest (issue 3)",
        "",
        "Batched: every bundle through `load_bundle` (read, validate against the store, derive"
        " the ties, one transaction per bundle, journaled for rollback). Row at a time: the"
        " first records of the first cohort's validated batch (all kinds, parents first),"
        " each in its own `store.apply(Batch(record))`, without the journal. Both start from"
        " an empty store, after one untimed load of the first bundle has warmed the server"
        " (Neo4j's JIT compiler) and been wiped. A *record* is"
        " what the store writes: the input rows plus the ties derived from them (cohort"
        " peers, project co-members); the ratio compares records per second end to end"
        " (the batched figure includes reading and validation, the baseline does not).",
        "",
    ]
    lines += _table(
        ["people", "store", "input rows", "records", "batched s", "rows/s", "records/s",
         "row at a time, records/s", "ratio", "ratio, write step only", "peak MiB",
         "run (UTC), mean load"],
        rows,
    )  # fmt: skip
    lines += ["Where the batched load's time goes:", ""]
    lines += _table(
        ["people", "store", "read", "validate", "write", "write step records/s",
         "s per bundle, first tenth → last tenth", "store on disk MiB"],
        steps,
    )  # fmt: skip
    return lines


def _snapshots(results: Json) -> list[str]:
    rows = []
    for size in results["sizes"]:
        for store, f in _stores(size):
            s = f.get("snapshot")
            if not s:
                continue
            rows.append(
                [
                    _n(size["people"]),
                    store,
                    _n(s["nodes"]),
                    _n(s["edges"]),
                    _s(s["best_s"]),
                    _s(s["median_s"]),
                    str(len(s["seconds"])),
                    _peak(s),
                ]
            )
    lines = [
        "## Snapshot and metric suite (issue 4)",
        "",
        "`store.snapshot(as_of)` with the spec's default tie kinds, as of a date after every"
        " tie. Both stores give the same graph when the digest of nodes and edges agrees.",
        "",
    ]
    lines += _table(
        ["people", "store", "nodes", "edges", "best s", "median s", "runs", "peak MiB"], rows
    )
    for size in results["sizes"]:
        m = size.get("metrics")
        if m is not None:
            lines.append(
                f"- {_n(size['people'])} people: snapshots equal across stores: "
                f"{'yes' if m.get('snapshots_equal') else 'no'}"
            )
    lines.append("")
    return lines


def _plain(m: Json) -> tuple[float | None, str, bool]:
    """Plain networkx's seconds, how to show them, and whether they are an estimate."""
    full, blocks = m.get("networkx") or {}, m.get("networkx_blocks") or {}
    if full.get("seconds") is not None:
        return full["seconds"], _s(full["seconds"]), False
    if blocks.get("seconds") is not None:
        if blocks.get("estimated") is False:
            return blocks["seconds"], f"{_s(blocks['seconds'])} (block by block)", False
        return blocks["seconds"], f"≈ {_s(blocks['seconds'])} (estimate¹)", True
    if full.get("finished") is False:
        return None, f"> {_s(full['budget_s'])} (stopped)", False
    return None, "—", False


def _igraph_same_work(auto: Json, ig: Json) -> tuple[float | None, float | None]:
    """igraph alone on the work where the route gives igraph's answers, and the route's
    own time for that work: betweenness (from the same sampled sources when the route
    estimates it, else exact) plus components. ``None`` where a run did not time it."""
    estimated = auto.get("betweenness_estimated")
    between = ig.get("betweenness_same_sources_s" if estimated else "betweenness_exact_s")
    if between is None or ig.get("components_s") is None:
        return None, None
    blocks = auto.get("blocks_s") or {}
    route = (
        blocks["betweenness"] + blocks["components"]
        if "betweenness" in blocks and "components" in blocks
        else None
    )
    return between + ig["components_s"], route


def _suite(results: Json) -> list[str]:
    lines = [
        "The whole suite (`metric_suite`: network, organisations, sectors, mixing, every"
        ' person) on that snapshot, by plain networkx (`backend="networkx"`) and by the'
        ' service\'s route (`backend="auto"`: igraph where `graph.analytics.accel` has it),'
        " beside igraph alone doing the same work as the route's betweenness and components"
        " blocks (betweenness from the same sampled sources where the route estimates it)."
        " Above 5,000 people both routes estimate betweenness from the same k = 500"
        " sources, as the spec allows: plain networkx with networkx, the service's route"
        " with igraph.",
        "",
    ]
    rows, blocks, checks = [], [], []
    for size in results["sizes"]:
        m = size.get("metrics")
        if not m:
            continue
        auto, ig = m.get("auto") or {}, m.get("igraph") or {}
        full, by_block = m.get("networkx") or {}, m.get("networkx_blocks") or {}
        nx_s, nx_text, estimated = _plain(m)
        auto_s = auto.get("seconds")
        ig_s, route_same = _igraph_same_work(auto, ig)
        nx_ratio = "—"
        if nx_s and auto_s:
            nx_ratio = ("≈ " if estimated else "") + _ratio(nx_s / auto_s)
        elif full.get("finished") is False and auto_s:
            nx_ratio = f"> {_ratio(full['budget_s'] / auto_s)}"
        same = m.get("same_answers")
        rows.append(
            [
                _n(size["people"]),
                nx_text,
                _s(auto_s),
                f"**{nx_ratio}**",
                _s(ig_s),
                _ratio(route_same / ig_s) if route_same and ig_s else "—",
                "yes" if auto.get("betweenness_estimated") else "no",
                f"{same['max_abs_diff']:.1e}" if same else "—",
                _peak(auto),
            ]
        )
        if full.get("seconds") is not None and by_block.get("seconds") is not None:
            checks.append(
                f"{_n(size['people'])} people: estimate {_s(by_block['seconds'])} s,"
                f" whole suite measured {_s(full['seconds'])} s"
            )
        labels: list[str] = []
        for route in (full, by_block, auto):
            for label in route.get("blocks_s", {}):
                if label not in labels:
                    labels.append(label)
        for label in labels:
            blocks.append(
                [
                    _n(size["people"]),
                    label,
                    _s(full.get("blocks_s", {}).get(label)),
                    _s(by_block.get("blocks_s", {}).get(label)),
                    _s(auto.get("blocks_s", {}).get(label)),
                ]
            )
    lines += _table(
        ["people", "plain networkx s", "service route s", "networkx ÷ route",
         "igraph alone, same work: betweenness + components s",
         "route's betweenness + components ÷ igraph", "betweenness estimated",
         "largest answer difference, networkx vs route", "route peak MiB"],
        rows,
    )  # fmt: skip
    lines += [
        "¹ Where the whole plain-networkx suite would take too long, it is timed block by"
        " block: every building block run in full as the suite runs it, except the mean"
        " shortest-path length, which networkx computes as one breadth-first search per"
        " person: a sample of those searches is timed on the same subgraph and scaled to"
        " every person." + (" Where both ran: " + "; ".join(checks) + "." if checks else ""),
        "",
        "Where the suite's time goes (seconds in each building block, as the suite called"
        " it; the igraph copy of the graph is built by whichever igraph block runs first):",
        "",
    ]
    lines += _table(
        ["people", "block", "plain networkx, whole suite s", "plain networkx, block by block s",
         "service route s"],
        blocks,
    )  # fmt: skip
    extra = []
    for size in results["sizes"]:
        ig = (size.get("metrics") or {}).get("igraph")
        if not ig:
            continue
        diff = ig.get("max_abs_diff_vs_networkx_estimate")
        extra.append(
            [
                _n(size["people"]),
                _s(ig["build_s"]),
                _s(ig["components_s"]),
                _s(ig["betweenness_exact_s"]),
                _s(ig["betweenness_same_sources_s"]),
                f"{diff:.1e}" if diff is not None else "— (exact on both)",
            ]
        )
    lines += [
        "igraph alone, on the same snapshot (the last two columns: igraph's betweenness from"
        " the same 500 sources networkx samples, and its largest difference from the"
        " route's networkx estimate):",
        "",
    ]
    lines += _table(
        ["people", "build s", "components s", "exact betweenness s",
         "betweenness, same 500 sources s", "largest difference from the estimate"],
        extra,
    )  # fmt: skip
    return lines


def _latency(results: Json) -> list[str]:
    conc = [str(c) for c in results["config"]["concurrency"]]
    header = ["people", "store", "endpoint", "in-process p50 / p95 ms"]
    for c in conc:
        header += [f"HTTP ×{c} p50 / p95 ms", f"×{c} req/s"]
    header += ["HTTP ×1 p50 ÷ in-process p50", "n (HTTP)"]
    rows, cypher = [], []
    for size in results["sizes"]:
        for store, f in _stores(size):
            h = f.get("http")
            if not h:
                continue
            for endpoint in ("search", "contacts", "paths"):
                ip = h["in_process"][endpoint]
                row = [_n(size["people"]), store, endpoint, f"{ip['p50_ms']} / {ip['p95_ms']}"]
                counts = []
                for c in conc:
                    x = h["http"].get(endpoint, {}).get(c)
                    if x is None:
                        row += ["—", "—"]
                        continue
                    row += [f"{x['p50_ms']} / **{x['p95_ms']}**", _n(x["throughput_rps"], 1)]
                    counts.append(str(x["n"]))
                one = h["http"].get(endpoint, {}).get("1")
                row.append(_ratio(one["p50_ms"] / ip["p50_ms"]) if one and ip["p50_ms"] else "—")
                row.append(" / ".join(counts))
                rows.append(row)
            if "cypher_shortest_path" in h:
                cy, ip = h["cypher_shortest_path"], h["in_process"]["paths"]
                cypher.append(
                    [
                        _n(size["people"]),
                        store,
                        f"{ip['p50_ms']} / {ip['p95_ms']}",
                        f"{cy['p50_ms']} / {cy['p95_ms']}",
                        _ratio(ip["p50_ms"] / cy["p50_ms"]) if cy["p50_ms"] else "—",
                        f"{cy['found']} of {cy['n']}"
                        + (
                            f", {cy['timed_out']} stopped at {cy.get('timeout_s', '?')} s"
                            if cy.get("timed_out")
                            else ""
                        ),
                    ]
                )
    lines = [
        "## Latency (issue 5)",
        "",
        "Over HTTP: `alumni-graph serve` on a free loopback port in its own process (one"
        " uvicorn worker, access log on), requests from a second process, ×1 or ×4 client"
        " threads with keep-alive connections; latency is per request, send to last byte."
        " In-process: the route's handler called directly with the same arguments (store"
        " reads, `graph.contacts`, consent), no HTTP, key check or JSON. Each figure is over"
        " the first n requests of a fixed, seeded workload (search terms, 50 people, 50"
        " pairs), stopped at the request count or, once 20 are in, at the time budget.",
        "",
    ]
    for endpoint, text in ENDPOINT_TEXT.items():
        lines.append(f"- {endpoint}: {text}")
    lines.append("")
    lines += _table(header, rows)
    if cypher:
        lines += [
            "Neo4j's own shortest path (one `shortestPath` over warm `TIE`s of at most 4 hops,"
            " intermediaries consenting, in Cypher) between the same pairs, beside the whole"
            " route (a search over the cached warm network that ranks the best three paths"
            " exactly, then the reads that explain each hop), both in-process:",
            "",
        ]
        lines += _table(
            ["people", "store", "route p50 / p95 ms", "Cypher p50 / p95 ms",
             "route ÷ Cypher (p50)", "pairs with a path"],
            cypher,
        )  # fmt: skip
    return lines


def _maps(results: Json) -> list[str]:
    rows = []
    for size in results["sizes"]:
        for _store, f in _stores(size):
            m = f.get("maps")
            if not m:
                continue
            people, orgs = m["people"], m["organisations"]
            rows.append(
                [
                    _n(size["people"]),
                    f"{_n(people['nodes'])} / {_n(people['edges'])}",
                    f"**{people['median_drawn_s']}** ({people['ties_drawn_by']})",
                    _s(people["build_s"]),
                    f"{_n(orgs['nodes'])} / {_n(orgs['edges'])}",
                    str(orgs["median_drawn_s"]),
                    _ratio(m["ratio"]),
                    str(len(people["console_errors"]) + len(orgs["console_errors"])),
                    _run_of(results, m),
                ]
            )
    if not rows:
        return []
    lines = [
        "## Maps (issue 7)",
        "",
        "The whole programme's map as the programme team gets it (`visualisations.maps`:"
        " snapshot, betweenness, positions computed in Python, physics off), opened in"
        " headless Chromium (Debian's, through Playwright) in a fresh page each time and"
        " timed from the start of navigation to vis-network's first complete drawing;"
        " median of the repeats. Its peer in the same run: the same network with"
        " organisations collapsed into one node each. Building the map (Python) is shown"
        " apart: the API pays it once per request.",
        "",
    ]
    return lines + _table(
        ["people", "map nodes / ties", "drawn in Chromium s (ties drawn by)", "built in Python s",
         "collapsed nodes / ties", "collapsed drawn s", "map ÷ collapsed", "console errors",
         "run"],
        rows,
    )  # fmt: skip


def _memory(results: Json) -> list[str]:
    rows = [
        [
            p["name"],
            _s(p["seconds"]),
            _n(p.get("peak_mb", p.get("maxrss_mb")), 0),
            " ".join(str(x) for x in p["loadavg_before"]),
            " ".join(str(x) for x in p["loadavg_after"]),
        ]
        for p in results["phases"]
    ]
    servers, builds = [], []
    for size in results["sizes"]:
        for store, f in _stores(size):
            peak = (f.get("http") or {}).get("server_peak_mb")
            if peak is not None:
                servers.append(f"{_n(size['people'])} people on {store}: {_n(peak, 0)} MiB")
            built = ((f.get("http") or {}).get("facts") or {}).get("warm_network")
            if built:
                builds.append(
                    f"{_n(size['people'])} people on {store}: {_s(built['build_s'])} s"
                    f" ({_n(built['ties'])} ties)"
                )
    lines = [
        "## Peak memory and time per phase",
        "",
        "Each phase runs in a fresh process; peak MiB is that process's own high-water mark"
        " (`VmHWM`; `ru_maxrss` is kept in the JSON too, but on Linux a child inherits its"
        " parent's, so it cannot go below the orchestrator's). The Neo4j server's memory is"
        " its JVM's, not counted here.",
        "",
    ]
    lines += _table(["phase", "s", "peak MiB", "load before", "load after"], rows)
    if servers:
        lines += ["API server peak (VmHWM): " + "; ".join(servers) + ".", ""]
    if builds:
        lines += [
            "The warm network the path route keeps, read again after any write (the first"
            " path answer after a write waits for it): " + "; ".join(builds) + ".",
            "",
        ]
    return lines


def _targets(results: Json) -> list[str]:
    lines = ["## Against the issues' targets", ""]
    for size in results["sizes"]:
        neo = size.get("stores", {}).get("neo4j", {})
        ingest = neo.get("ingest")
        if ingest:
            ratio = ingest["ratio_records_per_s"]
            lines.append(
                f"- Issue 3, {_n(size['people'])} people: the batched Neo4j load is "
                f"{_ratio(ratio)} the row-at-a-time one "
                + (
                    f"(target ≥ 20×: {'met' if ratio >= 20 else 'not met'})."
                    if size["people"] == 10_000
                    else "(issue 3 sets its target at 10,000 people; shown for scale)."
                )
            )
        m = size.get("metrics") or {}
        auto, ig = m.get("auto"), m.get("igraph")
        peer, route = _igraph_same_work(auto or {}, ig or {})
        if size["people"] >= 10_000 and peer and route:
            ratio = route / peer
            lines.append(
                f"- Issue 15, {_n(size['people'])} people: the route's betweenness and components"
                f" take {_ratio(ratio)} igraph's own time for the same work"
                f" (target ≤ 1.2×: {'met' if ratio <= 1.2 else 'not met'})."
            )
        blocks = m.get("networkx_blocks") or {}
        if size["people"] >= 10_000 and auto and blocks.get("estimated") is False:
            ratio = blocks["seconds"] / auto["seconds"]
            lines.append(
                f"- Issue 15, {_n(size['people'])} people: the whole suite by the service's route"
                f" is {_ratio(ratio)} faster than plain networkx measured block by block on a"
                f" plain graph (target ≥ 5×: {'met' if ratio >= 5 else 'not met'})."
            )
        if size["people"] >= 100_000 and neo:
            paths = (neo.get("http") or {}).get("http", {}).get("paths", {})
            for c, x in paths.items():
                met = "met" if x["p95_ms"] < 100 else "not met"
                lines.append(
                    f"- Issue 8: introduction path p95 over HTTP ×{c} on Neo4j at"
                    f" {_n(size['people'])} people: {x['p95_ms']} ms (target < 100 ms: {met};"
                    f" {x['throughput_rps']} answers/s)."
                )
            if ingest:
                b = ingest["batched"]
                ties = (b.get("store_counts") or {}).get("tie")
                met = "met" if b["seconds"] < 300 else "not met"
                lines.append(
                    f"- Issue 8: {_n(size['people'])} people ({_n(ties)} ties,"
                    f" {_n(b['records'])} records) load into Neo4j in {_s(b['seconds'])} s,"
                    f" {_n(b['records_per_s'])} records/s, peak {_peak(ingest)} MiB in the"
                    f" loading process (target < 300 s: {met};"
                    f" it needs {_n(b['records'] / 300)} records/s)."
                )
    for size in results["sizes"]:
        m = size.get("stores", {}).get("sqlite", {}).get("maps")
        if size["people"] >= 10_000 and m:
            drawn = m["people"]["median_drawn_s"]
            lines.append(
                f"- Issue 7: the map of {_n(size['people'])} people finishes drawing in Chromium"
                f" in {drawn} s (aim < 10 s: {'met' if drawn < 10 else 'not met'})."
            )
    if not any(s["people"] >= 100_000 for s in results["sizes"]):
        lines.append(
            "- Issue 8's 100,000-people targets are not measured by the runs in this file"
            " (`python -m benchmarks --large`)."
        )
    lines.append("")
    return lines


def _is_run(path: Path) -> bool:
    """A full run's file: ``<timestamp>.json``, not ``latest`` and not a ``--quick`` smoke run."""
    return path.suffix == ".json" and path.stem[:1].isdigit() and not path.stem.endswith("quick")


def merge_runs(runs: Sequence[Json]) -> Json:
    """The latest figures per (size, store, phase) over ``runs``, each tagged with its run.

    Size-wide results (``generated``, ``metrics``) are taken whole from the latest run
    that has them. The top level (command, machine, config) is the latest run's; ``runs``
    lists every run that contributed a figure.
    """
    ordered = sorted(runs, key=lambda r: r["started_at"])
    if not ordered:
        raise ValueError("no benchmark runs to merge")
    sizes: dict[int, Json] = {}
    failed: dict[int, str] = {}
    for run in ordered:
        stamp = run["started_at"]
        for size in run.get("sizes", []):
            merged = sizes.setdefault(size["people"], {"people": size["people"], "stores": {}})
            if "error" in size:
                merged["error"] = size["error"]
                failed[size["people"]] = stamp
                continue
            merged.pop("error", None)
            for key in ("generated", "metrics"):
                if size.get(key):
                    merged[key] = {**size[key], "run": stamp}
            for store, figures in size.get("stores", {}).items():
                target = merged["stores"].setdefault(store, {})
                for phase, value in figures.items():
                    if isinstance(value, dict):
                        target[phase] = {**value, "run": stamp}
                    elif value is not None:
                        target[phase] = value
    used = {failed[p] for p in failed if "error" in sizes[p]}
    for merged in sizes.values():
        used |= {merged[k]["run"] for k in ("generated", "metrics") if k in merged}
        for figures in merged["stores"].values():
            used |= {v["run"] for v in figures.values() if isinstance(v, dict)}
    latest = ordered[-1]
    return {
        **latest,
        "sizes": [sizes[people] for people in sorted(sizes)],
        "runs": [_run_summary(r) for r in ordered if r["started_at"] in used],
    }


def _run_summary(run: Json) -> Json:
    m = run["machine"]
    return {
        "started_at": run["started_at"],
        "finished_at": run.get("finished_at"),
        "duration_s": run.get("duration_s"),
        "command": run.get("command"),
        "git_commit": m.get("git_commit"),
        "git_dirty": m.get("git_dirty"),
        "load": m.get("load_1min_during_run", {}),
        "neo4j_heap": m.get("neo4j_heap"),
        "neo4j_memory": m.get("neo4j_memory"),
    }


def load_results(path: Path) -> Json:
    """``latest.json`` means every run in its folder, merged; any other file is read alone."""
    if path.name == "latest.json":
        files = sorted(p for p in path.parent.glob("*.json") if _is_run(p))
        if files:
            return merge_runs([json.loads(p.read_text()) for p in files])
    return dict(json.loads(path.read_text()))


def _run_of(results: Json, figure: Json) -> str:
    """Which run measured ``figure``, as the start time and the mean load during it."""
    stamp = str(figure.get("run") or "")
    run = next((r for r in results.get("runs", []) if r["started_at"] == stamp), None)
    if run is None:
        return ""
    return f"{stamp[:16]}, load {run['load'].get('mean')}"


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
    return lines + _table(
        ["started (UTC)", "command", "s", "commit", "load min / mean / max"],
        (
            [
                r["started_at"],
                f"`{r['command']}`",
                _s(r["duration_s"]),
                f"{r['git_commit']}" + (" (+ changes)" if r.get("git_dirty") else ""),
                f"{r['load'].get('min')} / {r['load'].get('mean')} / {r['load'].get('max')}",
            ]
            for r in runs
        ),
    )


def render(results: Json, source: str = "benchmarks/results/latest.json") -> str:
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
            lines += [f"**{_n(size['people'])} people: the run failed:**", "", "```",
                      size["error"].strip(), "```", ""]  # fmt: skip
    lines += _targets(results)
    lines += _runs(results)
    lines += _machine(results)
    lines += _generated(results)
    lines += _ingest(results)
    lines += _snapshots(results)
    lines += _suite(results)
    lines += _latency(results)
    lines += _maps(results)
    lines += _memory(results)
    return "\n".join(lines).rstrip() + "\n"


def write_report(results_path: Path = DEFAULT_RESULTS, target: Path = DEFAULT_TARGET) -> Path:
    results = load_results(results_path)
    try:
        source = results_path.resolve().relative_to(HERE.parent).as_posix()
    except ValueError:
        source = results_path.name
    if results.get("runs"):
        source = f"{Path(source).parent.as_posix()}/*.json, merged"
    target.write_text(render(results, source))
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
