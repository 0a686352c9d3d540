"""benchmarks.decisions runs end to end on SQLite and answers in full (its timings are
``make bench``'s business, not the tests')."""

from __future__ import annotations

from benchmarks.decisions import run_decisions


def test_decisions_benchmark_matches_every_mentee_and_fills_every_place() -> None:
    result = run_decisions(repeats=1)
    figures = result["stores"]["sqlite"]
    assert figures["match_pairs"] == 50  # 40 mentors, capacity 1 or 2: room for all 50
    assert figures["selected"] == 50
    assert figures["match_50_mentees_40_mentors_s"] > 0
