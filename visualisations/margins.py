"""Margins that fit a figure's texts, measured once.

matplotlib's constrained layout measures every text of every axes (each tick label,
each legend entry) two times to place the axes, then draws them a third time: for
the programme view's ten plots that was 60% of the time to write them as SVG. The
figures here have a known shape (one axes with its legend outside on the right, or a
grid of small multiples sharing both axes), so what decides their margins is a few
texts: the tick labels and label of one y axis, of one x axis, the titles and the
legend. Those are measured on an Agg renderer of the figure's size and the axes
placed around them with ``subplots_adjust``.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

__all__ = ["PAD_IN", "fit_grid", "fit_single"]

PAD_IN = 0.06
"""Space left around each measured text, in inches (constrained layout's ``w_pad``)."""


def _renderer(figure: Figure) -> RendererAgg:
    width, height = figure.get_size_inches()
    return RendererAgg(width * figure.dpi, height * figure.dpi, figure.dpi)  # type: ignore[no-untyped-call]


def _inches(renderer: RendererAgg, pixels: float) -> float:
    return float(pixels / renderer.dpi)


def _left_of(axes: Axes, renderer: RendererAgg) -> float:
    """Inches the y axis's tick labels and label take left of ``axes``."""
    box = axes.yaxis.get_tightbbox(renderer)
    return 0.0 if box is None else _inches(renderer, axes.get_window_extent(renderer).x0 - box.x0)


def _below(axes: Axes, renderer: RendererAgg) -> float:
    """Inches the x axis's tick labels (and date offset) take below ``axes``."""
    box = axes.xaxis.get_tightbbox(renderer)
    return 0.0 if box is None else _inches(renderer, axes.get_window_extent(renderer).y0 - box.y0)


def _above(axes: Axes, renderer: RendererAgg) -> float:
    """Inches the title takes above ``axes`` (its text and the pad under it), with the
    space left around it; nothing without a title."""
    text = axes.title
    if not text.get_text():
        return 0.0
    top = text.get_window_extent(renderer).y1 - axes.get_window_extent(renderer).y1
    return _inches(renderer, top) + PAD_IN


def fit_single(figure: Figure, axes: Axes, legend_at: float | None = None) -> None:
    """Place the figure's one ``axes`` so that its y labels, x labels and title fit, and
    its legend, when it is drawn outside on the right: ``loc="upper left"`` at
    ``bbox_to_anchor=(legend_at, ...)``, ``legend_at`` past 1 (in axes widths)."""
    renderer = _renderer(figure)
    width, height = figure.get_size_inches()
    left = _left_of(axes, renderer) + PAD_IN
    bottom = _below(axes, renderer) + PAD_IN
    top = _above(axes, renderer) + PAD_IN
    right = PAD_IN
    legend = axes.get_legend()
    if legend is not None and legend_at is not None:
        # right = legend + its border pad + (legend_at - 1) x the axes' width, which is
        # what is left of the figure's width: solved for ``right``
        beside = legend.borderaxespad * legend.prop.get_size_in_points() / 72
        right += _inches(renderer, legend.get_window_extent(renderer).width) + beside
        share = legend_at - 1
        right = (right + share * (width - left)) / (1 + share)
    figure.subplots_adjust(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height
    )


def fit_grid(figure: Figure, grid: Sequence[Sequence[Axes]], suptitle: Text | None) -> None:
    """Place a grid of small multiples sharing both axes (tick labels on the outer
    axes only; a hidden axes leaves the one above it its x labels), each with its
    title, under the figure's ``suptitle``; all of them hidden when there is nothing
    to show."""
    renderer = _renderer(figure)
    width, height = figure.get_size_inches()
    rows, columns = len(grid), len(grid[0])
    corner = grid[-1][0]
    title = max(_above(axes, renderer) for row in grid for axes in row)
    above = PAD_IN
    if suptitle is not None and suptitle.get_text():
        above += _inches(renderer, suptitle.get_window_extent(renderer).height) + PAD_IN
    left = _left_of(corner, renderer) + PAD_IN
    shown = [axes for axes in grid[-1] if axes.get_visible()]
    bottom = max((_below(axes, renderer) for axes in shown), default=0.0) + PAD_IN
    inner = [axes for row in grid[:-1] for axes in row if axes.get_visible()]
    labels_between = max((_below(axes, renderer) for axes in inner), default=0.0)
    top = above + title
    across = width - left - PAD_IN
    down = height - bottom - top
    gap_across = 2 * PAD_IN
    gap_down = labels_between + title + 2 * PAD_IN
    axes_width = (across - (columns - 1) * gap_across) / columns
    axes_height = (down - (rows - 1) * gap_down) / rows
    figure.subplots_adjust(
        left=left / width,
        right=1 - PAD_IN / width,
        bottom=bottom / height,
        top=1 - top / height,
        wspace=gap_across / axes_width,
        hspace=gap_down / axes_height,
    )
