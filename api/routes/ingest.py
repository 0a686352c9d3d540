"""``/ingest``: upload a bundle, list loads, undo the latest (programme team).

The body limit (``ALUMNI_GRAPH_MAX_UPLOAD_BYTES`` plus multipart framing) is set
on this router where the app includes it, so an oversized upload is refused
with 413 from its ``Content-Length``, or as soon as the streamed bytes pass it,
before the whole body is read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, UploadFile

from api import uploads
from api.auth import TeamRole
from api.deps import PageDep, SettingsDep, StoreDep
from api.errors import BundleRefused
from api.limits import upload_name
from api.problems import responses
from services import upload
from services.schemas import IngestReportOut, Paged, RunOut, WriteReportOut

router = APIRouter(prefix="/ingest", tags=["ingest"])


@router.post(
    "",
    response_model=IngestReportOut,
    responses=responses(401, 403, 413, 422, 429),
    summary="Load a cohort bundle",
)
def ingest(
    store: StoreDep,
    viewer: TeamRole,
    settings: SettingsDep,
    file: Annotated[
        UploadFile,
        File(description="A bundle: .xlsx workbook, .json file, or .zip of TABLE.csv files."),
    ],
    dry_run: Annotated[
        bool, Query(description="Check and count what would change; write nothing.")
    ] = False,
) -> IngestReportOut:
    """Every error listed and nothing written (422 with the report), or all of it written
    in one transaction (200 with the report). The same bundle twice changes nothing."""
    with uploads.received(
        upload_name(file.filename),
        file.file,
        max_bytes=settings.max_upload_bytes,
        max_unzipped_bytes=settings.max_unzipped_bytes,
    ) as bundle:
        report = upload.ingest_bundle(store, viewer, bundle, dry_run=dry_run)
    if not report.ok:
        raise BundleRefused(report.to_dict(), len(report.errors))
    return upload.report_out(report)


@router.get("/runs", response_model=Paged[RunOut], responses=responses(401, 403, 422, 429))
def list_runs(store: StoreDep, viewer: TeamRole, page: PageDep) -> Paged[RunOut]:
    """Every load, oldest first: file, SHA-256, time, counts, warnings."""
    return upload.list_runs(store, viewer, page)


@router.post(
    "/runs/{run_id}/rollback",
    response_model=WriteReportOut,
    responses=responses(401, 403, 404, 409, 422, 429),
    summary="Undo a load",
)
def rollback(
    store: StoreDep,
    viewer: TeamRole,
    run_id: Annotated[str, Path(min_length=1, max_length=200)],
) -> WriteReportOut:
    """Remove what the run created and restore what it overwrote (409 unless it is the latest)."""
    return upload.roll_back(store, viewer, run_id)
