"""One root for every error the service raises on purpose.

The API maps these to HTTP in one handler; the CLI maps them to exit codes.
Driver and SQL errors never escape a store: they are translated here first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field of one record."""

    record: str
    field: str
    value: object
    reason: str

    def __str__(self) -> str:
        return f"{self.record}: {self.field}={self.value!r}: {self.reason}"


class AlumniGraphError(Exception):
    """Root of every error this package raises deliberately."""


class NotFound(AlumniGraphError):
    """A record asked for by key does not exist (or is not visible to the caller)."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class Invalid(AlumniGraphError):
    """Input breaks a rule of the domain; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        shown = "; ".join(str(p) for p in self.problems[:5])
        more = f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
        super().__init__(f"{len(self.problems)} problem(s): {shown}{more}")


class Conflict(AlumniGraphError):
    """The request contradicts what the store already holds."""


class Forbidden(AlumniGraphError):
    """A valid key whose role may not do this (403)."""


class StoreUnavailable(AlumniGraphError):
    """The store cannot be reached; retrying later may succeed."""


class Stale(Conflict):
    """The store changed after a write was prepared: read it again and retry.

    Raised by ``GraphStore.apply`` when ``expected_version`` is no longer the
    store's version; nothing was written.
    """
