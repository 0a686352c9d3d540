"""The ties a bundle implies, exactly as the spec's "What the graph derives" says.

Pure functions of records already validated: no store, no reading. Keeping
them apart from validation means every rule about how a tie is dated, pointed
and keyed lives in one place (``Tie.key`` decides what counts as the same tie).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from graph.derived import Group
from graph.model import Cohort, Frequency, Project, Tie, TieKind, Wave

__all__ = [
    "cohort_peer_ties",
    "mentoring_tie",
    "project_ties",
    "survey_tie",
    "unique_ties",
]


def cohort_peer_ties(cohort: Cohort, member_ids: Iterable[str]) -> list[Tie]:
    """A ``cohort_peer`` tie between every two members (any role), from the cohort start:
    what a store derives from memberships when read (``graph.derived``).

    >>> from datetime import date
    >>> c = Cohort(id="c1", name="C", start_date=date(2019, 5, 1))
    >>> len(cohort_peer_ties(c, ["a", "b", "c", "d", "a"]))
    6
    """
    members = tuple(sorted(set(member_ids)))
    return Group(TieKind.COHORT_PEER, cohort.id, cohort.start_date, members).ties()


def project_ties(project: Project, member_ids: Iterable[str]) -> list[Tie]:
    """A ``project`` tie between every two members, sponsor included, from the project
    start: what a store derives from project memberships when read."""
    people = set(member_ids)
    if project.sponsor_id:
        people.add(project.sponsor_id)
    members = tuple(sorted(people))
    return Group(TieKind.PROJECT, project.id, project.start_date, members).ties()


def mentoring_tie(mentor_id: str, mentee_id: str, start: date, end: date | None) -> Tie:
    """Mentor -> mentee, active over the mentoring's dates."""
    return Tie(
        source_id=mentor_id,
        target_id=mentee_id,
        tie_kind=TieKind.MENTORING,
        start=start,
        end=end,
    )


def survey_tie(
    respondent_id: str,
    contact_id: str,
    kind: TieKind,
    wave: Wave,
    response_date: date,
    cohort_id: str,
    frequency: Frequency | None = None,
) -> Tie:
    """Respondent -> contact, of the answer's kind, from its date, remembered with its wave."""
    return Tie(
        source_id=respondent_id,
        target_id=contact_id,
        tie_kind=kind,
        start=response_date,
        wave=wave,
        cohort_id=cohort_id,
        context=cohort_id,
        frequency=frequency,
    )


def unique_ties(ties: Iterable[Tie]) -> list[Tie]:
    """One tie per key, the first given winning (a pair named twice is one tie)."""
    seen: dict[str, Tie] = {}
    for tie in ties:
        seen.setdefault(tie.key, tie)
    return list(seen.values())
