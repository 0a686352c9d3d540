"""What a route or a page asks of the programme view, read from the query string once.

The programme view, its table, the organisations-and-areas view and the board report
all take the same dates and ties (``services.programme.ProgrammeQuestion``); the API
and the pages declare those parameters here, so that each door documents, parses and
checks them alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Query

from graph import measure
from services.programme import ProgrammeQuestion
from services.schemas import Day
from services.schemas_programme import ProgrammeEvery

__all__ = ["BoardAsked", "ProgrammeAsked", "Ties"]

Ties = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Comma-separated tie kinds (default: advice, collaboration, knew_before, "
        "project, mentoring). `want_to_meet` is refused (422): it never feeds the metrics.",
        openapi_examples={"surveys": {"value": "advice,collaboration"}},
    ),
]


def _asked(default_every: ProgrammeEvery) -> Callable[..., ProgrammeQuestion]:
    def question(
        start: Annotated[
            Day | None, Query(alias="from", description="Default: the first cohort's start.")
        ] = None,
        end: Annotated[Day | None, Query(alias="to", description="Default today.")] = None,
        every: ProgrammeEvery = default_every,
        ties: Ties = None,
    ) -> ProgrammeQuestion:
        return ProgrammeQuestion(start, end, every, measure.parse_kinds(ties))

    return question


ProgrammeAsked = Annotated[ProgrammeQuestion, Depends(_asked("quarter"))]
"""The programme view's dates (every quarter unless asked) and ties."""
BoardAsked = Annotated[ProgrammeQuestion, Depends(_asked("year"))]
"""The board report's dates (every year unless asked) and ties."""
