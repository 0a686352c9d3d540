"""Cells parsed through the load's memos answer as the plain rules do, every time:
a remembered answer never outlives the allowed values it was worked out for, and a
refused cell is refused again with the same reason."""

from __future__ import annotations

from datetime import date

import pytest

from graph.model import Tie, TieKind, Wave
from ingest.cells import parse_choice, parse_date


def test_a_choice_remembered_unrestricted_is_still_refused_where_not_allowed() -> None:
    assert parse_choice(" Knew-Before ", TieKind) is TieKind.KNEW_BEFORE
    with pytest.raises(ValueError, match=r"^must be one of: mentoring, advice$"):
        parse_choice(" Knew-Before ", TieKind, ("advice", "mentoring"))
    assert parse_choice("ADVICE", TieKind, ["advice"]) is TieKind.ADVICE


def test_a_refused_choice_is_refused_again_with_the_same_reason() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match=r"^must be one of: baseline, end, follow_up$"):
            parse_choice("midpoint", Wave)


def test_dates_remembered_and_refused_alike() -> None:
    assert parse_date("01/05/2019") == parse_date(" 2019-05-01 ") == date(2019, 5, 1)
    for _ in range(2):
        with pytest.raises(ValueError, match=r"^is not a day of the calendar$"):
            parse_date("31/02/2020")
        with pytest.raises(ValueError, match=r"^is not a date: write YYYY-MM-DD or DD/MM/YYYY$"):
            parse_date("May 2019")


@pytest.mark.parametrize(
    ("tie", "key"),
    [
        (
            Tie(
                source_id="a",
                target_id="b",
                tie_kind=TieKind.ADVICE,
                start=date(2020, 1, 2),
                wave=Wave.END,
                cohort_id="c1",
            ),
            "advice||a|b|end",
        ),
        (
            Tie(
                source_id="a", target_id="b", tie_kind=TieKind.WANT_TO_MEET, start=date(2020, 1, 2)
            ),
            "want_to_meet||a|b|",
        ),
        (
            Tie(source_id="m", target_id="n", tie_kind=TieKind.MENTORING, start=date(2021, 3, 4)),
            "mentoring||m|n|2021-03-04",
        ),
        (
            Tie(
                source_id="a",
                target_id="b",
                tie_kind=TieKind.COHORT_PEER,
                start=date(2020, 1, 2),
                context="c1",
            ),
            "cohort_peer|c1|a|b",
        ),
    ],
)
def test_tie_keys_name_kind_context_ends_and_wave_or_start(tie: Tie, key: str) -> None:
    assert tie.key == key
