"""The upload use case: check a bundle and report, load it as one ingest run, list the
runs, roll the latest back.

The API (``POST /ingest``, ``/ingest/runs``), the upload page and ``alumni-graph
ingest`` all come through here; each only gets the bundle onto disk (an upload is
staged by ``api.uploads``, a path on the command line is already there) and renders
what comes back. Loading bundles and undoing loads are for the programme team.
"""

from __future__ import annotations

from pathlib import Path

from graph.errors import Forbidden
from graph.model import IngestRun, KeyRole
from graph.store import GraphStore, Page
from ingest.pipeline import IngestReport, Progress, load_bundle
from services.consent import Viewer
from services.schemas import IngestReportOut, Paged, RunOut, WriteReportOut

__all__ = ["ingest_bundle", "list_runs", "report_out", "roll_back"]

_TEAM = frozenset({KeyRole.PROGRAMME, KeyRole.ADMIN})


def _ensure_team(caller: Viewer) -> None:
    if caller.role not in _TEAM:
        raise Forbidden(f"{caller.role.value} keys may not load bundles or undo loads")


def ingest_bundle(
    store: GraphStore,
    caller: Viewer,
    bundle: Path,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Check the bundle at ``bundle`` and report every error, writing nothing; unless it is
    refused or ``dry_run``, load it as one ingest run (all of it, in one transaction)."""
    _ensure_team(caller)
    return load_bundle(bundle, store, dry_run=dry_run, progress=progress)


def report_out(report: IngestReport) -> IngestReportOut:
    """The report as the API shows it (a refused one is the body of its 422)."""
    return IngestReportOut.model_validate(report.to_dict())


def _run_out(run: IngestRun) -> RunOut:
    return RunOut.model_validate(run, from_attributes=True)


def list_runs(store: GraphStore, caller: Viewer, page: Page | None = None) -> Paged[RunOut]:
    """Every load, oldest first (one page of them if ``page`` is given)."""
    _ensure_team(caller)
    runs = store.runs()
    shown = runs if page is None else runs[page.offset : page.offset + page.limit]
    return Paged[RunOut](data=[_run_out(r) for r in shown], count=len(runs))


def roll_back(store: GraphStore, caller: Viewer, run_id: str) -> WriteReportOut:
    """Undo the latest run: remove what it created and restore what it overwrote
    (``Conflict`` unless it is the latest, ``NotFound`` for an unknown run)."""
    _ensure_team(caller)
    report = store.rollback(run_id)
    return WriteReportOut(
        created=report.created,
        updated=report.updated,
        deleted=report.deleted,
        counts=report.as_dict(),
    )
