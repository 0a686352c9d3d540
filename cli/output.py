"""Shared helpers for the commands: the store a command opens (its "not found" with
suggestions), errors in words, JSON, CSV safe against formula injection."""

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from graph.errors import AlumniGraphError, Invalid, NotFound, Problem

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from graph.store import GraphStore
    from services.consent import Viewer


def rich_console(*, stderr: bool = False, **options: Any) -> "Console":
    """A rich console, made when a command prints: importing rich costs about 35 ms of
    every start, and ``status`` prints without it."""
    from rich.console import Console

    return Console(stderr=stderr, **options)


def aligned(rows: Sequence[tuple[str, str]]) -> list[str]:
    """Two columns as plain lines, the first left-aligned and the second right-aligned
    (a short listing printed without rich).

    >>> aligned([("kind", "count"), ("person", "12")])
    ['kind    count', 'person     12']
    """
    left = max((len(a) for a, _ in rows), default=0)
    right = max((len(b) for _, b in rows), default=0)
    return [f"{a:<{left}}  {b:>{right}}" for a, b in rows]


def rich_table(**options: Any) -> "Table":
    """A rich table (rich imported when a command prints one, as ``rich_console``)."""
    from rich.table import Table

    return Table(**options)


def console_team(key_id: str = "cli") -> "Viewer":
    """Whoever runs the command line: the programme team, on the machine the store is on."""
    from graph.vocabulary import KeyRole
    from services.consent import Viewer

    return Viewer(role=KeyRole.PROGRAMME, key_id=key_id)


@contextmanager
def command_store(url: str | None) -> Iterator["GraphStore"]:
    """The store at ``url`` (default: the settings'), closed afterwards; a ``NotFound``
    raised inside leaves naming the closest keys of its kind ("did you mean ...?")."""
    from graph.stores import open_store

    store = open_store(url)
    try:
        yield store
    except NotFound as error:
        from services.people import with_suggestions

        raise with_suggestions(store, console_team(), error) from None
    finally:
        store.close()


def person_option(store: "GraphStore", text: str) -> str:
    """A ``--person`` value: an email (any case) or a person's id, as the id."""
    from services.people import person_id_of

    return person_id_of(store, console_team(), text)


def in_words(error: AlumniGraphError) -> str:
    """An error as sentences a person reads: what was not found (and what is close), or
    each problem as the option and value it is about, then why."""
    if isinstance(error, NotFound):
        return f"no {error.kind.replace('_', ' ')} {error.key!r}{_hint(error)}"
    if isinstance(error, Invalid):
        return "\n".join(_problem_in_words(p) for p in error.problems)
    return str(error)


def _hint(error: NotFound) -> str:
    from graph.errors import did_you_mean

    return did_you_mean(error.suggestions)


_OPTIONS = {
    "as_of": "--as-of",
    "cohort_id": "--cohort",
    "person_id": "--person",
    "issue_id": "--issue",
    "organisation_id": "--organisation",
    "kinds": "--ties",
}
"""Field names of the requests commands build, as the options that set them."""

_REQUESTS = {"map", "request", "query", "options", "timeline"}
"""Records whose fields are a command's options (not rows of a file)."""


def option_of(field: str) -> str:
    """``as_of`` -> ``--as-of``: the option a request's field came from."""
    last = field.split(".")[-1]
    return _OPTIONS.get(last, "--" + last.replace("_", "-"))


def _problem_in_words(p: Problem) -> str:
    value = "" if p.value in (None, "") else f" {p.value!r}"
    if p.record in ("option", "argument") or p.field.startswith("--"):
        return f"{p.field}{value}: {p.reason}"
    if p.record in _REQUESTS:
        options = " and ".join(option_of(f) for f in p.field.split("/"))
        return f"{options}{value}: {p.reason}"
    where = p.record if not p.field else f"{p.record}, {p.field.replace('.', ' ')}"
    return f"{where}{value}: {p.reason}"


def validation_in_words(error: Exception) -> str | None:
    """A pydantic ``ValidationError`` as one sentence per option ("--radius 5: Input
    should be 1 or 2"), or ``None`` for any other error."""
    errors = getattr(error, "errors", None)
    if type(error).__name__ != "ValidationError" or not callable(errors):
        return None
    lines = []
    for e in errors():
        loc = [str(part) for part in e.get("loc", ()) if not isinstance(part, int)]
        value = e.get("input")
        shown = "" if value is None or isinstance(value, dict | list) else f" {str(value)[:80]!r}"
        lines.append(f"{option_of(loc[-1]) if loc else 'input'}{shown}: {e.get('msg', '')}")
    return "\n".join(lines)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def parse_day(text: str, option: str) -> date:
    """A ``YYYY-MM-DD`` option value, or a domain error naming the option."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid([Problem("option", option, text, "expected a date YYYY-MM-DD")]) from None


def safe_cell(value: object) -> object:
    """A text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 lines (CRLF), so a cell holding a lone ``\r`` is quoted, not split into a row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()


def _default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=False, default=_default, allow_nan=False)


def bad_value_in_words(error: Exception) -> str | None:
    """What typer says of an option's value it could not take, as the value and why in
    words ("'0' must be 1 or more", "'alumnus' is not one of ...; did you mean
    alumni?"), from the pydantic error behind it; ``None`` if there is none."""
    import re

    from graph.errors import close_matches, did_you_mean

    cause = error.__cause__
    found = getattr(cause, "errors", None)
    if type(cause).__name__ != "ValidationError" or not callable(found) or not found():
        return None
    e = found()[0]
    value, kind, context = e.get("input"), str(e.get("type", "")), e.get("ctx") or {}
    message = str(e.get("msg", "")).removeprefix("Value error, ")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter(context.values()), "")
        than = {"greater_than_equal": "or more", "less_than_equal": "or less"}
        words = f"must be {bound} {than[kind]}" if kind in than else message.lower()
        return f"{str(value)!r} {words}"
    if kind.startswith("int_"):
        return f"{str(value)!r} is not a whole number"
    if kind.startswith(("date", "datetime")):
        return f"{str(value)!r} is not a date: write it as YYYY-MM-DD"
    quoted = re.findall(r"'([^']*)'", message)
    if "is not one of" in message and len(quoted) > 1:
        hint = did_you_mean(close_matches(quoted[0], {c: [] for c in quoted[1:]}))
        return message.rstrip(".") + hint
    return f"{str(value)!r}: {message[:1].lower()}{message[1:]}" if value is not None else None
