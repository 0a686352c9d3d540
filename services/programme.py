"""The programme view (issue 17): every cohort, and the whole network, over time.

One door for the page, the API, the CLI and the programme report: the same figures,
worked out once from the snapshots ``graph.measure`` gives, kept in a memo until the
store is next written.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

import networkx as nx

from graph import measure
from graph.analytics import network_metrics
from graph.errors import Forbidden, Invalid, Problem
from graph.memo import VersionedMemo
from graph.model import DEFAULT_METRIC_KINDS, Cohort, KeyRole, Membership, TieKind
from graph.store import GraphStore, Page
from services.consent import Viewer
from services.schemas_programme import (
    PROGRAMME,
    PROGRAMME_COLUMNS,
    ProgrammeCohortOut,
    ProgrammeEvery,
    ProgrammeOut,
    ProgrammePointOut,
)
from services.tables import Download, Table, download
from visualisations.programme_plots import EVERYONE, Trend, programme_svgs

__all__ = [
    "MAX_PROGRAMME_POINTS",
    "ensure_team",
    "measure_row",
    "SNAPSHOT_DEFINITION",
    "Figure",
    "BOARD_QUESTION",
    "EVERY_QUARTER",
    "ProgrammePage",
    "ProgrammeQuestion",
    "programme_dates",
    "programme_download",
    "programme_table",
    "programme_page",
    "programme_report",
    "programme_view",
]

MAX_PROGRAMME_POINTS = 120
"""Dates in one view: more is a mistake (30 years by quarter), not a question."""

SNAPSHOT_DEFINITION = (
    "Each date's network: the people who agreed to analytics and belong to a cohort that "
    "had started by then, joined by every tie of the chosen kinds active on that date."
)
"""The one snapshot definition of every programme figure, said in its captions."""

_ALL = Page(limit=100_000)
T = TypeVar("T")

assert EVERYONE == PROGRAMME, "the plots and the rows name the whole network alike"


@dataclass(frozen=True)
class Figure:
    """One plot, ready for a page or a report: an image ``src`` (an SVG data URI, so
    it needs nothing else and no inline style), its title and its caption."""

    metric: str
    title: str
    caption: str
    src: str


@dataclass(frozen=True)
class ProgrammeQuestion:
    """What a programme view is asked: the dates it covers (``start`` defaulting to the
    first cohort's start, ``end`` to today), how often, and which ties count. One value
    that the view, its page, its tables, the organisations-and-areas view and the report
    are all asked with, so that they answer over the same dates and snapshots."""

    start: date | None = None
    end: date | None = None
    every: ProgrammeEvery = "quarter"
    kinds: tuple[TieKind, ...] = DEFAULT_METRIC_KINDS


EVERY_QUARTER = ProgrammeQuestion()
"""The whole programme, by quarter, the spec's default ties: what a page opens on."""
BOARD_QUESTION = ProgrammeQuestion(every="year")
"""The whole programme by year: the report for a board."""


@dataclass(frozen=True)
class ProgrammePage:
    """The programme view with its plots."""

    view: ProgrammeOut
    figures: list[Figure]


def _figure(trend: Trend, svg: str) -> Figure:
    data = base64.b64encode(svg.encode()).decode("ascii")
    return Figure(trend.metric, trend.title, trend.caption, f"data:image/svg+xml;base64,{data}")


def ensure_team(viewer: Viewer) -> None:
    """The programme view is the programme team's (programme or admin keys)."""
    if viewer.role is KeyRole.ALUMNI:
        raise Forbidden("the programme view is for the programme team (programme or admin keys)")


def programme_dates(start: date, end: date, every: ProgrammeEvery) -> list[date]:
    """``start``, the first day of every quarter (or year) after it up to ``end``, and ``end``.

    >>> [d.isoformat() for d in programme_dates(date(2019, 6, 4), date(2021, 3, 1), "year")]
    ['2019-06-04', '2020-01-01', '2021-01-01', '2021-03-01']
    """
    if every == "quarter":
        return measure.dates_between(start, end, "quarter")
    if end < start:
        raise Invalid([Problem("programme", "to", end.isoformat(), f"is before from {start}")])
    days = [start, *(date(y, 1, 1) for y in range(start.year + 1, end.year + 1))]
    return days if days[-1] == end else [*days, end]


def fingerprint(snapshot: Any) -> Hashable:
    """What the figures of a snapshot depend on: its people with their attributes (in
    order: Louvain's answer follows it) and its ties. Equal fingerprints, equal figures."""
    return (
        tuple((v, tuple(sorted(data.items()))) for v, data in snapshot.nodes(data=True)),
        frozenset(frozenset(edge) for edge in snapshot.edges()),
    )


def measure_row(
    day: date, scope: str, snapshot: object, seen: dict[Hashable, Any] | None = None
) -> ProgrammePointOut:
    """One row of the programme view: the figures of ``snapshot`` (everyone, or a cohort).

    ``seen`` keeps the figures of every snapshot measured so far by :func:`fingerprint`:
    a network unchanged from one date to the next (every quarter after the last event)
    is measured once."""
    if seen is None:
        m = network_metrics(snapshot)
    else:
        key = fingerprint(snapshot)
        if key not in seen:
            # measured on a graph of its own: a subgraph view re-filters on every step
            seen[key] = network_metrics(nx.Graph(snapshot))
        m = seen[key]
    return ProgrammePointOut(
        date=day,
        scope=scope,
        people=m["people"],
        ties=m["ties"],
        cross_org_share=m["cross_org_share"],
        cross_sector_share=m["cross_sector_share"],
        ei_org=m["ei_org"],
        ei_org_expected=m["ei_org_expected"],
        ei_org_excess=m["ei_org_excess"],
        ei_sector=m["ei_sector"],
        ei_sector_expected=m["ei_sector_expected"],
        ei_sector_excess=m["ei_sector_excess"],
        mean_reach2_orgs=m["mean_reach2_orgs"],
        largest_component_share=m["largest_component_share"],
        silo_index=m["org_alignment"],
    )


@dataclass(frozen=True)
class Span:
    """The dates a programme view covers, checked once for every view over them."""

    cohorts: list[Cohort]
    """Every cohort, by start date then id."""
    first: date
    last: date
    days: list[date]


def programme_span(store: GraphStore, question: ProgrammeQuestion) -> Span:
    """The question's dates, its ``start`` defaulting to the first cohort's start and its
    ``end`` to today; ``Invalid`` for more than :data:`MAX_PROGRAMME_POINTS` dates."""
    cohorts = sorted(store.find(Cohort, page=_ALL).data, key=lambda c: (c.start_date, c.id))
    first = question.start or (cohorts[0].start_date if cohorts else date.today())
    last = question.end or date.today()
    days = programme_dates(first, last, question.every)
    if len(days) > MAX_PROGRAMME_POINTS:
        raise Invalid(
            [Problem("programme", "from/to", f"{first}/{last}",
                     f"{len(days)} dates; ask for at most {MAX_PROGRAMME_POINTS}")]
        )  # fmt: skip
    return Span(cohorts, first, last, days)


def dated_snapshots(
    store: GraphStore, days: Sequence[date], kinds: Sequence[TieKind]
) -> list[tuple[date, Any]]:
    """The network on each day, every person labelled with their area."""
    snapshots = [(day, store.snapshot(day, kinds)) for day in days]
    measure.with_areas(store, *(s for _, s in snapshots))
    return snapshots


def remembered(memo: VersionedMemo | None, question: Hashable, work_out: Callable[[], T]) -> T:
    """``work_out()``, kept in ``memo`` until the next write when there is one."""
    return work_out() if memo is None else memo.get(question, work_out)


def programme_view(
    store: GraphStore,
    viewer: Viewer,
    question: ProgrammeQuestion = EVERY_QUARTER,
    *,
    memo: VersionedMemo | None = None,
) -> ProgrammeOut:
    """The figures of the whole network and of each cohort at every quarter (or year).

    A cohort's rows
    measure the network among its members (ties between two of them), from its start
    on; the ``programme`` rows measure everyone. ``Invalid`` for more than
    :data:`MAX_PROGRAMME_POINTS` dates or ``end`` before ``start``.
    """
    ensure_team(viewer)
    kinds = measure.check_kinds(question.kinds)
    span = programme_span(store, question)
    cohorts = span.cohorts

    def work_out() -> ProgrammeOut:
        members: dict[str, set[str]] = {c.id: set() for c in cohorts}
        for m in store.find(Membership, page=_ALL).data:
            members.setdefault(m.cohort_id, set()).add(m.person_id)
        points: list[ProgrammePointOut] = []
        seen: dict[Hashable, Any] = {}
        for day, snapshot in dated_snapshots(store, span.days, kinds):
            points.append(measure_row(day, PROGRAMME, snapshot, seen))
            for cohort in cohorts:
                if cohort.start_date <= day:
                    present = members[cohort.id] & set(snapshot)
                    cohort_graph = snapshot.subgraph(present)
                    points.append(measure_row(day, cohort.id, cohort_graph, seen))
        return ProgrammeOut(
            start=span.first,
            end=span.last,
            every=question.every,
            kinds=[k.value for k in kinds],
            snapshot=SNAPSHOT_DEFINITION,
            cohorts=[
                ProgrammeCohortOut(
                    id=c.id, name=c.name, start_date=c.start_date, end_date=c.end_date
                )
                for c in cohorts
            ],
            points=points,
        )

    return remembered(memo, ("programme", span.first, span.last, question.every, kinds), work_out)


def programme_page(
    store: GraphStore,
    viewer: Viewer,
    question: ProgrammeQuestion = EVERY_QUARTER,
    *,
    memo: VersionedMemo | None = None,
) -> ProgrammePage:
    """:func:`programme_view` and its plots (:data:`visualisations.programme_plots.TRENDS`),
    one line per cohort and one for everyone, cohort starts marked."""
    view = programme_view(store, viewer, question, memo=memo)

    def draw() -> ProgrammePage:
        points = [p.model_dump() for p in view.points]
        cohorts = [(c.id, c.name, c.start_date) for c in view.cohorts]
        figures = [_figure(t, svg) for t, svg in programme_svgs(points, cohorts)]
        return ProgrammePage(view, figures)

    if memo is None:
        return draw()
    return memo.get(("programme-page", view.start, view.end, view.every, tuple(view.kinds)), draw)


def programme_table(view: ProgrammeOut) -> Table:
    """The programme view's rows as a downloadable table (the page's table)."""
    return Table(
        f"programme-{view.start}-{view.end}-{view.every}",
        PROGRAMME_COLUMNS,
        [[getattr(p, c) for c in PROGRAMME_COLUMNS] for p in view.points],
    )


def programme_download(
    store: GraphStore,
    viewer: Viewer,
    fmt: str,
    question: ProgrammeQuestion = EVERY_QUARTER,
    *,
    memo: VersionedMemo | None = None,
) -> Download:
    """The programme view's table as CSV or ``.xlsx`` (formula-safe)."""
    view = programme_view(store, viewer, question, memo=memo)
    return download(programme_table(view), fmt)


def programme_report(
    store: GraphStore,
    viewer: Viewer,
    question: ProgrammeQuestion = BOARD_QUESTION,
    *,
    memo: VersionedMemo | None = None,
) -> str:
    """The programme report for a board: one self-contained HTML page (plots inlined,
    every figure captioned, a print stylesheet for A4), from the programme view and the
    organisations and areas on the same dates and snapshots."""
    from services.outcomes import outcomes  # both build on this module
    from services.programme_groups import groups_page
    from visualisations.programme_report import to_html

    page = programme_page(store, viewer, question, memo=memo)
    # the same dates as the view, when ``start`` or ``end`` was left to its default
    dated = replace(question, start=page.view.start, end=page.view.end)
    groups = groups_page(store, viewer, dated, memo=memo)
    return to_html(
        view=page.view,
        figures=page.figures,
        groups=groups.view,
        organisations=groups.organisations[:10],
        areas=groups.areas,
        group_figures=groups.figures,
        outcomes=outcomes(store, viewer, as_of=page.view.end, kinds=question.kinds, memo=memo),
        made_on=date.today().isoformat(),
    )
