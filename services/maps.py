"""Maps, one door each: the network map, a person's ego map, a cohort's waves compared.

Every function takes the store and the caller (``services.consent.Viewer``), checks
what the caller may draw (``ensure_map_allowed``: alumni draw only their own ego map)
and hands the viewer on as the map's ``Visibility``, so who appears is decided by
the same rules as every other answer. The route, the pages and the command line
call :func:`draw_map` (one request, whichever kind of map it names) and write out
the page it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from graph.store import GraphStore
from services.consent import Viewer, ensure_map_allowed
from visualisations import maps
from visualisations.maps import MapRequest, NetworkMap

__all__ = [
    "DrawnMap",
    "MapRequest",
    "NetworkMap",
    "draw_map",
    "ego_map",
    "network_map",
    "wave_comparison",
]


@dataclass(frozen=True)
class DrawnMap:
    """A map and its page: one self-contained HTML document that loads nothing."""

    network: NetworkMap
    html: str

    @property
    def summary(self) -> str:
        """What each panel shows, in words ("12 people, 30 ties"; panels joined by "; ")."""
        return "; ".join(p.note for p in self.network.panels)


def network_map(store: GraphStore, viewer: Viewer, request: MapRequest) -> NetworkMap:
    """The map one request names (the whole network, or ``request.person_id``'s ego map),
    showing only whom the viewer sees."""
    ensure_map_allowed(viewer, request.person_id)
    return maps.network_map(store, request, viewer=viewer)


def ego_map(
    store: GraphStore, viewer: Viewer, person_id: str, request: MapRequest | None = None
) -> NetworkMap:
    """``person_id``'s own network (radius 1 unless ``request`` says 2), reached only
    through people who may be routed through."""
    return network_map(store, viewer, replace(request or MapRequest(), person_id=person_id))


def wave_comparison(
    store: GraphStore, viewer: Viewer, cohort_id: str, request: MapRequest | None = None
) -> NetworkMap:
    """A cohort's survey waves side by side (programme team: a whole cohort is drawn)."""
    ensure_map_allowed(viewer, None)
    return maps.wave_comparison(store, cohort_id, request, viewer=viewer)


def draw_map(
    store: GraphStore, viewer: Viewer, request: MapRequest, *, compare_waves: bool = False
) -> DrawnMap:
    """The map a caller asked for, and its page: one snapshot, or ``request.cohort_id``'s
    waves side by side. The API, the pages and the CLI all come here, so they refuse
    the same mixes and show the same people."""
    ensure_map_allowed(viewer, request.person_id)
    drawn = maps.draw(store, request, compare_waves=compare_waves, viewer=viewer)
    return DrawnMap(network=drawn, html=maps.to_html(drawn))
