"""The colours every picture shares: one colour per sector, defined here only.

Maps (``visualisations.maps``), the wave comparison, the plots
(``visualisations.plots``) and the handover pack (``visualisations.handover_pack``)
all colour a sector from :data:`SECTOR_COLOURS`, so police are the same blue on
every page a reader opens. The colours are Okabe-Ito's and Paul Tol's, told apart
by most eyes, including most readers with a colour vision deficiency.
"""

from __future__ import annotations

from graph.model import Sector

__all__ = [
    "ACROSS_ORGANISATIONS",
    "ACROSS_SECTORS",
    "NEUTRAL",
    "NEW_TIE",
    "SECTOR_COLOURS",
    "SERIES",
    "UNKNOWN_COLOUR",
    "sector_colour",
]

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
"""A sector's colour, wherever a sector is drawn."""
UNKNOWN_COLOUR = "#BBBBBB"
"""The colour of a person (or organisation) whose sector is unknown."""

NEUTRAL = "#999999"
"""Lines and bars that stand for no sector (a baseline, a diagonal)."""
ACROSS_ORGANISATIONS = "#0072B2"
ACROSS_SECTORS = "#D55E00"
"""The two shares of ties across boundaries, as the plots draw them."""
NEW_TIE = "#D55E00"
"""A tie new since the previous wave (the wave comparison's highlight, the plots' "new")."""
SERIES = (NEUTRAL, "#0072B2", "#D55E00", "#009E73", "#CC79A7")
"""Bar colours for successive snapshots (baseline grey, then colours)."""


def sector_colour(sector: str | None) -> str:
    """A sector's colour (by its value, as records and snapshots hold it), grey when the
    sector is unknown or not one of :class:`~graph.model.Sector`.

    >>> sector_colour("health"), sector_colour(None), sector_colour("ministry")
    ('#009E73', '#BBBBBB', '#BBBBBB')
    """
    try:
        return SECTOR_COLOURS[Sector(sector)] if sector else UNKNOWN_COLOUR
    except ValueError:
        return UNKNOWN_COLOUR
