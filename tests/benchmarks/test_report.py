"""BENCHMARKS.md from several partial runs: the latest figure per size, store and phase."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.merge import load_results, merge_runs


def _run(started: str, sizes: list[dict[str, object]], load_mean: float) -> dict[str, object]:
    return {
        "started_at": started,
        "finished_at": started,
        "duration_s": 1.0,
        "command": f"python -m benchmarks # {started}",
        "config": {"seed": 1},
        "machine": {"git_commit": "abc", "load_1min_during_run": {"mean": load_mean}},
        "sizes": sizes,
        "phases": [],
    }


FULL = _run(
    "2026-01-01T09:00:00+00:00",
    [
        {
            "people": 1000,
            "generated": {"bundles": 20},
            "metrics": {"auto": {"s": 1}},
            "stores": {
                "sqlite": {"url": "sqlite:///a", "ingest": {"v": "old"}, "http": {"v": "old"}},
                "neo4j": {"url": "neo4j://x", "ingest": {"v": "old"}, "http": {"v": "old"}},
            },
        }
    ],
    load_mean=1.5,
)
INGEST_ONLY = _run(
    "2026-01-01T11:00:00+00:00",
    [
        {
            "people": 1000,
            "generated": {"bundles": 20},
            "stores": {"neo4j": {"ingest": {"v": "new"}}},
        },
        {
            "people": 100000,
            "generated": {"bundles": 2000},
            "stores": {"neo4j": {"ingest": {"v": "big"}}},
        },
    ],
    load_mean=4.0,
)


def test_merge_takes_each_phase_from_the_latest_run_that_measured_it() -> None:
    merged = merge_runs([INGEST_ONLY, FULL])  # order of the files does not matter
    small, large = merged["sizes"]
    assert (small["people"], large["people"]) == (1000, 100000)
    neo4j, sqlite = small["stores"]["neo4j"], small["stores"]["sqlite"]
    assert (neo4j["ingest"]["v"], neo4j["ingest"]["run"]) == ("new", INGEST_ONLY["started_at"])
    assert (neo4j["http"]["v"], neo4j["http"]["run"]) == ("old", FULL["started_at"])
    assert (sqlite["ingest"]["v"], sqlite["ingest"]["run"]) == ("old", FULL["started_at"])
    assert small["metrics"]["run"] == FULL["started_at"]
    assert large["stores"]["neo4j"]["ingest"]["v"] == "big"
    assert [r["started_at"] for r in merged["runs"]] == [
        FULL["started_at"],
        INGEST_ONLY["started_at"],
    ]
    assert [r["load"]["mean"] for r in merged["runs"]] == [1.5, 4.0]
    assert merged["command"] == INGEST_ONLY["command"]


def test_a_run_that_measured_nothing_kept_is_not_listed() -> None:
    later_full = _run("2026-01-02T09:00:00+00:00", FULL["sizes"], load_mean=2.0)  # type: ignore[arg-type]
    merged = merge_runs([FULL, later_full])
    assert [r["started_at"] for r in merged["runs"]] == [later_full["started_at"]]


def test_latest_json_merges_the_folder_but_skips_smoke_runs(tmp_path: Path) -> None:
    (tmp_path / "20260101T090000Z.json").write_text(json.dumps(FULL))
    (tmp_path / "20260101T110000Z.json").write_text(json.dumps(INGEST_ONLY))
    smoke = _run(
        "2026-01-03T09:00:00+00:00",
        [{"people": 1000, "stores": {"neo4j": {"ingest": {"v": "smoke"}}}}],
        0.1,
    )
    (tmp_path / "20260103T090000Z-quick.json").write_text(json.dumps(smoke))
    (tmp_path / "latest.json").write_text(json.dumps(INGEST_ONLY))
    merged = load_results(tmp_path / "latest.json")
    assert merged["sizes"][0]["stores"]["neo4j"]["ingest"]["v"] == "new"
    assert merged["sizes"][0]["stores"]["sqlite"]["http"]["v"] == "old"
    alone = load_results(tmp_path / "20260101T110000Z.json")
    assert "sqlite" not in alone["sizes"][0]["stores"]


def test_a_loaded_run_files_its_http_figures_under_its_size_and_store(tmp_path: Path) -> None:
    (tmp_path / "20260101T090000Z.json").write_text(json.dumps(FULL))
    # benchmarks.loaded: one store's HTTP phase, its size recorded, or else only named
    # by the bundles folder of its command (files written before it was recorded)
    loaded = {
        "started_at": "2026-01-02T09:00:00+00:00",
        "command": "python -m benchmarks.loaded --store sqlite:////s.db"
        " --bundles benchmarks/out/people-1000/bundles --tag t1",
        "machine": {"git_commit": "def", "load_1min_during_run": {"mean": 0.5}},
        "store": "sqlite",
        "http": {"v": "loaded"},
    }
    (tmp_path / "20260102T090000Z-loaded-sqlite.json").write_text(json.dumps(loaded))
    sized = {**loaded, "started_at": "2026-01-03T09:00:00+00:00", "command": "x"}
    sized |= {"people": 100000, "store": "neo4j", "http": {"v": "sized"}}
    (tmp_path / "20260103T090000Z-loaded-neo4j.json").write_text(json.dumps(sized))
    (tmp_path / "latest.json").write_text("{}")
    merged = load_results(tmp_path / "latest.json")
    by_size = {s["people"]: s["stores"] for s in merged["sizes"]}
    assert by_size[1000]["sqlite"]["http"]["v"] == "loaded"
    assert by_size[1000]["neo4j"]["http"]["v"] == "old"  # the full run's, kept
    assert by_size[1000]["sqlite"]["ingest"]["v"] == "old"
    assert by_size[100000]["neo4j"]["http"]["v"] == "sized"


def _cli_start(started: str, status_s: float, bare_s: float) -> dict[str, object]:
    mode = {
        "repeats": 15,
        "bytecode_cached": True,
        "loadavg_before": [1.0, 1.0, 1.0],
        "loadavg_after": [1.5, 1.0, 1.0],
        "median_s": {
            "python -c pass": bare_s,
            "alumni-graph --help": 0.3,
            "alumni-graph status": status_s,
        },
        "ratio_to_bare_python": {
            "python -c pass": 1.0,
            "alumni-graph --help": round(0.3 / bare_s, 2),
            "alumni-graph status": round(status_s / bare_s, 2),
        },
    }
    return {
        "started": started,
        "machine": {"git_commit": "abc1234", "git_dirty": False},
        "runs": [mode],
    }


def test_cli_start_runs_are_reported_apart_from_the_merged_runs(tmp_path: Path) -> None:
    from benchmarks.merge import cli_start_runs, is_run
    from benchmarks.report import cli_start_table

    (tmp_path / "20260101T090000Z.json").write_text(json.dumps(FULL))
    start = tmp_path / "20260102T090000Z-cli-start.json"
    start.write_text(json.dumps(_cli_start("2026-01-02T09:00:00+00:00", 0.3125, 0.04)))
    assert not is_run(start)
    assert not is_run(tmp_path / "20260102T090000Z-first-path-neo4j.json")
    merged = load_results(tmp_path / "latest.json")  # the start file does not break it
    assert [r["started_at"] for r in merged["runs"]] == [FULL["started_at"]]
    table = cli_start_table(cli_start_runs(tmp_path))
    row = next(line for line in table if line.startswith("| 2026-01-02T09:00"))
    # 0.3125 s is 312.5 ms, 7.81 times the bare interpreter's 40.0 ms
    assert row.split(" | ")[1:7] == [
        "abc1234",
        "bytecode cached",
        "15",
        "40.0 ms (1.0×)",
        "300.0 ms (7.5×)",
        "312.5 ms (7.81×)",
    ]


def _served(p95_ms: float) -> dict[str, object]:
    figures = {"p50_ms": 1.0, "p95_ms": p95_ms, "n": 200, "throughput_rps": 9.0}
    return {endpoint: {"1": figures, "4": figures} for endpoint in ("search", "contacts", "paths")}


def test_a_run_served_by_several_worker_counts_reports_each_beside_the_others() -> None:
    from benchmarks.report import _large_targets
    from benchmarks.report_stores import latency_tables

    one, two = _served(190.0), _served(120.0)
    http = {
        "in_process": {e: {"p50_ms": 1.0, "p95_ms": 2.0} for e in ("search", "contacts", "paths")},
        "http": one,
        "http_by_workers": {"2": {"http": two}, "1": {"http": one}},
    }
    size = {"people": 100000, "stores": {"neo4j": {"http": http}}}
    results = {"config": {"concurrency": [1, 4]}, "sizes": [size]}
    table = [line for line in latency_tables(results) if line.startswith("| 100,000 |")]
    assert [line.split(" | ")[2] for line in table] == [
        "search",
        "contacts",
        "paths",
        "search, 2 workers",
        "contacts, 2 workers",
        "paths, 2 workers",
    ]
    assert "**190.0**" in table[2] and "**120.0**" in table[5]
    said = [line for line in _large_targets(results, size) if "×4" in line]
    assert "people: 190.0 ms (target < 150 ms: not met" in said[0]
    assert "people, served by 2 workers: 120.0 ms (target < 150 ms: met" in said[1]
    # a run from before --workers: one worker, its figures under "http" alone
    del http["http_by_workers"]
    assert len([line for line in latency_tables(results) if "2 workers" in line]) == 0
    assert len([line for line in latency_tables(results) if line.startswith("| 100,000 |")]) == 3
