"""Network maps: the alumni network drawn with pyvis (vis-network), offline.

One topic a module: what a map shows (``data``: the snapshot, filters and consent,
read through ``graph.measure``), how it looks (``style``), where each node goes
(``positions``) and the page that draws it (``html``); what is worked out is kept
per store until its next write (``cache``). The names below are the package's
public face.
"""

from __future__ import annotations

from visualisations.maps.data import Collapse, MapRequest, draw, network_map, wave_comparison
from visualisations.maps.html import network_options, render, template_environment, to_html
from visualisations.maps.positions import GROUPED_LAYOUT, layout
from visualisations.maps.style import (
    LARGE_MAP,
    MANY_NODES,
    MANY_TIES,
    MAX_SIZE,
    MIN_SIZE,
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
from visualisations.palette import SECTOR_COLOURS, UNKNOWN_COLOUR, sector_colour

__all__ = [
    "GROUPED_LAYOUT",
    "LARGE_MAP",
    "MANY_NODES",
    "MANY_TIES",
    "MAX_SIZE",
    "MIN_SIZE",
    "NEW_TIE_COLOUR",
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
    "TieStyle",
    "draw",
    "edge_style",
    "layout",
    "network_map",
    "network_options",
    "node_size",
    "render",
    "sector_colour",
    "template_environment",
    "to_html",
    "wave_comparison",
]
