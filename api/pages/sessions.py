"""Signed-in browsers: opaque sessions kept in the store, and their CSRF tokens.

Signing in with a key gives the browser a random session id in an ``HttpOnly``,
``SameSite=Strict`` cookie (``Secure`` over https); the key itself never leaves
the form post. The store keeps the session by the SHA-256 of its id (reading
the store signs nobody in) with the key's id and hash, so every request
re-checks the key: revoking it, or erasing its person, ends its sessions.
Sessions live in the store, so they survive a restart and every worker of the
server sees them; one key holds at most ``per_key`` of them (its oldest ends
when it signs in once more), so no amount of signing in with one key ends
another key's session.

A request authorised by the cookie that changes something must carry the
session's CSRF token (a synchronizer token): the hidden ``csrf_token`` field of
every form the pages render, or the ``X-CSRF-Token`` header for scripts. The
token is an HMAC of the session id, so it is not stored at all. The sign-in
form, before there is a session, uses a double-submit cookie instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from api.settings import ApiSettings
from graph.errors import NotFound
from graph.store import GraphStore, PageSession

SESSION_COOKIE = "ag_session"
SIGN_IN_COOKIE = "ag_sign_in"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_ID_LENGTH = 200


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random token: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def csrf_of(session_id: str) -> str:
    """The CSRF token of a session: derived from its id, which only the browser holds.

    >>> csrf_of("abc") == csrf_of("abc") != csrf_of("abd")
    True
    """
    return hmac.new(session_id.encode(), b"alumni-graph csrf", hashlib.sha256).hexdigest()


def tokens_match(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a token with what the request sent.

    >>> tokens_match("abc", "abc"), tokens_match("abc", "abd"), tokens_match("abc", None)
    (True, False, False)
    """
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


@dataclass(frozen=True)
class Session:
    """A live session: the store's record and the CSRF token its forms carry."""

    record: PageSession
    csrf: str

    @property
    def key_sha256(self) -> str:
        return self.record.key_sha256

    @property
    def key_id(self) -> str:
        return self.record.key_id


def _now() -> datetime:
    return datetime.now(UTC)


class Sessions:
    """Page sessions in the request's store, ending ``idle`` seconds after their last
    use and ``lifetime`` seconds after sign-in; at most ``per_key`` per key.

    Use moves a session's expiry on at most once every ``touch_every`` seconds, so
    browsing is not a write per page."""

    def __init__(
        self,
        *,
        idle: float = 8 * 3600,
        lifetime: float = 24 * 3600,
        per_key: int = 10,
        touch_every: float = 60,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.idle = timedelta(seconds=idle)
        self.lifetime = timedelta(seconds=lifetime)
        self.per_key = per_key
        self.touch_every = timedelta(seconds=touch_every)
        self.clock = clock

    @classmethod
    def of(cls, settings: ApiSettings) -> Sessions:
        return cls(
            idle=settings.session_idle_seconds,
            lifetime=settings.session_lifetime_seconds,
            per_key=settings.sessions_per_key,
        )

    def _expiry(self, created: datetime, now: datetime) -> datetime:
        return min(created + self.lifetime, now + self.idle)

    def open(self, store: GraphStore, key_id: str, key_sha256: str) -> tuple[str, Session]:
        """A new session for a key: its id (for the cookie only) and the session."""
        session_id = new_token()
        now = self.clock()
        record = PageSession(
            token_sha256=_digest(session_id),
            key_id=key_id,
            key_sha256=key_sha256,
            created_at=now,
            expires_at=self._expiry(now, now),
        )
        store.delete_expired_sessions(now)
        store.save_session(record, keep_per_key=self.per_key)
        return session_id, Session(record, csrf_of(session_id))

    def get(self, store: GraphStore, session_id: str | None) -> Session | None:
        """The live session this id names, its expiry moved on; ``None`` if none."""
        if not session_id or len(session_id) > _MAX_ID_LENGTH:
            return None
        now = self.clock()
        try:
            record = store.session(_digest(session_id), now)
        except NotFound:
            return None
        expiry = self._expiry(record.created_at, now)
        if expiry - record.expires_at >= self.touch_every:
            record = replace(record, expires_at=expiry)
            store.save_session(record)
        return Session(record, csrf_of(session_id))

    def save(self, store: GraphStore, session: Session) -> None:
        """Keep a change to a session (its staged upload)."""
        store.save_session(session.record)

    def close(self, store: GraphStore, session_id: str | None) -> None:
        if session_id and len(session_id) <= _MAX_ID_LENGTH:
            store.delete_session(_digest(session_id))

    def end_key(self, store: GraphStore, key_id: str) -> int:
        """End every session of a key (revoked, or its person erased)."""
        return store.delete_sessions_of_key(key_id)


def sessions_of(request: Request) -> Sessions:
    """The app's sessions (created with the app)."""
    found = getattr(request.app.state, "sessions", None)
    if found is None:
        found = request.app.state.sessions = Sessions()
    assert isinstance(found, Sessions)
    return found


def _store_of(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


def session_of(request: Request) -> Session | None:
    """The live session the request's cookie names, if any."""
    return sessions_of(request).get(_store_of(request), request.cookies.get(SESSION_COOKIE))


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
