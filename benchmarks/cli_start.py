"""How long the command line takes to start, beside ``python -c pass`` in the same run.

::

    python -m benchmarks.cli_start [--repeats 15]

Each round runs the three commands once, in turn, so machine load falls on all
of them alike; the figures are medians over the rounds and the ratio of each
command's median to the bare interpreter's.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Json, loadavg

CLI = [str(Path(sys.executable).with_name("alumni-graph"))]
"""The console script users run, from the same environment as this interpreter."""


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def run_cli_start(repeats: int = 15) -> Json:
    """Median wall time of ``--help``, ``status`` (SQLite) and ``python -c pass``."""
    with tempfile.TemporaryDirectory() as folder:
        store = f"sqlite:///{Path(folder) / 'graph.db'}"
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "alumni-graph --help": [*CLI, "--help"],
            "alumni-graph status": [*CLI, "status", "--store", store],
        }
        subprocess.run(commands["alumni-graph status"], check=True, capture_output=True)
        times: dict[str, list[float]] = {name: [] for name in commands}
        load_before = loadavg()
        for _ in range(repeats):
            for name, command in commands.items():
                times[name].append(_seconds(command))
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare = medians["python -c pass"]
    return {
        "repeats": repeats,
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
        "median_s": {name: round(m, 4) for name, m in medians.items()},
        "ratio_to_bare_python": {name: round(m / bare, 2) for name, m in medians.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    result = run_cli_start(parser.parse_args().repeats)
    for name, seconds in result["median_s"].items():
        print(f"{name:<22} {seconds * 1000:7.1f} ms  ({result['ratio_to_bare_python'][name]}x)")
    print(f"load average before/after: {result['loadavg_before']} / {result['loadavg_after']}")


if __name__ == "__main__":
    main()
