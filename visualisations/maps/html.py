"""A map as one self-contained HTML page: vis-network (as shipped inside pyvis) inlined,
positions given (no physics), and a content security policy that forbids every fetch.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, FileSystemLoader, select_autoescape

from visualisations.maps.cache import collector_paused
from visualisations.maps.style import LARGE_MAP, MANY_NODES, MANY_TIES, NetworkMap, Panel

_TEMPLATES = Path(__file__).parent.parent / "templates"
T = TypeVar("T")


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


def _vis_nodes(panel: Panel) -> list[dict[str, Any]]:
    """vis-network node options, as pyvis's ``Node`` gives them (the same keys in the
    same order), built as plain dicts."""
    nodes: list[dict[str, Any]] = []
    for n in panel.nodes:
        node: dict[str, Any] = {
            "title": n.title,
            "color": n.colour,
            "size": n.size,
            "x": n.x,
            "y": n.y,
            "physics": False,
        }
        if n.ego:
            node["borderWidth"] = 4
            node["color"] = {"background": n.colour, "border": "#000000"}
        node["id"] = n.id
        node["label"] = n.label
        node["shape"] = n.shape
        nodes.append(node)
    return nodes


def _vis_edges(panel: Panel) -> list[dict[str, Any]]:
    """vis-network edge options, as pyvis's ``Edge`` gives them, as plain dicts."""
    edges: list[dict[str, Any]] = []
    for e in panel.edges:
        edge: dict[str, Any] = {"color": e.colour, "width": e.width, "title": e.title}
        if e.dashes:
            edge["dashes"] = list(e.dashes)
        edge["from"] = e.source
        edge["to"] = e.target
        edges.append(edge)
    return edges


def _styled(
    items: Sequence[T], look: Callable[[T], Hashable], style: Callable[[T], dict[str, Any]]
) -> tuple[list[int], list[dict[str, Any]]]:
    """Each item's index into the styles, which are listed in the order items first use
    them (the order the page draws its layers in); items that look alike share one."""
    style_of: dict[Hashable, int] = {}
    styles: list[dict[str, Any]] = []
    chosen: list[int] = []
    for item in items:
        key = look(item)
        at = style_of.get(key)
        if at is None:
            at = style_of[key] = len(styles)
            styles.append(style(item))
        chosen.append(at)
    return chosen, styles


def _canvas_edges(panel: Panel) -> tuple[list[list[int]], list[dict[str, Any]]]:
    """The ties the page draws itself (no tooltips there, so no titles shipped): each as
    ``[from, to, style]``, indices into the panel's nodes and the styles."""
    index = {n.id: i for i, n in enumerate(panel.nodes)}
    chosen, styles = _styled(
        panel.edges,
        lambda e: (e.colour, e.width, e.dashes),
        lambda e: {"color": e.colour, "width": e.width, "dashes": list(e.dashes)},
    )
    ends = [
        [index[e.source], index[e.target], at] for e, at in zip(panel.edges, chosen, strict=True)
    ]
    return ends, styles


def vis_border(colour: str) -> str:
    """The border vis-network draws around a node given one colour (vis-util's
    ``parseColor``): in HSV, saturation times 1.25 (at most 1) and value times 0.8, each
    channel then floored; a colour that is not ``#rrggbb`` is its own border.

    >>> vis_border("#0072B2"), vis_border("#BBBBBB"), vis_border("red")
    ('#005b8e', '#959595', 'red')
    """
    if len(colour) != 7 or not colour.startswith("#"):
        return colour
    try:
        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    except ValueError:
        return colour
    low, high = min(r, g, b), max(r, g, b)
    if low == high:
        h, s, v = 0.0, 0.0, low
    else:  # vis-util's RGBToHSV, step by step, so the floors below land where vis's do
        side = 3 if r == low else 1 if b == low else 5
        step = (g - b) if r == low else (r - g) if b == low else (b - r)
        h, s, v = 60 * (side - step / (high - low)) / 360, (high - low) / high, high
    s, v = min(1.0, 1.25 * s), 0.8 * v
    sector = math.floor(6 * h)
    f = 6 * h - sector
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    rgb = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][sector % 6]
    return "#" + "".join(f"{math.floor(255 * c):02x}" for c in rgb)


def _canvas_nodes(panel: Panel) -> tuple[list[list[Any]], list[dict[str, Any]]]:
    """The nodes the page draws itself: each as ``[x, y, size, style, title]`` (and its
    label last, when it has one), the style an index into the styles; an ego has a style
    of its own (its 4 px black border)."""
    chosen, styles = _styled(
        panel.nodes,
        lambda n: (n.colour, n.shape, n.ego),
        lambda n: {
            "color": n.colour,
            "border": "#000000" if n.ego else vis_border(n.colour),
            "borderWidth": 4 if n.ego else 1,
            "shape": n.shape,
            "ego": n.ego,
        },
    )
    return [
        [n.x, n.y, n.size, at, n.title, *([n.label] if n.label else [])]
        for n, at in zip(panel.nodes, chosen, strict=True)
    ], styles


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
    started); ``window.alumniMap.networks`` holds the vis-network objects and
    ``window.alumniMap.nodesDrawn`` each panel's count of nodes drawn (vis-network's,
    or the page's own when it draws them: above :data:`MANY_NODES`).
    """
    script, style = _vis_assets()
    with collector_paused():
        panels = [_panel(i, panel) for i, panel in enumerate(network.panels)]
    return (
        template_environment()
        .get_template("network.html")
        .render(map=network, panels=panels, vis_script=script, vis_style=style)
    )


def _panel(i: int, panel: Panel) -> dict[str, str]:
    """One panel's title, note and vis-network data, the data as one JSON text that is
    safe inside ``<script>`` (``<``, ``>`` and ``&`` escaped).

    Above :data:`MANY_NODES` nodes the page draws nodes and ties itself (``canvasNodes``:
    the ties index into the nodes, so they are the page's too, however few); above
    :data:`MANY_TIES` ties it draws the ties only (``canvasEdges``)."""
    large = len(panel.nodes) > LARGE_MAP
    canvas_nodes = len(panel.nodes) > MANY_NODES
    many = canvas_nodes or len(panel.edges) > MANY_TIES
    data: dict[str, Any] = {}
    if canvas_nodes:
        data["nodes"], data["nodeStyles"] = _canvas_nodes(panel)
    else:
        data["nodes"] = _vis_nodes(panel)
    if many:
        data["edges"], data["edgeStyles"] = _canvas_edges(panel)
    else:
        data["edges"] = _vis_edges(panel)
    data["canvasNodes"] = canvas_nodes
    data["canvasEdges"] = many
    data["options"] = network_options(large, many)
    return {
        "id": f"map-{i}",
        "title": panel.title,
        "note": panel.note,
        "data": json.dumps(data, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026"),
    }


def render(network: NetworkMap, path: Path) -> Path:
    """Write the map's HTML to ``path``."""
    path.write_text(to_html(network), encoding="utf-8")
    return path
