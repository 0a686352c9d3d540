"""The store-facing sections of ``BENCHMARKS.md``: ingest, snapshots, HTTP latency,
maps and memory, per size and store."""

from __future__ import annotations

from benchmarks.common import Json
from benchmarks.report_format import md_table, num, peak_mib, run_of, secs, stores_of, times
from benchmarks.search_peers import search_lines

__all__ = ["latency_tables", "map_tables", "memory_tables", "ingest_tables", "snapshot_tables"]

ENDPOINT_TEXT = {
    "search": "`GET /people?q=` (programme key)",
    "contacts": "`GET /people/{id}/contacts?scope=other-organisations` (programme key)",
    "paths": "`GET /paths/introduction?to=` (alumni key, from themselves)",
}


def ingest_tables(results: Json) -> list[str]:
    rows, steps = [], []
    for size in results["sizes"]:
        for store, f in stores_of(size):
            i = f.get("ingest")
            if not i:
                continue
            b, base = i["batched"], i["row_at_a_time"]
            rows.append(
                [
                    num(size["people"]),
                    store,
                    num(b["rows"]),
                    num(b["records"]),
                    secs(b["seconds"]),
                    num(b["rows_per_s"]),
                    num(b["records_per_s"]),
                    f"{num(base['records_per_s'])} ({num(base['records'])} records"
                    + (", time budget" if base.get("stopped_by_budget") else "")
                    + ")",
                    f"**{times(i['ratio_records_per_s'])}**",
                    times(i["ratio_write_step"]),
                    peak_mib(i),
                    run_of(results, i),
                ]
            )
            st = b["steps_s"]
            total = sum(st.values()) or 1.0
            steps.append(
                [
                    num(size["people"]),
                    store,
                    *(f"{secs(st[k])} ({st[k] / total:.0%})" for k in ("reading", "checking",
                                                                       "writing")),
                    num(b["write_records_per_s"]),
                    f"{secs(b['first_tenth_s_per_bundle'])} → {secs(b['last_tenth_s_per_bundle'])}",
                    num(b.get("store_mib"), 0),
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
    lines += md_table(
        ["people", "store", "input rows", "records", "batched s", "rows/s", "records/s",
         "row at a time, records/s", "ratio", "ratio, write step only", "peak MiB",
         "run (UTC), mean load"],
        rows,
    )  # fmt: skip
    lines += ["Where the batched load's time goes:", ""]
    lines += md_table(
        ["people", "store", "read", "validate", "write", "write step records/s",
         "s per bundle, first tenth → last tenth", "store on disk MiB"],
        steps,
    )  # fmt: skip
    return lines


def snapshot_tables(results: Json) -> list[str]:
    rows = []
    for size in results["sizes"]:
        for store, f in stores_of(size):
            s = f.get("snapshot")
            if not s:
                continue
            rows.append(
                [
                    num(size["people"]),
                    store,
                    num(s["nodes"]),
                    num(s["edges"]),
                    secs(s["best_s"]),
                    secs(s["median_s"]),
                    str(len(s["seconds"])),
                    peak_mib(s),
                ]
            )
    lines = [
        "## Snapshot and metric suite (issue 4)",
        "",
        "`store.snapshot(as_of)` with the spec's default tie kinds, as of a date after every"
        " tie. Both stores give the same graph when the digest of nodes and edges agrees.",
        "",
    ]
    lines += md_table(
        ["people", "store", "nodes", "edges", "best s", "median s", "runs", "peak MiB"], rows
    )
    for size in results["sizes"]:
        m = size.get("metrics")
        if m is not None:
            lines.append(
                f"- {num(size['people'])} people: snapshots equal across stores: "
                f"{'yes' if m.get('snapshots_equal') else 'no'}"
            )
    lines.append("")
    return lines


def latency_tables(results: Json) -> list[str]:
    conc = [str(c) for c in results["config"]["concurrency"]]
    header = ["people", "store", "endpoint", "in-process p50 / p95 ms"]
    for c in conc:
        header += [f"HTTP ×{c} p50 / p95 ms", f"×{c} req/s"]
    header += ["HTTP ×1 p50 ÷ in-process p50", "n (HTTP)"]
    rows, cypher, searched = [], [], []
    for size in results["sizes"]:
        for store, f in stores_of(size):
            h = f.get("http")
            if not h:
                continue
            if "search_peers" in h:
                searched.append((num(size["people"]), store, h["search_peers"]))
            for endpoint in ("search", "contacts", "paths"):
                ip = h["in_process"][endpoint]
                row = [num(size["people"]), store, endpoint, f"{ip['p50_ms']} / {ip['p95_ms']}"]
                counts = []
                for c in conc:
                    x = h["http"].get(endpoint, {}).get(c)
                    if x is None:
                        row += ["—", "—"]
                        continue
                    row += [f"{x['p50_ms']} / **{x['p95_ms']}**", num(x["throughput_rps"], 1)]
                    counts.append(str(x["n"]))
                one = h["http"].get(endpoint, {}).get("1")
                row.append(times(one["p50_ms"] / ip["p50_ms"]) if one and ip["p50_ms"] else "—")
                row.append(" / ".join(counts))
                rows.append(row)
            if "cypher_shortest_path" in h:
                cy, ip = h["cypher_shortest_path"], h["in_process"]["paths"]
                cypher.append(
                    [
                        num(size["people"]),
                        store,
                        f"{ip['p50_ms']} / {ip['p95_ms']}",
                        f"{cy['p50_ms']} / {cy['p95_ms']}",
                        times(ip["p50_ms"] / cy["p50_ms"]) if cy["p50_ms"] else "—",
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
    lines += md_table(header, rows)
    if cypher:
        lines += [
            "Neo4j's own shortest path (one `shortestPath` over warm `TIE`s of at most 4 hops,"
            " intermediaries consenting, in Cypher) between the same pairs, beside the whole"
            " route (a search over the cached warm network that ranks the best three paths"
            " exactly, then the reads that explain each hop), both in-process:",
            "",
        ]
        lines += md_table(
            ["people", "store", "route p50 / p95 ms", "Cypher p50 / p95 ms",
             "route ÷ Cypher (p50)", "pairs with a path"],
            cypher,
        )  # fmt: skip
    lines += search_lines(searched)
    return lines


def map_tables(results: Json) -> list[str]:
    rows = []
    for size in results["sizes"]:
        for _store, f in stores_of(size):
            m = f.get("maps")
            if not m:
                continue
            people, orgs = m["people"], m["organisations"]
            rows.append(
                [
                    num(size["people"]),
                    f"{num(people['nodes'])} / {num(people['edges'])}",
                    f"**{people['median_drawn_s']}** ({people['ties_drawn_by']})",
                    secs(people["build_s"]),
                    f"{num(orgs['nodes'])} / {num(orgs['edges'])}",
                    str(orgs["median_drawn_s"]),
                    times(m["ratio"]),
                    str(len(people["console_errors"]) + len(orgs["console_errors"])),
                    run_of(results, m),
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
    return lines + md_table(
        ["people", "map nodes / ties", "drawn in Chromium s (ties drawn by)", "built in Python s",
         "collapsed nodes / ties", "collapsed drawn s", "map ÷ collapsed", "console errors",
         "run"],
        rows,
    ) + _built_and_drawn(results)  # fmt: skip


def _built_and_drawn(results: Json) -> list[str]:
    """Issue 15: each map built (first in a fresh process, cold, warm), its page written
    and drawn, together against the 3 s target (runs from before issue 15 have none)."""
    lines = []
    for size in results["sizes"]:
        for _store, f in stores_of(size):
            m = f.get("maps")
            if not m or "warm_build_s" not in m["people"]:
                continue
            for name in ("people", "organisations"):
                p = m[name]
                together = ", ".join(
                    f"{run} {p[f'{run}_built_and_drawn_s']} s" for run in ("first", "cold", "warm")
                )
                lines.append(
                    f"- {num(size['people'])} people, map of {name}: built first"
                    f" {p['build_s']} s + page {p['html_s']} s, cold {p['cold_build_s']} s"
                    f" + {p['cold_html_s']} s, warm {p['warm_build_s']} s +"
                    f" {p['warm_html_s']} s; drawn {p['median_drawn_s']} s; built and drawn"
                    f" (target < {m.get('target_s', 3.0):g} s): {together}."
                )
    return ["", *lines] if lines else []


def memory_tables(results: Json) -> list[str]:
    rows = [
        [
            p["name"],
            secs(p["seconds"]),
            num(p.get("peak_mb", p.get("maxrss_mb")), 0),
            " ".join(str(x) for x in p["loadavg_before"]),
            " ".join(str(x) for x in p["loadavg_after"]),
        ]
        for p in results["phases"]
    ]
    servers, builds = [], []
    for size in results["sizes"]:
        for store, f in stores_of(size):
            peak = (f.get("http") or {}).get("server_peak_mb")
            if peak is not None:
                servers.append(f"{num(size['people'])} people on {store}: {num(peak, 0)} MiB")
            built = ((f.get("http") or {}).get("facts") or {}).get("warm_network")
            if built:
                builds.append(
                    f"{num(size['people'])} people on {store}: {secs(built['build_s'])} s"
                    f" ({num(built['ties'])} ties)"
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
    lines += md_table(["phase", "s", "peak MiB", "load before", "load after"], rows)
    if servers:
        lines += ["API server peak (VmHWM): " + "; ".join(servers) + ".", ""]
    if builds:
        lines += [
            "The warm network the path route keeps, read again after any write (the first"
            " path answer after a write waits for it): " + "; ".join(builds) + ".",
            "",
        ]
    return lines
