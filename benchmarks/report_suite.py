"""The analytics section of ``BENCHMARKS.md``: the metrics suite per size, the route
against plain networkx and igraph, and where its time goes."""

from __future__ import annotations

from benchmarks.common import Json
from benchmarks.report_format import md_table, num, peak_mib, secs, times

__all__ = ["igraph_same_work", "suite_tables"]


def _plain(m: Json) -> tuple[float | None, str, bool]:
    """Plain networkx's seconds, how to show them, and whether they are an estimate."""
    full, blocks = m.get("networkx") or {}, m.get("networkx_blocks") or {}
    if full.get("seconds") is not None:
        return full["seconds"], secs(full["seconds"]), False
    if blocks.get("seconds") is not None:
        if blocks.get("estimated") is False:
            return blocks["seconds"], f"{secs(blocks['seconds'])} (block by block)", False
        return blocks["seconds"], f"≈ {secs(blocks['seconds'])} (estimate¹)", True
    if full.get("finished") is False:
        return None, f"> {secs(full['budget_s'])} (stopped)", False
    return None, "—", False


def igraph_same_work(auto: Json, ig: Json) -> tuple[float | None, float | None]:
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


def suite_tables(results: Json) -> list[str]:
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
        ig_s, route_same = igraph_same_work(auto, ig)
        nx_ratio = "—"
        if nx_s and auto_s:
            nx_ratio = ("≈ " if estimated else "") + times(nx_s / auto_s)
        elif full.get("finished") is False and auto_s:
            nx_ratio = f"> {times(full['budget_s'] / auto_s)}"
        same = m.get("same_answers")
        rows.append(
            [
                num(size["people"]),
                nx_text,
                secs(auto_s),
                f"**{nx_ratio}**",
                secs(ig_s),
                times(route_same / ig_s) if route_same and ig_s else "—",
                "yes" if auto.get("betweenness_estimated") else "no",
                f"{same['max_abs_diff']:.1e}" if same else "—",
                peak_mib(auto),
            ]
        )
        if full.get("seconds") is not None and by_block.get("seconds") is not None:
            checks.append(
                f"{num(size['people'])} people: estimate {secs(by_block['seconds'])} s,"
                f" whole suite measured {secs(full['seconds'])} s"
            )
        labels: list[str] = []
        for route in (full, by_block, auto):
            for label in route.get("blocks_s", {}):
                if label not in labels:
                    labels.append(label)
        for label in labels:
            blocks.append(
                [
                    num(size["people"]),
                    label,
                    secs(full.get("blocks_s", {}).get(label)),
                    secs(by_block.get("blocks_s", {}).get(label)),
                    secs(auto.get("blocks_s", {}).get(label)),
                ]
            )
    lines += md_table(
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
    lines += md_table(
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
                num(size["people"]),
                secs(ig["build_s"]),
                secs(ig["components_s"]),
                secs(ig["betweenness_exact_s"]),
                secs(ig["betweenness_same_sources_s"]),
                f"{diff:.1e}" if diff is not None else "— (exact on both)",
            ]
        )
    lines += [
        "igraph alone, on the same snapshot (the last two columns: igraph's betweenness from"
        " the same 500 sources networkx samples, and its largest difference from the"
        " route's networkx estimate):",
        "",
    ]
    lines += md_table(
        ["people", "build s", "components s", "exact betweenness s",
         "betweenness, same 500 sources s", "largest difference from the estimate"],
        extra,
    )  # fmt: skip
    return lines
