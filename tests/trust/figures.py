"""Figures of the trust suite's last run, for the README's "what we test".

Tests add to them with ``record`` (counts) or ``note`` (anything else); the
suite's conftest writes them to ``test-artifacts/trust-figures.json`` and prints
one line at the end of the run. Only what actually ran is counted.
"""

from __future__ import annotations

import json
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FIGURES_FILE = ARTIFACTS / "trust-figures.json"

FIGURES: dict[str, object] = {}


def record(name: str, count: int) -> None:
    """Add ``count`` to the figure ``name``."""
    current = FIGURES.get(name, 0)
    assert isinstance(current, int)
    FIGURES[name] = current + count


def note(name: str, value: object) -> None:
    FIGURES[name] = value


def write() -> Path | None:
    if not FIGURES:
        return None
    ARTIFACTS.mkdir(exist_ok=True)
    FIGURES_FILE.write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")
    return FIGURES_FILE
