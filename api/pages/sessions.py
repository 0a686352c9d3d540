"""Signed-in browsers: opaque server-side sessions, and their CSRF tokens.

Signing in with a key gives the browser a random session id in an ``HttpOnly``,
``SameSite=Strict`` cookie (``Secure`` over https); the key itself never leaves
the form post, and the server keeps only its SHA-256 (as the key store does),
so every request re-checks the key: revoking it ends its sessions too. The
session table is in-process memory, as the failed-auth limiter is: a restart
signs everyone out, which is the safe way round.

A request authorised by the cookie that changes something must carry the
session's CSRF token (a synchronizer token): the hidden ``csrf_token`` field of
every form the pages render, or the ``X-CSRF-Token`` header for scripts. The
sign-in form, before there is a session, uses a double-submit cookie instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "ag_session"
SIGN_IN_COOKIE = "ag_sign_in"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random token: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a token with what the request sent.

    >>> tokens_match("abc", "abc"), tokens_match("abc", "abd"), tokens_match("abc", None)
    (True, False, False)
    """
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


@dataclass
class Staged:
    """An uploaded bundle kept between its dry run and the load the user confirms."""

    id: str
    file_name: str
    content: bytes


@dataclass
class Session:
    key_hash: str
    csrf: str
    created: float
    seen: float
    staged: Staged | None = field(default=None)


class Sessions:
    """Sessions by the SHA-256 of their id, expiring ``idle`` seconds after their last
    use and ``lifetime`` seconds after sign-in; at most ``max_sessions``, oldest first out."""

    def __init__(
        self,
        *,
        idle: float = 8 * 3600,
        lifetime: float = 24 * 3600,
        max_sessions: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.idle = idle
        self.lifetime = lifetime
        self.max_sessions = max_sessions
        self.clock = clock
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, key_hash: str) -> tuple[str, Session]:
        """A new session for a key: its id (for the cookie only) and the session."""
        session_id = new_token()
        now = self.clock()
        session = Session(key_hash=key_hash, csrf=new_token(), created=now, seen=now)
        with self._lock:
            self._sessions[_digest(session_id)] = session
            while len(self._sessions) > self.max_sessions:
                self._sessions.popitem(last=False)
        return session_id, session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id or len(session_id) > 200:
            return None
        digest = _digest(session_id)
        with self._lock:
            session = self._sessions.get(digest)
            if session is None:
                return None
            now = self.clock()
            if now - session.seen > self.idle or now - session.created > self.lifetime:
                del self._sessions[digest]
                return None
            session.seen = now
            return session

    def close(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._sessions.pop(_digest(session_id), None)

    def __len__(self) -> int:
        return len(self._sessions)


def sessions_of(request: Request) -> Sessions:
    """The app's session table (created with the app)."""
    found = getattr(request.app.state, "sessions", None)
    if found is None:
        found = request.app.state.sessions = Sessions()
    assert isinstance(found, Sessions)
    return found


def session_of(request: Request) -> Session | None:
    """The live session the request's cookie names, if any."""
    return sessions_of(request).get(request.cookies.get(SESSION_COOKIE))


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """A cookie scripts cannot read, sent to this site only, over https when served so."""
    response.set_cookie(
        name, value, httponly=True, samesite="strict", secure=is_https(request), path="/"
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, httponly=True, samesite="strict", secure=is_https(request), path="/"
    )
