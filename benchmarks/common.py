"""What every benchmark shares: clocks, percentiles, memory, load, the machine, isolation.

Each phase runs in a fresh child process (:func:`isolated`) so that its peak
memory (``ru_maxrss``) is its own and not the high-water mark of everything
before it, and so that one phase's caches never flatter the next.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import platform
import resource
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from queue import Empty
from typing import Any

__all__ = [
    "Json",
    "LoadSampler",
    "isolated",
    "loadavg",
    "machine",
    "maxrss_mb",
    "peak_mb",
    "percentile",
    "stopwatch",
    "summary",
]

Json = dict[str, Any]

PACKAGES = ("networkx", "igraph", "neo4j", "fastapi", "uvicorn", "pydantic", "scipy")


def maxrss_mb() -> float:
    """``ru_maxrss`` of this process, in MiB (Linux reports KiB).

    On Linux a child starts from its parent's figure (it survives ``fork`` and
    ``exec``), so for a phase's own peak read :func:`peak_mb`.
    """
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def peak_mb() -> float:
    """This process's own peak resident memory (``VmHWM``), in MiB; else ``ru_maxrss``."""
    return process_peak_mb(os.getpid()) or maxrss_mb()


def process_peak_mb(pid: int) -> float | None:
    """Peak resident memory (``VmHWM``) of a live process, in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100), linear between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(seconds: list[float]) -> Json:
    """Count, p50, p95, mean and max of latencies, in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "mean_ms": round(sum(ms) / len(ms), 2) if ms else None,
        "max_ms": round(max(ms), 2) if ms else None,
    }


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """``with stopwatch() as elapsed: ...; elapsed()`` gives seconds (frozen at exit)."""
    start = time.perf_counter()
    end: list[float] = []
    yield lambda: (end[0] if end else time.perf_counter()) - start
    end.append(time.perf_counter())


class LoadSampler:
    """Samples the 1-minute load average every few seconds while the benchmarks run."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(self.every)

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def result(self) -> Json:
        s = self.samples or [os.getloadavg()[0]]
        return {
            "samples": len(s),
            "min": round(min(s), 2),
            "mean": round(sum(s) / len(s), 2),
            "max": round(max(s), 2),
        }


def _measured(target: Callable[..., Json], kwargs: Json) -> Json:
    """Run a phase in this (child) process and add its own peak memory and load."""
    # The server notes every property key it has not seen yet (``end`` before any
    # employment ended): one log line per statement would drown the run's output.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    before = loadavg()
    started = time.perf_counter()
    result = target(**kwargs)
    result["phase"] = {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_mb": peak_mb(),
        "maxrss_mb": maxrss_mb(),
        "loadavg_before": before,
        "loadavg_after": loadavg(),
    }
    return result


def _child(queue: Any, target: Callable[..., Json], kwargs: Json) -> None:
    try:
        queue.put(("ok", _measured(target, kwargs)))
    except BaseException:
        queue.put(("error", traceback.format_exc()))


def isolated(
    target: Callable[..., Json], timeout: float | None = None, **kwargs: Any
) -> Json | None:
    """``target(**kwargs)`` in a fresh ``spawn``-ed Python process: its result, plus ``phase``.

    ``None`` when it has not finished after ``timeout`` seconds (it is then
    terminated); an exception in the child is raised here as ``RuntimeError``
    with the child's traceback.
    """
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, target, kwargs))
    process.start()
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            try:
                kind, payload = queue.get(timeout=1.0)
                break
            except Empty:
                if not process.is_alive():
                    raise RuntimeError(
                        f"{target.__name__} died (exit code {process.exitcode})"
                    ) from None
                if deadline is not None and time.monotonic() > deadline:
                    return None
    finally:
        if process.is_alive():
            process.join(timeout=5 if deadline is None else 0)
        if process.is_alive():
            process.terminate()
            process.join()
    if kind == "error":
        raise RuntimeError(f"{target.__name__} failed in its process:\n{payload}")
    result: Json = payload
    return result


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _memory_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def machine() -> Json:
    """The machine and software the figures were measured on."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    status = _git("status", "--porcelain", "--untracked-files=no")  # results are untracked
    return {
        "nproc": os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_mb": _memory_mb(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "packages": versions,
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(status) if status is not None else None,
    }


def write_json(path: Path, data: Json) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
