"""The page's data for a map above ``MANY_NODES`` people, which the page draws itself
(vis-network only holds the view): compact nodes, one style per look, the ego a style
of its own, and the ties drawn by the page too. Every expected value is worked out by
hand on a five-person panel built here.
"""

from __future__ import annotations

import pytest

from visualisations.maps import MapEdge, MapNode, NetworkMap, Panel, to_html
from visualisations.maps import html as maps_html

from .conftest import map_data

BLUE, PURPLE = "#0072B2", "#332288"
# vis-network's border for each (vis-util parseColor: HSV saturation x1.25, value x0.8,
# floored): #0072B2 is h 0.5599, s 1, v 0.698 -> s 1, v 0.5584 -> (0, 91, 142);
# #332288 is h 0.6944, s 0.75, v 0.5333 -> s 0.9375, v 0.4267 -> (23, 6, 108).
BLUE_BORDER, PURPLE_BORDER = "#005b8e", "#17066c"


def _node(id: str, colour: str, shape: str, x: float, **more: object) -> MapNode:
    fields: dict[str, object] = {"label": "", "title": f"{id} title", "size": 10.0, "y": -x}
    fields.update(more)
    return MapNode(id=id, colour=colour, shape=shape, x=x, **fields)  # type: ignore[arg-type]


def _edge(source: str, target: str, colour: str = "#444444") -> MapEdge:
    return MapEdge(source, target, ("project",), colour, 2.5)


NODES = (
    _node("a", BLUE, "dot", 0.0),
    _node("b", BLUE, "dot", 1.5, size=12.5),
    _node("c", PURPLE, "star", 2.0, title="Cat <b>&amp; co</b>"),
    _node("d", BLUE, "dot", 3.0, label="Dee", ego=True),
    _node("e", PURPLE, "star", 4.0),
)


def _data(nodes: tuple[MapNode, ...], edges: tuple[MapEdge, ...] = ()) -> dict:  # type: ignore[type-arg]
    network = NetworkMap("t", "s", (Panel("p", nodes, edges),))
    (data,) = map_data(to_html(network))
    return data


def test_map_above_many_nodes_ships_each_node_compact_with_one_style_per_look(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(maps_html, "MANY_NODES", 4)
    data = _data(NODES)
    assert data["canvasNodes"] is True
    assert data["nodeStyles"] == [
        {"color": BLUE, "border": BLUE_BORDER, "borderWidth": 1, "shape": "dot", "ego": False},
        {"color": PURPLE, "border": PURPLE_BORDER, "borderWidth": 1, "shape": "star", "ego": False},
        {"color": BLUE, "border": "#000000", "borderWidth": 4, "shape": "dot", "ego": True},
    ]
    assert data["nodes"] == [
        [0.0, -0.0, 10.0, 0, "a title"],
        [1.5, -1.5, 12.5, 0, "b title"],
        [2.0, -2.0, 10.0, 1, "Cat <b>&amp; co</b>"],
        [3.0, -3.0, 10.0, 2, "d title", "Dee"],
        [4.0, -4.0, 10.0, 1, "e title"],
    ]


def test_map_above_many_nodes_has_its_ties_drawn_by_the_page_however_few(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(maps_html, "MANY_NODES", 4)
    edges = (_edge("a", "b"), _edge("c", "e", "#999999"), _edge("b", "d"))
    data = _data(NODES, edges)
    assert len(edges) <= maps_html.MANY_TIES
    assert data["canvasEdges"] is True
    assert data["edges"] == [[0, 1, 0], [2, 4, 1], [1, 3, 0]]
    assert [s["color"] for s in data["edgeStyles"]] == ["#444444", "#999999"]
    assert data["options"]["interaction"]["dragNodes"] is False


def test_map_of_many_nodes_is_drawn_by_the_page_only_above_the_threshold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(maps_html, "MANY_NODES", 5)
    at = _data(NODES, (_edge("a", "b"),))
    assert at["canvasNodes"] is False and at["canvasEdges"] is False
    assert [n["id"] for n in at["nodes"]] == ["a", "b", "c", "d", "e"]
    assert at["nodes"][3]["borderWidth"] == 4  # vis-network's ego, as before
    monkeypatch.setattr(maps_html, "MANY_NODES", 4)
    assert _data(NODES, (_edge("a", "b"),))["canvasNodes"] is True


def test_map_page_data_of_many_nodes_escapes_markup_in_titles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(maps_html, "MANY_NODES", 4)
    network = NetworkMap("t", "s", (Panel("p", NODES, ()),))
    page = to_html(network)
    text = page.split('id="map-0-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in text and ">" not in text and "&" not in text
    assert "Cat \\u003cb\\u003e\\u0026amp; co\\u003c/b\\u003e" in text


def test_vis_border_is_vis_networks_darker_colour() -> None:
    assert maps_html.vis_border(BLUE) == BLUE_BORDER
    assert maps_html.vis_border(PURPLE) == PURPLE_BORDER
    assert maps_html.vis_border("#BBBBBB") == "#959595"  # grey: value x0.8 only
