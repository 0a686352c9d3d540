"""Handover notes read into their parts: what was learned, what remains open, who to talk to.

A handover note is free text written by the outgoing team; this module only
splits it into sentences and sorts them by their labels (``Learned:``,
``Remains:``, ``Talk to`` ...). What a reader may read of the note is
``services.consent``'s to say, not this module's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Notes", "open_questions", "read_notes"]


@dataclass(frozen=True)
class Notes:
    """A handover note read into its parts; sentences without a label stay in ``other``."""

    learned: tuple[str, ...]
    open_questions: tuple[str, ...]
    talk_to: tuple[str, ...]
    other: tuple[str, ...]


_LABELS: dict[str, Literal["learned", "open", "talk_to"]] = {
    "learned": "learned",
    "learnt": "learned",
    "lessons": "learned",
    "lessons learned": "learned",
    "what worked": "learned",
    "remains": "open",
    "remaining": "open",
    "still to do": "open",
    "to do": "open",
    "todo": "open",
    "open": "open",
    "open question": "open",
    "open questions": "open",
    "question": "open",
    "questions": "open",
    "unresolved": "open",
    "next": "open",
    "next steps": "open",
    "gaps": "open",
    "talk to": "talk_to",
    "who to talk to": "talk_to",
    "contacts": "talk_to",
}
_LABEL = re.compile(r"^\s*(?P<label>[A-Za-z][A-Za-z ]{0,20}?)\s*:\s*(?P<rest>.+)$", re.S)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9\"'(\[])")
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        if line:
            parts += [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]
    return parts


def _tidy(sentence: str) -> str:
    sentence = sentence.strip()
    return sentence[:1].upper() + sentence[1:] if sentence else sentence


def read_notes(text: str | None) -> Notes:
    """Split a handover note into what was learned, what remains open, and who to talk to.

    Sentences labelled ``Learned:``, ``Remains:`` (or ``Open questions:``,
    ``Next steps:`` ...), ``Talk to`` go to their part; an unlabelled sentence
    ending in ``?`` is an open question too.

    >>> n = read_notes("Learned: halls reach people. Remains: funding. Who pays? Talk to Ann.")
    >>> n.learned, n.open_questions, n.talk_to
    (('Halls reach people.',), ('Funding.', 'Who pays?'), ('Talk to Ann.',))
    """
    learned: list[str] = []
    open_: list[str] = []
    talk_to: list[str] = []
    other: list[str] = []
    for sentence in _sentences(text or ""):
        match = _LABEL.match(sentence)
        kind = _LABELS.get(match["label"].strip().casefold()) if match else None
        if match and kind == "learned":
            learned.append(_tidy(match["rest"]))
        elif match and kind == "open":
            open_.append(_tidy(match["rest"]))
        elif kind == "talk_to" or sentence.casefold().startswith(("talk to ", "speak to ")):
            talk_to.append(sentence)
        elif sentence.endswith("?"):
            open_.append(sentence)
        else:
            other.append(sentence)
    return Notes(tuple(learned), tuple(open_), tuple(talk_to), tuple(other))


def open_questions(text: str | None) -> tuple[str, ...]:
    """What a handover note leaves open (see ``read_notes``).

    >>> open_questions("Remains: rollout in Tendring. Is the data shared?")
    ('Rollout in Tendring.', 'Is the data shared?')
    """
    return read_notes(text).open_questions
