"""Errors only the API raises: callers, keys and uploads. Same root as the domain's,
so ``api.problems`` maps every one of them in one place."""

from __future__ import annotations

from graph.errors import AlumniGraphError


class Unauthenticated(AlumniGraphError):
    """No key, or a key that is unknown or revoked (401)."""


class RateLimited(AlumniGraphError):
    """Too many failed authentications from one client address (429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed authentications; retry after {retry_after} s")
        self.retry_after = retry_after


class TooLarge(AlumniGraphError):
    """An upload over the configured size (413)."""


class BundleRefused(AlumniGraphError):
    """A bundle that failed validation: nothing was written; ``report`` says why (422)."""

    def __init__(self, report: dict[str, object], error_count: int) -> None:
        super().__init__(f"{error_count} error(s) in the bundle: nothing was written")
        self.report = report
