"""The site itself: its stylesheet and icon, and signing in and out with a key."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import FailedAuthLimiter, limited_names, viewer_of_key
from api.deps import StoreDep
from api.errors import RateLimited
from api.keys import hash_key
from api.pages import sessions
from api.pages.render import (
    Csrf,
    FormText,
    csrf_refused,
    render,
    signed_in,
    staged_uploads,
)
from api.pages.sessions import SESSION_COOKIE, SIGN_IN_COOKIE

HERE = Path(__file__).parent
STYLESHEET = (HERE / "static" / "pages.css").read_bytes()
FAVICON = (HERE / "static" / "favicon.svg").read_bytes()
router = APIRouter(include_in_schema=False)

# -- static ---------------------------------------------------------------------------------


@router.get("/static/pages.css")
def stylesheet() -> Response:
    return Response(
        STYLESHEET, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
    )


@router.get("/favicon.ico")
@router.get("/favicon.svg")
def favicon() -> Response:
    """The site's icon (an SVG: three people, linked), at the address browsers ask for
    unprompted too, so no page logs a 404 for it."""
    return Response(
        FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


# -- signing in and out -----------------------------------------------------------------------


def _sign_in_page(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    # the browser's token if it has one, so two open sign-in tabs both work
    kept = request.cookies.get(SIGN_IN_COOKIE, "")
    token = kept if 20 <= len(kept) <= 100 else sessions.new_token()
    response = render(request, "sign_in.html", None, status=status, error=error, token=token)
    sessions.set_cookie(request, response, SIGN_IN_COOKIE, token)
    return response


@router.get("/sign-in")
def sign_in_form(request: Request, store: StoreDep) -> Response:
    if signed_in(request, store) is not None:
        return RedirectResponse("/", status_code=303)
    return _sign_in_page(request)


@router.post("/sign-in")
def sign_in(request: Request, store: StoreDep, key: FormText = "", token: Csrf = "") -> Response:
    """Check the key as the API does (and count a wrong one against the same limiter);
    on success a fresh session (never the key) goes into the cookie."""
    if not sessions.tokens_match(request.cookies.get(SIGN_IN_COOKIE, ""), token) or not token:
        return csrf_refused()
    key = key.strip()
    viewer = viewer_of_key(store, key)
    if viewer is None:
        limiter: FailedAuthLimiter = request.app.state.auth_limiter
        try:
            limiter.refuse(*limited_names(request, key))
        except RateLimited as exc:
            response = _sign_in_page(
                request,
                status=429,
                error=f"Too many wrong keys: try again in {exc.retry_after} s.",
            )
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        return _sign_in_page(
            request, status=401, error="That key is unknown or revoked: you are not signed in."
        )
    table = sessions.sessions_of(request)
    table.close(store, request.cookies.get(SESSION_COOKIE))  # never reuse a session id
    session_id, _ = table.open(store, viewer.key_id, hash_key(key))
    response = RedirectResponse("/", status_code=303)
    sessions.set_cookie(request, response, SESSION_COOKIE, session_id)
    sessions.clear_cookie(request, response, SIGN_IN_COOKIE)
    return response


@router.post("/sign-out")
def sign_out(request: Request, store: StoreDep, token: Csrf = "") -> Response:
    who = signed_in(request, store)
    if who is not None and not sessions.tokens_match(who.session.csrf, token):
        return csrf_refused()
    if who is not None:
        staged_uploads(request).remove(who.viewer.key_id, who.session.record.staged_id)
    sessions.sessions_of(request).close(store, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/sign-in", status_code=303)
    sessions.clear_cookie(request, response, SESSION_COOKIE)
    return response
