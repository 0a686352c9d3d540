"""The programme plots' margins, worked out from a few texts (``visualisations.margins``)
instead of matplotlib's constrained layout: after a full draw, every text is inside
the figure, no two texts overlap, and no tick label or legend entry sits on a plot
it does not belong to. The check draws the figure and measures each text where it
was drawn, independently of how the margins were worked out."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from itertools import combinations

import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from visualisations.programme_plots import (
    EVERYONE,
    TRENDS,
    Trend,
    largest_groups_figure,
    trend_figure,
)

TOLERANCE_PX = 1.0


def _in_view(labels: list[Text], limits: tuple[float, float], along: int) -> list[Text]:
    """The labels of the ticks inside the axis's limits: the ones drawn."""
    low, high = sorted(limits)
    slack = (high - low) * 1e-9
    return [t for t in labels if low - slack <= t.get_position()[along] <= high + slack]


def _texts(figure: Figure) -> list[tuple[Text, Bbox]]:
    """Every text the figure draws (of its ticks, only the current ones: matplotlib
    keeps spare tick labels it does not draw), with where it was drawn."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    spare: set[int] = set()
    current: list[Text] = []
    for axes in figure.axes:
        for axis in (axes.xaxis, axes.yaxis):
            for tick in [*axis.majorTicks, *axis.minorTicks]:
                spare.update({id(tick.label1), id(tick.label2)})
        if axes.get_visible():
            current += _in_view(axes.get_xticklabels(), axes.get_xlim(), 0)
            current += _in_view(axes.get_yticklabels(), axes.get_ylim(), 1)
    shown = [t for t in figure.findobj(Text) if id(t) not in spare] + current
    return [
        (text, text.get_window_extent(renderer))
        for text in shown
        if text.get_visible() and text.get_text() and (text.axes is None or text.axes.get_visible())
    ]


def _inside(box: Bbox, figure: Figure) -> bool:
    whole = figure.bbox
    return (
        box.x0 >= whole.x0 - TOLERANCE_PX
        and box.y0 >= whole.y0 - TOLERANCE_PX
        and box.x1 <= whole.x1 + TOLERANCE_PX
        and box.y1 <= whole.y1 + TOLERANCE_PX
    )


def _overlap(a: Bbox, b: Bbox) -> bool:
    return (
        min(a.x1, b.x1) - max(a.x0, b.x0) > TOLERANCE_PX
        and min(a.y1, b.y1) - max(a.y0, b.y0) > TOLERANCE_PX
    )


def _plot_areas(figure: Figure) -> list[Axes]:
    return [a for a in figure.axes if a.get_visible()]


def _assert_readable(figure: Figure, *, inside_the_plot: Collection[str] = ()) -> None:
    """Every text inside the figure; no two overlapping; none but ``inside_the_plot``
    (texts drawn on the plot by design) on any plot area."""
    texts = _texts(figure)
    assert texts
    for text, box in texts:
        assert _inside(box, figure), f"{text.get_text()!r} is cut off at {box}"
    for (a, box_a), (b, box_b) in combinations(texts, 2):
        assert not _overlap(box_a, box_b), f"{a.get_text()!r} overlaps {b.get_text()!r}"
    renderer = FigureCanvasAgg(figure).get_renderer()
    for axes in _plot_areas(figure):
        area = axes.get_window_extent(renderer)
        for text, box in texts:
            if text.get_text() in inside_the_plot or text is axes.title:
                continue
            assert not _overlap(area, box), f"{text.get_text()!r} is drawn on a plot"


def _points(start: date, days: int, every: int, cohorts: list[str]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for step in range(0, days, every):
        day = start + timedelta(days=step)
        for scope in (EVERYONE, *cohorts):
            rows.append(
                {"scope": scope, "date": day, **{t.metric: -0.75 + step / days for t in TRENDS},
                 "ei_org_expected": 0.9}
            )  # fmt: skip
    return rows


COHORTS = [("c1", "Leading Greater Essex 2019", date(2019, 5, 1)),
           ("c2", "Leading Greater Essex 2020", date(2020, 5, 1))]  # fmt: skip


@pytest.mark.parametrize("trend", TRENDS, ids=[t.metric for t in TRENDS])
def test_every_trend_plot_over_years_is_readable(trend: Trend) -> None:
    points = _points(date(2019, 1, 1), 8 * 365, 91, ["c1", "c2"])
    figure = trend_figure(points, COHORTS, trend)
    _assert_readable(figure, inside_the_plot={"c1 starts", "c2 starts"})


def test_a_trend_over_months_keeps_its_date_offset_inside_the_figure() -> None:
    """Under a year, the dates' axis writes the year once below the months (two lines)."""
    points = _points(date(2021, 3, 1), 150, 14, ["c1"])
    figure = trend_figure(
        points, [("c1", "Leading Greater Essex 2021", date(2021, 4, 1))], TRENDS[0]
    )
    _assert_readable(figure, inside_the_plot={"c1 starts"})
    offset = figure.axes[0].xaxis.get_offset_text().get_text()
    assert offset == "2021"  # the case this test is for: the second line is there


@pytest.mark.parametrize(
    "name",
    [
        "Leading Greater Essex 2019 East",
        "Leading Greater Essex 2019: the Thames Gateway pathfinders",
    ],
)
def test_a_long_cohort_name_widens_the_legend_and_keeps_it_in_the_figure(name: str) -> None:
    """Up to 32 characters on one line, the legend as wide as the name; longer, on two."""
    named = [("c1", name, date(2019, 5, 1))]
    short = trend_figure(_points(date(2019, 1, 1), 4 * 365, 91, ["c1"]), COHORTS[:1], TRENDS[0])
    long = trend_figure(_points(date(2019, 1, 1), 4 * 365, 91, ["c1"]), named, TRENDS[0])
    assert long.axes[0].get_position().x1 < short.axes[0].get_position().x1
    _assert_readable(long, inside_the_plot={"c1 starts"})


def test_a_name_of_one_long_word_is_written_on_lines_that_fit() -> None:
    named = [("c1", "x" * 200, date(2019, 5, 1))]  # one word: wrapped inside it
    figure = trend_figure(_points(date(2019, 1, 1), 4 * 365, 91, ["c1"]), named, TRENDS[0])
    _assert_readable(figure, inside_the_plot={"c1 starts"})
    assert figure.axes[0].get_position().width > 0.4


def _groups(names: list[str], days: int) -> list[dict[str, object]]:
    start = date(2019, 1, 1)
    return [
        {"kind": "organisation", "name": name, "people": 10 + i,
         "date": start + timedelta(days=step), "ei": 0.2 + step / days / 2}
        for i, name in enumerate(names)
        for step in range(0, days, 91)
    ]  # fmt: skip


@pytest.mark.parametrize("panels", [0, 1, 2, 4, 6])
def test_small_multiples_are_readable_whatever_their_number(panels: int) -> None:
    names = [
        "Essex County Fire and Rescue Service", "Essex Police", "Thurrock Council",
        "Chelmsford City Council", "Southend-on-Sea City Council", "Basildon",
    ][:panels]  # fmt: skip
    figure = largest_groups_figure(_groups(names, 8 * 365), "organisation", "ei", "E-I")
    _assert_readable(figure)
    assert len(_plot_areas(figure)) == panels
