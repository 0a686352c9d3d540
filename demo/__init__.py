"""The demo programme's data: what `make run` loads, kept as data rather than code.

Files here are read by the demo builders (``ingest.demo`` for the cohorts' bundles, and
the builders of the demo's mentor pool, applicants and survey waves); ``path`` finds them
in a source tree and in an installed package alike.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["path"]

HERE = Path(__file__).parent


def path(name: str) -> Path:
    """The demo data file ``name`` (e.g. ``"catalogue.json"``)."""
    return HERE / name
