"""Issue 3: rows per second through ``load_bundle``, beside a row-at-a-time baseline.

Both are measured in the same run on an empty store of the same kind, after
one untimed load of the first bundle (then emptied again) has warmed the server,
in three alternating rounds whose median ratio is the one quoted:

- **row at a time**: the first ``sample`` records of the first cohort's
  validated batch (every kind, parents first, ties making up most of them, as
  in the full load), or as many as a time budget allows, each written by its
  own ``store.apply(Batch(record))``; no ingest run is recorded, so the
  baseline is spared the journal the batched load writes (the ratio is, if
  anything, understated);
- **batched**: every bundle of the programme, oldest first, through
  ``ingest.pipeline.load_bundle``: read, validate against the store, derive the
  ties, one transaction per bundle; the time of each step is kept.
"""

from __future__ import annotations

import hashlib
import statistics
import time
from pathlib import Path

from benchmarks.common import Json, stopwatch
from benchmarks.stores import fresh_store, store_mib
from graph.store import Batch
from graph.stores import open_store
from ingest.pipeline import load_bundle
from ingest.read import read_bundle
from ingest.validate import validate_bundle

__all__ = ["SALT", "bundle_paths", "holds_programme", "load_programme", "run_ingest"]

SALT = "alumni-graph-benchmarks"
"""Person ids are keyed hashes of emails: every phase must use the same key."""


def bundle_paths(folder: Path) -> list[Path]:
    return sorted(folder.glob("cohort-*.json"))


def _warm_up(url: str, first_bundle: Path) -> None:
    """Load the first bundle once, untimed, so neither measurement pays for a cold server
    (Neo4j's JIT) or cold caches; the next ``fresh_store`` empties it again."""
    store = fresh_store(url)
    try:
        load_bundle(first_bundle, store, salt=SALT)
    finally:
        store.close()


def _row_at_a_time(url: str, first_bundle: Path, sample: int, budget_s: float) -> Json:
    store = fresh_store(url)
    try:
        checked = validate_bundle(read_bundle(first_bundle), store, salt=SALT)
        if not checked.ok:
            raise RuntimeError(f"{first_bundle.name}: {checked.errors[:3]}")
        records = [(model, r) for model, rs in checked.batch.by_kind() for r in rs][:sample]
        kinds: dict[str, int] = {}
        written = 0
        with stopwatch() as elapsed:
            for model, record in records:
                batch = Batch()
                batch.of(model).append(record)
                store.apply(batch)
                kinds[model.kind] = kinds.get(model.kind, 0) + 1
                written += 1
                if elapsed() > budget_s:
                    break
        seconds = elapsed()
    finally:
        store.close()
    return {
        "records": written,
        "kinds": kinds,
        "stopped_by_budget": written < len(records),
        "seconds": round(seconds, 3),
        "records_per_s": round(written / seconds, 1),
        "ms_per_record": round(seconds / written * 1000, 3),
    }


def _batched(url: str, paths: list[Path]) -> Json:
    store = fresh_store(url)
    steps = {"reading": 0.0, "checking": 0.0, "writing": 0.0}
    per_bundle: list[float] = []
    rows = records = warnings = 0
    marks: list[tuple[str, float]] = []

    def progress(step: str, done: int, total: int) -> None:
        marks.append((step, time.perf_counter()))

    try:
        for path in paths:
            marks.clear()
            started = time.perf_counter()
            report = load_bundle(path, store, progress=progress, salt=SALT)
            per_bundle.append(time.perf_counter() - started)
            if not report.ok:
                raise RuntimeError(f"{path.name}: {[str(e) for e in report.errors[:3]]}")
            for (step, at), (_, following) in zip(marks, marks[1:], strict=False):
                steps[step] += following - at
            warnings += len(report.warnings)
            records += sum(report.total(w) for w in ("created", "updated", "unchanged"))
            rows += _bundle_rows(path)
        counts = store.counts()
    finally:
        store.close()
    seconds = sum(per_bundle)
    tenth = max(1, len(per_bundle) // 10)
    return {
        "bundles": len(paths),
        "rows": rows,
        "records": records,
        "warnings": warnings,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds, 1),
        "records_per_s": round(records / seconds, 1),
        "steps_s": {k: round(v, 2) for k, v in steps.items()},
        "write_records_per_s": round(records / steps["writing"], 1) if steps["writing"] else None,
        "first_tenth_s_per_bundle": round(sum(per_bundle[:tenth]) / tenth, 3),
        "last_tenth_s_per_bundle": round(sum(per_bundle[-tenth:]) / tenth, 3),
        "store_counts": counts,
        "store_mib": store_mib(url),
    }


def _bundle_rows(path: Path) -> int:
    raw = read_bundle(path)
    return sum(len(raw.rows(name)) for name in raw.tables)


def run_ingest(
    url: str, bundles: str, sample: int, baseline_budget_s: float = 60.0, rounds: int = 3
) -> Json:
    """``rounds`` rounds of the baseline then the batched load, each into an emptied store.

    The two sides alternate, so a spell of machine load falls on both; the ratios
    quoted are the medians of the rounds' own ratios, and every round is kept. The
    store is left holding the whole programme, for the phases that follow.
    """
    paths = bundle_paths(Path(bundles))
    _warm_up(url, paths[0])
    kept: list[Json] = []
    for _ in range(rounds):
        baseline = _row_at_a_time(url, paths[0], sample, baseline_budget_s)
        batched = _batched(url, paths)
        kept.append(
            {
                "row_at_a_time": baseline,
                "batched": batched,
                "ratio_records_per_s": batched["records_per_s"] / baseline["records_per_s"],
                "ratio_write_step": (batched["write_records_per_s"] or 0)
                / baseline["records_per_s"],
            }
        )
    middle = sorted(kept, key=lambda r: r["ratio_records_per_s"])[len(kept) // 2]
    return {
        **middle,  # the median round's figures, as before, for the report's tables
        "rounds": len(kept),
        "ratio_records_per_s": round(statistics.median(r["ratio_records_per_s"] for r in kept), 1),
        "ratio_write_step": round(statistics.median(r["ratio_write_step"] for r in kept), 1),
        "ratios_by_round": [round(r["ratio_records_per_s"], 1) for r in kept],
        "all_rounds": kept,
    }


def holds_programme(url: str, bundles: str) -> bool:
    """Whether the store at ``url`` holds exactly these bundles, each loaded once (its
    ingest runs name their bytes), so that a phase may reuse it instead of reloading."""
    wanted = sorted(
        hashlib.sha256(path.read_bytes()).hexdigest() for path in bundle_paths(Path(bundles))
    )
    store = open_store(url)
    try:
        return sorted(run.sha256 for run in store.runs()) == wanted
    finally:
        store.close()


def load_programme(url: str, bundles: str) -> Json:
    """Only the batched load (for phases that need a filled store but not ingest figures)."""
    return _batched(url, bundle_paths(Path(bundles)))
