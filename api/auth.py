"""Who is calling: ``Authorization: Bearer KEY`` to a ``Viewer``, and which roles may pass.

No key, or an unknown or revoked one: 401 with ``WWW-Authenticate: Bearer``. A
valid key of the wrong role: 403. Wrong keys are throttled (429) per client
address and per key prefix (``ag_<id>``, so a guesser spread over many
addresses is slowed too) by a small in-process limiter; keys are 256-bit
random, so this is about log noise and load more than about guessing. A correct
key is never throttled: it is checked before the limiter, so whatever an
address or a prefix sent before, the right key gets in. Keys are never logged
nor echoed: only their hash reaches the store.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import StoreDep
from api.errors import RateLimited, Unauthenticated
from api.keys import KEY_PREFIX, hash_key
from api.pages.sessions import CSRF_HEADER, SAFE_METHODS, session_of, sessions_of, tokens_match
from graph.errors import Forbidden, NotFound
from graph.model import KeyRole
from graph.store import GraphStore
from services.consent import Viewer

_MAX_KEY_LENGTH = 200


class FailedAuthLimiter:
    """At most ``limit`` failed authentications per client address (or key prefix, or
    any other name) per ``window`` seconds.

    In-process and approximate by design (one process, one memory): it slows a
    guesser down without a shared store. Remembers at most ``max_clients``
    addresses, forgetting the least recently failing first.
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.get(client, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def check(self, *clients: str) -> None:
        """Raise ``RateLimited`` while any of these is over its limit."""
        with self._lock:
            now = self.clock()
            retry = 0
            for client in clients:
                failures = self._recent(client, now)
                if len(failures) >= self.limit:
                    retry = max(retry, math.ceil(failures[0] + self.window - now), 1)
            if retry:
                raise RateLimited(retry)

    def failed(self, *clients: str) -> None:
        with self._lock:
            now = self.clock()
            for client in clients:
                failures = self._recent(client, now)
                failures.append(now)
                self._failures[client] = failures
                self._failures.move_to_end(client)
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)

    def refuse(self, *clients: str) -> None:
        """A wrong key from these: 429 while any is over its limit (not counted, so a
        flood costs no memory), else counted."""
        self.check(*clients)
        self.failed(*clients)


def limited_names(request: Request, key: str) -> tuple[str, ...]:
    """What a wrong key counts against: its client address (as ``api.clients`` resolved
    it) and, for a key of the right shape, its prefix ``ag_<id>`` (never its secret).

    >>> from starlette.requests import Request
    >>> limited_names(Request({"type": "http", "client": ("192.0.2.1", 1)}), "ag_12ab_x")
    ('address 192.0.2.1', 'key ag_12ab')
    """
    client = request.client.host if request.client else "unknown"
    names = [f"address {client}"]
    if key.startswith(KEY_PREFIX) and len(key) <= _MAX_KEY_LENGTH:
        key_id, sep, _ = key[len(KEY_PREFIX) :].partition("_")
        if sep and 0 < len(key_id) <= 16:
            names.append(f"key {KEY_PREFIX}{key_id}")
    return tuple(names)


def viewer_of_key(store: GraphStore, key: str) -> Viewer | None:
    """The caller a presented key stands for; ``None`` if malformed, unknown or revoked."""
    if not key.startswith(KEY_PREFIX) or len(key) > _MAX_KEY_LENGTH:
        return None
    return viewer_of_key_hash(store, hash_key(key))


_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `alumni-graph keys create`: `Authorization: Bearer ag_...`.",
)


def viewer_of_key_hash(store: GraphStore, key_hash: str) -> Viewer | None:
    """The caller a key (by its SHA-256) stands for; ``None`` if unknown or revoked."""
    try:
        record = store.key_by_hash(key_hash)
    except NotFound:
        return None
    if record.revoked_at is not None or (
        record.role is KeyRole.ALUMNI and record.person_id is None
    ):
        return None
    return Viewer(role=record.role, key_id=record.id, person_id=record.person_id)


def _from_session(request: Request, store: GraphStore) -> Viewer:
    """The caller of a browser signed in on the pages (``api.pages.sessions``); a request
    that changes something must also send the session's CSRF token (403 otherwise)."""
    session = session_of(request)
    if session is None:
        raise Unauthenticated("an API key is required: Authorization: Bearer KEY")
    if request.method not in SAFE_METHODS and not tokens_match(
        session.csrf, request.headers.get(CSRF_HEADER)
    ):
        raise Forbidden(f"a request signed in by cookie must send its {CSRF_HEADER} header")
    viewer = viewer_of_key_hash(store, session.key_sha256)
    if viewer is None:
        sessions_of(request).end_key(store, session.key_id)
        raise Unauthenticated("the key this browser signed in with was revoked: sign in again")
    return viewer


def authenticate(
    request: Request,
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Viewer:
    """The caller behind the bearer key (or the pages' session cookie), or 401 (429
    after too many wrong keys from the address or for the key prefix)."""
    if credentials is None:
        viewer = _from_session(request, store)
    else:
        key = credentials.credentials
        found = viewer_of_key(store, key)
        if found is None:
            limiter: FailedAuthLimiter = request.app.state.auth_limiter
            limiter.refuse(*limited_names(request, key))
            raise Unauthenticated("unknown or revoked API key")
        viewer = found
    request.state.viewer = viewer  # a 404's suggestions are of what this caller may see
    return viewer


def require(*roles: KeyRole) -> Callable[[Viewer], Viewer]:
    """A dependency that lets through callers of these roles only (403 otherwise)."""
    allowed = frozenset(roles)
    names = ", ".join(r.value for r in roles)

    def dependency(viewer: Annotated[Viewer, Depends(authenticate)]) -> Viewer:
        if viewer.role not in allowed:
            raise Forbidden(f"{viewer.role.value} keys may not do this (it needs: {names})")
        return viewer

    return dependency


AnyRole = Annotated[Viewer, Depends(require(KeyRole.ALUMNI, KeyRole.PROGRAMME, KeyRole.ADMIN))]
"""Any valid key: alumni, programme or admin."""
TeamRole = Annotated[Viewer, Depends(require(KeyRole.PROGRAMME, KeyRole.ADMIN))]
"""The programme team: programme or admin keys."""
AdminRole = Annotated[Viewer, Depends(require(KeyRole.ADMIN))]
