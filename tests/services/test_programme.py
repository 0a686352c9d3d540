"""The programme view (services/programme.py) on the sample drawn by hand in
tests/contract/sample.py, and its plots read back from the figures.

The sample on 2019-07-01: ann (ECC), bob (NHS), cat (ECC), dan (police), all of c2019
(eve withheld analytics consent; fay's c2021 had not started); ties ann-bob, ann-cat,
bob-cat (the project, from 2019-06-01). On 2021-07-01: cat has moved to the police and
fay is in; ties also cat-dan (advice, 2020-04-20) and dan-fay (mentoring, 2021-06-01).
"""

from __future__ import annotations

import math
import re
from datetime import date

import pytest
from matplotlib import dates as mdates

from graph import measure
from graph.errors import Forbidden, Invalid
from graph.memo import VersionedMemo
from graph.model import KeyRole
from graph.store import GraphStore
from services import programme as programme_module
from services.consent import Viewer
from services.programme import (
    ProgrammeQuestion,
    programme_dates,
    programme_page,
    programme_report,
    programme_view,
)
from services.schemas_programme import ProgrammeOut, ProgrammePointOut
from visualisations.programme_plots import TRENDS, trend_figure
from visualisations.programme_report import SECTIONS

from ..contract.sample import programme

TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="k-team")
ALUMNI = Viewer(role=KeyRole.ALUMNI, key_id="k-ann", person_id="ann")


@pytest.fixture
def sample(store: GraphStore) -> GraphStore:
    store.apply(programme())
    return store


def _view(
    store: GraphStore,
    start: date = date(2019, 7, 1),
    end: date = date(2021, 7, 1),
    memo: VersionedMemo | None = None,
) -> ProgrammeOut:
    return programme_view(store, TEAM, ProgrammeQuestion(start, end, "year"), memo=memo)


def _row(view: ProgrammeOut, day: date, scope: str) -> ProgrammePointOut:
    (found,) = [p for p in view.points if p.date == day and p.scope == scope]
    return found


def test_programme_view_whole_network_matches_hand_values(sample: GraphStore) -> None:
    view = _view(sample)
    first = _row(view, date(2019, 7, 1), "programme")
    assert (first.people, first.ties) == (4, 3)
    # ann-bob and bob-cat cross organisations, ann-cat stays in ECC: 2/3, E-I (2-1)/3
    assert first.cross_org_share == pytest.approx(2 / 3)
    assert first.ei_org == pytest.approx(1 / 3)
    # sizes ECC 2, NHS 1, police 1: 2 of 12 ordered pairs inside, chance 1 - 2/6 = 2/3
    assert first.ei_org_expected == pytest.approx(2 / 3)
    assert first.ei_org_excess == pytest.approx(-1 / 3)
    assert first.largest_component_share == pytest.approx(3 / 4)  # dan has no tie yet
    last = _row(view, date(2021, 7, 1), "programme")
    assert (last.people, last.ties) == (5, 5)
    # across: ann-bob, ann-cat, bob-cat; inside the police: cat-dan, dan-fay: E-I 1/5
    assert last.cross_org_share == pytest.approx(3 / 5)
    # sizes ECC 1, NHS 1, police 3: 6 of 20 pairs inside, chance 1 - 0.6 = 0.4
    assert last.ei_org_expected == pytest.approx(0.4)
    assert last.ei_org_excess == pytest.approx(0.2 - 0.4)
    assert last.largest_component_share == 1.0


def test_programme_view_cohort_rows_count_its_own_members_from_its_start(
    sample: GraphStore,
) -> None:
    view = _view(sample)
    assert list(dict.fromkeys(p.date for p in view.points)) == [
        date(2019, 7, 1), date(2020, 1, 1), date(2021, 1, 1), date(2021, 7, 1),
    ]  # fmt: skip
    assert {p.scope for p in view.points if p.date < date(2021, 5, 1)} == {"programme", "c2019"}
    c2019 = _row(view, date(2021, 7, 1), "c2019")
    # ann, bob, cat, dan; dan-fay leaves the cohort: ann-bob, ann-cat, bob-cat cross, cat-dan not
    assert (c2019.people, c2019.ties, c2019.cross_org_share) == (4, 4, 0.75)
    c2021 = _row(view, date(2021, 7, 1), "c2021")
    # only fay (eve withheld consent): no pair, so no share and no chance value
    assert (c2021.people, c2021.ties) == (1, 0)
    assert c2021.cross_org_share is None and c2021.ei_org_expected is None


def test_programme_view_defaults_run_from_the_first_cohort_to_today(sample: GraphStore) -> None:
    view = programme_view(sample, TEAM, ProgrammeQuestion(every="year"))
    assert (view.start, view.end) == (date(2019, 5, 1), date.today())
    assert [c.id for c in view.cohorts] == ["c2019", "c2021"]
    assert "active on that date" in view.snapshot


def test_programme_view_is_for_the_team_only(sample: GraphStore) -> None:
    with pytest.raises(Forbidden):
        programme_view(sample, ALUMNI)


def test_programme_view_refuses_reversed_or_too_long_spans(sample: GraphStore) -> None:
    with pytest.raises(Invalid, match="before from"):
        _view(sample, start=date(2021, 1, 1), end=date(2020, 1, 1))
    with pytest.raises(Invalid, match="at most 120"):
        programme_view(sample, TEAM, ProgrammeQuestion(date(1990, 1, 1), date(2021, 1, 1)))


def test_programme_view_is_kept_until_the_next_write(sample: GraphStore) -> None:
    memo = VersionedMemo(sample)
    first = _view(sample, memo=memo)
    assert _view(sample, memo=memo) is first and memo.computed == 1


def test_programme_dates_every_year_and_quarter() -> None:
    assert programme_dates(date(2020, 3, 1), date(2020, 3, 1), "year") == [date(2020, 3, 1)]
    assert programme_dates(date(2020, 2, 1), date(2020, 7, 1), "quarter") == [
        date(2020, 2, 1), date(2020, 4, 1), date(2020, 7, 1),
    ]  # fmt: skip


def test_programme_plots_draw_the_rows_and_mark_cohort_starts(sample: GraphStore) -> None:
    view = _view(sample)
    points = [p.model_dump() for p in view.points]
    cohorts = [(c.id, c.name, c.start_date) for c in view.cohorts]
    for trend in TRENDS:
        axes = trend_figure(points, cohorts, trend).axes[0]
        lines = {line.get_gid(): line for line in axes.get_lines()}
        for scope in ("programme", "c2019", "c2021"):
            rows = [p for p in view.points if p.scope == scope]
            line = lines[f"line:{scope}"]
            assert list(line.get_xdata()) == list(mdates.date2num([p.date for p in rows]))
            drawn = list(line.get_ydata())
            given = [getattr(p, trend.metric) for p in rows]
            assert [None if math.isnan(y) else y for y in drawn] == given, (trend.metric, scope)
        starts = {g: line.get_xdata()[0] for g, line in lines.items() if g.startswith("start:")}
        assert starts == {
            "start:c2019": mdates.date2num(date(2019, 5, 1)),
            "start:c2021": mdates.date2num(date(2021, 5, 1)),
        }
    ei = trend_figure(points, cohorts, TRENDS[2]).axes[0]
    expected = next(line for line in ei.get_lines() if line.get_gid() == "line:programme:expected")
    # 2019 and 2020: ECC 2, NHS 1, police 1; 2021-01-01: cat has moved, ECC 1, NHS 1,
    # police 2 (2 of 12 pairs inside again); 2021-07-01: fay joins the police (above)
    assert list(expected.get_ydata()) == pytest.approx([2 / 3, 2 / 3, 2 / 3, 0.4])


def test_programme_page_gives_every_plot_as_an_image_with_a_caption(sample: GraphStore) -> None:
    page = programme_page(sample, TEAM, ProgrammeQuestion(date(2019, 7, 1), date(2021, 7, 1)))
    assert [f.metric for f in page.figures] == [t.metric for t in TRENDS]
    assert all(f.src.startswith("data:image/svg+xml;base64,") for f in page.figures)
    assert all(f.caption and f.title for f in page.figures)


# -- the programme report ----------------------------------------------------------------------


def test_programme_report_has_every_section_and_captions_every_figure(
    sample: GraphStore,
) -> None:
    asked = ProgrammeQuestion(date(2019, 7, 1), date(2021, 7, 1), "year")
    html = programme_report(sample, TEAM, asked)
    ids = re.findall(r'<section id="([a-z-]+)">', html)
    assert ids == [section_id for section_id, _ in SECTIONS]
    figures = re.findall(r"<figure id=\"figure-[^\"]+\">(.*?)</figure>", html, re.S)
    assert len(figures) == len(TRENDS) + 2  # the trends and two small multiples
    for number, figure in enumerate(figures, start=1):
        assert 'src="data:image/svg+xml;base64,' in figure
        caption = " ".join(figure.split("<figcaption>")[1].split())
        assert caption.startswith(f"<strong>Figure {number}.")
        assert "active on that date" in caption  # the one snapshot definition, said
    assert "@page { size: A4" in html and "@media print" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # loads nothing
    # the headline says the hand-worked figures of the last date (2021-07-01, everyone)
    assert "5 alumni were joined by 5 ties; 60% of the ties crossed organisations" in html
    assert "against 0.40 by chance" in html and "(excess -0.20)" in html
    assert "Chelmsford (0 alumni)" in html
    # outcomes: one table per cohort, short term beside long term
    assert 'id="outcomes-c2019"' in html and 'id="outcomes-c2021"' in html
    assert '<th scope="col">Short term, 2020-04-30</th>' in html


def test_programme_report_is_for_the_team_only(sample: GraphStore) -> None:
    with pytest.raises(Forbidden):
        programme_report(sample, ALUMNI)


def test_unchanged_networks_are_measured_once_with_the_same_figures(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # quarterly from 2019-07-01 to 2021-07-01: the network changes with cat-dan
    # (2020-04-20), cat's move (2020-06-01), c2021's start and dan-fay; the quarters
    # between repeat the one before, and are measured once
    store.apply(programme())
    measured: list[int] = []
    real = programme_module.network_metrics

    def counting(graph: object) -> object:
        measured.append(1)
        return real(graph)

    monkeypatch.setattr(programme_module, "network_metrics", counting)
    view = programme_view(store, TEAM, ProgrammeQuestion(date(2019, 7, 1), date(2021, 7, 1)))
    rows = len(view.points)
    assert len(measured) < rows
    # the same rows as measuring every snapshot afresh (the view's own dates and scopes)
    members = {"c2019": {"ann", "bob", "cat", "dan"}, "c2021": {"eve", "fay"}}
    fresh = []
    for day in sorted({p.date for p in view.points}):
        snapshot = measure.snapshot_for(store, as_of=day)
        measure.with_areas(store, snapshot)
        fresh.append(programme_module.measure_row(day, "programme", snapshot))
        for cohort, start in (("c2019", date(2019, 5, 1)), ("c2021", date(2021, 5, 1))):
            if start <= day:
                own = snapshot.subgraph(members[cohort] & set(snapshot))
                fresh.append(programme_module.measure_row(day, cohort, own))
    assert [p.model_dump() for p in view.points] == [p.model_dump() for p in fresh]
    # a person's area is part of what is measured: a change of it is a new network
    snapshot = measure.snapshot_for(store, as_of=date(2020, 1, 1))
    moved = snapshot.copy()
    moved.nodes["ann"]["area"] = "Maldon"
    assert programme_module.fingerprint(snapshot) != programme_module.fingerprint(moved)
