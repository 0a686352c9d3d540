"""Organisations and areas over time (issue 17, item 3): each one's alumni, E-I index
and reach across organisations, and the areas the programme under-reaches."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from graph import measure
from graph.analytics._util import AREA, ORGANISATION
from graph.analytics.groups import group_reach
from graph.errors import Invalid, Problem
from graph.memo import VersionedMemo
from graph.model import Area, AreaKind, Organisation
from graph.store import GraphStore, Page
from services.consent import Viewer
from services.programme import (
    EVERY_QUARTER,
    SNAPSHOT_DEFINITION,
    Figure,
    ProgrammeQuestion,
    dated_snapshots,
    ensure_team,
    programme_span,
    remembered,
)
from services.schemas_programme import (
    GROUP_SORTS,
    GroupKind,
    GroupPointOut,
    GroupsOut,
    GroupSummaryOut,
    PlaceReachOut,
)
from services.tables import Download, Table, download
from visualisations.plots import drawn_svg
from visualisations.programme_plots import largest_groups_figure

__all__ = [
    "GROUP_TABLES",
    "GroupsPage",
    "PLACE_RULE",
    "UNDER_REACHED_RULE",
    "groups_download",
    "groups_over_time",
    "groups_page",
    "sorted_summaries",
]

UNDER_REACHED_RULE = (
    "An area is under-reached when, on the last date, it has fewer alumni than half the "
    "mean over every area the programme knows (each area named by an organisation or by "
    "an alumnus), those with no alumni included."
)

PLACE_RULE = (
    "Where the bundles' areas table describes an area: alumni per area by kind of place "
    "and by deprivation band (deciles 1-3 the most deprived), on the last date, each "
    "against the others. An under-reached area that is rural or in the three most deprived "
    "deciles is a priority and listed first."
)
MOST_DEPRIVED = 3
"""The deciles (1 to this) counted as the most deprived."""
BANDS = (("deprivation deciles 1-3 (most deprived)", 1, 3), ("deciles 4-7", 4, 7),
         ("deciles 8-10 (least deprived)", 8, 10))  # fmt: skip
NOT_GIVEN = "not given"

GROUP_TABLES = ("organisations", "areas", "over-time")
"""The downloadable tables: each summary, and every date's figures."""

_ALL = Page(limit=100_000)


def _summaries(
    points: Sequence[GroupPointOut], first: date, last: date, known_areas: set[str]
) -> list[GroupSummaryOut]:
    by_key: dict[tuple[GroupKind, str], dict[date, GroupPointOut]] = {}
    for p in points:
        by_key.setdefault((p.kind, p.name), {})[p.date] = p
    for area in known_areas:
        by_key.setdefault(("area", area), {})
    area_people = [
        (rows[last].people if last in rows else 0)
        for (kind, _), rows in by_key.items()
        if kind == "area"
    ]
    threshold = sum(area_people) / len(area_people) / 2 if area_people else 0.0
    summaries = []
    for (kind, name), rows in sorted(by_key.items()):
        a, b = rows.get(first), rows.get(last)
        summaries.append(
            GroupSummaryOut(
                kind=kind,
                name=name,
                people_first=a.people if a else 0,
                people_last=b.people if b else 0,
                ei_first=a.ei if a else None,
                ei_last=b.ei if b else None,
                mean_cross_org_degree_first=a.mean_cross_org_degree if a else None,
                mean_cross_org_degree_last=b.mean_cross_org_degree if b else None,
                under_reached=((b.people if b else 0) < threshold) if kind == "area" else None,
            )
        )
    return summaries


def _described(summaries: list[GroupSummaryOut], areas: list[Area]) -> list[GroupSummaryOut]:
    """The area summaries with what the areas table says of them (names compared without
    case), and which under-reached ones are a priority."""
    known = {a.id.strip().casefold(): a for a in areas}
    out = []
    for s in summaries:
        area = known.get(s.name.strip().casefold()) if s.kind == "area" else None
        if area is None:
            out.append(s if s.kind != "area" else s.model_copy(update={"priority": False}))
            continue
        kind, decile = area.urban_rural, area.deprivation_decile
        deprived = decile is not None and decile <= MOST_DEPRIVED
        out.append(
            s.model_copy(
                update={
                    "urban_rural": kind.value if kind else None,
                    "deprivation_decile": decile,
                    "priority": bool(s.under_reached) and (kind is AreaKind.RURAL or deprived),
                }
            )
        )
    return out


def _places(summaries: list[GroupSummaryOut]) -> list[PlaceReachOut]:
    """Alumni per area on the last date, by kind of place and by deprivation band."""
    areas = [s for s in summaries if s.kind == "area"]
    groups: list[tuple[str, list[GroupSummaryOut]]] = [
        (kind.value, [s for s in areas if s.urban_rural == kind.value]) for kind in AreaKind
    ]
    groups.append((NOT_GIVEN + " (kind)", [s for s in areas if s.urban_rural is None]))
    for label, low, high in BANDS:
        band = [s for s in areas if s.deprivation_decile and low <= s.deprivation_decile <= high]
        groups.append((label, band))
    groups.append((NOT_GIVEN + " (decile)", [s for s in areas if s.deprivation_decile is None]))
    return [
        PlaceReachOut(
            place=label,
            areas=len(members),
            alumni=sum(s.people_last for s in members),
            mean_alumni=sum(s.people_last for s in members) / len(members) if members else None,
            under_reached=sum(1 for s in members if s.under_reached),
        )
        for label, members in groups
    ]


def groups_over_time(
    store: GraphStore,
    viewer: Viewer,
    question: ProgrammeQuestion = EVERY_QUARTER,
    *,
    memo: VersionedMemo | None = None,
) -> GroupsOut:
    """Every organisation's and area's figures at each quarter (or year), on the
    programme view's dates and snapshots; first against last date; under-reached areas."""
    ensure_team(viewer)
    kinds = measure.check_kinds(question.kinds)
    span = programme_span(store, question)

    def work_out() -> GroupsOut:
        points: list[GroupPointOut] = []
        for day, snapshot in dated_snapshots(store, span.days, kinds):
            for kind, attribute in (("organisation", ORGANISATION), ("area", AREA)):
                for name, g in group_reach(snapshot, attribute).items():
                    points.append(
                        GroupPointOut(
                            date=day, kind=kind, name=str(name), people=g["people"],
                            ei=g["ei"], mean_cross_org_degree=g["mean_cross_org_degree"],
                        )
                    )  # fmt: skip
        known = {o.area for o in store.find(Organisation, page=_ALL).data if o.area}
        described = store.find(Area, page=_ALL).data
        named = {n.casefold() for n in known} | {p.name.casefold() for p in points}
        known |= {a.id for a in described if a.id.casefold() not in named}
        summaries = _summaries(points, span.days[0], span.days[-1], known)
        summaries = _described(summaries, described)
        return GroupsOut(
            start=span.first,
            end=span.last,
            every=question.every,
            snapshot=SNAPSHOT_DEFINITION,
            under_reached_rule=UNDER_REACHED_RULE,
            summaries=summaries,
            points=points,
            place_rule=PLACE_RULE,
            places=_places(summaries),
        )

    return remembered(memo, ("groups", span.first, span.last, question.every, kinds), work_out)


def sorted_summaries(
    view: GroupsOut,
    kind: GroupKind,
    sort: str = "people_last",
    order: Literal["asc", "desc"] = "desc",
) -> list[GroupSummaryOut]:
    """One kind's summaries sorted by a column (``None`` last either way), then by name."""
    if sort not in GROUP_SORTS:
        raise Invalid([Problem("sort", "sort", sort, f"not one of {', '.join(GROUP_SORTS)}")])
    rows = sorted((s for s in view.summaries if s.kind == kind), key=lambda s: s.name)
    present = [s for s in rows if getattr(s, sort) is not None]
    missing = [s for s in rows if getattr(s, sort) is None]
    present.sort(key=lambda s: getattr(s, sort), reverse=order == "desc")
    return present + missing


def _tables(view: GroupsOut) -> dict[str, Table]:
    columns = tuple(GroupSummaryOut.model_fields)
    span = f"{view.start}-{view.end}-{view.every}"
    summary = {
        kind: Table(
            f"{kind}s-{span}",
            columns,
            [[getattr(s, c) for c in columns] for s in sorted_summaries(view, kind)],
        )
        for kind in ("organisation", "area")
    }
    point_columns = tuple(GroupPointOut.model_fields)
    return {
        "organisations": summary["organisation"],
        "areas": summary["area"],
        "over-time": Table(
            f"organisations-and-areas-{span}",
            point_columns,
            [[getattr(p, c) for c in point_columns] for p in view.points],
        ),
    }


def groups_download(
    store: GraphStore,
    viewer: Viewer,
    name: str,
    fmt: str,
    question: ProgrammeQuestion = EVERY_QUARTER,
    *,
    memo: VersionedMemo | None = None,
) -> Download:
    """One of :data:`GROUP_TABLES` as CSV or ``.xlsx`` (formula-safe)."""
    if name not in GROUP_TABLES:
        raise Invalid([Problem("download", "table", name, f"not one of {', '.join(GROUP_TABLES)}")])
    view = groups_over_time(store, viewer, question, memo=memo)
    return download(_tables(view)[name], fmt)


@dataclass(frozen=True)
class GroupsPage:
    """The organisations-and-areas view, its two summaries sorted, and its plots."""

    view: GroupsOut
    organisations: list[GroupSummaryOut]
    areas: list[GroupSummaryOut]
    figures: list[Figure]


SMALL_MULTIPLES = (
    ("organisation", "ei", "E-I index of the six largest organisations",
     "For each of the six organisations with the most alumni on the last date: ties "
     "leaving it minus ties inside it, over both (-1 all inside, +1 all outside)."),
    ("area", "people", "Alumni in the six largest areas",
     "For each of the six areas with the most alumni on the last date: the alumni who "
     "work there (their own area, else their organisation's) at each date."),
)  # fmt: skip


def groups_page(
    store: GraphStore,
    viewer: Viewer,
    question: ProgrammeQuestion = EVERY_QUARTER,
    *,
    sort: str = "people_last",
    order: Literal["asc", "desc"] = "desc",
    memo: VersionedMemo | None = None,
) -> GroupsPage:
    """:func:`groups_over_time`, both summaries sorted by ``sort``, and small multiples of
    the largest organisations and areas."""
    view = groups_over_time(store, viewer, question, memo=memo)

    def draw() -> list[Figure]:
        points = [p.model_dump() for p in view.points]
        figures = []
        for kind, metric, title, caption in SMALL_MULTIPLES:
            svg = drawn_svg(largest_groups_figure, points, kind, metric, title)
            data = base64.b64encode(svg.encode()).decode("ascii")
            figures.append(
                Figure(f"{kind}-{metric}", title, caption, f"data:image/svg+xml;base64,{data}")
            )
        return figures

    # the kinds too: the figures of other ties are other figures
    question_asked = ("groups-page", view.start, view.end, view.every, question.kinds)
    figures = draw() if memo is None else memo.get(question_asked, draw)
    return GroupsPage(
        view,
        sorted_summaries(view, "organisation", sort, order),
        sorted_summaries(view, "area", sort, order),
        figures,
    )
