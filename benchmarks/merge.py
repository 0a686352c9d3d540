"""Benchmark runs read and merged: the latest figure per size, store and phase.

A partial run (``--only ingest``, ``--sizes 100000``) replaces only what it
measured; each figure keeps the run it came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import Json

__all__ = ["as_run", "cli_start_runs", "is_run", "load_results", "merge_runs"]


def is_run(path: Path) -> bool:
    """A run's file: ``<timestamp>.json`` or a ``benchmarks.loaded`` one
    (``<timestamp>-loaded-<store>.json``), not ``latest``, not a ``--quick`` smoke run,
    not ``benchmarks.cli_start``'s (``<timestamp>-cli-start.json``: :func:`cli_start_runs`)
    nor ``benchmarks.first_path``'s (``<timestamp>-first-path-<store>.json``)."""
    stem = path.stem
    return (
        path.suffix == ".json"
        and stem[:1].isdigit()
        and not stem.endswith(("quick", CLI_START_SUFFIX))
        and "-first-path-" not in stem
    )


CLI_START_SUFFIX = "-cli-start"


def cli_start_runs(folder: Path) -> list[Json]:
    """``benchmarks.cli_start``'s results in ``folder``, oldest first."""
    files = sorted(folder.glob(f"*{CLI_START_SUFFIX}.json"))
    return [dict(json.loads(p.read_text())) for p in files]


def as_run(found: Json) -> Json:
    """A ``benchmarks.loaded`` file (one store's HTTP phase on a store already loaded) in
    the shape of a ``python -m benchmarks`` run: its figures are that size's and store's
    ``http`` phase. The size is the file's ``people``, or else the ``people-N`` folder its
    command names (files written before ``people`` was recorded)."""
    if "http" not in found or "sizes" in found:
        return found
    people = found.get("people")
    if people is None:
        named = re.search(r"people-(\d+)", found.get("command", ""))
        if named is None:
            raise ValueError(f"a loaded run of {found['started_at']} names no programme size")
        people = int(named.group(1))
    return {
        **found,
        "sizes": [{"people": people, "stores": {found["store"]: {"http": found["http"]}}}],
    }


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
        files = sorted(p for p in path.parent.glob("*.json") if is_run(p))
        if files:
            return merge_runs([as_run(json.loads(p.read_text())) for p in files])
    return dict(json.loads(path.read_text()))
