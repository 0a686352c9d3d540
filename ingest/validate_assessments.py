"""Per-table rules for the ``assessments`` sheet (``spec/surveys.md``): self, peer and
manager ratings on the programme's indicators, one row per rating.

The sheet names no rater, so two peers rating the same person on the same indicator at
the same wave are told apart by nothing: their rows become one ``Assessment`` whose
score is their mean (``ratings`` counts them). A person rates themself once a wave: a
second ``self`` row for the same person, wave and indicator is an error.
"""

from __future__ import annotations

import re
from datetime import date

from graph.model import Assessment, Rater, Wave
from ingest.validator import Row, Validator

__all__ = ["known_indicators", "read_assessments"]

_INDICATOR = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
"""As ``graph.surveys.Indicator``'s id."""


def known_indicators(check: Validator) -> dict[Wave, frozenset[str]] | None:
    """Per wave, the indicators a row may name: those the bundle's cohort's wave was opened
    with, else every indicator of any wave of the programme; ``None`` when no wave carries
    any (a programme that only loads bundles: any well-formed id is accepted)."""
    waves = check.store.surveys.waves()
    every = frozenset(i.id for w in waves for i in w.indicators)
    if not every:
        return None
    cohort_id = check.cohort.id if check.cohort else None
    own = {
        w.wave: frozenset(i.id for i in w.indicators)
        for w in waves
        if w.cohort_id == cohort_id and w.indicators
    }
    return {wave: own.get(wave, every) for wave in Wave}


def _score(row: Row) -> int | None:
    text = row.text("score")
    if text is None:
        return None
    try:
        score = int(text)
    except ValueError:
        row.error("score", text, "is not a whole number from 1 to 5")
        return None
    if not 1 <= score <= 5:
        row.error("score", text, "is outside 1 to 5")
        return None
    return score


def read_assessments(check: Validator) -> None:
    rows = check.rows("assessments")
    if not rows:
        return
    indicators = known_indicators(check)
    seen: dict[tuple[object, ...], int] = {}
    given: dict[tuple[str, Wave, str, Rater], list[tuple[int, date, Row]]] = {}
    for row in rows:
        person = row.person("email")
        wave = row.choice("wave", Wave)
        rater = row.choice("rater", Rater)
        indicator = row.text("indicator")
        score = _score(row)
        answered = row.date("response_date")
        if indicator is not None:
            if not _INDICATOR.fullmatch(indicator):
                row.error(
                    "indicator",
                    indicator,
                    "is not an indicator id (lower-case letters, digits, - and _)",
                )
            elif indicators is not None and wave is not None:
                if indicator not in indicators[wave]:
                    row.error(
                        "indicator",
                        indicator,
                        f"is not an indicator of the {wave.value} wave",
                        sorted(indicators[wave])[:5],
                    )
        if rater is Rater.SELF and check.duplicate(row, (person, wave, indicator, rater), seen):
            continue
        if not row.ok or check.cohort is None:
            continue
        if person is None or wave is None or indicator is None or rater is None:
            continue
        if score is None or answered is None:
            continue
        given.setdefault((person, wave, indicator, rater), []).append((score, answered, row))
    for (person, wave, indicator, rater), ratings in given.items():
        assessment = Assessment(
            person_id=person,
            cohort_id=check.cohort.id if check.cohort else "",
            wave=wave,
            indicator=indicator,
            rater=rater,
            score=sum(s for s, _, _ in ratings) / len(ratings),
            ratings=len(ratings),
            response_date=max(d for _, d, _ in ratings),
        )
        check.add(assessment, ratings[0][2], check.batch.assessments)
