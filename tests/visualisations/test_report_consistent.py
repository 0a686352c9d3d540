"""The demo's cohort reports say one set of numbers (issue 17, "consistent numbers").

Each number is read from the rendered page (the growth table, the shares figure's
plotted line read back from its SVG, the isolated-participants section) and checked
against the wave snapshot of ``spec/metrics.md`` rebuilt here by hand from the store's
records: people with analytics consent who are members of a cohort started by T;
their organisation from their latest employment started by T; this cohort's survey
answers at the wave (advice, collaboration, knew_before), the mentoring active on T
and a project tie between every two members of a project (sponsor included) started
by T, T the wave's latest response date.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from itertools import combinations

import pytest

from graph.model import (
    Cohort,
    Employment,
    Membership,
    Organisation,
    Person,
    Project,
    ProjectMember,
    Role,
    Tie,
    TieKind,
)
from graph.sqlite_store import SqliteStore
from graph.store import Page
from services.report import cohort_report

from .conftest import TEAM

ALL = Page(limit=1_000_000)
SURVEY = {TieKind.ADVICE, TieKind.COLLABORATION, TieKind.KNEW_BEFORE}
WAVES = ("baseline", "end", "follow_up")


class ByHand:
    """The demo's records, and wave snapshots built from them without graph.measure."""

    def __init__(self, store: SqliteStore) -> None:
        self.people = {p.id: p for p in store.find(Person, None, ALL).data}
        self.cohorts = {c.id: c for c in store.find(Cohort, None, ALL).data}
        self.members = store.find(Membership, None, ALL).data
        self.jobs = store.find(Employment, None, ALL).data
        self.sector = {o.id: o.sector.value for o in store.find(Organisation, None, ALL).data}
        self.ties = store.find(Tie, None, ALL).data
        self.projects = store.find(Project, None, ALL).data
        self.project_members = store.find(ProjectMember, None, ALL).data

    def day(self, cohort: str, wave: str) -> date | None:
        days = [t.start for t in self.ties if t.cohort_id == cohort and t.wave == wave]
        return max(days) if days else None

    def organisation(self, person: str, day: date) -> str | None:
        jobs = sorted((j.start, j.organisation_id) for j in self.jobs if j.person_id == person)
        started = [org for start, org in jobs if start <= day]
        return started[-1] if started else (jobs[0][1] if jobs else None)

    def snapshot(self, cohort: str, wave: str) -> tuple[set[str], set[frozenset[str]], date]:
        day = self.day(cohort, wave)
        assert day is not None
        started = {c for c, found in self.cohorts.items() if found.start_date <= day}
        nodes = {
            m.person_id
            for m in self.members
            if m.cohort_id in started and self.people[m.person_id].consent_analytics
        }
        edges: set[frozenset[str]] = set()
        for t in self.ties:
            answer = t.tie_kind in SURVEY and t.cohort_id == cohort and t.wave == wave
            mentoring = t.tie_kind is TieKind.MENTORING and t.start <= day
            if mentoring and t.end is not None and t.end <= day:
                mentoring = False
            if answer or mentoring:
                edges.add(frozenset((t.source_id, t.target_id)))
        for project in self.projects:
            if project.start_date > day:
                continue
            team = {m.person_id for m in self.project_members if m.project_id == project.id}
            team |= {project.sponsor_id} if project.sponsor_id else set()
            edges |= {frozenset(pair) for pair in combinations(sorted(team), 2)}
        edges = {e for e in edges if len(e) == 2 and e <= nodes}
        return nodes, edges, day

    def shares(self, nodes: set[str], edges: set[frozenset[str]], day: date) -> tuple[float, float]:
        org = {p: self.organisation(p, day) for p in nodes}
        across = [len({org[p] for p in e}) == 2 for e in edges if all(org[p] for p in e)]
        sector = [
            len({self.sector[org[p] or ""] for p in e}) == 2
            for e in edges
            if all(org[p] for p in e)
        ]
        return sum(across) / len(across), sum(sector) / len(sector)


@pytest.fixture(scope="module")
def by_hand(demo_store: SqliteStore) -> ByHand:
    return ByHand(demo_store)


def _cells(html: str, metric: str) -> list[str]:
    row = re.search(rf"<tr><td><code>{metric}</code></td>(.*?)</tr>", html)
    assert row, metric
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))


def _plotted(html: str, gid: str) -> list[float]:
    """The y values of the line ``gid`` of the one figure drawing it, read back from its
    SVG: the axes' background rectangle is y 0 (bottom) to 1 (top)."""
    (svg,) = [s for s in re.findall(r"<svg.*?</svg>", html, re.S) if f'id="{gid}"' in s]
    frame = re.search(r'<g id="patch_2">\s*<path d="([^"]*)"', svg)
    assert frame
    ys = [float(y) for y in re.findall(r"[ML] [\d.]+ ([\d.]+)", frame.group(1))]
    bottom, top = max(ys), min(ys)
    line = re.search(rf'<g id="{gid}">\s*<path d="([^"]*)"', svg)
    assert line
    return [
        (bottom - float(y)) / (bottom - top)
        for y in re.findall(r"[ML] [\d.]+ ([\d.]+)", line.group(1))
    ]


@pytest.fixture(scope="module")
def reports(demo_store: SqliteStore) -> dict[str, str]:
    """Every demo cohort's report page, rendered once for the module."""
    return {
        c.id: cohort_report(demo_store, TEAM, c.id, today=date(2026, 1, 1)).html
        for c in demo_store.find(Cohort, None, ALL).data
    }


def test_report_figures_and_table_show_the_hand_built_wave_shares(
    reports: dict[str, str], by_hand: ByHand
) -> None:
    assert len(reports) == 3
    for cohort, html in sorted(reports.items()):
        table_org = [float(v) for v in _cells(html, "cross_org_share")]
        table_sector = [float(v) for v in _cells(html, "cross_sector_share")]
        expected = [by_hand.shares(*by_hand.snapshot(cohort, w)) for w in WAVES]
        assert table_org == pytest.approx([e[0] for e in expected], abs=5e-4), cohort
        assert table_sector == pytest.approx([e[1] for e in expected], abs=5e-4), cohort
        # the shares figure draws the same numbers (it once drew a whole-network timeline)
        assert _plotted(html, "cross_org_share") == pytest.approx(table_org, abs=2e-3), cohort
        assert _plotted(html, "cross_sector_share") == pytest.approx(table_sector, abs=2e-3)
        for wave in WAVES:
            day = by_hand.day(cohort, wave)
            assert f"{wave.replace('_', '-')} ({day})" in html


def test_report_isolates_agree_with_the_table_and_the_hand_built_snapshot(
    reports: dict[str, str], by_hand: ByHand
) -> None:
    seen_others = False
    for cohort, html in sorted(reports.items()):
        nodes, edges, _ = by_hand.snapshot(cohort, "follow_up")
        tied = {p for e in edges for p in e}
        alone = nodes - tied
        participants = {
            m.person_id
            for m in by_hand.members
            if m.cohort_id == cohort and m.role is Role.PARTICIPANT
        }
        names = sorted(by_hand.people[p].name for p in alone & participants)
        assert int(_cells(html, "isolates")[-1]) == len(alone), cohort

        section = html[
            html.index('<section id="isolated">') : html.index('<section id="projects">')
        ]
        listed = [unescape(n).split(" (")[0] for n in re.findall(r"<li>([^<]*)</li>", section)]
        assert sorted(listed) == names, cohort
        says_none = "None of this cohort's participants" in unescape(section)
        assert says_none == (not names), cohort
        others = re.search(r'class="isolates-others-count">(\d+)<', section)
        assert (int(others.group(1)) if others else 0) == len(alone) - len(names), cohort
        seen_others |= bool(others)
    assert seen_others, "the demo has an isolate who is not a participant of the cohort"


def test_report_names_each_waves_questions_where_it_compares_waves(
    reports: dict[str, str], by_hand: ByHand
) -> None:
    cohort = "lge-2019"
    html = reports[cohort]
    questions = unescape(re.search(r'<ul class="wave-questions">(.*?)</ul>', html, re.S).group(1))  # type: ignore[union-attr]
    baseline, end = questions.split("</li>")[:2]
    knew = sum(
        1 for t in by_hand.ties
        if t.cohort_id == cohort and t.wave == "baseline" and t.tie_kind is TieKind.KNEW_BEFORE
    )  # fmt: skip
    assert f"“Whom did you know before the programme?” ({knew})" in baseline
    assert "Who have you worked with on a shared problem?" in end
    assert '<th class="num">not named again</th>' in html and "lost ties" not in html
    like = re.search(
        r'<table class="like-for-like">.*?<td>baseline → end</td><td>([^<]*)<', html, re.S
    )
    assert like and "knew before" not in like.group(1) and "advice" in like.group(1)
