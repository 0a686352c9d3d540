"""Network maps: what a map shows, read through ``graph.measure``.

:func:`network_map` (or :func:`wave_comparison`) reads a snapshot through
``graph.measure`` (so a map shows exactly the people and ties the metrics count:
people with analytics consent, ties of the chosen kinds), applies the filters and
what the viewer may see, and returns a plain :class:`~visualisations.maps.style.NetworkMap`;
``visualisations.maps.html.to_html`` turns that into one self-contained page. How
nodes and edges look is ``visualisations.maps.style``; where they go,
``visualisations.maps.positions``. ``collapse="organisations"`` draws one node per
organisation instead.

Consent is not decided here: callers hand in a ``graph.viewer.Visibility`` (the
API and the CLI hand in ``services.consent.Viewer``, through ``services.maps``). A
person the viewer may not see is left out of the map altogether, with every tie
touching them; an ego map reaches exactly the people ``graph.contacts`` reaches
from the ego (the one walk that routes only through people who may be routed
through), drawn where the snapshot joins them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import networkx as nx
import numpy as np

from graph import measure
from graph.analytics.edges import edge_index
from graph.contacts import contacts
from graph.errors import Invalid, NotFound, Problem
from graph.model import DEFAULT_METRIC_KINDS, Person, Role, Sector, TieKind, Wave
from graph.store import GraphStore
from graph.viewer import Visibility
from visualisations.maps.cache import collector_paused, remembered
from visualisations.maps.collapsed import collapsed_map, legends
from visualisations.maps.positions import layout
from visualisations.maps.style import (
    LARGE_MAP,
    MANY_TIES,
    NEW_TIE_COLOUR,
    ROLE_PRECEDENCE,
    ROLE_SHAPES,
    TIE_PRECEDENCE,
    TIE_STYLES,
    MapEdge,
    MapNode,
    NetworkMap,
    Panel,
    TieStyle,
    edge_style,
    node_size,
)
from visualisations.palette import sector_colour

__all__ = ["Collapse", "MapRequest", "draw", "network_map", "wave_comparison"]

Collapse = Literal["organisations"]


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


Sizes = Callable[[], tuple[dict[Hashable, float], bool]]
"""Everyone's betweenness and whether it was estimated, once worked out."""


def _betweenness(graph: nx.Graph) -> tuple[dict[Hashable, float], bool]:
    """The spec's betweenness, as the metrics give it (``graph.measure``): exact up to
    ``EXACT_BETWEENNESS_LIMIT`` people, else estimated from sampled sources."""
    return measure.betweenness_of(graph)


def _betweenness_started(graph: nx.Graph) -> Sizes:
    """:func:`_betweenness`, started now: in a child process for a large network
    (``graph.measure.betweenness_started``), while the map's directory, layout and ties
    are worked out here; the same answer."""
    return measure.betweenness_started(graph)


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
    found = measure.map_people(store, ids)
    cohorts = found.cohorts
    roles: dict[str, Role] = {}
    cohorts_of: dict[str, tuple[str, ...]] = {}
    for pid, held in found.memberships.items():
        cohorts_of[pid] = tuple(sorted({m.cohort_id for m in held}))
        chosen = [m for m in held if m.cohort_id == cohort_id]
        if not chosen:
            started = [m for m in held if cohorts[m.cohort_id].start_date <= as_of] or list(held)
            latest = max(cohorts[m.cohort_id].start_date for m in started)
            chosen = [m for m in started if cohorts[m.cohort_id].start_date == latest]
        roles[pid] = min((m.role for m in chosen), key=ROLE_PRECEDENCE.index)
    return _Directory(people=found.people, roles=roles, cohorts_of=cohorts_of)


def _snapshot(store: GraphStore, request: MapRequest) -> nx.Graph:
    graph: nx.Graph = measure.snapshot_for(
        store,
        as_of=request.as_of,
        cohort_id=request.cohort_id,
        wave=request.wave,
        kinds=request.kinds,
        areas=False,
    )
    return graph


def _check_filters(store: GraphStore, request: MapRequest) -> None:
    """Unknown cohorts and organisations named in filters are 404s, as for any id."""
    measure.check_named(
        store,
        cohorts=(request.cohort_id, request.cohort_filter),
        organisations=(request.organisation,),
    )


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
    store: GraphStore,
    graph: nx.Graph,
    ego: str,
    radius: int,
    people: Mapping[str, Person],
    viewer: Visibility,
) -> set[str]:
    """The ego, the neighbours the viewer may see and, at radius 2, the people those
    neighbours reach when they may be routed through, as the snapshot joins them.

    Who may be reached at all is ``graph.contacts.contacts``'s answer (the one walk
    that applies consent from a person outward); the snapshot says who is tied to
    whom as of its date, and a step out goes only through a neighbour the viewer may
    route through. A snapshot's ties are among the ties that walk follows, so this is
    exactly: the visible neighbours, then the visible neighbours of routable ones.
    """
    reached = contacts(
        store,
        ego,
        viewer=viewer,
        max_hops=radius,
    )
    may_reach = {ego} | {c.profile.person.id for c in reached}
    first = {v for v in graph.neighbors(ego) if v in may_reach}
    shown = {ego} | first
    if radius == 2:
        for v in first:
            if viewer.may_route_through(people[v]):
                shown.update(w for w in graph.neighbors(v) if w in may_reach)
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


def _edge_look(kinds: tuple[str, ...]) -> tuple[TieStyle, str]:
    """The style of an edge of these kinds, and its tooltip's text."""
    texts = [TIE_STYLES[TieKind(k)].text for k in TIE_PRECEDENCE if k.value in kinds]
    return edge_style(kinds), "; ".join(texts)


def _edges(
    graph: nx.Graph, new: set[frozenset[str]] | None = None, shown: set[str] | None = None
) -> list[MapEdge]:
    """The ties among ``shown`` (everyone when ``None``), ordered by their two ends.

    Read from the snapshot's edge index (``graph.analytics.edges``: each tie once,
    already in that order), those with an end outside ``shown`` dropped as arrays, each
    kind of edge styled once."""
    index = edge_index(graph)
    smaller, larger = index.smaller, index.larger
    data = index.data
    if shown is not None:
        inside = np.fromiter((v in shown for v in index.nodes), dtype=bool, count=len(index.nodes))
        kept = inside[smaller] & inside[larger]
        smaller, larger = smaller[kept], larger[kept]
        data = [data[i] for i in np.flatnonzero(kept).tolist()]
    names = index.nodes
    ends = zip(
        [names[i] for i in smaller.tolist()],
        [names[i] for i in larger.tolist()],
        [d["kinds"] for d in data],
        strict=True,
    )
    looks: dict[tuple[str, ...], tuple[TieStyle, str]] = {}
    edges = []
    for a, b, held in ends:
        kinds = tuple(held)
        look = looks.get(kinds)
        if look is None:
            look = looks[kinds] = _edge_look(kinds)
        style, text = look
        if new is None or frozenset((a, b)) not in new:
            edges.append(MapEdge(a, b, kinds, style.colour, style.width, style.dashes, text))
            continue
        edges.append(
            MapEdge(
                source=a,
                target=b,
                kinds=kinds,
                colour=NEW_TIE_COLOUR,
                width=style.width + 1.5,
                dashes=style.dashes,
                title="new since the previous wave: " + text,
                new=True,
            )
        )
    return edges


def _snapshot_key(request: MapRequest) -> tuple[object, ...]:
    """What names a map's snapshot: its date (today when none is given) or its cohort's
    wave, and its tie kinds."""
    day = request.as_of or (None if request.cohort_id or request.wave else date.today())
    return (day, request.cohort_id, request.wave, tuple(request.kinds))


def network_map(
    store: GraphStore,
    request: MapRequest,
    *,
    viewer: Visibility,
) -> NetworkMap:
    """The map one request names, showing only whom ``viewer`` sees.

    The snapshot, its directory, everyone's betweenness and each finished map are
    kept per store until its next write (``visualisations.maps.cache``): the same map
    asked for again is not worked out again, and a map after a write shows it.

    Raises ``Invalid`` for contradictory options, ``NotFound`` for an unknown
    cohort, wave, organisation, or a person who is not in the network (absent,
    without analytics consent, or not visible to the caller: the same answer).
    """
    request.check()
    _check_filters(store, request)
    with collector_paused():
        return _network_map(store, request, viewer)


def _network_map(store: GraphStore, request: MapRequest, viewer: Visibility) -> NetworkMap:
    key = _snapshot_key(request)
    day = key[0]  # today's date read once, for the key and the snapshot alike
    asked = replace(request, as_of=day) if isinstance(day, date) else request
    graph = remembered(store, ("map-snapshot", key), lambda: _snapshot(store, asked))
    as_of: date = graph.graph["as_of"]
    if request.collapse == "organisations":
        return remembered(
            store,
            ("map-collapsed", key, request),
            lambda: collapsed_map(graph, request, _describe_snapshot(request, graph)),
        )
    ego = request.person_id
    # The whole network's betweenness sizes every map but an ego map: started before
    # the directory is read, it is worked out beside it (see _betweenness_started).
    sizes: Sizes | None = None
    if ego is None:
        sizes = remembered(store, ("map-betweenness", key), lambda: _betweenness_started(graph))
    roles_in = request.cohort_id or request.cohort_filter
    directory = remembered(
        store,
        ("map-directory", key, roles_in),
        lambda: _directory(store, graph.nodes, as_of, roles_in),
    )
    everyone = {
        v for v in graph.nodes if v in directory.people and viewer.sees(directory.people[v])
    }
    if ego is not None:
        if ego not in everyone:
            raise NotFound("person in the network", ego)
        around = _ego_people(store, graph, ego, request.radius, directory.people, viewer)
        shown = around & _filtered(graph, request, directory, keep={ego})
    else:
        shown = everyone & _filtered(graph, request, directory)
    return remembered(
        store,
        ("map", key, request, frozenset(shown)),
        lambda: _drawn_map(graph, request, directory, shown, sizes),
    )


def _drawn_map(
    graph: nx.Graph,
    request: MapRequest,
    directory: _Directory,
    shown: set[str],
    whole_sizes: Sizes | None,
) -> NetworkMap:
    """The map of ``shown`` in ``graph``: sized (an ego map by betweenness inside it,
    any other by ``whole_sizes``, the whole network's), laid out, styled."""
    ego = request.person_id
    whole = len(shown) == graph.number_of_nodes()
    drawn = graph if whole else graph.subgraph(shown)
    notes: list[str] = []
    positions = layout(drawn)
    edges = _edges(graph, None, None if whole else shown)
    if whole_sizes is None:
        sizes, _ = _betweenness(drawn)
        notes.append("Sizes are betweenness inside this map.")
        title = f"{directory.people[ego].name}'s network" if ego else "The alumni network"
    else:
        sizes, estimated = whole_sizes()  # the wait, if any, for the child's answer
        notes.append(
            "Sizes are betweenness in the whole network"
            + (" (estimated from 500 sampled sources)." if estimated else ".")
        )
        title = "The alumni network"
    large = len(shown) > LARGE_MAP
    if large:
        notes.append("Names are in the tooltips (hover over a person).")
    if len(edges) > MANY_TIES:
        notes.append("Ties are drawn as one layer, without tooltips; zoom in to see them.")
    nodes = _person_nodes(graph, shown, directory, sizes, positions, ego, large)
    sectors, roles, ties = legends(nodes, edges)
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


def _counts(
    nodes: Sequence[MapNode], edges: Sequence[MapEdge], cohort: tuple[str, int] | None = None
) -> str:
    """ "12 people, 30 ties, 4 new"; with ``cohort`` (its id, how many of the people are
    its members) whose people they are: "12 people (8 in c1, 4 in other cohorts), ..."."""
    new = sum(1 for e in edges if e.new)
    people = f"{len(nodes)} people"
    if cohort is not None:
        name, members = cohort
        others = len(nodes) - members
        people += (
            f" ({members} in {name}, {others} in other cohorts)" if others else f", all in {name}"
        )
    text = f"{people}, {len(edges)} ties"
    return text + (f", {new} new" if new else "")


def wave_comparison(
    store: GraphStore,
    cohort_id: str,
    request: MapRequest | None = None,
    *,
    viewer: Visibility,
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
    measure.check_named(store, cohorts=(cohort_id,))
    _check_filters(store, base)
    snapshots: list[tuple[Wave, nx.Graph]] = measure.wave_snapshots(store, cohort_id, base.kinds)
    if not snapshots:
        raise NotFound("survey wave", f"{cohort_id}/any")
    last_as_of: date = snapshots[-1][1].graph["as_of"]
    union = nx.Graph()
    for _, g in snapshots:
        union.add_nodes_from(g.nodes(data=True))
        union.add_edges_from(g.edges)
    directory = _directory(store, union.nodes, last_as_of, cohort_id)
    keep = {v for v in union.nodes if v in directory.people and viewer.sees(directory.people[v])}
    keep &= _filtered(union, base, directory)
    positions = layout(union.subgraph(keep))
    panels = []
    previous: nx.Graph | None = None
    all_nodes: list[MapNode] = []
    all_edges: list[MapEdge] = []
    for wave, g in snapshots:
        shown = keep & set(g.nodes)
        new: set[frozenset[str]] | None = None
        if previous is not None:
            common = set(previous.nodes) & set(g.nodes)
            before = {frozenset(e) for e in previous.edges if set(e) <= common}
            new = {frozenset(e) for e in g.edges if set(e) <= common} - before
        sizes, _ = _betweenness(g)
        large = len(shown) > LARGE_MAP
        nodes = _person_nodes(g, shown, directory, sizes, positions, None, large)
        edges = _edges(g, new, shown)
        all_nodes += nodes
        all_edges += edges
        members = sum(1 for v in shown if cohort_id in directory.cohorts_of.get(v, ()))
        panels.append(
            Panel(
                title=f"{wave.value.replace('_', '-')} (as of {g.graph['as_of']})",
                nodes=tuple(nodes),
                edges=tuple(edges),
                note=_counts(nodes, edges, (cohort_id, members)),
            )
        )
        previous = g
    sectors, roles, ties = legends(all_nodes, all_edges)
    filters = _describe_filters(base)
    return NetworkMap(
        title=f"The network at each of cohort {cohort_id}'s survey waves",
        subtitle=f"ties: {', '.join(k.value for k in base.kinds)}"
        + (f"; {filters}" if filters else ""),
        panels=tuple(panels),
        legend_sectors=sectors,
        legend_roles=roles,
        legend_ties=ties,
        notes=(
            f"Each panel is the whole network on its wave's date: everyone in a cohort "
            f"started by then, not only {cohort_id}'s members.",
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
    viewer: Visibility,
) -> NetworkMap:
    """The map a caller asked for: one snapshot, or ``request.cohort_id``'s waves side
    by side. The CLI and the API both come here, so they refuse the same mixes."""
    if not compare_waves:
        return network_map(store, request, viewer=viewer)
    if request.cohort_id is None or request.wave or request.as_of or request.person_id:
        raise Invalid(
            [Problem("map", "compare waves", request.cohort_id or "",
                     "comparing waves needs a cohort, without a wave, a date or a person")]
        )  # fmt: skip
    return wave_comparison(store, request.cohort_id, request, viewer=viewer)
