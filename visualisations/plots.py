"""Plots of the spec's metrics (matplotlib, no pyplot: each plot is its own Figure).

Every function takes what ``graph.measure`` / ``graph.analytics`` return (plain
dicts) and returns a :class:`matplotlib.figure.Figure`; :func:`to_png` and
:func:`to_svg` turn one into bytes or text. Nothing here reads a store or
computes a metric a second way: the numbers drawn are the numbers given.

- :func:`share_over_time`: cross-organisation and cross-sector share of ties at
  each point of a timeline;
- :func:`ei_by_sector`: each sector's E-I index, one bar per snapshot;
- :func:`reach_before_after`: each person's ``reach2_orgs`` before and after;
- :func:`mixing_heatmap`: the sector mixing matrix (density or tie counts);
- :func:`ties_per_wave`: ties retained and new at each wave (:func:`wave_ties`).

:func:`drawn_svg` draws a plot once for the same numbers (a process keeps the last
:data:`DRAWN_KEPT`).
"""

from __future__ import annotations

import hashlib
import io
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import networkx as nx
from matplotlib import dates, rc_context
from matplotlib.figure import Figure

from graph.analytics import compare
from graph.analytics.change import TimelinePoint
from graph.analytics.groups import GroupMetrics, MixingCell
from graph.analytics.people import PersonMetrics
from visualisations.palette import (
    ACROSS_ORGANISATIONS,
    ACROSS_SECTORS,
    NEUTRAL,
    NEW_TIE,
    SERIES,
    sector_colour,
)

__all__ = [
    "DRAWN_KEPT",
    "WaveTies",
    "drawn_svg",
    "ei_by_sector",
    "mixing_heatmap",
    "reach_before_after",
    "share_over_time",
    "ties_per_wave",
    "to_png",
    "to_svg",
    "wave_ties",
]

ORG_COLOUR = ACROSS_ORGANISATIONS
SECTOR_COLOUR = ACROSS_SECTORS
"""Every colour here is ``visualisations.palette``'s, the one palette of every picture."""
_SIZE = (7.0, 4.0)


def _label(name: Hashable) -> str:
    return str(name).replace("_", " ")


def to_png(figure: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def to_svg(figure: Figure) -> str:
    """The figure as an SVG document (text kept as text, no creation date)."""
    buffer = io.StringIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "alumni-graph"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


DRAWN_KEPT = 64
"""How many drawn plots (SVG text, tens of kB each) a process keeps by their numbers."""
_drawn: OrderedDict[bytes, str] = OrderedDict()
_drawn_lock = threading.Lock()


def drawn_svg(draw: Callable[..., Figure], *args: Any) -> str:
    """``to_svg(draw(*args))``, drawn once for the same ``draw`` and arguments.

    A plot is a function of its numbers alone, and matplotlib takes about a quarter of
    a second to lay one out and write it: a programme report draws ten. The page and
    the report draw the same numbers, and so does every request after a write that did
    not change them (a key minted, a survey answer), each of which starts a new store
    version and so empties the version-keyed memos. The key is the pickled function and
    arguments (equal numbers built alike pickle alike). What does not pickle is drawn
    each time, and so is a nested function's plot: its name does not say what it holds."""
    try:
        if "<locals>" in draw.__qualname__:
            raise TypeError("a nested function")
        pickled = pickle.dumps((draw.__module__, draw.__qualname__, args), protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        return to_svg(draw(*args))
    key = hashlib.sha256(pickled).digest()
    with _drawn_lock:
        svg = _drawn.get(key)
        if svg is not None:
            _drawn.move_to_end(key)
            return svg
    svg = to_svg(draw(*args))
    with _drawn_lock:
        _drawn[key] = svg
        while len(_drawn) > DRAWN_KEPT:
            _drawn.popitem(last=False)
    return svg


def share_over_time(points: Sequence[TimelinePoint], title: str = "") -> Figure:
    """Cross-organisation and cross-sector share of ties at each date of a timeline.

    A point whose share is ``None`` (no tie with both organisations known) is a gap.
    """
    figure = Figure(figsize=_SIZE, layout="constrained")
    axes = figure.add_subplot()
    days = dates.date2num([date.fromisoformat(p["date"]) for p in points])  # type: ignore[no-untyped-call]
    for key, colour, text in (
        ("cross_org_share", ORG_COLOUR, "across organisations"),
        ("cross_sector_share", SECTOR_COLOUR, "across sectors"),
    ):
        values = [p[key] if p[key] is not None else float("nan") for p in points]  # type: ignore[literal-required]
        axes.plot(days, values, marker="o", color=colour, label=text, gid=key)
    axes.set_ylim(0, 1)
    axes.set_ylabel("share of ties")
    axes.set_title(title or "Share of ties that cross organisations and sectors")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="lower right")
    axes.xaxis.set_major_formatter(dates.ConciseDateFormatter(axes.xaxis.get_major_locator()))  # type: ignore[no-untyped-call]
    axes.xaxis_date()
    return figure


def ei_by_sector(
    snapshots: Mapping[str, Mapping[Hashable, GroupMetrics]], title: str = ""
) -> Figure:
    """Each sector's E-I index (-1: all ties inside, +1: all across), one bar per snapshot.

    ``snapshots`` maps a label (e.g. "baseline") to ``group_metrics(G, "sector")``;
    a sector with no tie (``ei`` is ``None``) has no bar.
    """
    figure = Figure(figsize=_SIZE, layout="constrained")
    axes = figure.add_subplot()
    sectors = sorted({s for groups in snapshots.values() for s in groups}, key=str)
    width = 0.8 / max(len(snapshots), 1)
    for i, (label, groups) in enumerate(snapshots.items()):
        xs, heights = [], []
        for j, sector in enumerate(sectors):
            ei = groups[sector]["ei"] if sector in groups else None
            if ei is not None:
                xs.append(j + (i - (len(snapshots) - 1) / 2) * width)
                heights.append(ei)
        axes.bar(
            xs, heights, width=width, label=_label(label), color=SERIES[i % len(SERIES)], gid=label
        )
    axes.axhline(0, color="#333333", linewidth=0.8)
    # each sector's swatch on the axis, in the colour the maps and the pack give it
    axes.scatter(
        range(len(sectors)),
        [0.0] * len(sectors),
        transform=axes.get_xaxis_transform(),
        marker="s",
        s=70,
        color=[sector_colour(str(s)) for s in sectors],
        clip_on=False,
        zorder=3,
        gid="sector-colours",
    )
    axes.set_xticks(range(len(sectors)), [_label(s) for s in sectors], rotation=30, ha="right")
    axes.set_ylim(-1.05, 1.05)
    axes.set_ylabel("E-I index")
    axes.set_title(title or "E-I index by sector")
    axes.legend(loc="lower right")
    return figure


def reach_before_after(
    before: Mapping[Hashable, PersonMetrics],
    after: Mapping[Hashable, PersonMetrics],
    title: str = "",
    metric: Literal["reach2_orgs", "reach2_sectors"] = "reach2_orgs",
) -> Figure:
    """Each person's reach (organisations within two steps) before and after: one point
    per person in both, above the diagonal when their reach grew."""
    figure = Figure(figsize=(5.5, 5.0), layout="constrained")
    axes = figure.add_subplot()
    people = sorted(set(before) & set(after), key=str)
    xs = [before[p][metric] for p in people]
    ys = [after[p][metric] for p in people]
    top = max([*xs, *ys, 1])
    axes.plot([0, top], [0, top], color=NEUTRAL, linewidth=0.8, linestyle="--")
    axes.scatter(xs, ys, color=ORG_COLOUR, alpha=0.7, gid="people")
    grew = sum(1 for x, y in zip(xs, ys, strict=True) if y > x)
    what = "organisations" if metric == "reach2_orgs" else "sectors"
    axes.set_xlabel(f"{what} within two steps, before")
    axes.set_ylabel(f"{what} within two steps, after")
    axes.set_title(title or f"Reach before and after ({grew} of {len(people)} grew)")
    axes.set_xlim(-0.5, top + 0.5)
    axes.set_ylim(-0.5, top + 0.5)
    axes.grid(True, alpha=0.3)
    return figure


def mixing_heatmap(
    matrix: Mapping[Hashable, Mapping[Hashable, MixingCell]],
    value: Literal["density", "ties"] = "density",
    title: str = "",
) -> Figure:
    """The mixing matrix as a heat map: row X, column Y, the cell's density (or tie
    count). A cell without a density (a one-person group with itself) is blank."""
    groups = list(matrix)
    grid = [
        [
            float("nan") if matrix[x][y][value] is None else float(matrix[x][y][value])  # type: ignore[arg-type]
            for y in groups
        ]
        for x in groups
    ]
    side = max(4.0, 0.6 * len(groups) + 2.5)
    figure = Figure(figsize=(side + 1.2, side), layout="constrained")
    axes = figure.add_subplot()
    image = axes.imshow(grid, cmap="viridis", vmin=0, gid="mixing")
    labels = [_label(g) for g in groups]
    axes.set_xticks(range(len(groups)), labels, rotation=40, ha="right")
    axes.set_yticks(range(len(groups)), labels)
    for i, row in enumerate(grid):
        for j, cell in enumerate(row):
            if cell == cell:  # not NaN
                text = f"{cell:.2f}" if value == "density" else f"{cell:.0f}"
                axes.text(j, i, text, ha="center", va="center", fontsize=8, color="white")
    figure.colorbar(image, ax=axes, label="density" if value == "density" else "ties")
    axes.set_title(title or f"Sector mixing ({value})")
    return figure


@dataclass(frozen=True)
class WaveTies:
    """Ties of one wave compared with the previous: over the people in both snapshots,
    ``retained`` = |E1 & E2|, ``new`` = |E2 - E1| and ``lost`` = |E1 - E2|."""

    label: str
    retained: int
    new: int
    lost: int


def wave_ties(snapshots: Sequence[tuple[str, Any]]) -> list[WaveTies]:
    """Retained, new and lost ties from each wave to the next (``spec/metrics.md``).

    ``new`` and ``lost`` are ``compare``'s ``new_ties`` and ``lost_ties``;
    retained is the rest of the earlier wave's ties among the people in both.

    >>> import networkx as nx
    >>> S1 = nx.Graph([("a", "b"), ("b", "c")])
    >>> S2 = nx.Graph([("a", "b"), ("a", "c")])
    >>> for G in (S1, S2):
    ...     nx.set_node_attributes(G, "Org", "organisation")
    ...     nx.set_node_attributes(G, "health", "sector")
    >>> wave_ties([("baseline", S1), ("end", S2)])
    [WaveTies(label='end', retained=1, new=1, lost=1)]
    """
    result = []
    for (_, earlier), (label, later) in zip(snapshots, snapshots[1:], strict=False):
        change = compare(earlier, later)
        common = set(earlier) & set(later)
        before = nx.subgraph(earlier, common).number_of_edges()
        result.append(
            WaveTies(
                label=label,
                retained=before - change["lost_ties"],
                new=change["new_ties"],
                lost=change["lost_ties"],
            )
        )
    return result


def ties_per_wave(changes: Sequence[WaveTies], title: str = "") -> Figure:
    """Stacked bars: at each wave, the ties kept from the previous wave and the new ones
    (lost ties are written above each bar)."""
    figure = Figure(figsize=_SIZE, layout="constrained")
    axes = figure.add_subplot()
    labels = [_label(c.label) for c in changes]
    retained = [c.retained for c in changes]
    new = [c.new for c in changes]
    axes.bar(labels, retained, color=NEUTRAL, label="retained", gid="retained")
    axes.bar(labels, new, bottom=retained, color=NEW_TIE, label="new", gid="new")
    for i, c in enumerate(changes):
        axes.text(i, c.retained + c.new, f"{c.lost} lost", ha="center", va="bottom", fontsize=9)
    axes.set_ylabel("ties among people in both waves")
    axes.set_title(title or "Ties retained and new, wave by wave")
    axes.legend(loc="upper left")
    return figure
