"""A map as one self-contained HTML page: vis-network (as shipped inside pyvis) inlined,
positions given (no physics), and a content security policy that forbids every fetch.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from visualisations.maps.cache import collector_paused
from visualisations.maps.style import LARGE_MAP, MANY_TIES, NetworkMap, Panel

_TEMPLATES = Path(__file__).parent.parent / "templates"


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


def _canvas_edges(panel: Panel) -> tuple[list[list[int]], list[dict[str, Any]]]:
    """The ties the page draws itself (no tooltips there, so no titles shipped): each as
    ``[from, to, style]``, indices into the panel's nodes and the styles, which are listed
    in the order ties first use them (the order the page draws its layers in)."""
    index = {n.id: i for i, n in enumerate(panel.nodes)}
    style_of: dict[tuple[str, float, tuple[int, ...]], int] = {}
    styles: list[dict[str, Any]] = []
    ends: list[list[int]] = []
    for e in panel.edges:
        key = (e.colour, e.width, e.dashes)
        at = style_of.get(key)
        if at is None:
            at = style_of[key] = len(styles)
            styles.append({"color": e.colour, "width": e.width, "dashes": list(e.dashes)})
        ends.append([index[e.source], index[e.target], at])
    return ends, styles


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
    with collector_paused():
        panels = [_panel(i, panel) for i, panel in enumerate(network.panels)]
    return (
        template_environment()
        .get_template("network.html")
        .render(map=network, panels=panels, vis_script=script, vis_style=style)
    )


def _panel(i: int, panel: Panel) -> dict[str, str]:
    """One panel's title, note and vis-network data, the data as one JSON text that is
    safe inside ``<script>`` (``<``, ``>`` and ``&`` escaped)."""
    large = len(panel.nodes) > LARGE_MAP
    many = len(panel.edges) > MANY_TIES
    data: dict[str, Any] = {"nodes": _vis_nodes(panel)}
    if many:
        data["edges"], data["edgeStyles"] = _canvas_edges(panel)
    else:
        data["edges"] = _vis_edges(panel)
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
