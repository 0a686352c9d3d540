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


def _ratio_rounds(i: Json) -> tuple[str, str, str]:
    """(row at a time s per round, batched s per round, ratios per round and median): only
    runs that alternated rounds on the same sample; older single-run ratios are withdrawn."""
    rounds = i.get("rounds")
    if not isinstance(rounds, list):
        return "—", "—", "— (one run, against a different sample: withdrawn)"
    base = ", ".join(secs(r["row_at_a_time_s"]) for r in rounds)
    batched = ", ".join(secs(r["batched_s"]) for r in rounds)
    ratios = ", ".join(times(r["ratio"]) for r in rounds)
    return base, batched, f"{ratios}; median **{times(i['ratio'])}**"


def ingest_tables(results: Json) -> list[str]:
    rows, ratios, steps = [], [], []
    for size in results["sizes"]:
        for store, f in stores_of(size):
            i = f.get("ingest")
            if not i:
                continue
            b = i["batched"]
            rows.append(
                [
                    num(size["people"]),
                    store,
                    num(b["rows"]),
                    num(b["records"]),
                    f"**{secs(b['seconds'])}**",
                    num(b["rows_per_s"]),
                    num(b["records_per_s"]),
                    num((b.get("store_counts") or {}).get("tie")),
                    peak_mib(i),
                    run_of(results, i),
                ]
            )
            base, batched, ratio = _ratio_rounds(i)
            sample = i.get("row_at_a_time") or {}
            ratios.append(
                [
                    num(size["people"]),
                    store,
                    f"{num(i.get('sample_bundles'))} bundles, {num(sample.get('records'))} records"
                    if "rounds" in i and isinstance(i["rounds"], list)
                    else "—",
                    base,
                    batched,
                    ratio,
                    times(i.get("ratio_write_step")) if isinstance(i.get("rounds"), list) else "—",
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
        "## Ingest (issues 3 and 8)",
        "",
        "The whole programme, batched, once: every bundle through `load_bundle` (read,"
        " validate against the store, derive, one transaction per bundle, journaled for"
        " rollback), into an empty store. A *record* is what the load reports written:"
        " the input rows plus the cohort-peer and project ties derived from them (counted"
        " as the store would have stored them, though it now derives them when read); the"
        " ties column is what the store counts, derived ones included.",
        "",
    ]
    lines += md_table(
        ["people", "store", "input rows", "records", "batched s", "rows/s", "records/s",
         "ties (derived counted)", "peak MiB", "run (UTC), mean load"],
        rows,
    )  # fmt: skip
    lines += [
        "The batched load beside row at a time, in the same run: three alternating rounds,"
        " each side loading the same first bundles into an emptied store (row at a time:"
        " each bundle validated untimed, then every record of its validated batch in its"
        " own `store.apply`, without the journal; batched: `load_bundle`, reading and"
        " checking included). Ratio: row-at-a-time seconds over batched seconds, per round,"
        " and their median (the figure quoted). The write-step ratio sets the baseline"
        " beside the batched load's write step alone.",
        "",
    ]
    lines += md_table(
        ["people", "store", "sample", "row at a time s (rounds)", "batched s (rounds)",
         "ratio per round; median", "ratio, write step only (median)", "run (UTC), mean load"],
        ratios,
    )  # fmt: skip
    lines += ["Where the whole batched load's time goes:", ""]
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


def served_by_workers(h: Json) -> list[tuple[str, Json]]:
    """An HTTP phase's figures by the server's worker count (a run from before
    ``--workers`` served with one)."""
    by = h.get("http_by_workers") or {"1": {"http": h.get("http") or {}}}
    return [(w, by[w]["http"]) for w in sorted(by, key=int)]


def latency_tables(results: Json) -> list[str]:
    conc = [str(c) for c in results["config"]["concurrency"]]
    header = ["people", "store", "endpoint", "in-process p50 / p95 ms"]
    for c in conc:
        header += [f"HTTP ×{c} p50 / p95 ms", f"×{c} req/s"]
    header += ["HTTP ×1 p50 ÷ in-process p50", "n (HTTP)"]
    rows, cypher, searched, written = [], [], [], []
    for size in results["sizes"]:
        for store, f in stores_of(size):
            h = f.get("http")
            if not h:
                continue
            if "search_peers" in h:
                searched.append((num(size["people"]), store, h["search_peers"]))
            for workers, served in served_by_workers(h):
                for endpoint in ("search", "contacts", "paths"):
                    ip = h["in_process"][endpoint]
                    label = endpoint if workers == "1" else f"{endpoint}, {workers} workers"
                    row = [num(size["people"]), store, label, f"{ip['p50_ms']} / {ip['p95_ms']}"]
                    counts = []
                    for c in conc:
                        x = served.get(endpoint, {}).get(c)
                        if x is None:
                            row += ["—", "—"]
                            continue
                        row += [f"{x['p50_ms']} / **{x['p95_ms']}**", num(x["throughput_rps"], 1)]
                        counts.append(str(x["n"]))
                    one = served.get(endpoint, {}).get("1")
                    ratio = one["p50_ms"] / ip["p50_ms"] if one and ip["p50_ms"] else None
                    row.append(times(ratio) if ratio else "—")
                    row.append(" / ".join(counts))
                    rows.append(row)
            beside = h.get("paths_beside_cypher")
            if beside:
                route, cy = beside["route"], beside["cypher"]
                cypher.append(
                    [
                        num(size["people"]),
                        store,
                        f"{route['p50_ms']} / {route['p95_ms']}",
                        f"{cy['p50_ms']} / {cy['p95_ms']}" if cy["n"] else "—",
                        f"{cy['timed_out']} of {beside['pairs']} (stopped at {cy['timeout_s']} s)",
                        f"{cy['found']} of {cy['n']}",
                        times(route["p50_ms"] / cy["p50_ms"]) if cy.get("p50_ms") else "—",
                        run_of(results, h),
                    ]
                )
            after = h.get("after_write")
            if after:
                written.append(
                    [
                        num(size["people"]),
                        store,
                        f"{secs(after['load_s'])} s ({num(after['records'])} records)",
                        f"**{num(after['first_path_ms'], 1)}**",
                        num(after["next_path_ms"], 1),
                        f"{after['caught_up_by_delta']} / {after['read_whole']}",
                        secs(((h.get("facts") or {}).get("warm_network") or {}).get("build_s")),
                        run_of(results, h),
                    ]
                )
    lines = [
        "## Latency (issue 5)",
        "",
        "Over HTTP: `alumni-graph serve` on a free loopback port in its own process (one"
        " uvicorn worker unless the endpoint names more, access log on; timed once every"
        " worker that reads its warm network as it starts has read it), requests from a"
        " second process, ×1 or ×4 client threads with keep-alive connections; latency is"
        " per request, send to last byte."
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
            "Cypher's own shortest path beside the route, on the same 50 sampled pairs in one"
            " loop, pair by pair (route, then Cypher), both in-process. Cypher:"
            " `shortestPath` over warm ties (cohort-peer and project ties walked through"
            " their cohort or project, as Neo4j holds them: `*..8` relationships), its only"
            " inner predicate universal on relationships, so Neo4j plans its bidirectional"
            " search with no exhaustive fallback; hop limit and consent filtered on the path"
            " it returns. Its percentiles are over the searches that answered; those stopped"
            " at the timeout are counted apart. The route: a search over the cached warm"
            " network that ranks the best three paths exactly, then the reads that explain"
            " each hop.",
            "",
        ]
        lines += md_table(
            ["people", "store", "route p50 / p95 ms", "Cypher p50 / p95 ms (answered)",
             "Cypher timed out", "Cypher found a path", "route ÷ Cypher (p50)",
             "run (UTC), mean load"],
            cypher,
        )  # fmt: skip
    lines += search_lines(searched)
    if written:
        lines += [
            "The first introduction path after a write: one cohort of 50 new people loaded"
            " through `load_bundle` (as an upload does) while the route's warm network is"
            " current, then the same introduction asked twice; the first answer waits for"
            " the network to catch up with the write (by its delta, from the store's change"
            " log, or by reading it whole). Beside it, the whole read of the network when the"
            " workload was built.",
            "",
        ]
        lines += md_table(
            ["people", "store", "the write", "first path after it ms", "next path ms",
             "caught up by delta / read whole", "whole read s", "run (UTC), mean load"],
            written,
        )  # fmt: skip
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
    return ["", *lines, ""] if lines else []


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
