"""Network maps: the alumni network drawn with pyvis (vis-network), offline.

A map is built in two steps. :func:`network_map` (or :func:`wave_comparison`)
reads a snapshot through ``graph.measure`` (so a map shows exactly the people
and ties the metrics count: people with analytics consent, ties of the chosen
kinds), applies the filters and the caller's consent rules, and returns a
plain :class:`NetworkMap`; :func:`to_html` turns that into one self-contained
HTML page (vis-network inlined, a content security policy that forbids every
fetch).

- **colour** is the person's sector (:data:`SECTOR_COLOURS`), **shape** their
  role in the programme (:data:`ROLE_SHAPES`), **size** their betweenness
  (:func:`node_size`), and each **edge** is styled by the strongest kind of
  tie joining the two people (:data:`TIE_STYLES`, in :data:`TIE_PRECEDENCE`);
- positions are computed in Python (igraph's Fruchterman-Reingold when igraph
  imports, networkx's spring layout otherwise, both seeded) and physics is off,
  so a map of thousands of people draws once and stays still;
- ``collapse="organisations"`` draws one node per organisation instead.

Consent is not decided here: callers hand in two predicates, ``visible`` (may
this person be shown) and ``route_through`` (may a map reach someone through
this person), which the API and the CLI take from ``services.consent.Viewer``.
A person who is not visible is left out of the map altogether, with every tie
touching them.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import networkx as nx
from jinja2 import Environment, FileSystemLoader, select_autoescape

from graph import measure
from graph.analytics import accel
from graph.analytics.people import (
    betweenness,
    betweenness_is_estimated,
)
from graph.errors import Invalid, NotFound, Problem
from graph.model import (
    DEFAULT_METRIC_KINDS,
    Cohort,
    Membership,
    Organisation,
    Person,
    Role,
    Sector,
    TieKind,
    Wave,
)
from graph.store import GraphStore, Page

__all__ = [
    "LARGE_MAP",
    "MAX_SIZE",
    "MIN_SIZE",
    "ROLE_PRECEDENCE",
    "ROLE_SHAPES",
    "SECTOR_COLOURS",
    "TIE_PRECEDENCE",
    "TIE_STYLES",
    "UNKNOWN_COLOUR",
    "Collapse",
    "MapEdge",
    "MapNode",
    "MapRequest",
    "NetworkMap",
    "Panel",
    "edge_style",
    "layout",
    "network_map",
    "node_size",
    "render",
    "to_html",
    "wave_comparison",
]

Predicate = Callable[[Person], bool]
Collapse = Literal["organisations"]

SECTOR_COLOURS: dict[Sector, str] = {
    Sector.LOCAL_GOVERNMENT: "#0072B2",
    Sector.HEALTH: "#009E73",
    Sector.POLICE: "#332288",
    Sector.FIRE: "#D55E00",
    Sector.EDUCATION: "#E69F00",
    Sector.VOLUNTARY_COMMUNITY: "#CC79A7",
    Sector.BUSINESS: "#56B4E9",
    Sector.CENTRAL_GOVERNMENT: "#882255",
    Sector.OTHER: "#999933",
}
"""A node's colour is its sector's (Okabe-Ito and Tol colours, told apart by most eyes)."""
UNKNOWN_COLOUR = "#BBBBBB"
"""The colour of a person (or organisation) whose sector is unknown."""

ROLE_SHAPES: dict[Role, str] = {
    Role.PARTICIPANT: "dot",
    Role.MENTOR: "diamond",
    Role.SPONSOR: "star",
    Role.FACILITATOR: "square",
    Role.ALUMNI_SUPPORTER: "triangle",
}
"""A node's vis-network shape is its role's."""
ROLE_PRECEDENCE: tuple[Role, ...] = (
    Role.FACILITATOR,
    Role.SPONSOR,
    Role.MENTOR,
    Role.ALUMNI_SUPPORTER,
    Role.PARTICIPANT,
)
"""Someone with two roles in one cohort is drawn with the first of them here."""


@dataclass(frozen=True)
class TieStyle:
    colour: str
    width: float
    dashes: tuple[int, ...] = ()
    text: str = ""


TIE_STYLES: dict[TieKind, TieStyle] = {
    TieKind.MENTORING: TieStyle("#882255", 3.0, (), "mentoring"),
    TieKind.PROJECT: TieStyle("#444444", 2.5, (), "worked on a project together"),
    TieKind.COLLABORATION: TieStyle("#0072B2", 2.0, (), "collaborated (survey)"),
    TieKind.ADVICE: TieStyle("#009E73", 1.5, (6, 4), "advice (survey)"),
    TieKind.KNEW_BEFORE: TieStyle("#999999", 1.0, (2, 4), "knew each other before"),
    TieKind.COHORT_PEER: TieStyle("#DDDDDD", 0.5, (), "in the same cohort"),
    TieKind.WANT_TO_MEET: TieStyle("#E69F00", 1.0, (1, 3), "wants to meet (survey)"),
}
"""How an edge is drawn, by the kind of tie."""
TIE_PRECEDENCE: tuple[TieKind, ...] = tuple(TIE_STYLES)
"""When several kinds join two people, the edge is drawn in the style of the first here."""
NEW_TIE_COLOUR = "#D55E00"
"""In a wave comparison, a tie new since the previous wave is drawn in this colour."""

MIN_SIZE = 10.0
MAX_SIZE = 40.0
"""Node sizes (vis-network pixels) for the least and the most between person."""
LARGE_MAP = 500
"""Above this many nodes, labels are left to the tooltips (drawing stays fast)."""
MANY_TIES = 5000
"""Above this many edges, the page draws them itself in one layer under the nodes
(no tooltip per tie, nodes not draggable): vis-network spends about 0.1 ms building
each edge, 10 s for a 10,000-person programme's 97,000 ties."""

_ALL = Page(limit=10_000_000)
_TEMPLATES = Path(__file__).parent / "templates"


# -- what a map is ----------------------------------------------------------------------


@dataclass(frozen=True)
class MapRequest:
    """Which network to draw: the snapshot (as of a date, or a cohort's wave), whose ego
    map if any, which filters, which tie kinds, and whether to collapse organisations."""

    as_of: date | None = None
    cohort_id: str | None = None
    wave: Wave | None = None
    kinds: tuple[TieKind, ...] = DEFAULT_METRIC_KINDS
    person_id: str | None = None
    radius: int = 1
    cohort_filter: str | None = None
    organisation: str | None = None
    sector: Sector | None = None
    collapse: Collapse | None = None

    def check(self) -> None:
        """Refuse contradictory options, naming them."""
        problems = []
        if self.as_of is not None and (self.cohort_id is not None or self.wave is not None):
            problems.append(
                Problem("map", "as_of/wave", f"{self.as_of}/{self.cohort_id}/{self.wave}",
                        "give a date, or a cohort and a wave, not both")
            )  # fmt: skip
        if (self.cohort_id is None) != (self.wave is None):
            problems.append(
                Problem("map", "cohort/wave", f"{self.cohort_id}/{self.wave}",
                        "give the cohort and the wave together")
            )  # fmt: skip
        if self.radius not in (1, 2):
            problems.append(Problem("map", "radius", str(self.radius), "must be 1 or 2"))
        if self.collapse is not None and self.person_id is not None:
            problems.append(
                Problem("map", "collapse", self.collapse, "an ego map cannot be collapsed")
            )
        if problems:
            raise Invalid(problems)


@dataclass(frozen=True)
class MapNode:
    id: str
    label: str
    title: str
    colour: str
    shape: str
    size: float
    x: float
    y: float
    sector: str | None = None
    role: str | None = None
    betweenness: float | None = None
    ego: bool = False


@dataclass(frozen=True)
class MapEdge:
    source: str
    target: str
    kinds: tuple[str, ...]
    colour: str
    width: float
    dashes: tuple[int, ...] = ()
    title: str = ""
    new: bool = False


@dataclass(frozen=True)
class Panel:
    """One drawn network; a wave comparison has one panel per wave."""

    title: str
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]
    note: str = ""


@dataclass(frozen=True)
class NetworkMap:
    title: str
    subtitle: str
    panels: tuple[Panel, ...]
    legend_sectors: tuple[tuple[str, str], ...] = ()
    legend_roles: tuple[tuple[str, str], ...] = ()
    legend_ties: tuple[tuple[str, str, str], ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


# -- styling rules (pure) ----------------------------------------------------------------


def node_size(value: float, largest: float) -> float:
    """A node's size from its betweenness: ``MIN_SIZE`` plus its share of the largest.

    >>> node_size(0.0, 0.5), node_size(0.25, 0.5), node_size(0.5, 0.5)
    (10.0, 25.0, 40.0)
    >>> node_size(0.0, 0.0)
    10.0
    """
    if largest <= 0:
        return MIN_SIZE
    return MIN_SIZE + (MAX_SIZE - MIN_SIZE) * value / largest


def edge_style(kinds: Iterable[str]) -> TieStyle:
    """The style of an edge joining two people by ties of these kinds.

    >>> edge_style(["advice", "project"]).text
    'worked on a project together'
    """
    present = {TieKind(k) for k in kinds}
    for kind in TIE_PRECEDENCE:
        if kind in present:
            return TIE_STYLES[kind]
    raise ValueError("an edge needs at least one tie kind")


def sector_colour(sector: str | None) -> str:
    """A sector's colour, grey when the sector is unknown.

    >>> sector_colour("health"), sector_colour(None)
    ('#009E73', '#BBBBBB')
    """
    return SECTOR_COLOURS[Sector(sector)] if sector else UNKNOWN_COLOUR


def _force_layout(graph: nx.Graph, nodes: list[Hashable], seed: int) -> list[tuple[float, float]]:
    """Fruchterman-Reingold from seeded start positions: igraph's when it imports,
    networkx's spring layout otherwise."""
    n = len(nodes)
    rng = random.Random(seed)
    start = [(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in nodes]
    if n == 1:
        return [(0.0, 0.0)]
    if accel.igraph_available():
        import igraph

        index = {v: i for i, v in enumerate(nodes)}
        g = igraph.Graph(n=n, edges=sorted((index[u], index[v]) for u, v in graph.edges))
        # igraph draws its random steps from the generator it is given: a seeded one,
        # for the same picture every time, then Python's own again.
        igraph.set_random_number_generator(random.Random(seed))
        try:
            found = g.layout_fruchterman_reingold(seed=start, niter=300)
        finally:
            igraph.set_random_number_generator(random)
        return [(float(x), float(y)) for x, y in found.coords]
    canonical = nx.Graph()
    canonical.add_nodes_from(nodes)
    canonical.add_edges_from(sorted(tuple(sorted((u, v), key=str)) for u, v in graph.edges))
    placed = nx.spring_layout(
        canonical, pos=dict(zip(nodes, start, strict=True)), seed=seed, iterations=100
    )
    return [(float(placed[v][0]), float(placed[v][1])) for v in nodes]


def _grouped_layout(graph: nx.Graph, nodes: list[Hashable], seed: int) -> list[tuple[float, float]]:
    """Organisations placed by a force layout of the organisations (tied when any two of
    their people are), each one's people on a disc around it, as many as it has.

    Linear in the people once the organisations are placed: a force layout of 10,000
    people and 97,000 ties takes minutes, this a second. Ties inside an organisation
    stay short; the long lines are the ties across organisations.
    """
    group_of = {v: str(graph.nodes[v].get("organisation_id") or "") for v in nodes}
    members: dict[str, list[Hashable]] = {}
    for v in nodes:
        members.setdefault(group_of[v], []).append(v)
    groups = sorted(members)
    between = nx.Graph()
    between.add_nodes_from(groups)
    between.add_edges_from(
        {(group_of[u], group_of[v]) for u, v in graph.edges if group_of[u] != group_of[v]}
    )
    centres = dict(zip(groups, _force_layout(between, list(groups), seed), strict=True))
    xs = [c[0] for c in centres.values()]
    ys = [c[1] for c in centres.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    total = len(nodes)
    golden = math.pi * (3 - math.sqrt(5))
    placed: dict[Hashable, tuple[float, float]] = {}
    for group in groups:
        people = members[group]
        # an organisation of average size gets a disc about half the spacing of centres
        radius = 0.45 * span * math.sqrt(len(people) / total)
        cx, cy = centres[group]
        for i, v in enumerate(people):  # a sunflower: evenly spread, the same every time
            r = radius * math.sqrt((i + 0.5) / len(people))
            placed[v] = (cx + r * math.cos(i * golden), cy + r * math.sin(i * golden))
    return [placed[v] for v in nodes]


GROUPED_LAYOUT = 3000
"""Above this many people, people are laid out around their organisations."""


def layout(graph: nx.Graph, *, seed: int = 42) -> dict[Hashable, tuple[float, float]]:
    """Positions for every node, in pixels around (0, 0), the same for the same graph.

    A force layout (Fruchterman-Reingold: igraph's, else networkx's) up to
    ``GROUPED_LAYOUT`` people; above that, organisations are laid out and each
    one's people gathered around it (:func:`_grouped_layout`). The spread grows
    with the square root of the node count.
    """
    nodes = sorted(graph.nodes, key=str)
    n = len(nodes)
    if n == 0:
        return {}
    if n > GROUPED_LAYOUT:
        coords = _grouped_layout(graph, nodes, seed)
    else:
        coords = _force_layout(graph, nodes, seed)
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = 120.0 * math.sqrt(n) / span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {
        v: (round((x - cx) * scale, 1), round((y - cy) * scale, 1))
        for v, (x, y) in zip(nodes, coords, strict=True)
    }


def _betweenness(graph: nx.Graph) -> dict[Hashable, float]:
    """The spec's betweenness, as the metrics give it: exact up to
    ``EXACT_BETWEENNESS_LIMIT`` people, else estimated from sampled sources (igraph
    computes either in seconds at 10,000 people)."""
    if graph.number_of_nodes() == 0:
        return {}
    return betweenness(graph)


# -- reading the store -------------------------------------------------------------------


@dataclass(frozen=True)
class _Directory:
    people: dict[str, Person]
    roles: dict[str, Role]
    cohorts_of: dict[str, tuple[str, ...]]


def _directory(
    store: GraphStore, ids: Iterable[str], as_of: date, cohort_id: str | None
) -> _Directory:
    """Names, roles and cohorts of these people (roles in ``cohort_id`` if they are
    members, else in their latest cohort started by ``as_of``)."""
    wanted = set(ids)
    people = store.get_many(Person, wanted) if wanted else {}
    cohorts = {c.id: c for c in store.find(Cohort, None, _ALL).data}
    memberships = [m for m in store.find(Membership, None, _ALL).data if m.person_id in wanted]
    by_person: dict[str, list[Membership]] = {}
    for m in memberships:
        by_person.setdefault(m.person_id, []).append(m)
    roles: dict[str, Role] = {}
    cohorts_of: dict[str, tuple[str, ...]] = {}
    for pid, held in by_person.items():
        cohorts_of[pid] = tuple(sorted({m.cohort_id for m in held}))
        chosen = [m for m in held if m.cohort_id == cohort_id]
        if not chosen:
            started = [m for m in held if cohorts[m.cohort_id].start_date <= as_of] or held
            latest = max(cohorts[m.cohort_id].start_date for m in started)
            chosen = [m for m in started if cohorts[m.cohort_id].start_date == latest]
        roles[pid] = min((m.role for m in chosen), key=ROLE_PRECEDENCE.index)
    return _Directory(people=people, roles=roles, cohorts_of=cohorts_of)


def _snapshot(store: GraphStore, request: MapRequest) -> nx.Graph:
    graph: nx.Graph = measure.snapshot_for(
        store,
        as_of=request.as_of,
        cohort_id=request.cohort_id,
        wave=request.wave,
        kinds=request.kinds,
    )
    return graph


def _check_filters(store: GraphStore, request: MapRequest) -> None:
    """Unknown cohorts and organisations named in filters are 404s, as for any id."""
    if request.cohort_id is not None:
        store.get(Cohort, request.cohort_id)
    if request.cohort_filter is not None:
        store.get(Cohort, request.cohort_filter)
    if request.organisation is not None:
        store.get(Organisation, request.organisation)


def _filtered(
    graph: nx.Graph, request: MapRequest, directory: _Directory, keep: set[str] | None = None
) -> set[str]:
    """The people the filters keep (everyone in ``keep`` whatever the filters)."""
    chosen = set()
    for v, data in graph.nodes(data=True):
        if request.cohort_filter and request.cohort_filter not in directory.cohorts_of.get(v, ()):
            continue
        if request.organisation and data.get("organisation_id") != request.organisation:
            continue
        if request.sector and data.get("sector") != request.sector.value:
            continue
        chosen.add(v)
    return chosen | (keep or set())


def _ego_people(
    graph: nx.Graph,
    ego: str,
    radius: int,
    people: Mapping[str, Person],
    visible: Predicate,
    route_through: Predicate,
) -> set[str]:
    """The ego, the neighbours they may see and, at radius 2, the people those
    neighbours reach when they may be routed through."""
    shown = {ego}
    for v in graph.neighbors(ego):
        if v in people and visible(people[v]):
            shown.add(v)
    if radius == 2:
        for v in list(shown - {ego}):
            if not route_through(people[v]):
                continue
            for w in graph.neighbors(v):
                if w in people and visible(people[w]):
                    shown.add(w)
    return shown


# -- building maps -----------------------------------------------------------------------


def _describe_snapshot(request: MapRequest, graph: nx.Graph) -> str:
    if request.cohort_id is not None and request.wave is not None:
        wave = request.wave.value.replace("_", "-")
        when = f"cohort {request.cohort_id}, {wave} survey wave (as of {graph.graph['as_of']})"
    else:
        when = f"as of {graph.graph['as_of']}"
    kinds = ", ".join(k.value for k in request.kinds)
    return f"{when}; ties: {kinds}"


def _person_nodes(
    graph: nx.Graph,
    shown: set[str],
    directory: _Directory,
    sizes_from: Mapping[Hashable, float],
    positions: Mapping[Hashable, tuple[float, float]],
    ego: str | None,
    large: bool,
) -> list[MapNode]:
    largest = max((sizes_from.get(v, 0.0) for v in shown), default=0.0)
    nodes = []
    for v in sorted(shown):
        data = graph.nodes[v]
        person = directory.people[v]
        role = directory.roles.get(v)
        value = sizes_from.get(v, 0.0)
        sector = data.get("sector")
        organisation = data.get("organisation") or "organisation unknown"
        cohorts = ", ".join(directory.cohorts_of.get(v, ()))
        title = " · ".join(
            part
            for part in (
                person.name,
                person.job_title or "",
                f"{organisation} ({sector or 'sector unknown'})",
                f"{role.value if role else 'no role'} in {cohorts or 'no cohort'}",
                f"betweenness {value:.3f}",
            )
            if part
        )
        x, y = positions[v]
        nodes.append(
            MapNode(
                id=v,
                label="" if large and v != ego else person.name,
                title=title,
                colour=sector_colour(sector),
                shape=ROLE_SHAPES[role] if role else "dot",
                size=round(node_size(value, largest), 2),
                x=x,
                y=y,
                sector=sector,
                role=role.value if role else None,
                betweenness=value,
                ego=v == ego,
            )
        )
    return nodes


def _edges(graph: nx.Graph, new: set[frozenset[str]] | None = None) -> list[MapEdge]:
    edges = []
    for u, v, data in sorted(
        graph.edges(data=True), key=lambda e: (min(e[0], e[1]), max(e[0], e[1]))
    ):
        a, b = sorted((u, v))
        kinds = tuple(data["kinds"])
        style = edge_style(kinds)
        is_new = new is not None and frozenset((a, b)) in new
        texts = [TIE_STYLES[TieKind(k)].text for k in TIE_PRECEDENCE if k.value in kinds]
        edges.append(
            MapEdge(
                source=a,
                target=b,
                kinds=kinds,
                colour=NEW_TIE_COLOUR if is_new else style.colour,
                width=style.width + (1.5 if is_new else 0.0),
                dashes=style.dashes,
                title=("new since the previous wave: " if is_new else "") + "; ".join(texts),
                new=is_new,
            )
        )
    return edges


def _legends(
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
    drawn = {edge_style(e.kinds) for e in edges}
    legend_ties = tuple(
        (s.text, s.colour, "dashed" if s.dashes else "solid")
        for s in TIE_STYLES.values()
        if s in drawn
    )
    return legend_sectors, legend_roles, legend_ties


def network_map(
    store: GraphStore,
    request: MapRequest,
    *,
    visible: Predicate,
    route_through: Predicate,
) -> NetworkMap:
    """The map one request names, showing only what ``visible`` allows.

    Raises ``Invalid`` for contradictory options, ``NotFound`` for an unknown
    cohort, wave, organisation, or a person who is not in the network (absent,
    without analytics consent, or not visible to the caller: the same answer).
    """
    request.check()
    _check_filters(store, request)
    graph = _snapshot(store, request)
    as_of: date = graph.graph["as_of"]
    if request.collapse == "organisations":
        return _collapsed_map(graph, request)
    directory = _directory(store, graph.nodes, as_of, request.cohort_id or request.cohort_filter)
    everyone = {v for v in graph.nodes if v in directory.people and visible(directory.people[v])}
    ego = request.person_id
    notes: list[str] = []
    if ego is not None:
        if ego not in everyone:
            raise NotFound("person in the network", ego)
        around = _ego_people(graph, ego, request.radius, directory.people, visible, route_through)
        shown = around & _filtered(graph, request, directory, keep={ego})
        drawn = graph.subgraph(shown)
        sizes = _betweenness(drawn)
        notes.append("Sizes are betweenness inside this map.")
        title = f"{directory.people[ego].name}'s network"
    else:
        shown = everyone & _filtered(graph, request, directory)
        drawn = graph.subgraph(shown)
        sizes = _betweenness(graph)
        estimated = betweenness_is_estimated(graph)
        notes.append(
            "Sizes are betweenness in the whole network"
            + (" (estimated from 500 sampled sources)." if estimated else ".")
        )
        title = "The alumni network"
    positions = layout(drawn)
    large = drawn.number_of_nodes() > LARGE_MAP
    if large:
        notes.append("Names are in the tooltips (hover over a person).")
    if drawn.number_of_edges() > MANY_TIES:
        notes.append("Ties are drawn as one layer, without tooltips; zoom in to see them.")
    nodes = _person_nodes(graph, shown, directory, sizes, positions, ego, large)
    edges = _edges(drawn)
    sectors, roles, ties = _legends(nodes, edges)
    filters = _describe_filters(request)
    subtitle = _describe_snapshot(request, graph) + (f"; {filters}" if filters else "")
    panel = Panel(title=title, nodes=tuple(nodes), edges=tuple(edges), note=_counts(nodes, edges))
    return NetworkMap(
        title=title,
        subtitle=subtitle,
        panels=(panel,),
        legend_sectors=sectors,
        legend_roles=roles,
        legend_ties=ties,
        notes=tuple(notes),
    )


def _describe_filters(request: MapRequest) -> str:
    parts = []
    if request.cohort_filter:
        parts.append(f"members of {request.cohort_filter}")
    if request.organisation:
        parts.append(f"at {request.organisation}")
    if request.sector:
        parts.append(f"in {request.sector.value.replace('_', ' ')}")
    if request.person_id and request.radius == 2:
        parts.append("two steps out")
    return ", ".join(parts)


def _counts(nodes: Sequence[MapNode], edges: Sequence[MapEdge]) -> str:
    new = sum(1 for e in edges if e.new)
    text = f"{len(nodes)} people, {len(edges)} ties"
    return text + (f", {new} new" if new else "")


def _collapsed_map(graph: nx.Graph, request: MapRequest) -> NetworkMap:
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
    legend_sectors, _, _ = _legends(nodes, ())
    return NetworkMap(
        title="The alumni network, by organisation",
        subtitle=_describe_snapshot(request, graph),
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


def wave_comparison(
    store: GraphStore,
    cohort_id: str,
    request: MapRequest | None = None,
    *,
    visible: Predicate,
    route_through: Predicate,
) -> NetworkMap:
    """A cohort's waves side by side (baseline, end, follow-up; those run), people in
    the same place in each, and each tie new since the previous wave highlighted.

    A tie is *new* as ``spec/metrics.md`` counts ``new_ties``: both people are in
    both waves' snapshots and the tie is in this wave's and not the previous one's.
    ``request`` gives the kinds and filters (its snapshot fields are ignored).
    """
    base = replace(request or MapRequest(), as_of=None, cohort_id=None, wave=None, person_id=None)
    base.check()
    if base.collapse:
        raise Invalid(
            [Problem("map", "collapse", base.collapse, "waves are compared person by person")]
        )
    store.get(Cohort, cohort_id)
    _check_filters(store, base)
    snapshots: list[tuple[Wave, nx.Graph]] = []
    for wave in Wave:
        try:
            snapshots.append((wave, store.wave_snapshot(cohort_id, wave, base.kinds)))
        except NotFound:
            continue
    if not snapshots:
        raise NotFound("survey wave", f"{cohort_id}/any")
    last_as_of: date = snapshots[-1][1].graph["as_of"]
    union = nx.Graph()
    for _, g in snapshots:
        union.add_nodes_from(g.nodes(data=True))
        union.add_edges_from(g.edges)
    directory = _directory(store, union.nodes, last_as_of, cohort_id)
    keep = {v for v in union.nodes if v in directory.people and visible(directory.people[v])}
    keep &= _filtered(union, base, directory)
    positions = layout(union.subgraph(keep))
    panels = []
    previous: nx.Graph | None = None
    all_nodes: list[MapNode] = []
    all_edges: list[MapEdge] = []
    for wave, g in snapshots:
        shown = keep & set(g.nodes)
        drawn = g.subgraph(shown)
        new: set[frozenset[str]] | None = None
        if previous is not None:
            common = set(previous.nodes) & set(g.nodes)
            before = {frozenset(e) for e in previous.edges if set(e) <= common}
            new = {frozenset(e) for e in g.edges if set(e) <= common} - before
        sizes = _betweenness(g)
        large = len(shown) > LARGE_MAP
        nodes = _person_nodes(g, shown, directory, sizes, positions, None, large)
        edges = _edges(drawn, new)
        all_nodes += nodes
        all_edges += edges
        panels.append(
            Panel(
                title=f"{wave.value.replace('_', '-')} (as of {g.graph['as_of']})",
                nodes=tuple(nodes),
                edges=tuple(edges),
                note=_counts(nodes, edges),
            )
        )
        previous = g
    sectors, roles, ties = _legends(all_nodes, all_edges)
    filters = _describe_filters(base)
    return NetworkMap(
        title=f"Cohort {cohort_id}, wave by wave",
        subtitle=f"ties: {', '.join(k.value for k in base.kinds)}"
        + (f"; {filters}" if filters else ""),
        panels=tuple(panels),
        legend_sectors=sectors,
        legend_roles=roles,
        legend_ties=ties,
        notes=(
            "Ties new since the previous wave (between people in both) are drawn in orange.",
            "Sizes are betweenness in each wave's whole network.",
        ),
    )


# -- HTML -------------------------------------------------------------------------------


def draw(
    store: GraphStore,
    request: MapRequest,
    *,
    compare_waves: bool,
    visible: Predicate,
    route_through: Predicate,
) -> NetworkMap:
    """The map a caller asked for: one snapshot, or ``request.cohort_id``'s waves side
    by side. The CLI and the API both come here, so they refuse the same mixes."""
    if not compare_waves:
        return network_map(store, request, visible=visible, route_through=route_through)
    if request.cohort_id is None or request.wave or request.as_of or request.person_id:
        raise Invalid(
            [Problem("map", "compare waves", request.cohort_id or "",
                     "comparing waves needs a cohort, without a wave, a date or a person")]
        )  # fmt: skip
    return wave_comparison(
        store, request.cohort_id, request, visible=visible, route_through=route_through
    )


@lru_cache(maxsize=1)
def _vis_assets() -> tuple[str, str]:
    """vis-network's script and stylesheet, as shipped inside the pyvis package."""
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    return (lib / "vis-network.min.js").read_text(), (lib / "vis-network.css").read_text()


@lru_cache(maxsize=1)
def template_environment() -> Environment:
    """Jinja2 over ``visualisations/templates``, HTML autoescaped."""
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )


def _vis_data(panel: Panel) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """vis-network node and edge options, through pyvis's own Node and Edge."""
    from pyvis.edge import Edge
    from pyvis.node import Node

    nodes = []
    for n in panel.nodes:
        options: dict[str, Any] = {
            "title": n.title,
            "color": n.colour,
            "size": n.size,
            "x": n.x,
            "y": n.y,
            "physics": False,
        }
        if n.ego:
            options["borderWidth"] = 4
            options["color"] = {"background": n.colour, "border": "#000000"}
        nodes.append(Node(n.id, n.shape, label=n.label, **options).options)
    edges = []
    for e in panel.edges:
        options = {"color": e.colour, "width": e.width, "title": e.title}
        if e.dashes:
            options["dashes"] = list(e.dashes)
        edges.append(Edge(e.source, e.target, False, **options).options)
    return nodes, edges


def network_options(large: bool, many_ties: bool = False) -> dict[str, Any]:
    """vis-network options: positions are given, so no physics and no layout work;
    with many ties (drawn by the page, not by vis-network) nodes stay where they are."""
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "edges": {"smooth": False, "selectionWidth": 2},
        "nodes": {"font": {"size": 14, "face": "sans-serif"}, "borderWidth": 1},
        "interaction": {
            "hover": not large,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "navigationButtons": False,
            "dragNodes": not many_ties,
        },
    }


def to_html(network: NetworkMap) -> str:
    """The map as one self-contained HTML page that loads nothing from anywhere.

    When every panel has drawn, the page sets ``data-drawn="yes"`` on its
    ``<html>`` element and ``window.alumniMap.drawnAt`` (ms since navigation
    started); ``window.alumniMap.networks`` holds the vis-network objects.
    """
    script, style = _vis_assets()
    panels = []
    for i, panel in enumerate(network.panels):
        nodes, edges = _vis_data(panel)
        large = len(nodes) > LARGE_MAP
        many = len(edges) > MANY_TIES
        panels.append(
            {
                "id": f"map-{i}",
                "title": panel.title,
                "note": panel.note,
                "data": json.dumps(
                    {
                        "nodes": nodes,
                        "edges": edges,
                        "canvasEdges": many,
                        "options": network_options(large, many),
                    },
                    separators=(",", ":"),
                )
                .replace("<", "\\u003c")
                .replace(">", "\\u003e")
                .replace("&", "\\u0026"),
            }
        )
    return (
        template_environment()
        .get_template("network.html")
        .render(map=network, panels=panels, vis_script=script, vis_style=style)
    )


def render(network: NetworkMap, path: Path) -> Path:
    """Write the map's HTML to ``path``."""
    path.write_text(to_html(network), encoding="utf-8")
    return path
