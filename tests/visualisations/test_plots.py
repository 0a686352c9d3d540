"""Plots of the sample programme: valid PNG and SVG, and the values drawn read back from
each figure equal to values worked out by hand from tests/contract/sample.py.

c2019's baseline wave (as of 2019-05-10; cat still at ECC) has the edges ann-bob and
bob-cat; its end wave (2020-04-20) has ann-bob, ann-cat, bob-cat (the project, from
2019-06-01, and the surveys) and cat-dan. Sectors then: ann and cat local government,
bob health, dan police.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from matplotlib.figure import Figure

from graph import measure
from graph.analytics import group_metrics, mixing_matrix, person_metrics
from graph.model import Wave
from graph.store import GraphStore
from visualisations import plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def waves(store: GraphStore) -> list[tuple[str, object]]:
    return [
        (w.value, measure.snapshot_for(store, cohort_id="c2019", wave=w))
        for w in (Wave.BASELINE, Wave.END)
    ]


def assert_valid_images(figure: Figure) -> None:
    png = plots.to_png(figure)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 1000
    svg = plots.to_svg(figure)
    root = ET.parse(io.StringIO(svg)).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_share_over_time_draws_the_timeline_shares(sample: GraphStore) -> None:
    # 2019-07-01 .. 2020-04-01: ann-bob (ECC-NHS), ann-cat (ECC-ECC), bob-cat: 2 of 3 cross.
    # 2020-06-01: cat is at the police; cat-dan (2020-04-20) is police-police: 3 of 4.
    points = measure.timeline_report(sample, date(2019, 7, 1), date(2020, 6, 1), "quarter")
    figure = plots.share_over_time(points)
    axes = figure.axes[0]
    lines = {line.get_gid(): list(line.get_ydata()) for line in axes.get_lines()}
    assert lines["cross_org_share"] == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2 / 3, 3 / 4])
    assert lines["cross_sector_share"] == pytest.approx([2 / 3, 2 / 3, 2 / 3, 2 / 3, 3 / 4])
    assert_valid_images(figure)


def test_ei_by_sector_draws_each_sectors_index_per_wave(sample: GraphStore) -> None:
    figure = plots.ei_by_sector({w: group_metrics(g, "sector") for w, g in waves(sample)})
    axes = figure.axes[0]
    labels = [t.get_text() for t in axes.get_xticklabels()]
    assert labels == ["health", "local government", "police"]
    baseline, end = axes.containers
    # baseline: health 2 out, 0 in -> 1; local government 2 out -> 1; police no tie: no bar.
    assert [bar.get_height() for bar in baseline] == [1.0, 1.0]
    # end: health 2 out -> 1; local government 3 out, 1 in (ann-cat) -> 0.5; police 1 out -> 1.
    assert [bar.get_height() for bar in end] == [1.0, 0.5, 1.0]
    assert_valid_images(figure)


def test_reach_before_after_plots_each_person_once(sample: GraphStore) -> None:
    (_, baseline), (_, end) = waves(sample)
    figure = plots.reach_before_after(person_metrics(baseline), person_metrics(end))
    points = sorted(map(tuple, figure.axes[0].collections[0].get_offsets().tolist()))
    # before: ann, bob, cat reach one other organisation; dan none. after: two each.
    assert points == [(0.0, 2.0), (1.0, 2.0), (1.0, 2.0), (1.0, 2.0)]
    assert "4 of 4 grew" in figure.axes[0].get_title()
    assert_valid_images(figure)


def test_mixing_heatmap_draws_the_density_matrix(sample: GraphStore) -> None:
    (_, _), (_, end) = waves(sample)
    figure = plots.mixing_heatmap(mixing_matrix(end, "sector"))
    grid = figure.axes[0].images[0].get_array().filled(-1).tolist()
    # health (1 person), local government (ann, cat), police (dan); -1: no density.
    assert grid == [
        [-1, 1.0, 0.0],  # bob-ann and bob-cat: 2 / (1*2)
        [1.0, 1.0, 0.5],  # ann-cat: 2*1 / (2*1); cat-dan: 1 / (2*1)
        [0.0, 0.5, -1],
    ]
    assert_valid_images(figure)


def test_ties_per_wave_stacks_retained_and_new(sample: GraphStore) -> None:
    changes = plots.wave_ties(waves(sample))
    assert changes == [plots.WaveTies(label="end", retained=2, new=2, lost=0)]
    figure = plots.ties_per_wave(changes)
    retained, new = figure.axes[0].containers
    assert [b.get_height() for b in retained] == [2]
    assert [(b.get_y(), b.get_height()) for b in new] == [(2, 2)]
    assert_valid_images(figure)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """The figures ``drawn_svg`` renders, in an empty cache for the test."""
    monkeypatch.setattr(plots, "_drawn", type(plots._drawn)())
    figures: list[Figure] = []
    render = plots.to_svg

    def counted(figure: Figure) -> str:
        figures.append(figure)
        return render(figure)

    monkeypatch.setattr(plots, "to_svg", counted)
    return figures


def test_drawn_svg_draws_the_same_numbers_once_and_new_numbers_again(
    sample: GraphStore, rendered: list[Figure]
) -> None:
    points = measure.timeline_report(sample, date(2019, 7, 1), date(2020, 6, 1), "quarter")
    first = plots.drawn_svg(plots.share_over_time, points, "shares")
    again = plots.drawn_svg(plots.share_over_time, list(points), "shares")  # a new list
    assert len(rendered) == 1
    assert first == again == plots.to_svg(plots.share_over_time(points, "shares"))
    titled = plots.drawn_svg(plots.share_over_time, points, "another title")
    fewer = plots.drawn_svg(plots.share_over_time, points[:-1], "shares")
    assert len(rendered) == 4  # the two new plots, and the one drawn by hand above
    assert len({first, titled, fewer}) == 3


def test_drawn_svg_keeps_only_the_last_plots(
    rendered: list[Figure], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plots, "DRAWN_KEPT", 2)
    for title in ("a", "b", "c", "c", "a"):
        plots.drawn_svg(plots.share_over_time, [], title)
    titles = [figure.axes[0].get_title() for figure in rendered]
    assert titles == ["a", "b", "c", "a"]  # "a" was dropped when "c" came; "c" was kept
    assert len(plots._drawn) == 2


def test_drawn_svg_draws_nested_functions_and_what_does_not_pickle_every_time(
    rendered: list[Figure],
) -> None:
    def nested(title: str) -> Figure:
        return plots.share_over_time([], title)

    unpicklable = lambda: None  # noqa: E731
    for _ in range(2):
        plots.drawn_svg(nested, "the same")
        plots.drawn_svg(plots.share_over_time, [], unpicklable)
    assert len(rendered) == 4 and not plots._drawn
