"""Figures of the trust suite's last run, for the README's "what we test".

Tests add to them with ``record`` (counts) or ``note`` (anything else); at the end
of the run ``tests/conftest.py`` writes them to ``test-artifacts/trust-figures.json``
and prints one line. Under pytest-xdist each worker keeps its own figures and hands
them to the controller (``snapshot``), which adds the counts up (``merge``); a note
keeps one worker's value. Only what actually ran is counted.
"""

from __future__ import annotations

import json
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FIGURES_FILE = ARTIFACTS / "trust-figures.json"

FIGURES: dict[str, object] = {}
NOTED: set[str] = set()
"""The figures set by ``note``: kept as they are when workers' figures are merged."""


def record(name: str, count: int) -> None:
    """Add ``count`` to the figure ``name``."""
    current = FIGURES.get(name, 0)
    assert isinstance(current, int)
    FIGURES[name] = current + count


def note(name: str, value: object) -> None:
    FIGURES[name] = value
    NOTED.add(name)


def snapshot() -> dict[str, dict[str, object]]:
    """This process's figures, counts apart from notes, for ``merge`` elsewhere."""
    return {
        "counts": {k: v for k, v in FIGURES.items() if k not in NOTED},
        "notes": {k: v for k, v in FIGURES.items() if k in NOTED},
    }


def merge(other: dict[str, dict[str, object]]) -> None:
    """Add another process's ``snapshot`` to these figures: counts add up, notes are set."""
    for name, count in other.get("counts", {}).items():
        assert isinstance(count, int)
        record(name, count)
    for name, value in other.get("notes", {}).items():
        note(name, value)


def write() -> Path | None:
    if not FIGURES:
        return None
    ARTIFACTS.mkdir(exist_ok=True)
    FIGURES_FILE.write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")
    return FIGURES_FILE
