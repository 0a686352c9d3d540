"""The words and table layout every section of ``BENCHMARKS.md`` shares: numbers,
seconds, ratios, Markdown tables, and which run measured a figure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from benchmarks.common import Json

__all__ = ["md_table", "num", "peak_mib", "run_of", "secs", "stores_of", "times"]


def num(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def secs(value: Any) -> str:
    """Seconds with sensible precision."""
    if value is None:
        return "—"
    value = float(value)
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def times(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}×" if value < 100 else f"{value:,.0f}×"


def md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def peak_mib(result: Json | None) -> str:
    phase = (result or {}).get("phase") or {}
    return num(phase.get("peak_mb", phase.get("maxrss_mb")), 0)


def stores_of(size: Json) -> list[tuple[str, Json]]:
    return list(size.get("stores", {}).items())


def run_of(results: Json, figure: Json) -> str:
    """Which run measured ``figure``, as the start time and the mean load during it."""
    stamp = str(figure.get("run") or "")
    run = next((r for r in results.get("runs", []) if r["started_at"] == stamp), None)
    if run is None:
        if results.get("runs") is not None or "machine" not in results:
            return ""
        # one run's own file: the figure is from it
        load = results["machine"].get("load_1min_during_run") or {}
        return f"{str(results.get('started_at', ''))[:16]}, load {load.get('mean')}"
    return f"{stamp[:16]}, load {run['load'].get('mean')}"
