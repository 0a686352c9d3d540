"""One root for every error the service raises on purpose.

The API maps these to HTTP in one handler; the CLI maps them to exit codes.
Driver and SQL errors never escape a store: they are translated here first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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
    """A record asked for by key does not exist (or is not visible to the caller).

    ``suggestions``: the keys of records the caller may see whose key or name is
    closest to ``key`` (see ``close_matches``), best first; the message ends with
    them ("; did you mean lge-2021?").
    """

    def __init__(self, kind: str, key: str, suggestions: Sequence[str] = ()) -> None:
        self.kind = kind
        self.key = key
        self.suggestions = tuple(suggestions)
        super().__init__(f"{kind} {key!r} not found{did_you_mean(self.suggestions)}")

    def suggesting(self, suggestions: Sequence[str]) -> NotFound:
        """The same error, naming these suggestions (itself when there are none)."""
        if not suggestions or self.suggestions:
            return self
        return NotFound(self.kind, self.key, suggestions)


def did_you_mean(suggestions: Sequence[str]) -> str:
    """``"; did you mean a, b or c?"``, or nothing for no suggestions."""
    if not suggestions:
        return ""
    shown = list(suggestions)
    words = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} or {shown[-1]}"
    return f"; did you mean {words}?"


def close_matches(
    typed: str, choices: Mapping[str, Iterable[str]], *, limit: int = 3, cutoff: float = 60
) -> list[str]:
    """The keys of ``choices`` (key -> its names) whose key or a name is closest to
    ``typed`` (at least ``cutoff`` of 100 alike, and about as alike as the closest),
    best first, case and accents ignored: the one helper every "not found" and "no such
    option value" suggests with.

    >>> close_matches("lge-2012", {"lge-2021": ["Leading Greater Essex 2021"], "x": []})
    ['lge-2021']
    """
    from rapidfuzz import fuzz

    wanted = _fold(typed)
    if not wanted:
        return []
    scored: list[tuple[float, str]] = []
    for key, names in choices.items():
        score = max((fuzz.ratio(wanted, _fold(n)) for n in (key, *names) if n), default=0.0)
        if score >= cutoff:
            scored.append((-score, key))
    if not scored:
        return []
    best = -min(scored)[0]
    return [key for score, key in sorted(scored)[:limit] if -score >= best - _BAND]


_BAND = 5.0
"""Suggest only what is about as close as the closest: a near miss, not every neighbour."""


def _fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.casefold().strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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
