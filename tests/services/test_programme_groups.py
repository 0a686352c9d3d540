"""Organisations and areas over time (services/programme_groups.py) on the sample of
tests/contract/sample.py, worked out by hand.

Areas: ann and bob work in Tendring, cat, dan and fay in Basildon; ECC names
Chelmsford, where no alumnus works. 2019-07-01: ann and cat (ECC), bob (NHS), dan
(police); ties ann-bob, ann-cat, bob-cat. 2021-07-01: cat has moved to the police and fay
is in; ties also cat-dan and dan-fay.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import pytest
from matplotlib import dates as mdates

from graph.errors import Forbidden, Invalid
from graph.memo import VersionedMemo
from graph.model import Area, AreaKind, KeyRole, TieKind
from graph.store import GraphStore
from services.consent import Viewer
from services.programme import ProgrammeQuestion
from services.programme_groups import (
    groups_download,
    groups_over_time,
    groups_page,
    sorted_summaries,
)
from services.schemas_programme import GroupsOut, GroupSummaryOut
from visualisations.programme_plots import largest_groups_figure

from ..contract.sample import programme

TEAM = Viewer(role=KeyRole.PROGRAMME, key_id="k-team")
SPAN = ProgrammeQuestion(date(2019, 7, 1), date(2021, 7, 1), "year")


@pytest.fixture
def view(store: GraphStore) -> GroupsOut:
    store.apply(programme())
    return groups_over_time(store, TEAM, SPAN)


def _summary(view: GroupsOut, kind: str, name: str) -> GroupSummaryOut:
    (found,) = [s for s in view.summaries if s.kind == kind and s.name == name]
    return found


def test_organisations_first_and_last_match_hand_values(view: GroupsOut) -> None:
    ecc = _summary(view, "organisation", "Essex County Council")
    # first: ann, cat; ann-cat inside, ann-bob and bob-cat leave: E-I (2 - 1) / 3
    # last: ann alone; ann-bob, ann-cat leave: E-I 1, two ties to other organisations
    assert (ecc.people_first, ecc.people_last) == (2, 1)
    assert (ecc.ei_first, ecc.ei_last) == (pytest.approx(1 / 3), 1.0)
    # first: ann reaches bob (NHS), cat reaches bob: (1 + 1) / 2
    assert (ecc.mean_cross_org_degree_first, ecc.mean_cross_org_degree_last) == (1.0, 2.0)
    police = _summary(view, "organisation", "Essex Police")
    # last: cat, dan, fay; cat-dan, dan-fay inside, ann-cat, bob-cat leave: E-I 0;
    # cat reaches ann and bob (2), dan and fay nobody outside: 2/3
    assert (police.people_first, police.people_last, police.ei_last) == (1, 3, 0.0)
    assert police.mean_cross_org_degree_last == pytest.approx(2 / 3)
    assert police.ei_first is None  # dan alone, no tie yet


def test_areas_and_the_under_reached_match_hand_values(view: GroupsOut) -> None:
    tendring = _summary(view, "area", "Tendring")
    # last: ann-bob inside, ann-cat and bob-cat leave: E-I 1/3; ann and bob each reach 2
    assert (tendring.people_last, tendring.ei_last) == (2, pytest.approx(1 / 3))
    assert tendring.mean_cross_org_degree_last == 2.0
    basildon = _summary(view, "area", "Basildon")
    assert (basildon.people_last, basildon.ei_last) == (3, 0.0)
    # areas known: Tendring 2, Basildon 3, Chelmsford 0: half the mean is 5/6
    assert {s.name: s.under_reached for s in view.summaries if s.kind == "area"} == {
        "Basildon": False,
        "Chelmsford": True,
        "Tendring": False,
    }
    assert all(s.under_reached is None for s in view.summaries if s.kind == "organisation")


def test_summaries_sort_by_any_column_nulls_last(view: GroupsOut) -> None:
    by_people = [s.name for s in sorted_summaries(view, "organisation", "people_last", "desc")]
    assert by_people == ["Essex Police", "Essex County Council", "Mid and South Essex ICB"]
    by_ei = [s.name for s in sorted_summaries(view, "organisation", "ei_first", "asc")]
    # first E-I: ECC 1/3, NHS (bob: ann-bob, bob-cat leave) 1, police none: last
    assert by_ei == ["Essex County Council", "Mid and South Essex ICB", "Essex Police"]
    with pytest.raises(Invalid, match="not one of"):
        sorted_summaries(view, "area", "email")


def test_groups_are_for_the_team_and_download_formula_safe(store: GraphStore) -> None:
    store.apply(programme())
    with pytest.raises(Forbidden):
        groups_over_time(store, Viewer(role=KeyRole.ALUMNI, key_id="k", person_id="ann"))
    found = groups_download(store, TEAM, "areas", "csv", SPAN)
    lines = found.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("kind,name,people_first,people_last")
    assert lines[1].startswith("area,Basildon,2,3,")  # sorted by alumni on the last date
    with pytest.raises(Invalid, match="not one of"):
        groups_download(store, TEAM, "people", "csv")


def test_small_multiples_draw_the_largest_groups_values(view: GroupsOut, store: GraphStore) -> None:
    points = [p.model_dump() for p in view.points]
    figure = largest_groups_figure(points, "organisation", "ei", "E-I", top=2)
    lines = {line.get_gid(): line for a in figure.axes for line in a.get_lines()}
    # the two largest on the last date: Essex Police (3), then ECC/NHS (1 each): ECC by name
    assert set(lines) == {"group:Essex Police", "group:Essex County Council"}
    ecc = lines["group:Essex County Council"]
    drawn = [None if math.isnan(y) else y for y in ecc.get_ydata()]
    given = [p.ei for p in view.points if p.name == "Essex County Council"]
    assert drawn == given and drawn[0] == pytest.approx(1 / 3)
    assert list(ecc.get_xdata()) == list(
        mdates.date2num([p.date for p in view.points if p.name == "Essex County Council"])
    )
    page = groups_page(store, TEAM, SPAN)
    assert [f.metric for f in page.figures] == ["organisation-ei", "area-people"]


def test_areas_table_marks_the_priority_under_reached_and_compares_places(
    store: GraphStore,
) -> None:
    # Uttlesford is known only from the areas table: no organisation, no alumnus. Areas:
    # Tendring 2 alumni, Basildon 3, Chelmsford 0, Uttlesford 0: half the mean is 5/8, so
    # Chelmsford and Uttlesford are under-reached; Chelmsford (decile 2) is a priority,
    # Uttlesford (urban, decile 10) is not. "tendring" matches Tendring whatever the case.
    batch = programme()
    batch.areas += [
        Area(id="tendring", urban_rural=AreaKind.RURAL, deprivation_decile=1),
        Area(id="Basildon", urban_rural=AreaKind.URBAN, deprivation_decile=3),
        Area(id="Chelmsford", urban_rural=AreaKind.MIXED, deprivation_decile=2),
        Area(id="Uttlesford", urban_rural=AreaKind.URBAN, deprivation_decile=10),
    ]
    store.apply(batch)
    view = groups_over_time(store, TEAM, SPAN)
    areas = {
        s.name: (s.people_last, s.urban_rural, s.deprivation_decile, s.under_reached, s.priority)
        for s in view.summaries
        if s.kind == "area"
    }
    assert areas == {
        "Basildon": (3, "urban", 3, False, False),
        "Chelmsford": (0, "mixed", 2, True, True),
        "Tendring": (2, "rural", 1, False, False),
        "Uttlesford": (0, "urban", 10, True, False),
    }
    places = {p.place: (p.areas, p.alumni, p.mean_alumni, p.under_reached) for p in view.places}
    assert places == {
        "urban": (2, 3, 1.5, 1),
        "rural": (1, 2, 2.0, 0),
        "mixed": (1, 0, 0.0, 1),
        "not given (kind)": (0, 0, None, 0),
        "deprivation deciles 1-3 (most deprived)": (3, 5, pytest.approx(5 / 3), 1),
        "deciles 4-7": (0, 0, None, 0),
        "deciles 8-10 (least deprived)": (1, 0, 0.0, 1),
        "not given (decile)": (0, 0, None, 0),
    }
    page = groups_page(store, TEAM, SPAN)
    assert [s.name for s in page.areas if s.priority] == ["Chelmsford"]
    assert all(s.priority is None for s in view.summaries if s.kind == "organisation")


def test_a_memo_keeps_each_questions_figures_apart(store: GraphStore) -> None:
    # The page's plots were once kept by dates alone: asked again with other ties, the
    # page showed the first question's plots beside the second question's numbers.
    store.apply(programme())
    memo = VersionedMemo(store)
    mentoring_only = replace(SPAN, kinds=(TieKind.MENTORING,))
    first = groups_page(store, TEAM, SPAN, memo=memo)
    second = groups_page(store, TEAM, mentoring_only, memo=memo)
    drawn_afresh = groups_page(store, TEAM, mentoring_only)
    assert [f.src for f in second.figures] == [f.src for f in drawn_afresh.figures]
    assert [f.src for f in second.figures] != [f.src for f in first.figures]
