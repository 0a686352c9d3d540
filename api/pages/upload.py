"""The programme team's upload: check a bundle, then load it or cancel."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from api import uploads
from api.deps import SettingsDep, StoreDep
from api.errors import TooLarge
from api.limits import upload_name
from api.pages import sessions
from api.pages.render import (
    Csrf,
    SignedIn,
    render,
    signed_in_team,
    staged_uploads,
    team_form,
)
from api.pages.sessions import Session
from api.problems import problem
from graph.errors import Invalid
from services import upload

router = APIRouter(include_in_schema=False)


@router.get("/upload")
def upload_form(request: Request, store: StoreDep) -> Response:
    who = signed_in_team(request, store)
    if isinstance(who, Response):
        return who
    return render(request, "upload.html", who)


def _keep_staged(
    request: Request, store: StoreDep, who: SignedIn, staged: uploads.Staged | None
) -> None:
    """Remember ``staged`` (or nothing) as the session's upload; the one it replaces goes."""
    record = who.session.record
    if record.staged_id and (staged is None or staged.id != record.staged_id):
        staged_uploads(request).remove(who.viewer.key_id, record.staged_id)
    updated = replace(
        record,
        staged_id=staged.id if staged else None,
        staged_name=staged.name if staged else None,
    )
    sessions.sessions_of(request).save(store, Session(updated, who.session.csrf))


def _load(
    request: Request,
    store: StoreDep,
    who: SignedIn,
    settings: SettingsDep,
    staged: uploads.Staged,
    *,
    dry_run: bool,
) -> Response:
    """Check (and keep) or load a staged upload; a refused or loaded one is deleted."""
    staging = staged_uploads(request)
    try:
        with staging.opened(staged, max_unzipped_bytes=settings.max_unzipped_bytes) as bundle:
            report = upload.ingest_bundle(store, who.viewer, bundle, dry_run=dry_run)
    except Invalid as exc:
        _keep_staged(request, store, who, None)
        staging.remove(who.viewer.key_id, staged.id)
        problems = [
            {"where": p.record, "column": p.field, "value": p.value, "reason": p.reason}
            for p in exc.problems
        ]
        return render(request, "upload.html", who, status=422, refused=problems)
    except TooLarge as exc:
        _keep_staged(request, store, who, None)
        staging.remove(who.viewer.key_id, staged.id)
        return render(request, "upload.html", who, status=413, too_large=str(exc))
    kept = staged if dry_run and report.ok else None
    _keep_staged(request, store, who, kept)
    if kept is None:
        staging.remove(who.viewer.key_id, staged.id)
    return render(
        request,
        "upload.html",
        who,
        status=200 if report.ok else 422,
        report=report,
        staged=kept,
    )


@router.post("/upload")
def upload_check(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File()],
    token: Csrf = "",
) -> Response:
    """Step one: check the bundle (a dry run, nothing written) and show every error. The
    upload is written to the staging folder as it streams, never held in memory."""
    who = team_form(request, store, token)
    if not isinstance(who, SignedIn):
        return who
    staging = staged_uploads(request)
    try:
        staged = staging.stage(
            who.viewer.key_id, upload_name(file.filename), file.file, settings.max_upload_bytes
        )
    except uploads.StagingFull as exc:
        return problem(413, "Content too large", str(exc))
    except TooLarge as exc:
        return render(request, "upload.html", who, status=413, too_large=str(exc))
    except Invalid as exc:
        problems = [
            {"where": p.record, "column": p.field, "value": p.value, "reason": p.reason}
            for p in exc.problems
        ]
        return render(request, "upload.html", who, status=422, refused=problems)
    return _load(request, store, who, settings, staged, dry_run=True)


def _staged_of(request: Request, who: SignedIn, staged: str) -> uploads.Staged | None:
    record = who.session.record
    if not record.staged_id or not sessions.tokens_match(record.staged_id, staged):
        return None
    return staged_uploads(request).find(
        who.viewer.key_id, record.staged_id, record.staged_name or ""
    )


def _stale(request: Request, who: SignedIn) -> HTMLResponse:
    return render(
        request,
        "upload.html",
        who,
        status=409,
        too_large=None,
        stale="That check has expired or was replaced: choose the file and check it again.",
    )


@router.post("/upload/load")
def upload_load(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    staged: Annotated[str, Form(max_length=200)] = "",
    token: Csrf = "",
) -> Response:
    """Step two: load the bundle the user just checked, in one transaction."""
    who = team_form(request, store, token)
    if not isinstance(who, SignedIn):
        return who
    kept = _staged_of(request, who, staged)
    if kept is None:
        return _stale(request, who)
    return _load(request, store, who, settings, kept, dry_run=False)


@router.post("/upload/cancel")
def upload_cancel(
    request: Request,
    store: StoreDep,
    staged: Annotated[str, Form(max_length=200)] = "",
    token: Csrf = "",
) -> Response:
    """Forget a checked bundle without loading it: its file is deleted."""
    who = team_form(request, store, token)
    if not isinstance(who, SignedIn):
        return who
    if _staged_of(request, who, staged) is None:
        return _stale(request, who)
    _keep_staged(request, store, who, None)
    return render(request, "upload.html", who, cancelled=True)
