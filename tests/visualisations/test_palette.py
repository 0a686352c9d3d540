"""One palette for sectors everywhere (issue 18, item 4): a sector has the same colour on
a map, in a plot and in a handover pack. The colours expected are written out here, as
a reader would compare them on two pages, not read from the palette under test."""

from __future__ import annotations

from datetime import date

from graph.analytics import group_metrics
from graph.store import GraphStore
from visualisations import maps, plots
from visualisations.handover_pack import (
    HandoverPack,
    PackPerson,
    PackProject,
    network_svg,
    to_html,
)

from .conftest import TEAM

HEALTH, POLICE, LOCAL = "#009E73", "#332288", "#0072B2"


def test_map_plot_and_pack_colour_each_sector_alike(sample: GraphStore) -> None:
    network = maps.network_map(sample, maps.MapRequest(as_of=date(2020, 6, 1)), viewer=TEAM)
    on_map = {n.sector: n.colour for n in network.panels[0].nodes}
    assert on_map == {"local_government": LOCAL, "health": HEALTH, "police": POLICE}
    assert set(network.legend_sectors) == {
        ("local government", LOCAL), ("health", HEALTH), ("police", POLICE),
    }  # fmt: skip

    snapshot = sample.snapshot(date(2020, 6, 1))
    figure = plots.ei_by_sector({"now": group_metrics(snapshot, "sector")})
    (swatches,) = [c for c in figure.axes[0].collections if c.get_gid() == "sector-colours"]
    drawn = ["#{:02X}{:02X}{:02X}".format(*(round(255 * v) for v in rgba[:3]))
             for rgba in swatches.get_facecolors()]  # fmt: skip
    assert drawn == [HEALTH, LOCAL, POLICE]  # health, local government, police, in order

    ann = PackPerson(id="ann", name="Ann", sector="health")
    bob = PackPerson(id="bob", name="Bob", sector="police")
    project = PackProject("p1", "A project", "c2019", "active", date(2024, 1, 1), None, None,
                          leads=(ann,), members=(bob,))  # fmt: skip
    pack = HandoverPack("i1", "An issue", None, (), date(2024, 1, 2), (project,), (), (),
                        on_map=frozenset({"ann", "bob"}))  # fmt: skip
    svg = network_svg(pack)
    assert f'fill="{HEALTH}" stroke="{HEALTH}"' in svg and f'fill="{POLICE}"' in svg
    page = to_html(pack)
    assert f"background:{HEALTH}" in page and f"background:{POLICE}" in page
