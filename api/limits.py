"""A body limit on every route, before the body is read and before anyone is authenticated.

Pure ASGI, outside the app's routing: a request whose ``Content-Length`` is over its
path's limit is answered 413 (problem+json) at once, unread; a body without a length
(chunked) is counted as it streams, and the moment it passes the limit the request is
cut off and answered 413 in place of whatever the app was doing with it. Upload
routes get the upload limit (``ALUMNI_GRAPH_MAX_UPLOAD_BYTES`` plus multipart
framing); every other route the small ``ALUMNI_GRAPH_MAX_BODY_BYTES``: a stranger
without a key cannot make the server read, spool or parse a large body anywhere.
A browser (``Accept: text/html``) gets the same answer as an error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem
from graph.errors import Invalid, Problem

__all__ = ["MAX_NAME_LENGTH", "BodyLimit", "upload_name"]

MAX_NAME_LENGTH = 255


class _TooLong(Exception):
    """Raised into the app by ``receive`` once the streamed body passes the limit."""


class BodyLimit:
    """413 for a body over its path's limit: from its declared length, or while it streams.

    ``limits`` maps exact paths to their limits (the upload routes); every other path
    gets ``default``.
    """

    def __init__(self, app: ASGIApp, default: int, limits: Mapping[str, int]) -> None:
        self.app = app
        self.default = default
        self.limits = dict(limits)

    def limit_for(self, path: str) -> int:
        return self.limits.get(path.rstrip("/") or "/", self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _refuse(
                    scope, receive, send, 400, "Bad request", "Content-Length is not a number"
                )
                return
            if int(declared) > limit:
                await _refuse(scope, receive, send, 413, "Content too large", _over(limit))
                return

        seen = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                raise _TooLong
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise _TooLong
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the app made of a cut-off body, the answer is 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _refuse(scope, receive, send, 413, "Content too large", _over(limit))


def _over(limit: int) -> str:
    return f"the body is over {limit} bytes, the limit of this route"


_PAGE = (
    '<!doctype html>\n<html lang="en-GB">\n<head><meta charset="utf-8"><title>{title}</title>'
    '<link rel="stylesheet" href="/static/pages.css"></head>\n<body><main><h1>{title}</h1>'
    '<p>{detail}</p><p><a href="/">Back to the start</a></p></main></body>\n</html>\n'
)


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, title: str, detail: str
) -> None:
    # The connection is not reused: the rest of the body is never read.
    headers = {"Connection": "close"}
    response: Response
    if "text/html" in Headers(scope=scope).get("accept", ""):  # a browser: an error page
        page = _PAGE.format(title=escape(title), detail=escape(detail))
        response = HTMLResponse(page, status_code=status, headers=headers)
    else:
        response = problem(status, title, detail, headers=headers)
    await response(scope, receive, send)


def upload_name(raw: str | None) -> str | None:
    """An upload's file name, checked before anything is written under it: a name with a
    NUL or another control character, a path separator, or over 255 characters is refused
    (422) with the name shown escaped and cut short."""
    if not raw:
        return raw
    reason = None
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):
        reason = "the file name holds a control character (a NUL?): rename the file"
    elif "/" in raw or "\\" in raw:
        reason = "the file name holds a path separator: send the file under its own name only"
    elif len(raw) > MAX_NAME_LENGTH:
        reason = f"the file name is longer than {MAX_NAME_LENGTH} characters"
    if reason is None:
        return raw
    shown = raw.encode("unicode_escape").decode("ascii")[:100]
    raise Invalid([Problem("upload", "file", shown, reason)])
