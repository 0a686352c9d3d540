"""The organisations' map (``collapse="organisations"``), and the legends every map shows.

One node per organisation, sized by its people, one edge per pair of organisations
tied by at least one person-to-person tie: only counts are drawn, so nobody is
identifiable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

import networkx as nx

from graph.errors import Invalid, Problem
from graph.model import Sector
from visualisations.maps.positions import layout
from visualisations.maps.style import (
    ROLE_PRECEDENCE,
    ROLE_SHAPES,
    TIE_STYLES,
    MapEdge,
    MapNode,
    NetworkMap,
    Panel,
    edge_style,
    node_size,
)
from visualisations.palette import SECTOR_COLOURS, UNKNOWN_COLOUR, sector_colour

if TYPE_CHECKING:
    from visualisations.maps.data import MapRequest


def legends(
    nodes: Iterable[MapNode], edges: Iterable[MapEdge]
) -> tuple[
    tuple[tuple[str, str], ...], tuple[tuple[str, str], ...], tuple[tuple[str, str, str], ...]
]:
    nodes = list(nodes)
    sectors = sorted({n.sector for n in nodes if n.sector})
    legend_sectors = tuple((s.replace("_", " "), SECTOR_COLOURS[Sector(s)]) for s in sectors)
    if any(n.sector is None for n in nodes):
        legend_sectors += (("sector unknown", UNKNOWN_COLOUR),)
    roles = {n.role for n in nodes if n.role}
    legend_roles = tuple(
        (r.value.replace("_", " "), ROLE_SHAPES[r]) for r in ROLE_PRECEDENCE if r.value in roles
    )
    drawn = {edge_style(kinds) for kinds in {e.kinds for e in edges}}
    legend_ties = tuple(
        (s.text, s.colour, "dashed" if s.dashes else "solid")
        for s in TIE_STYLES.values()
        if s in drawn
    )
    return legend_sectors, legend_roles, legend_ties


def collapsed_map(graph: nx.Graph, request: MapRequest, subtitle: str) -> NetworkMap:
    """One node per organisation (sized by its people), one edge per pair of
    organisations tied by at least one person-to-person tie (width by their number).

    Only counts are drawn, so no person is identifiable; people whose organisation
    is unknown are left out. Filters apply to the people before counting.
    """
    organisation_of: dict[str, str] = {}
    names: dict[str, str] = {}
    sectors: dict[str, str | None] = {}
    for v, data in graph.nodes(data=True):
        org = data.get("organisation_id")
        if org is None:
            continue
        if request.organisation and org != request.organisation:
            continue
        if request.sector and data.get("sector") != request.sector.value:
            continue
        organisation_of[v] = org
        names[org] = data.get("organisation") or org
        sectors[org] = data.get("sector")
    if request.cohort_filter:
        raise Invalid(
            [Problem("map", "collapse", "organisations",
                     "a collapsed map counts whole organisations; drop the cohort filter")]
        )  # fmt: skip
    people = Counter(organisation_of.values())
    ties: Counter[tuple[str, str]] = Counter()
    for u, v in graph.edges:
        a, b = organisation_of.get(u), organisation_of.get(v)
        if a is None or b is None or a == b:
            continue
        ties[(a, b) if a < b else (b, a)] += 1
    collapsed = nx.Graph()
    collapsed.add_nodes_from(people)
    collapsed.add_edges_from(ties)
    positions = layout(collapsed)
    largest = max(people.values(), default=0)
    nodes = tuple(
        MapNode(
            id=org,
            label=f"{names[org]} ({people[org]})",
            title=f"{names[org]} · {sectors[org] or 'sector unknown'} · {people[org]} people",
            colour=sector_colour(sectors[org]),
            shape="dot",
            size=round(node_size(people[org], largest), 2),
            x=positions[org][0],
            y=positions[org][1],
            sector=sectors[org],
        )
        for org in sorted(people)
    )
    most = max(ties.values(), default=1)
    edges = tuple(
        MapEdge(
            source=a,
            target=b,
            kinds=(),
            colour="#666666",
            width=round(1 + 7 * count / most, 2),
            title=f"{count} ties between {names[a]} and {names[b]}",
        )
        for (a, b), count in sorted(ties.items())
    )
    legend_sectors, _, _ = legends(nodes, ())
    return NetworkMap(
        title="The alumni network, by organisation",
        subtitle=subtitle,
        panels=(
            Panel(
                title="Organisations",
                nodes=nodes,
                edges=edges,
                note=f"{len(nodes)} organisations, {sum(people.values())} people, "
                f"{sum(ties.values())} ties across organisations",
            ),
        ),
        legend_sectors=legend_sectors,
        notes=("Node size: people in the organisation; edge width: ties between them.",),
    )
