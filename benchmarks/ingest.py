"""Issue 3: the batched load beside a row-at-a-time baseline, and the whole programme's load.

Measured in the same run on an empty store of the same kind, after one untimed load
of the first bundle (then emptied again) has warmed the server:

- **three alternating rounds on a sample** (the first ``sample_bundles`` bundles),
  each side writing the same records into an emptied store:
  - **row at a time**: each bundle validated against the store (untimed), then every
    record of its validated batch (every kind, parents first) written by its own
    ``store.apply(Batch(record))``, and one write naming the cohorts and projects
    whose ties are derived when read; no ingest run is recorded, so the baseline is
    spared the journal the batched load writes (the ratio is, if anything,
    understated);
  - **batched**: the same bundles through ``ingest.pipeline.load_bundle``: read,
    validate against the store, derive, one transaction per bundle (reading and
    checking included in its time, not in the baseline's);
  the ratio is the baseline's seconds over the batched seconds, median of the rounds;
- **the whole programme**, batched, once: the load time quoted per size, with the
  time of each step.
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


def _row_at_a_time(url: str, paths: list[Path]) -> Json:
    """The same records the batched load of ``paths`` writes, each in its own ``apply``.

    Each bundle is validated against the store as it stands (untimed: the baseline is
    spared reading and checking), then its records are written one by one, parents
    first, and last one write naming the cohorts and projects whose ties are derived."""
    store = fresh_store(url)
    kinds: dict[str, int] = {}
    written = 0
    seconds = 0.0
    try:
        for path in paths:
            checked = validate_bundle(read_bundle(path), store, salt=SALT)
            if not checked.ok:
                raise RuntimeError(f"{path.name}: {checked.errors[:3]}")
            records = [(model, r) for model, rs in checked.batch.by_kind() for r in rs]
            with stopwatch() as elapsed:
                for model, record in records:
                    batch = Batch()
                    batch.of(model).append(record)
                    store.apply(batch)
                    kinds[model.kind] = kinds.get(model.kind, 0) + 1
                    written += 1
                if checked.batch.derived:
                    store.apply(Batch(derived=list(checked.batch.derived)))
            seconds += elapsed()
        counts = store.counts()
    finally:
        store.close()
    return {
        "bundles": len(paths),
        "store_counts": counts,
        "records": written,
        "kinds": kinds,
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


def run_ingest(url: str, bundles: str, sample_bundles: int = 2, rounds: int = 3) -> Json:
    """``rounds`` alternating rounds on the first ``sample_bundles`` bundles, then one
    batched load of the whole programme.

    In each round the row-at-a-time baseline and the batched load write the same
    bundles into an emptied store, so their ratio (baseline seconds over batched
    seconds) compares the same work; the two sides alternate, so a spell of machine
    load falls on both, and the ratio quoted is the median of the rounds' own ratios,
    every round kept. The whole programme is then loaded once, batched, and timed (the
    store is left holding it, for the phases that follow).
    """
    paths = bundle_paths(Path(bundles))
    sample = paths[: max(1, sample_bundles)]
    _warm_up(url, paths[0])
    kept: list[Json] = []
    for _ in range(rounds):
        baseline = _row_at_a_time(url, sample)
        batched = _batched(url, sample)
        kept.append(
            {
                "row_at_a_time": baseline,
                "batched": batched,
                "ratio": baseline["seconds"] / batched["seconds"],
                "ratio_write_step": baseline["seconds"] / (batched["steps_s"]["writing"] or 1e-9),
            }
        )
    whole = _batched(url, paths)
    return {
        "batched": whole,  # the whole programme, one run
        "sample_bundles": len(sample),
        "rounds": [
            {
                "row_at_a_time_s": r["row_at_a_time"]["seconds"],
                "row_at_a_time_records": r["row_at_a_time"]["records"],
                "batched_s": r["batched"]["seconds"],
                "batched_records": r["batched"]["records"],
                "batched_write_s": r["batched"]["steps_s"]["writing"],
                "ratio": round(r["ratio"], 2),
                "ratio_write_step": round(r["ratio_write_step"], 2),
            }
            for r in kept
        ],
        "ratio": round(statistics.median(r["ratio"] for r in kept), 2),
        "ratio_write_step": round(statistics.median(r["ratio_write_step"] for r in kept), 2),
        "row_at_a_time": kept[0]["row_at_a_time"],
        "sample_batched": kept[0]["batched"],
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
