"""The programme view's plots (issue 17): one line per cohort and one for everyone,
over time, with each cohort's start marked.

Like :mod:`visualisations.plots`: matplotlib without pyplot, each plot its own
``Figure``, and the numbers drawn are the numbers given (the rows of
``services.programme.programme_view``, as dicts); nothing here reads a store or
computes a metric.
Each line's ``gid`` is ``line:<scope>``, each start marker's ``start:<cohort id>``
(so a test, or a user, reads the values back from the figure).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from matplotlib import dates
from matplotlib.figure import Figure

from visualisations.margins import fit_grid, fit_single
from visualisations.plots import drawn_svg

__all__ = [
    "EVERYONE",
    "TRENDS",
    "CohortStart",
    "Trend",
    "largest_groups_figure",
    "programme_svgs",
    "trend_figure",
]

EVERYONE = "programme"
"""The ``scope`` of the rows that measure the whole network."""

CohortStart = tuple[str, str, date]
"""A cohort as the plots need it: id, name, start date."""

_SIZE = (7.0, 3.4)
_LEGEND_AT = 1.01
"""The legend's left edge, in axes widths: just right of the plot."""
_LABEL_WRAP = 32
"""A cohort's name longer than this goes on to a second line of the legend, which
would otherwise take the plot's width."""
_EVERYONE_COLOUR = "#000000"
_COHORT_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")
"""Okabe-Ito colours, one per cohort in start order (repeating past seven)."""


@dataclass(frozen=True)
class Trend:
    """One plot of the programme view: which figure, its title, axis and caption."""

    metric: str
    title: str
    axis: str
    caption: str
    limits: tuple[float, float] | None = None


TRENDS: tuple[Trend, ...] = (
    Trend("cross_org_share", "Ties across organisations", "share of ties",
          "The share of ties that join people of two different organisations.", (0, 1)),
    Trend("cross_sector_share", "Ties across sectors", "share of ties",
          "The share of ties that join people of two different sectors.", (0, 1)),
    Trend("ei_org", "E-I index, organisations", "E-I (-1 inward, +1 outward)",
          "Ties leaving an organisation minus ties inside it, over all ties. The dashed "
          "grey line is what the same ties would give joining people at random, for the "
          "whole programme.", (-1, 1)),
    Trend("ei_org_excess", "Reaching across organisations beyond chance", "E-I minus chance",
          "The organisation E-I index minus the value chance would give for the same "
          "organisation sizes: above 0, people reach across more than chance would. This "
          "is the figure to compare between cohorts of different make-up."),
    Trend("ei_sector_excess", "Reaching across sectors beyond chance", "E-I minus chance",
          "The same for sectors: above 0, ties cross sectors more than chance would."),
    Trend("mean_reach2_orgs", "Organisations within two steps", "organisations, on average",
          "The average number of other organisations a person reaches through a "
          "contact or a contact's contact."),
    Trend("largest_component_share", "In the largest connected group", "share of people",
          "The share of people connected, by some chain of ties, to the largest group.",
          (0, 1.05)),
    Trend("silo_index", "Silo index", "0 cut across, 1 silos",
          "How closely the network's communities (Louvain) follow organisation "
          "boundaries (normalised mutual information): near 1 the communities are the "
          "organisations, near 0 they cut across them.", (0, 1)),
)  # fmt: skip
"""Every plot of the programme view, in order."""


def _nan(value: float | int | None) -> float:
    return float("nan") if value is None else float(value)


def trend_figure(
    points: Sequence[Mapping[str, Any]], cohorts: Sequence[CohortStart], trend: Trend
) -> Figure:
    """One figure over time: a line for everyone and one per cohort (its members only),
    a dotted vertical line at each cohort's start. ``None`` values are gaps."""
    figure = Figure(figsize=_SIZE)
    axes = figure.add_subplot()
    scopes: Sequence[tuple[str, str, str]] = [
        (EVERYONE, "everyone", _EVERYONE_COLOUR),
        *(
            (cohort_id, name, _COHORT_COLOURS[i % len(_COHORT_COLOURS)])
            for i, (cohort_id, name, _) in enumerate(cohorts)
        ),
    ]
    for scope, label, colour in scopes:
        rows = [p for p in points if p["scope"] == scope]
        if not rows:
            continue
        xs = dates.date2num([p["date"] for p in rows])  # type: ignore[no-untyped-call]
        ys = [_nan(p[trend.metric]) for p in rows]
        axes.plot(
            xs, ys, marker="o", markersize=3, color=colour, label=textwrap.fill(label, _LABEL_WRAP),
            gid=f"line:{scope}",
            linewidth=2.4 if scope == EVERYONE else 1.4,
        )  # fmt: skip
        if trend.metric == "ei_org" and scope == EVERYONE:
            axes.plot(
                xs, [_nan(p["ei_org_expected"]) for p in rows], color="#777777",
                linestyle="--", label="everyone, by chance", gid="line:programme:expected",
            )  # fmt: skip
    for cohort_id, _, start in cohorts:
        x = dates.date2num(start)  # type: ignore[no-untyped-call]
        axes.axvline(x, color="#999999", linestyle=":", linewidth=1, gid=f"start:{cohort_id}")
        axes.annotate(
            f"{cohort_id} starts", (x, 1.0), xycoords=("data", "axes fraction"),
            rotation=90, va="top", ha="right", fontsize=7, color="#555555",
        )  # fmt: skip
    if trend.metric.endswith("_excess"):
        axes.axhline(0, color="#777777", linewidth=0.8, gid="zero")
    if trend.limits is not None:
        axes.set_ylim(*trend.limits)
    axes.set_title(trend.title)
    axes.set_ylabel(trend.axis)
    axes.grid(True, alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(_LEGEND_AT, 1.0), fontsize=8, frameon=False)
    axes.xaxis_date()
    axes.xaxis.set_major_formatter(dates.ConciseDateFormatter(axes.xaxis.get_major_locator()))  # type: ignore[no-untyped-call]
    fit_single(figure, axes, legend_at=_LEGEND_AT)
    return figure


def programme_svgs(
    points: Sequence[Mapping[str, Any]], cohorts: Sequence[CohortStart]
) -> list[tuple[Trend, str]]:
    """Every plot of :data:`TRENDS` as SVG text, in order, for pages and reports."""
    return [(trend, drawn_svg(trend_figure, points, cohorts, trend)) for trend in TRENDS]


def largest_groups_figure(
    points: Sequence[Mapping[str, Any]], kind: str, metric: str, title: str, top: int = 6
) -> Figure:
    """Small multiples: ``metric`` over time for the ``top`` groups of ``kind`` with the
    most people on the last date (ties broken by name), one panel each, on one scale.

    ``points`` are rows with ``date``, ``kind``, ``name``, ``people`` and ``metric``; each
    panel's line has ``gid`` ``group:<name>``."""
    rows = [p for p in points if p["kind"] == kind]
    last = max((p["date"] for p in rows), default=None)
    ranked = sorted((p for p in rows if p["date"] == last), key=lambda p: (-p["people"], p["name"]))
    names = [p["name"] for p in ranked[:top]]
    columns = 3
    panels = max(1, len(names))
    figure = Figure(figsize=(7.0, 2.0 * ((panels + columns - 1) // columns) + 0.6))
    grid = figure.subplots(
        (panels + columns - 1) // columns, columns, sharex=True, sharey=True, squeeze=False
    )
    for index, axes in enumerate(grid.flat):
        if index >= len(names):
            axes.set_visible(False)
            continue
        mine = [p for p in rows if p["name"] == names[index]]
        xs = dates.date2num([p["date"] for p in mine])  # type: ignore[no-untyped-call]
        axes.plot(xs, [_nan(p[metric]) for p in mine], marker="o", markersize=2,
                  color=_COHORT_COLOURS[0], gid=f"group:{names[index]}")  # fmt: skip
        axes.set_title(names[index], fontsize=8)
        axes.grid(True, alpha=0.3)
        axes.xaxis_date()
        axes.xaxis.set_major_formatter(dates.ConciseDateFormatter(axes.xaxis.get_major_locator()))  # type: ignore[no-untyped-call]
        axes.tick_params(labelsize=7)
        axes.tick_params(axis="x", labelrotation=60)
    fit_grid(figure, [list(row) for row in grid], figure.suptitle(title, fontsize=10))
    return figure
