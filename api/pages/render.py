"""What every page shares: the templates, who is signed in, and the answers that refuse.

Not a page itself: the page modules (``site``, ``people``, ``wicked``, ``dashboard``,
``upload``) import it and none imports another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.routing import Match

from api import uploads
from api.auth import viewer_of_key_hash
from api.deps import StoreDep
from api.pages import sessions
from api.pages.sessions import CSRF_FIELD, Session
from api.problems import problem
from graph.errors import AlumniGraphError, NotFound
from graph.model import KeyRole
from graph.store import GraphStore
from services.consent import Viewer
from services.tables import Download

HERE = Path(__file__).parent

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

FormText = Annotated[str, Form(max_length=2000)]
Csrf = Annotated[str, Form(alias=CSRF_FIELD, max_length=200)]


@dataclass(frozen=True)
class SignedIn:
    viewer: Viewer
    session: Session

    @property
    def is_team(self) -> bool:
        return self.viewer.role in (KeyRole.PROGRAMME, KeyRole.ADMIN)


def signed_in(request: Request, store: StoreDep) -> SignedIn | None:
    session = sessions.session_of(request)
    if session is None:
        return None
    viewer = viewer_of_key_hash(store, session.key_sha256)
    if viewer is None:  # the key was revoked (or its person erased) since
        sessions.sessions_of(request).end_key(store, session.key_id)
        return None
    return SignedIn(viewer, session)


TEAM_PAGES = (
    ("/dashboard", "Dashboard"),
    ("/programme", "Programme"),
    ("/survey-waves", "Survey waves"),
    ("/mentors", "Mentors"),
    ("/selection", "Selection"),
    ("/upload", "Upload a bundle"),
)
"""The programme team's pages in the site's navigation, each shown where the app has it."""


def team_pages(request: Request) -> list[tuple[str, str]]:
    """Those of ``TEAM_PAGES`` this app serves (read once from its routes)."""
    state = request.app.state
    found = getattr(state, "team_pages", None)
    if found is None:
        found = state.team_pages = [(h, name) for h, name in TEAM_PAGES if _served(request, h)]
    return list(found)


def _served(request: Request, path: str) -> bool:
    scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
    return any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes)


def render(
    request: Request,
    template: str,
    who: SignedIn | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    html = templates.get_template(template).render(
        who=who,
        csrf=who.session.csrf if who else None,
        csrf_field=CSRF_FIELD,
        path=request.url.path,
        team_pages=team_pages(request) if who is not None and who.is_team else [],
        **context,
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def to_sign_in(request: Request) -> RedirectResponse:
    return RedirectResponse("/sign-in", status_code=303)


def refused(request: Request, who: SignedIn, reason: str) -> HTMLResponse:
    return render(request, "error.html", who, status=403, title="Not for this key", reason=reason)


def not_found(
    request: Request,
    who: SignedIn,
    what: str,
    suggested: Sequence[tuple[str, str]] = (),
) -> HTMLResponse:
    """The site's 404 page; ``suggested``: (address, words) of what was probably meant."""
    return render(
        request, "error.html", who, status=404, title="Not found", reason=what, suggested=suggested
    )


def closest(
    store: GraphStore, who: SignedIn, error: NotFound, href: Callable[[str], str]
) -> list[tuple[str, str]]:
    """What a "not found" page offers instead: the records of the missing one's kind
    closest to what was asked for, among those the viewer may know of
    (``services.people.suggestions_for``), as (address, name)."""
    from services.people import suggestions_for

    try:
        return [(href(key), name) for key, name in suggestions_for(store, who.viewer, error)]
    except AlumniGraphError:  # the store failed as well: the 404 as it was
        return []


def error_page(
    request: Request,
    status: int,
    title: str,
    reason: str,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The site's error page, for an error a page's address caused (a bad date, an
    unknown record, no such page): signed in or not, with the site's navigation."""
    store = getattr(request.app.state, "store", None)
    try:
        who = signed_in(request, store) if store is not None else None
    except AlumniGraphError:  # the store is down: the error page still shows
        who = None
    response = render(request, "error.html", who, status=status, title=title, reason=reason)
    response.headers.update(headers or {})
    return response


def csrf_refused() -> Response:
    return problem(
        403,
        "Forbidden",
        f"this form must be sent from the page that showed it (missing or wrong {CSRF_FIELD})",
    )


def team_only(request: Request, who: SignedIn) -> HTMLResponse | None:
    if who.is_team:
        return None
    return refused(request, who, "This page is for the programme team (programme or admin keys).")


def signed_in_team(request: Request, store: StoreDep) -> SignedIn | Response:
    """Who asked for a programme-team page: signed in with a team key; else the response
    that sends them to sign in, or refuses them."""
    who = signed_in(request, store)
    if who is None:
        return to_sign_in(request)
    return team_only(request, who) or who


def attachment(found: Download) -> Response:
    """A table or file for the browser to save, under its own name."""
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.file_name}"'},
    )


def team_form(request: Request, store: StoreDep, token: str) -> SignedIn | Response:
    """Who posted a programme-team form: signed in, with the session's CSRF token and a
    team key; else the response that refuses it."""
    who = signed_in(request, store)
    if who is None or not sessions.tokens_match(who.session.csrf, token):
        return csrf_refused()
    return team_only(request, who) or who


def staged_uploads(request: Request) -> uploads.StagedUploads:
    """The app's staging folder for checked uploads (made from its settings on first use)."""
    state = request.app.state
    found = getattr(state, "staged_uploads", None)
    if found is None:
        found = state.staged_uploads = uploads.StagedUploads.of(state.settings)
    assert isinstance(found, uploads.StagedUploads)
    return found
