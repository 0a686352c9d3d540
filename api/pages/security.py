"""Security headers on every response: a Content-Security-Policy on HTML, and
``nosniff``, ``no-referrer``, same-origin framing and a Permissions-Policy on all.

Every response is ``Cache-Control: no-store`` unless its route says otherwise (the
stylesheet): nearly every answer is about people (profiles, contacts, paths,
lineage, packs, reports, pages), and a shared or browser cache must keep none of it.

A route that needs another Content-Security-Policy (a map that runs its own
scripts, the interactive API docs) sets the header itself: this middleware
only adds the headers a response does not have yet. ``X-Frame-Options`` and
``frame-ancestors 'self'`` let the pages frame the app's own maps and nobody
else frame anything.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
    "form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
)
"""The pages' own policy: no script at all, styles from the one CSS file, frames of
this site only, forms posting back here only."""

DOCS_POLICY = (
    "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
"""FastAPI's ``/docs`` and ``/redoc`` load their viewer from a CDN with an inline script."""

DOCS_PATHS = ("/docs", "/redoc")

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",
    "Permissions-Policy": ("camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def policy_for(path: str, content_type: str) -> str | None:
    """The default policy of a response by its path and media type: HTML only, as a
    policy governs documents (JSON, Markdown and CSS get the other headers).

    >>> policy_for("/", "text/html; charset=utf-8") == PAGE_POLICY
    True
    >>> policy_for("/people", "application/json") is None
    True
    """
    if not content_type.startswith("text/html"):
        return None
    return DOCS_POLICY if path.startswith(DOCS_PATHS) else PAGE_POLICY


class SecurityHeaders:
    """Add the headers above to each HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in COMMON.items():
                    headers.setdefault(name, value)
                policy = policy_for(path, headers.get("content-type", ""))
                if policy is not None:
                    headers.setdefault("Content-Security-Policy", policy)
                if https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        await self.app(scope, receive, send_with_headers)
