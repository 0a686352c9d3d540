"""How a map looks: the colour, shape and size of a node, the line of an edge, and the
plain records (:class:`NetworkMap` and its panels, nodes and edges) a map is drawn from.

- **colour** is the person's sector (``visualisations.palette``, as on every page), **shape** their
  role in the programme (:data:`ROLE_SHAPES`), **size** their betweenness
  (:func:`node_size`), and each **edge** is styled by the strongest kind of
  tie joining the two people (:data:`TIE_STYLES`, in :data:`TIE_PRECEDENCE`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from graph.model import Role, TieKind
from visualisations.palette import NEW_TIE

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
NEW_TIE_COLOUR = NEW_TIE
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
MANY_NODES = 2000
"""Above this many nodes, the page draws the nodes itself too (one path per style, with
its own tooltips) and vis-network only holds the view (zoom, pan): vis-network spends
about 60 us building each node (a Node object with its merged options), 0.55-0.74 s of
a 10,000-person map's 1.05-1.4 s to its first drawing in headless Chromium, where the
page draws the same map in 0.43-0.68 s."""


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
