"""How long the command line takes to start, beside ``python -c pass`` in the same run.

::

    python -m benchmarks.cli_start [--repeats 15] [--results DIR]

Each round runs the three commands once, in turn, so machine load falls on all
of them alike; the figures are medians over the rounds and the ratio of each
command's median to the bare interpreter's.

The figures go to ``benchmarks/results/<timestamp>-cli-start.json`` with the machine and
commit they were measured on.

Two runs: as this process's environment has it, and with bytecode cached. This
machine sets ``PYTHONDONTWRITEBYTECODE=1``, so there every start compiles the
project's modules from source (the editable install has no ``__pycache__``); a
user's Python writes bytecode on the first start and a ``pip install`` compiles it
at install time. The second run unsets the variable, points ``PYTHONPYCACHEPREFIX``
at a temporary folder and starts each command once before timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import Json, loadavg, machine, write_json

CLI = [str(Path(sys.executable).with_name("alumni-graph"))]
"""The console script users run, from the same environment as this interpreter."""


def _seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def run_cli_start(repeats: int = 15, *, bytecode_cached: bool = False) -> Json:
    """Median wall time of ``--help``, ``status`` (SQLite) and ``python -c pass``,
    as this environment starts them or with bytecode cached (see the module's note)."""
    with tempfile.TemporaryDirectory() as folder:
        env = dict(os.environ)
        if bytecode_cached:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        store = f"sqlite:///{Path(folder) / 'graph.db'}"
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "alumni-graph --help": [*CLI, "--help"],
            "alumni-graph status": [*CLI, "status", "--store", store],
        }
        for command in commands.values():  # the store's file, and the bytecode if cached
            subprocess.run(command, check=True, capture_output=True, env=env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        load_before = loadavg()
        for _ in range(repeats):
            for name, command in commands.items():
                times[name].append(_seconds(command, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare = medians["python -c pass"]
    return {
        "repeats": repeats,
        "bytecode_cached": bytecode_cached,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "median_s": {name: round(m, 4) for name, m in medians.items()},
        "ratio_to_bare_python": {name: round(m / bare, 2) for name, m in medians.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--results", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    started = datetime.now(UTC)
    runs: list[Json] = []
    for cached in (False, True):
        result = run_cli_start(args.repeats, bytecode_cached=cached)
        runs.append(result)
        print("bytecode cached:" if cached else "as this environment starts Python:")
        for name, seconds in result["median_s"].items():
            ratio = result["ratio_to_bare_python"][name]
            print(f"  {name:<22} {seconds * 1000:7.1f} ms  ({ratio}x)")
        load = f"{result['loadavg_before']} / {result['loadavg_after']}"
        print(f"  load average before/after: {load}")
    path = args.results / f"{started.strftime('%Y%m%dT%H%M%SZ')}-cli-start.json"
    write_json(path, {"started": started.isoformat(), "machine": machine(), "runs": runs})
    print(f"results: {path}")


if __name__ == "__main__":
    main()
