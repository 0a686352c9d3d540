"""Cell parsers: one cell's value as a date, yes/no, list, choice or text; pure.

Shared by validation, the template's examples and the property tests. Each parser
raises ``ValueError`` whose text is the reason a report shows beside the cell.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar, cast

from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

from ingest.raw import CellValue
from ingest.spec import NO_WORDS, YES_WORDS

__all__ = [
    "EMAIL",
    "closest",
    "norm",
    "parse_choice",
    "parse_date",
    "parse_list",
    "parse_yes_no",
    "text_of",
]

E = TypeVar("E", bound=StrEnum)

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
EMAIL = re.compile(r"[^@\s;,]+@[^@\s;,]+")


def text_of(value: CellValue) -> str:
    """A cell as text: numbers typed into a key column (``2019``) are still keys."""
    if type(value) is str:  # nearly every cell: the checks below cannot apply
        return value.strip()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value: CellValue) -> date:
    """ISO ``YYYY-MM-DD``, a real Excel date, or UK ``DD/MM/YYYY``; anything else is refused.

    >>> parse_date("2019-05-01") == parse_date("01/05/2019") == parse_date("1/5/2019")
    True
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        found = _date_of(value.strip())
        if isinstance(found, str):
            raise ValueError(found)
        return found
    raise ValueError("is not a date: format the cell as a date, or write YYYY-MM-DD")


@functools.lru_cache(maxsize=4096)
def _date_of(text: str) -> date | str:
    """The day ``text`` names, or why it names none: a bundle repeats a few dates."""
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _UK.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return "is not a date: write YYYY-MM-DD or DD/MM/YYYY"
    try:
        return date(year, month, day)
    except ValueError:
        return "is not a day of the calendar"


def parse_yes_no(value: CellValue) -> bool:
    """``yes/no/y/n/true/false/1/0`` in any case (and real booleans).

    >>> [parse_yes_no(v) for v in ("Yes", "n", "TRUE", 0, True)]
    [True, False, True, False, True]
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = text_of(value).casefold()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueError("must be yes or no (y/n, true/false, 1/0)")


def parse_list(value: CellValue) -> tuple[str, ...]:
    """A ``;`` list, trimmed, empties dropped."""
    return tuple(item.strip() for item in text_of(value).split(";") if item.strip())


def _choice_word(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().casefold())


@functools.cache
def _valid_choices(choices: type[StrEnum], allowed: frozenset[str] | None) -> tuple[str, ...]:
    """Asked once per column of each bundle's every row: worked out once."""
    return tuple(c.value for c in choices if allowed is None or c.value in allowed)


@functools.lru_cache(maxsize=4096)
def _chosen(
    text: str, choices: type[StrEnum], allowed: frozenset[str] | None
) -> StrEnum | tuple[str, ...]:
    """The member ``text`` names, or the valid values when it names none: a bundle's
    rows repeat a handful of spellings tens of thousands of times."""
    word = _choice_word(text)
    valid = _valid_choices(choices, allowed)
    return choices(word) if word in valid else valid


@functools.cache
def _frozen(allowed: tuple[str, ...]) -> frozenset[str]:
    return frozenset(allowed)


def parse_choice(value: CellValue, choices: type[E], allowed: Collection[str] | None = None) -> E:
    """One of an enumeration's values, any case, spaces or hyphens for underscores."""
    if allowed is None:
        permitted = None
    elif isinstance(allowed, tuple):
        permitted = _frozen(allowed)
    else:
        permitted = frozenset(allowed)
    found = _chosen(text_of(value), choices, permitted)
    if isinstance(found, tuple):
        raise ValueError("must be one of: " + ", ".join(found))
    return cast(E, found)


def closest(text: str, known: Mapping[str, str], limit: int = 3) -> tuple[str, ...]:
    """The display names of the ``limit`` known spellings closest to ``text``.

    Word-set similarity first ("Mid Essex ICB" is all in "Mid and South Essex
    ICB"), plain similarity to break ties; punctuation counts as a space.
    """
    query = default_process(text)
    scored = sorted(
        known.items(),
        key=lambda item: (
            -fuzz.token_set_ratio(query, default_process(item[0])),
            -fuzz.ratio(query, default_process(item[0])),
            item[1],
        ),
    )
    names: list[str] = []
    for _spelling, name in scored:
        if name not in names:
            names.append(name)
    return tuple(names[:limit])


def norm(text: str) -> str:
    """Names match case- and whitespace-insensitively."""
    return " ".join(text.split()).casefold()
