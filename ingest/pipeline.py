"""Load: read -> validate -> (any error? write nothing) -> one transaction in the store.

The only function here with side effects is ``load_bundle``, and its only
write is one ``store.apply`` call, so a bundle lands whole or not at all.

Validation reads the store (people named by email, stored members whose
cohort-peer ties a new member joins) outside that transaction, so the write is
optimistic: ``apply`` is told the store's version from before validation and
refuses (``Stale``) if another writer committed since; the load then validates
again against what that writer left, and tries again.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from graph.errors import Invalid, Stale
from graph.model import IngestRun
from graph.store import GraphStore
from ingest.read import Issue, Location, read_bundle
from ingest.validate import issues_from_problems, validate_bundle

__all__ = ["STEPS", "TRIES", "IngestReport", "Progress", "load_bundle"]

Progress = Callable[[str, int, int], None]
"""Called as ``progress(step, done, total)`` when a step of a load begins and at the end."""

STEPS: tuple[str, ...] = ("reading", "checking", "writing")

TRIES = 20
"""How often a load validates and writes before giving up to other writers (``Stale``):
each round some writer wins, so ten loads at once need at most ten."""

BACKOFF_SECONDS = 0.05
"""Upper bound of the random pause after a lost round, times the round (at most 5)."""


@dataclass
class IngestReport:
    """What a load did, or would do, or why it was refused."""

    file_name: str
    sha256: str
    started_at: datetime
    dry_run: bool = False
    run_id: str | None = None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def total(self, what: str) -> int:
        """Sum of one count (``created``, ``updated``, ``unchanged``) over every kind."""
        return sum(c.get(what, 0) for c in self.counts.values())

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "run_id": self.run_id,
            "file": self.file_name,
            "sha256": self.sha256,
            "started_at": self.started_at.isoformat(),
            "counts": self.counts,
            "totals": {w: self.total(w) for w in ("created", "updated", "unchanged")},
            "warnings": [{**w.to_dict(), "message": str(w)} for w in self.warnings],
            "errors": [{**e.to_dict(), "message": str(e)} for e in self.errors],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str)


def _run_id(started: datetime) -> str:
    """Readable and unique even for two loads in the same second."""
    return f"run-{started:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def load_bundle(
    path: Path,
    store: GraphStore,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    salt: str | None = None,
) -> IngestReport:
    """Load one bundle: every error reported and nothing written, or all of it written once."""

    def step(done: int) -> None:
        if progress is not None:
            progress(STEPS[done] if done < len(STEPS) else "done", done, len(STEPS))

    started = datetime.now(UTC)
    step(0)
    raw = read_bundle(Path(path))
    report = IngestReport(raw.file_name, raw.sha256, started, dry_run=dry_run)
    if raw.errors and not raw.tables:
        report.errors = list(raw.errors)
        report.warnings = list(raw.warnings)
        return report
    run_id = _run_id(started)
    attempt = 0
    while True:
        attempt += 1
        step(1)
        expected = None if dry_run else store.version()
        checked = validate_bundle(raw, store, salt=salt)
        report.warnings, report.errors = checked.warnings, checked.errors
        if not checked.ok:
            return report
        step(2)
        try:
            if dry_run:
                written = store.plan(checked.batch)
            else:
                run = IngestRun(
                    id=run_id,
                    file_name=raw.file_name,
                    sha256=raw.sha256,
                    started_at=started,
                    warnings=tuple(str(w) for w in checked.warnings),
                )
                written = store.apply(checked.batch, run, expected_version=expected)
                report.run_id = run.id
        except Stale:
            # Another writer committed after ``expected`` was read: what was derived
            # (ties to stored members, people by email) may be out of date.
            if attempt >= TRIES:
                raise
            time.sleep(random.uniform(0, BACKOFF_SECONDS * min(attempt, 5)))
            continue
        except Invalid as exc:
            # The store's own gate caught what validation missed: place it on rows.
            report.errors = issues_from_problems(
                exc.problems, checked.origins, Location(raw.file_name)
            )
            return report
        report.counts = written.as_dict()
        step(3)
        return report
