"""The wicked-issue sample (tests/wicked/sample.py) with free text that names people,
each answer worked out by hand.

Added people (all at ECC, in c2019):
siân  "Siân Mary Jones" sian.jones@example.org  no directory, no contact
jo    "Jo Smith"        jo.smith@example.org    no directory, no contact
jos   "Jo Smithson"     jo.smithson@example.org directory and contact

An alumni caller (Ann's key) may not see Dan, Siân or Jo; sees Bob but not his
email (no contact consent); sees Cat, Ann and Jo Smithson with their emails.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from datetime import date
from typing import Any

from graph.model import (
    Employment,
    Handover,
    Membership,
    Person,
    Project,
    Role,
    WickedIssue,
)
from graph.store import Batch, GraphStore

from ..contract.sample import programme
from ..wicked.sample import baton

DESCRIPTION = "Raised by Siân Jones (sian.jones@example.org) with Cat Example, cat@example.org."
OUTCOMES = {
    "pr-da": "A shared referral pathway, drafted with SIAN JONES and Dan Example;"
    " Jo Smithson reviewed it.",
    "pr-da2": "Interim: a model workplace policy. Ask DAN@example.org, or Cat Example.",
    "pr-ri": "Twelve villages mapped by Jo Smith and Bob Example (bob@example.org).",
}
NOTES = (
    "Learned: one front door works. Remains: who funds the refuge?\n"
    "Talk to Sian Mary Jones, Dan Example and Ann Example. Jo Smith's map is with Siân."
)

W, E = "[name withheld]", "[email withheld]"
SEEN_BY_ALUMNI = {
    "description": f"Raised by {W} ({E}) with Cat Example, cat@example.org.",
    "pr-da": f"A shared referral pathway, drafted with {W} and {W}; Jo Smithson reviewed it.",
    "pr-da2": f"Interim: a model workplace policy. Ask {E}, or Cat Example.",
    "pr-ri": f"Twelve villages mapped by {W} and Bob Example ({E}).",
    "notes": "Learned: one front door works. Remains: who funds the refuge?\n"
    f"Talk to {W}, {W} and Ann Example. {W}'s map is with Siân.",
}
"""What Ann's key reads, worked out by hand from the table above."""

HIDDEN_FROM_ALUMNI = (
    r"\bsian jones\b",
    r"\bsian mary jones\b",
    r"sian\.jones@example\.org",
    r"\bdan example\b",
    r"\bdan@example\.org",
    r"\bjo smith\b",
    r"\bbob@example\.org",
)
"""What no alumni read may contain (on folded text: any case, accents dropped)."""

ERASED_PEOPLE = ("sian", "dan", "jo")
ERASED_TRACES = (
    r"\bsian jones\b",
    r"\bsian mary jones\b",
    r"sian\.jones@example\.org",
    r"\bdan example\b",
    r"\bdan@example\.org",
    r"\bjo smith\b",
    r"jo\.smith@example\.org",
)

FREE_TEXT_KEYS = frozenset({"description", "outcomes", "notes", "learned", "open_questions"})
FREE_TEXT_KEYS |= {"talk_to"}


def _added(pid: str, name: str, email: str, consent: bool) -> Person:
    return Person(
        id=pid,
        email=email,
        name=name,
        consent_directory=consent,
        consent_contact=consent,
    )


def free_text_batch() -> Batch:
    """What this module adds to the wicked-issue sample: three people and the texts."""
    grown = baton()
    people = [
        _added("sian", "Siân Mary Jones", "sian.jones@example.org", False),
        _added("jo", "Jo Smith", "jo.smith@example.org", False),
        _added("jos", "Jo Smithson", "jo.smithson@example.org", True),
    ]
    return Batch(
        people=people,
        employments=[
            Employment(person_id=p.id, organisation_id="ecc", start=date(2019, 5, 1))
            for p in people
        ],
        memberships=[
            Membership(person_id=p.id, cohort_id="c2019", role=Role.PARTICIPANT) for p in people
        ],
        issues=[WickedIssue(id="domestic-abuse", title="Domestic abuse", description=DESCRIPTION)],
        projects=[p.model_copy(update={"outcomes": OUTCOMES[p.id]}) for p in grown.of(Project)],
        handovers=[h.model_copy(update={"notes": NOTES}) for h in grown.of(Handover)],
    )


def load(store: GraphStore) -> GraphStore:
    """The sample programme, the wicked-issue additions and the free text, in one store."""
    from ..api.conftest import sample_run
    from ..wicked.conftest import baton_run

    store.apply(programme(), sample_run())
    store.apply(baton(), baton_run())
    store.apply(free_text_batch(), baton_run().model_copy(update={"id": "run-3"}))
    return store


def fold(text: str) -> str:
    """Text as scanned: HTML and Markdown escapes undone, white space collapsed, any
    case, accents dropped."""
    text = re.sub(r"\\([^\w\s])", r"\1", html.unescape(text))
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def traces(text: str, patterns: tuple[str, ...] = HIDDEN_FROM_ALUMNI) -> list[str]:
    """The patterns found in ``text`` (empty: nothing it may not show)."""
    folded = fold(text)
    return [p for p in patterns if re.search(p, folded)]


def free_text_values(body: Any) -> list[str]:
    """Every free-text value of a JSON answer, wherever it is nested."""
    found: list[str] = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key in FREE_TEXT_KEYS and isinstance(value, str) and value:
                found.append(value)
            elif key in FREE_TEXT_KEYS and isinstance(value, list):
                found += [v for v in value if isinstance(v, str) and v]
            else:
                found += free_text_values(value)
    elif isinstance(body, list):
        for item in body:
            found += free_text_values(item)
    return found


def dump_text(store: GraphStore) -> str:
    return json.dumps(store.dump(), ensure_ascii=False, sort_keys=True, default=str)
