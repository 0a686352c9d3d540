"""How two people are connected: every tie told in words, from the tie that made it.

The project, the cohort, the survey answer or the mentoring, never a guess; and
how much the ties between two people say about their knowing each other
(``STRENGTH``), which ranks contacts, paths and recommendations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from graph.adjacency import Adjacency
from graph.model import Cohort, Project, Tie, TieKind, Wave
from graph.profiles import get_many
from graph.store import GraphStore

__all__ = [
    "STRENGTH",
    "WARM_KINDS",
    "Connection",
    "Contexts",
    "Hop",
    "Ties",
    "explain",
    "other_end",
    "survey_text",
]

WARM_KINDS: tuple[TieKind, ...] = tuple(k for k in TieKind if k is not TieKind.WANT_TO_MEET)
"""Ties that make an introduction warm; ``want_to_meet`` is an intention, not a tie."""

STRENGTH: dict[TieKind, float] = {
    TieKind.MENTORING: 3.0,
    TieKind.PROJECT: 3.0,
    TieKind.COLLABORATION: 3.0,
    TieKind.ADVICE: 2.0,
    TieKind.KNEW_BEFORE: 1.0,
    TieKind.COHORT_PEER: 1.0,
    TieKind.WANT_TO_MEET: 0.0,
}
"""How much one tie of a kind says about two people knowing each other (for ranking)."""

_WAVE_TEXT = {Wave.BASELINE: "baseline", Wave.END: "end-of-programme", Wave.FOLLOW_UP: "follow-up"}
_ANSWER_TEXT = {
    TieKind.ADVICE: "an advice contact",
    TieKind.COLLABORATION: "a collaborator",
    TieKind.KNEW_BEFORE: "someone they knew before the programme",
    TieKind.WANT_TO_MEET: "someone they want to meet",
}


@dataclass(frozen=True)
class Connection:
    """One tie between two people, told from the first person's side."""

    kind: TieKind
    direction: Literal["out", "in", "mutual"]
    text: str
    context_type: Literal["project", "cohort"] | None
    context_id: str | None
    context_name: str | None
    wave: Wave | None
    start: date
    end: date | None


@dataclass(frozen=True)
class Hop:
    """One step of a path: from ``source`` to ``target``, and every tie between them."""

    source: str
    target: str
    connections: tuple[Connection, ...]

    @property
    def strength(self) -> float:
        return sum(STRENGTH[c.kind] for c in self.connections)


@dataclass(frozen=True)
class Contexts:
    """The projects and cohorts some ties name, read once, to explain them in words."""

    projects: dict[str, Project]
    cohorts: dict[str, Cohort]

    @classmethod
    def of(
        cls, store: GraphStore, ties: Iterable[Tie], network: Adjacency | None = None
    ) -> Contexts:
        project_ids: set[str] = set()
        cohort_ids: set[str] = set()
        for t in ties:
            if t.tie_kind is TieKind.PROJECT and t.context:
                project_ids.add(t.context)
            elif t.context:
                cohort_ids.add(t.context)
            if t.cohort_id:
                cohort_ids.add(t.cohort_id)
        return cls(
            get_many(store, Project, project_ids, network),
            get_many(store, Cohort, cohort_ids, network),
        )


def survey_text(tie: Tie, cohorts: dict[str, Cohort]) -> str:
    """Which survey a tie was reported in: ``the end-of-programme survey of LGE 2019``."""
    wave = _WAVE_TEXT[tie.wave] if tie.wave else "a"
    cohort_id = tie.cohort_id or tie.context
    cohort = cohorts.get(cohort_id or "")
    name = cohort.name if cohort else cohort_id
    return f"the {wave} survey of {name}" if name else f"the {wave} survey"


def explain(
    tie: Tie, subject: str, projects: dict[str, Project], cohorts: dict[str, Cohort]
) -> Connection:
    """The tie told from ``subject``'s side: what they share with the other person.

    >>> from datetime import date
    >>> c = Cohort(id="c1", name="LGE 2019", start_date=date(2019, 5, 1))
    >>> t = Tie(source_id="a", target_id="b", tie_kind=TieKind.ADVICE, start=date(2019, 5, 9),
    ...         wave=Wave.END, cohort_id="c1", context="c1")
    >>> explain(t, "b", {}, {"c1": c}).text
    'named as an advice contact by them in the end-of-programme survey of LGE 2019'
    """
    if subject not in (tie.source_id, tie.target_id):
        raise ValueError(f"{subject!r} is not on tie {tie.key!r}")
    outgoing = tie.source_id == subject
    direction: Literal["out", "in", "mutual"] = "out" if outgoing else "in"
    context_type: Literal["project", "cohort"] | None = None
    context_name: str | None = None
    context_id = tie.context
    kind = tie.tie_kind
    if kind is TieKind.PROJECT:
        direction, context_type = "mutual", "project"
        project = projects.get(tie.context or "")
        context_name = project.title if project else tie.context
        text = f"worked together on project {context_name}"
    elif kind is TieKind.COHORT_PEER:
        direction, context_type = "mutual", "cohort"
        cohort = cohorts.get(tie.context or "")
        context_name = cohort.name if cohort else tie.context
        text = f"both in cohort {context_name}"
    elif kind is TieKind.MENTORING:
        text = "mentor of" if outgoing else "mentored by"
        if tie.context and tie.context in cohorts:
            context_type, context_name = "cohort", cohorts[tie.context].name
    else:
        context_type = "cohort"
        context_id = tie.cohort_id or tie.context
        cohort = cohorts.get(context_id or "")
        context_name = cohort.name if cohort else context_id
        survey = survey_text(tie, cohorts)
        answer = _ANSWER_TEXT[kind]
        text = (
            f"named them as {answer} in {survey}"
            if outgoing
            else f"named as {answer} by them in {survey}"
        )
    return Connection(
        kind=kind,
        direction=direction,
        text=text,
        context_type=context_type,
        context_id=context_id,
        context_name=context_name,
        wave=tie.wave,
        start=tie.start,
        end=tie.end,
    )


class Ties:
    """Ties between pairs of people, as read so far, with the records to explain them."""

    def __init__(self) -> None:
        self.by_pair: dict[frozenset[str], list[Tie]] = defaultdict(list)
        self._seen: set[str] = set()

    def add(self, ties: Iterable[Tie]) -> None:
        for t in ties:
            if t.key not in self._seen and t.source_id != t.target_id:
                self._seen.add(t.key)
                self.by_pair[frozenset((t.source_id, t.target_id))].append(t)

    def between(self, a: str, b: str) -> list[Tie]:
        return self.by_pair.get(frozenset((a, b)), [])

    def hop(self, a: str, b: str, contexts: Contexts) -> Hop:
        ties = sorted(self.between(a, b), key=lambda t: (-STRENGTH[t.tie_kind], t.start, t.key))
        return Hop(
            source=a,
            target=b,
            connections=tuple(explain(t, a, contexts.projects, contexts.cohorts) for t in ties),
        )

    def all(self) -> list[Tie]:
        return [t for ties in self.by_pair.values() for t in ties]


def other_end(tie: Tie, person_id: str) -> str:
    """The person at the other end of a tie from ``person_id``."""
    return tie.target_id if tie.source_id == person_id else tie.source_id
