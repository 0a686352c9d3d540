"""Who is calling: ``Authorization: Bearer KEY`` to a ``Viewer``, and which roles may pass.

No key, or an unknown or revoked one: 401 with ``WWW-Authenticate: Bearer``. A
valid key of the wrong role: 403. A client address that keeps presenting wrong
keys is slowed down (429) by a small in-process limiter: keys are 256-bit
random, so this is about log noise and load more than about guessing. Keys are
never logged nor echoed: only their hash reaches the store.
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

from api.consent import Viewer
from api.deps import StoreDep
from api.errors import Forbidden, RateLimited, Unauthenticated
from api.keys import KEY_PREFIX, hash_key
from api.pages.sessions import CSRF_HEADER, SAFE_METHODS, session_of, tokens_match
from graph.errors import NotFound
from graph.model import KeyRole
from graph.store import GraphStore

_MAX_KEY_LENGTH = 200


class FailedAuthLimiter:
    """At most ``limit`` failed authentications per client address per ``window`` seconds.

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

    def check(self, client: str) -> None:
        """Raise ``RateLimited`` while the client is over its limit."""
        with self._lock:
            now = self.clock()
            failures = self._recent(client, now)
            if len(failures) >= self.limit:
                retry = max(1, math.ceil(failures[0] + self.window - now))
                raise RateLimited(retry)

    def failed(self, client: str) -> None:
        with self._lock:
            now = self.clock()
            failures = self._recent(client, now)
            failures.append(now)
            self._failures[client] = failures
            self._failures.move_to_end(client)
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)


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
    viewer = viewer_of_key_hash(store, session.key_hash)
    if viewer is None:
        raise Unauthenticated("the key this browser signed in with was revoked: sign in again")
    return viewer


def authenticate(
    request: Request,
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Viewer:
    """The caller behind the bearer key (or the pages' session cookie), or 401 (429
    after too many wrong keys)."""
    if credentials is None:
        return _from_session(request, store)
    limiter: FailedAuthLimiter = request.app.state.auth_limiter
    client = request.client.host if request.client else "unknown"
    limiter.check(client)
    key = credentials.credentials
    viewer = None
    if key.startswith(KEY_PREFIX) and len(key) <= _MAX_KEY_LENGTH:
        viewer = viewer_of_key_hash(store, hash_key(key))
    if viewer is None:
        limiter.failed(client)
        raise Unauthenticated("unknown or revoked API key")
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
