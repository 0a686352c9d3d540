"""Finding people in free text, and taking them out of it.

Handover notes, project outcomes and issue descriptions are written by people
and name people: "Talk to Siân Jones (sian.jones@essex.gov.uk)". Whoever may
not see Siân must not learn her name or email from a note, and once she is
erased no note may keep them. This module finds a person's mentions and
replaces them; *who* is hidden from whom is decided elsewhere (the API's
consent module, the stores' erasure), so everything here is pure.

A person is found by

- their full name, and their first and last name alone ("Siân Jones" for
  "Siân Mary Jones"), as whole words only (not "Jo Smith" in "Jo Smithson",
  nor in "Jo Smith-Jones"), in any case and with or without accents
  ("SIAN JONES"), across line breaks, and in the possessive ("Siân Jones's");
- their email, in any case.

A first name alone is never taken for a person ("Siân" could be anyone), and
a one-word name is found only when written with its capital ("Will" the
person, not "will" the verb).

>>> people = [Named("p1", "Siân Mary Jones", "sian.jones@example.org")]
>>> redact("Ask SIAN JONES or mail Sian.Jones@Example.org. Siân knows.", people)
'Ask [name withheld] or mail [email withheld]. Siân knows.'
>>> redact("Jo Smithson and Jo Smith-Jones.", [Named("p2", "Jo Smith", None)])
'Jo Smithson and Jo Smith-Jones.'
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from graph.model import Handover, Person, Project, Record, WickedIssue

R = TypeVar("R", bound=Record)

__all__ = [
    "EMAIL_WITHHELD",
    "ERASED",
    "FREE_TEXT_FIELDS",
    "NAME_WITHHELD",
    "Matcher",
    "Mention",
    "Named",
    "FREE_TEXT_KINDS",
    "emails_in",
    "erasure_scrubs",
    "journal_scrubber",
    "scrub_image",
    "scrub_record",
    "name_forms",
    "redact",
    "scrub",
]

NAME_WITHHELD = "[name withheld]"
"""What a text says instead of the name of someone the reader may not see."""
EMAIL_WITHHELD = "[email withheld]"
"""What a text says instead of the email of someone the reader may not see."""
ERASED = "[erased]"
"""What a text says, once a person is erased, where it named them."""

FREE_TEXT_FIELDS: Mapping[type[Record], tuple[str, ...]] = {
    WickedIssue: ("title", "description"),
    Project: ("title", "outcomes"),
    Handover: ("notes",),
}
"""Every free-text field of the stored records, by record type: what people write
in, and so what may name people (and what erasure scrubs; readers are shown the
long texts, description, outcomes and notes, through the consent module)."""

FREE_TEXT_KINDS: tuple[str, ...] = tuple(m.kind for m in FREE_TEXT_FIELDS)
"""The record kinds with free text, as journals name them."""

_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_WORD = re.compile(rf"[\w{_MARKS}]+")
_EMAIL = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")
_JOINERS = "-'\u2019\u2010\u2011"
_APOSTROPHES = "'\u2019"


@dataclass(frozen=True)
class Named:
    """A person as free text may name them: their key (an id), name and email."""

    key: str
    name: str
    email: str | None = None


@dataclass(frozen=True)
class Mention:
    """Where a text names someone: ``text[start:end]``, and who it may be."""

    start: int
    end: int
    what: Literal["name", "email"]
    keys: frozenset[str]
    """Everyone with this name (or email): a text cannot say which of them it means."""


def _fold(word: str) -> str:
    """A word as compared: case-folded, without accents.

    >>> _fold("Siân"), _fold("ØRSTED"), _fold("Zoë")
    ('sian', 'ørsted', 'zoe')
    """
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_ONE_JOIN = str.maketrans({"\u2019": "'", "\u2010": "-", "\u2011": "-"})
_SPACES = re.compile(r"\s+")
_NAME_JOINS = re.compile(r"[ '-]")


def _key(name: str) -> str:
    """A name as the index keeps it, and as ``Matcher.find`` spells the words of a text
    it compares: folded, white space as one space, one hyphen and one apostrophe.

    >>> _key("  Siân  Mary\tJONES "), _key("Mary\u2010Jane O\u2019Brien")
    ('sian mary jones', "mary-jane o'brien")
    """
    return _SPACES.sub(" ", _fold(name.translate(_ONE_JOIN)).strip())


def _separator(between: str) -> str | None:
    """How two words of a name are joined: a space (any run of white space), a hyphen or
    an apostrophe; ``None`` for anything else (a full stop, a comma ...)."""
    if between and between.isspace():
        return " "
    if between in ("-", "\u2010", "\u2011"):
        return "-"
    if between in ("'", "\u2019"):
        return "'"
    return None


def _words(text: str) -> tuple[list[tuple[int, int, str]], list[str | None]]:
    """The words of a text (start, end, folded) and the separator after each."""
    words = [(m.start(), m.end(), _fold(m.group())) for m in _WORD.finditer(text)]
    gaps = [_separator(text[a[1] : b[0]]) for a, b in zip(words, words[1:], strict=False)]
    return words, [*gaps, None]


def emails_in(text: str) -> list[str]:
    """The email addresses a text holds, as written.

    >>> emails_in("Ask ann@x.org or Bob (BOB@Y.ORG).")
    ['ann@x.org', 'BOB@Y.ORG']
    """
    return _EMAIL.findall(text)


def name_forms(name: str) -> list[str]:
    """The ways a text may name a person: their full name, and first and last name.

    >>> name_forms("Siân Mary Jones"), name_forms("Ann Lee"), name_forms("Cher")
    (['Siân Mary Jones', 'Siân Jones'], ['Ann Lee'], ['Cher'])
    """
    parts = name.split()
    forms = [" ".join(parts)]
    if len(parts) > 2:
        forms.append(f"{parts[0]} {parts[-1]}")
    return forms


def _starts_word(text: str, start: int) -> bool:
    """Is a word at ``start`` not the tail of a longer one ("Smith-Jo Smith", "O'Jo")?"""
    if start < 2 or text[start - 1] not in _JOINERS:
        return True
    return not text[start - 2].isalnum()


def _ends_word(text: str, end: int) -> bool:
    """Does a name ending at ``end`` end there: not joined on to more of a word
    ("Smith-Jones", "O'Brien"), though a possessive ("Jones's", "Jones'") ends it."""
    if end >= len(text) or text[end] not in _JOINERS:
        return True
    after = text[end + 1 : end + 2]
    if not after.isalnum():
        return True
    return text[end] in _APOSTROPHES and after in "sS" and not text[end + 2 : end + 3].isalnum()


class Matcher:
    """Finds the mentions of a set of people in texts; made once, used for many texts.

    Each text is read word by word against an index of the people's name forms,
    so the cost grows with the text, not with the number of people.

    >>> m = Matcher([Named("a", "Ann Lee", "ann@x.org"), Named("b", "Ann Mary Lee")])
    >>> [(t[x.start : x.end], sorted(x.keys)) for t in ["ANN LEE; ann@x.org"] for x in m.find(t)]
    [('ANN LEE', ['a', 'b']), ('ann@x.org', ['a'])]
    """

    def __init__(self, people: Iterable[Named]) -> None:
        self._names: dict[str, set[str]] = {}
        """Names of two words or more, as ``_key`` writes them -> keys."""
        self._single: dict[str, set[str]] = {}
        """One-word names (folded) -> keys: found only when capitalised."""
        self._emails: dict[str, set[str]] = {}
        self._longest = 0
        for person in people:
            if person.email and "@" in person.email:
                self._emails.setdefault(person.email.strip().casefold(), set()).add(person.key)
            full = _key(person.name)
            parts = full.split(" ")
            for form in (full, f"{parts[0]} {parts[-1]}") if len(parts) > 2 else (full,):
                words = 1 + len(_NAME_JOINS.findall(form))
                if words == 1:
                    self._single.setdefault(form, set()).add(person.key)
                elif form:
                    self._names.setdefault(form, set()).add(person.key)
                    self._longest = max(self._longest, words)

    def __bool__(self) -> bool:
        return bool(self._names or self._single or self._emails)

    def find(self, text: str) -> list[Mention]:
        """Every mention in ``text``, in order, none overlapping (an email, then the
        longest name, wins)."""
        found: list[Mention] = []
        if self._emails:
            for m in _EMAIL.finditer(text):
                owners = self._emails.get(m.group().casefold())
                if owners:
                    found.append(Mention(m.start(), m.end(), "email", frozenset(owners)))
        taken = [(x.start, x.end) for x in found]
        words, gaps = _words(text) if self._names or self._single else ([], [])
        i = 0
        while i < len(words):
            hit = self._name_at(text, words, gaps, i)
            if hit is not None:
                last, keys = hit
                start, end = words[i][0], words[last][1]
                if not any(a < end and start < b for a, b in taken):
                    found.append(Mention(start, end, "name", keys))
                    i = last + 1
                    continue
            i += 1
        return sorted(found, key=lambda x: x.start)

    def _name_at(
        self,
        text: str,
        words: list[tuple[int, int, str]],
        gaps: list[str | None],
        i: int,
    ) -> tuple[int, frozenset[str]] | None:
        """The longest name starting at word ``i``: its last word and who it may be."""
        if not _starts_word(text, words[i][0]):
            return None
        key, longer = words[i][2], []
        for j in range(i + 1, min(i + self._longest, len(words))):
            join = gaps[j - 1]
            if join is None:
                break
            key = f"{key}{join}{words[j][2]}"
            longer.append((j, key))
        for j, key in reversed(longer):
            who = self._names.get(key)
            if who and _ends_word(text, words[j][1]):
                return j, frozenset(who)
        single = self._single.get(words[i][2])
        if single and text[words[i][0]].isupper() and _ends_word(text, words[i][1]):
            return i, frozenset(single)
        return None

    def redact(
        self,
        text: str,
        hide: Callable[[Mention], bool] | None = None,
        *,
        name_marker: str = NAME_WITHHELD,
        email_marker: str = EMAIL_WITHHELD,
    ) -> str:
        """``text`` with every mention ``hide`` says yes to (all, by default) replaced."""
        out, at = [], 0
        for mention in self.find(text):
            if hide is not None and not hide(mention):
                continue
            marker = name_marker if mention.what == "name" else email_marker
            out += [text[at : mention.start], marker]
            at = mention.end
        return "".join([*out, text[at:]]) if out else text


def redact(
    text: str,
    people: Iterable[Named],
    *,
    name_marker: str = NAME_WITHHELD,
    email_marker: str = EMAIL_WITHHELD,
) -> str:
    """``text`` with every mention of ``people`` replaced by the markers.

    >>> redact("Talk to Ann Example, who led it.", [Named("a", "Ann Example")])
    'Talk to [name withheld], who led it.'
    >>> redact("Mail ann@ex.org.", [Named("a", "Ann Example", "ann@ex.org")], email_marker="[x]")
    'Mail [x].'
    """
    return Matcher(people).redact(text, name_marker=name_marker, email_marker=email_marker)


def scrub(
    values: Mapping[str, str | None], people: Iterable[Named], marker: str = ERASED
) -> dict[str, str | None]:
    """The fields of ``values`` that named any of ``people``, with each mention replaced
    by ``marker`` (the others are left out: an empty answer means nothing to change).

    What erasure does to a record's free text (see ``FREE_TEXT_FIELDS``).

    >>> dan = Named("d", "Dan Ek", "dan@x.org")
    >>> scrub({"notes": "Ask Dan Ek (dan@x.org).", "title": None}, [dan])
    {'notes': 'Ask [erased] ([erased]).'}
    """
    matcher = Matcher(people)
    changed: dict[str, str | None] = {}
    for field, value in values.items():
        if value:
            after = matcher.redact(value, name_marker=marker, email_marker=marker)
            if after != value:
                changed[field] = after
    return changed


def erasure_scrubs(
    person: Person, read: Callable[[type[Record]], Iterable[Record]]
) -> list[tuple[type[Record], list[Record]]]:
    """What erasing ``person`` changes in free text: for each record type with free
    text (``read`` gives all its records, inside the erasing transaction), the records
    that named them by name or email, with every mention replaced by ``[erased]``.

    A store's ``erase_person`` writes these back in the same transaction.

    >>> dan = Person(id="d", email="dan@x.org", name="Dan Ek")
    >>> note = Handover(issue_id="i", from_project_id="p", to_cohort_id="c",
    ...                 date="2020-01-01", notes="Dan Ek knows. Not Dan.")
    >>> [(m.kind, [r.notes for r in rs]) for m, rs in erasure_scrubs(dan, lambda m:
    ...     [note] if m is Handover else [])]
    [('handover', ['[erased] knows. Not Dan.'])]
    """
    matcher = Matcher([Named(person.id, person.name, person.email)])
    out: list[tuple[type[Record], list[Record]]] = []
    for model in FREE_TEXT_FIELDS:
        changed = [
            after
            for record in read(model)
            if (after := scrub_record(record, matcher)) is not record
        ]
        if changed:
            out.append((model, changed))
    return out


def scrub_record(record: R, matcher: Matcher) -> R:
    """``record`` with every mention ``matcher`` finds in its free text replaced by
    ``[erased]``; the record itself when its text names none of them."""
    values = {name: getattr(record, name) for name in _FIELDS.get(record.kind, ())}
    update = _scrubbed(record.kind, values, matcher)
    return record.model_copy(update=update) if update else record


def scrub_image(kind: str, image: dict[str, Any], matcher: Matcher) -> dict[str, Any]:
    """A record's image (a journal's before-image, JSON-shaped) of ``kind`` with every
    mention ``matcher`` finds in its free text replaced by ``[erased]``."""
    update = _scrubbed(kind, image, matcher)
    return {**image, **update} if update else image


def _scrubbed(kind: str, values: Mapping[str, Any], matcher: Matcher) -> dict[str, str]:
    """The free-text fields of a ``kind`` record's ``values`` that change, changed."""
    update: dict[str, str] = {}
    for name in _FIELDS.get(kind, ()):
        value = values.get(name)
        if isinstance(value, str) and value:
            after = matcher.redact(value, name_marker=ERASED, email_marker=ERASED)
            if after != value:
                update[name] = after
    return update


_FIELDS: dict[str, tuple[str, ...]] = {m.kind: names for m, names in FREE_TEXT_FIELDS.items()}


def journal_scrubber(person: Person) -> Callable[[str, str | None], str | None]:
    """What erasing ``person`` changes in a journal: given an entry's kind and its
    before-image (as the stores keep it, JSON), the image with their mentions in
    free text replaced by ``[erased]``, or ``None`` when it does not name them.

    Rolling back a run restores its before-images, so without this a rollback
    after an erasure could write the erased person's name back.

    >>> scrub = journal_scrubber(Person(id="d", email="dan@x.org", name="Dan Ek"))
    >>> scrub("handover", '{"notes": "Ask Dan Ek.", "date": "2020-01-01"}')
    '{"notes": "Ask [erased].", "date": "2020-01-01"}'
    >>> scrub("handover", '{"notes": "Ask Dan."}'), scrub("tie", '{"context": "Dan Ek"}')
    (None, None)
    """
    matcher = Matcher([Named(person.id, person.name, person.email)])

    def scrubbed(kind: str, previous: str | None) -> str | None:
        if not previous or kind not in _FIELDS:
            return None
        image = json.loads(previous)
        if not isinstance(image, dict):
            return None
        after = scrub_image(kind, image, matcher)
        return json.dumps(after) if after is not image else None

    return scrubbed
