"""The benchmarks' peers: an extra cohort that is really new, and the report's honest ratios
(median of the rounds, Cypher's timeouts counted apart, not folded into its percentiles)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.generate import extra_cohort, generate_bundles
from benchmarks.report_stores import ingest_tables, latency_tables


def test_the_extra_cohort_renames_its_people_cohort_and_projects_but_keeps_earlier_alumni(
    tmp_path: Path,
) -> None:
    generate_bundles(people=150, seed=7, folder=str(tmp_path / "b"))
    last = sorted((tmp_path / "b").glob("cohort-*.json"))[-1]
    before = json.loads(last.read_text())
    after = json.loads(Path(extra_cohort(str(last), str(tmp_path / "x.json"))).read_text())
    own = {row["email"] for row in before["people"]}
    assert {row["email"] for row in after["people"]} == {f"extra.{e}" for e in own}
    assert after["cohort"]["cohort_id"] == "cohort-0003-extra"
    assert all(p["project_id"].startswith("cohort-0003-extra-p") for p in after["projects"])
    # a survey answer naming someone of an earlier cohort still names them
    earlier = [r for r in before["survey"] if r["contact_email"] not in own]
    assert earlier, "the generator names earlier alumni in the last cohort's survey"
    moved = {(r["respondent_email"], r["contact_email"]) for r in after["survey"]}
    assert ("extra." + earlier[0]["respondent_email"], earlier[0]["contact_email"]) in moved
    assert len(after["survey"]) == len(before["survey"])


def _run(size: dict[str, object]) -> dict[str, object]:
    return {
        "started_at": "2026-12-07T01:00:00+00:00",
        "config": {"concurrency": [1]},
        "machine": {"load_1min_during_run": {"mean": 3.5}},
        "sizes": [size],
    }


def test_the_ingest_ratio_is_the_median_of_the_rounds_each_printed() -> None:
    batched = {
        "rows": 10, "records": 30, "seconds": 2.0, "rows_per_s": 5.0, "records_per_s": 15.0,
        "steps_s": {"reading": 0.1, "checking": 0.4, "writing": 1.5},
        "write_records_per_s": 20.0, "first_tenth_s_per_bundle": 0.1,
        "last_tenth_s_per_bundle": 0.1, "store_counts": {"tie": 7},
    }  # fmt: skip
    rounds = [
        {"row_at_a_time_s": 20.0, "batched_s": 1.0, "ratio": 20.0},
        {"row_at_a_time_s": 30.0, "batched_s": 2.0, "ratio": 15.0},
        {"row_at_a_time_s": 10.0, "batched_s": 2.0, "ratio": 5.0},
    ]
    ingest = {
        "batched": batched,
        "rounds": rounds,
        "ratio": 15.0,  # the median of 20, 15 and 5
        "ratio_write_step": 18.0,
        "sample_bundles": 2,
        "row_at_a_time": {"records": 900},
    }
    text = "\n".join(ingest_tables(_run({"people": 10, "stores": {"neo4j": {"ingest": ingest}}})))
    assert "| 20.0, 30.0, 10.0 | 1.00, 2.00, 2.00 | 20.0×, 15.0×, 5.0×; median **15.0×** |" in text
    assert "2 bundles, 900 records" in text
    assert "2026-12-07T01:00, load 3.5" in text


def test_an_old_single_run_ratio_is_shown_withdrawn_not_quoted() -> None:
    batched = {
        "rows": 10, "records": 30, "seconds": 2.0, "rows_per_s": 5.0, "records_per_s": 15.0,
        "steps_s": {"reading": 0.1, "checking": 0.4, "writing": 1.5},
        "write_records_per_s": 20.0, "first_tenth_s_per_bundle": 0.1,
        "last_tenth_s_per_bundle": 0.1,
    }  # fmt: skip
    old = {"batched": batched, "row_at_a_time": {"records": 2000}, "ratio_records_per_s": 21.0}
    text = "\n".join(ingest_tables(_run({"people": 10, "stores": {"neo4j": {"ingest": old}}})))
    assert "withdrawn" in text
    assert "21.0×" not in text


def test_cypher_timeouts_are_a_count_apart_from_its_percentiles() -> None:
    summary = {"n": 3, "p50_ms": 5.0, "p95_ms": 9.0}
    http = {
        "in_process": dict.fromkeys(("search", "contacts", "paths"), summary),
        "http": {},
        "paths_beside_cypher": {
            "pairs": 5,
            "route": {"n": 5, "p50_ms": 40.0, "p95_ms": 60.0},
            "cypher": {"n": 3, "p50_ms": 8.0, "p95_ms": 12.0, "found": 2, "timed_out": 2,
                       "timeout_s": 2.0},
        },
    }  # fmt: skip
    text = "\n".join(latency_tables(_run({"people": 10, "stores": {"neo4j": {"http": http}}})))
    row = next(line for line in text.splitlines() if line.startswith("| 10 | neo4j | 40.0"))
    assert row.split(" | ")[3:7] == ["8.0 / 12.0", "2 of 5 (stopped at 2.0 s)", "2 of 3", "5.0×"]


@pytest.mark.slow  # three rounds and a load into SQLite: about 15 s
def test_both_sides_of_the_ingest_ratio_write_the_same_store_and_the_median_is_quoted(
    tmp_path: Path,
) -> None:
    from benchmarks.ingest import run_ingest

    generate_bundles(people=100, seed=3, folder=str(tmp_path / "b"))
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = run_ingest(url=url, bundles=str(tmp_path / "b"), sample_bundles=2, rounds=3)
    rounds = result["rounds"]
    assert len(rounds) == 3
    assert result["ratio"] == round(sorted(r["ratio"] for r in rounds)[1], 2)
    for r in rounds:
        assert abs(r["ratio"] - r["row_at_a_time_s"] / r["batched_s"]) < 0.05
    by_row = result["row_at_a_time"]["store_counts"]
    batched = result["sample_batched"]["store_counts"]
    assert by_row["person"] == batched["person"] == 100
    assert {k: v for k, v in by_row.items() if k != "ingest_run"} == {
        k: v for k, v in batched.items() if k != "ingest_run"
    }
