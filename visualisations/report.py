"""The programme report for one cohort: one self-contained HTML page for the board.

The cohort's growth from its baseline survey wave to the end of the programme
and on to the follow-up (its network, and its members' assessments), per sector,
its brokers, its isolated participants, its projects and handovers, and every
metric's definition in one sentence (``spec/metrics.md``). Plots are inlined as
SVG; the page loads nothing.

:func:`build_report` reads everything through ``graph.measure`` (the one
bridge to the analytics) and the store's records; :func:`to_html` renders it
with ``templates/report.html``. Who may be named is the caller's ``visible``
predicate (the API and the CLI hand in ``services.consent.Viewer.sees``); the
metrics only ever count people with analytics consent.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from graph import measure
from graph.analytics.change import TimelinePoint
from graph.errors import NotFound
from graph.model import (
    DEFAULT_METRIC_KINDS,
    Cohort,
    Handover,
    Membership,
    Person,
    Project,
    ProjectMember,
    Role,
    Tie,
    TieKind,
    Wave,
    WickedIssue,
)
from graph.store import GraphStore, Page
from graph.surveys import Development
from visualisations import plots
from visualisations.maps.html import template_environment

__all__ = [
    "DEFINITIONS",
    "SECTIONS",
    "Broker",
    "CohortReport",
    "ProjectLine",
    "build_report",
    "render",
    "to_html",
]

Predicate = Callable[[Person], bool]
_ALL = Page(limit=1_000_000)

SECTIONS: tuple[tuple[str, str], ...] = (
    ("growth", "Growth: baseline, end, follow-up"),
    ("sectors", "Per sector"),
    ("brokers", "Brokers"),
    ("isolated", "Isolated participants"),
    ("projects", "Projects and handovers"),
    ("definitions", "What the numbers mean"),
)
"""Every report's sections, in order: (HTML id, heading)."""

DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("people, ties", "People with analytics consent in a cohort started by then, and the "
     "pairs of them joined by at least one tie of the chosen kinds."),
    ("density", "The share of all possible pairs of people who are tied: 2m / (n(n-1))."),
    ("cross_org_share", "The share of ties (between people whose organisations are known) "
     "that join two different organisations."),
    ("cross_sector_share", "The same share for sectors."),
    ("ei_org, ei_sector", "Krackhardt and Stern's E-I index, (external - internal) / all "
     "ties: -1 when every tie stays inside an organisation (sector), +1 when every tie "
     "crosses."),
    ("components, largest_component_share", "Groups of people connected by some chain of "
     "ties, and the share of people in the largest such group."),
    ("isolates", "People with no tie at all."),
    ("avg_path_length", "The mean number of steps between two people of the largest "
     "connected group."),
    ("modularity", "How strongly the network splits into communities (Louvain, seed 42)."),
    ("org_alignment", "How closely those communities follow organisation boundaries "
     "(normalised mutual information): near 1, silos; near 0, communities cut across."),
    ("mean_reach2_orgs", "The average number of other organisations a person reaches within "
     "two steps."),
    ("new_ties, lost_ties, retention", "Among people present at both waves: ties that "
     "appeared, ties that went, and the share of the earlier wave's ties still there."),
    ("sector E-I", "For one sector, (ties leaving it - ties inside it) / both."),
    ("mixing density", "Ties between sectors X and Y over the n_X * n_Y possible pairs "
     "(2m / (n(n-1)) within one sector)."),
    ("betweenness", "The share of shortest paths between other people that pass through a "
     "person (networkx, normalised): high for brokers between groups."),
    ("reach2_orgs", "The organisations, other than their own, a person reaches within two "
     "steps."),
)  # fmt: skip
"""One sentence per metric, from ``spec/metrics.md``."""

HEADLINE = (
    "people",
    "ties",
    "density",
    "cross_org_share",
    "cross_sector_share",
    "ei_org",
    "ei_sector",
    "components",
    "isolates",
    "avg_path_length",
    "org_alignment",
    "mean_reach2_orgs",
)
"""The whole-network metrics the growth table shows, in order."""
BROKERS = 10
"""How many brokers the report names."""
SNAPSHOT = (
    "Every figure and table of this report is measured on the same snapshots, one per "
    "survey wave of this cohort: the cohort's answers to that wave's questions, plus the "
    "project and mentoring ties active on the wave's last response date, among everyone "
    "with analytics consent in a cohort started by then (spec/metrics.md, 'at a survey "
    "wave'). Other cohorts' survey answers are not in it."
)
"""The one snapshot definition of a cohort report, said once in full."""
SNAPSHOT_SHORT = (
    "Snapshot: each wave's (this cohort's answers at that wave, plus project and mentoring "
    "ties then; everyone in a cohort started by then)."
)
"""The same definition, said in every figure's caption."""
SHARES_POINTS = 200
"""The most quarters the shares figure's date axis spans (as GET /metrics/timeline): a
wave dated centuries after its cohort's start is a typo, and the figure is left out
rather than drawn over thousands of quarters."""


@dataclass(frozen=True)
class Broker:
    id: str
    name: str
    organisation: str | None
    sector: str | None
    betweenness: float
    degree: int
    reach2_orgs: int


@dataclass(frozen=True)
class ProjectLine:
    id: str
    title: str
    issue: str | None
    status: str
    start_date: date
    due_date: date | None
    members: int
    outcomes: str | None
    handovers: tuple[str, ...]


@dataclass(frozen=True)
class CohortReport:
    cohort: Cohort
    generated_on: date
    kinds: tuple[str, ...]
    waves: tuple[tuple[str, str], ...]
    """(wave, as-of date) of every wave run, in order."""
    members: int
    members_in_analytics: int
    growth_rows: tuple[tuple[str, tuple[Any, ...]], ...]
    """(metric, value at each wave)."""
    changes: tuple[tuple[str, int, int, float | None], ...]
    """(transition, new ties, lost ties, retention)."""
    sector_rows: tuple[tuple[str, tuple[float | None, ...]], ...]
    """(sector, its E-I at each wave)."""
    brokers: tuple[Broker, ...]
    brokers_wave: str
    isolated: tuple[tuple[str, str | None], ...]
    """(name, organisation) of participants without a tie at the latest wave."""
    isolated_hidden: int
    projects: tuple[ProjectLine, ...]
    handovers_in: tuple[str, ...]
    figures: dict[str, str] = field(default_factory=dict)
    """Plot name -> inline SVG."""
    development: tuple[Development, ...] = ()
    """Individual development from the cohort's assessments (``spec/surveys.md``)."""
    isolates_all: int = 0
    """Everyone without a tie in the latest wave's snapshot (the growth table's
    ``isolates``): the cohort's isolated participants and anyone else."""
    wave_questions: tuple[tuple[str, tuple[tuple[str, str, int], ...]], ...] = ()
    """(wave, ((tie kind, the question, answers), ...)): what each wave asked, as its
    survey ties of the counted kinds hold it."""
    like_for_like: tuple[tuple[str, str, int, int, float | None], ...] = ()
    """(transition, the kinds compared, new, lost, retention) over the questions both
    waves asked, where that differs from every counted kind."""
    snapshot: str = SNAPSHOT
    snapshot_short: str = SNAPSHOT_SHORT


def _svg(draw: Callable[..., Any], *args: Any) -> str:
    """``draw(*args)`` as an inline ``<svg>`` element (drawn once per numbers)."""
    text = plots.drawn_svg(draw, *args)
    return text[text.index("<svg") :]


def _handed_to(h: Handover, cohorts: dict[str, Cohort], titles: dict[str, str]) -> str:
    cohort = cohorts[h.to_cohort_id].name if h.to_cohort_id in cohorts else h.to_cohort_id
    project = f" ({titles.get(h.to_project_id, h.to_project_id)})" if h.to_project_id else ""
    return f"{h.date}: to {cohort}{project}"


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _wave_questions(
    store: GraphStore,
    cohort_id: str,
    waves: Sequence[str],
    kinds: Sequence[TieKind],
    questions: Mapping[TieKind, str],
) -> tuple[tuple[str, tuple[tuple[str, str, int], ...]], ...]:
    """What each wave asked, as its survey ties hold it: every counted survey kind with
    at least one answer, its question and how many answers."""
    out = []
    for wave in waves:
        asked = []
        for kind in kinds:
            if kind not in questions:
                continue
            where = {"cohort_id": cohort_id, "wave": wave, "tie_kind": kind.value}
            answers = store.find(Tie, where, Page(limit=1)).count
            if answers:
                asked.append((kind.value, questions[kind], answers))
        out.append((wave, tuple(sorted(asked, key=lambda a: -a[2]))))
    return tuple(out)


def _like_for_like(
    store: GraphStore,
    cohort_id: str,
    waves: Sequence[str],
    kinds: Sequence[TieKind],
    questions: Mapping[TieKind, str],
    asked: Callable[[Wave], Sequence[TieKind]],
) -> tuple[tuple[str, str, int, int, float | None], ...]:
    """Each transition's change over the survey questions both waves ask
    (``spec/surveys.md``) and the ties that are not survey answers, where those are
    fewer than every counted kind."""
    out = []
    for label, key, earlier, later in (
        ("baseline → end", "baseline_to_end", Wave.BASELINE, Wave.END),
        ("end → follow-up", "end_to_follow_up", Wave.END, Wave.FOLLOW_UP),
    ):
        if earlier.value not in waves or later.value not in waves:
            continue
        both = set(asked(earlier)) & set(asked(later))
        same = tuple(k for k in kinds if k not in questions or k in both)
        if not same or same == tuple(kinds):
            continue
        comparison = measure.growth_report(store, cohort_id, same)[key]  # type: ignore[literal-required]
        if comparison is not None:
            out.append(
                (
                    label,
                    ", ".join(k.value.replace("_", " ") for k in same),
                    comparison["new_ties"],
                    comparison["lost_ties"],
                    comparison["retention"],
                )
            )
    return tuple(out)


def _wave_points(snapshots: Sequence[tuple[str, Any]], suites: Mapping[str, Any]) -> list[Any]:
    """The growth table's own numbers as points of a timeline, one per wave."""
    return [
        cast(TimelinePoint, {**suites[wave]["network"], "date": str(snapshot.graph["as_of"])})
        for wave, snapshot in snapshots
    ]


def build_report(
    store: GraphStore,
    cohort_id: str,
    *,
    visible: Predicate,
    today: date | None = None,
    kinds: tuple[TieKind, ...] = DEFAULT_METRIC_KINDS,
    free_text: Callable[[str | None], str | None] | None = None,
    questions: Mapping[TieKind, str] | None = None,
    asked: Callable[[Wave], Sequence[TieKind]] | None = None,
) -> CohortReport:
    """Everything the report shows, for one cohort (``NotFound`` for an unknown cohort).

    ``free_text`` is how the reader may read the projects' outcomes: whoever shows
    the report to alumni hands in ``services.consent.free_text``; by default (the
    programme team, its reader through the API and the CLI) they are shown whole.
    ``questions`` (survey kind -> its question) and ``asked`` (the kinds a wave asks)
    are the survey's (``services.surveys``): with them the report names each wave's
    questions where it compares waves, and the change over the questions both ask.

    Every figure is measured on the wave snapshots (``SNAPSHOT``), the growth table's.
    """
    cohort = store.get(Cohort, cohort_id)
    today = today or date.today()
    suites: dict[str, Any] = {}
    snapshots: list[tuple[str, Any]] = []
    for wave in Wave:
        try:
            snapshot = measure.snapshot_for(store, cohort_id=cohort_id, wave=wave, kinds=kinds)
        except NotFound:
            continue
        snapshots.append((wave.value, snapshot))
        suites[wave.value] = measure.network_report(
            store, cohort_id=cohort_id, wave=wave, kinds=kinds, people=True
        )
    growth = measure.growth_report(store, cohort_id, kinds)
    memberships = store.find(Membership, {"cohort_id": cohort_id}, _ALL).data
    member_ids = {m.person_id for m in memberships}
    participants = {m.person_id for m in memberships if m.role is Role.PARTICIPANT}
    people = store.get_many(Person, member_ids) if member_ids else {}
    analysed = {p for p, person in people.items() if person.consent_analytics}

    growth_rows = tuple(
        (name, tuple(_fmt(suites[w]["network"][name]) for w in suites)) for name in HEADLINE
    )
    changes = []
    for label, key in (
        ("baseline → end", "baseline_to_end"),
        ("end → follow-up", "end_to_follow_up"),
    ):
        comparison = growth[key]  # type: ignore[literal-required]
        if comparison is not None:
            changes.append(
                (label, comparison["new_ties"], comparison["lost_ties"], comparison["retention"])
            )
    sectors = sorted({str(s) for suite in suites.values() for s in suite["sectors"]})
    sector_rows = tuple(
        (s, tuple(suite["sectors"].get(s, {}).get("ei") for suite in suites.values()))
        for s in sectors
    )

    brokers: tuple[Broker, ...] = ()
    isolated: list[tuple[str, str | None]] = []
    isolated_hidden = isolates_all = 0
    latest_wave = next(reversed(suites), "")
    if suites:
        latest_graph = snapshots[-1][1]
        metrics: dict[Hashable, Any] = suites[latest_wave]["people"] or {}
        ranked = sorted(
            (p for p in metrics if p in member_ids and visible(people[str(p)])),
            key=lambda p: (-metrics[p]["betweenness"], people[str(p)].name),
        )
        brokers = tuple(
            Broker(
                id=str(p),
                name=people[str(p)].name,
                organisation=latest_graph.nodes[p].get("organisation"),
                sector=latest_graph.nodes[p].get("sector"),
                betweenness=metrics[p]["betweenness"],
                degree=metrics[p]["degree"],
                reach2_orgs=metrics[p]["reach2_orgs"],
            )
            for p in ranked[:BROKERS]
            if metrics[p]["betweenness"] > 0
        )
        isolates_all = sum(1 for _, d in latest_graph.degree() if d == 0)
        for p in sorted(participants & set(latest_graph.nodes), key=lambda q: people[q].name):
            if latest_graph.degree(p) == 0:
                if visible(people[p]):
                    isolated.append((people[p].name, latest_graph.nodes[p].get("organisation")))
                else:
                    isolated_hidden += 1

    projects = sorted(
        store.find(Project, {"cohort_id": cohort_id}, _ALL).data, key=lambda p: (p.start_date, p.id)
    )
    issues = {i.id: i for i in store.find(WickedIssue, None, _ALL).data}
    cohorts = {c.id: c for c in store.find(Cohort, None, _ALL).data}
    titles = {p.id: p.title for p in store.find(Project, None, _ALL).data}
    lines = []
    for project in projects:
        members = store.find(ProjectMember, {"project_id": project.id}, _ALL).count
        handed = store.find(Handover, {"from_project_id": project.id}, _ALL).data
        lines.append(
            ProjectLine(
                id=project.id,
                title=project.title,
                issue=issues[project.issue_id].title if project.issue_id in issues else None,
                status=project.status.value.replace("_", " "),
                start_date=project.start_date,
                due_date=project.due_date,
                members=members,
                outcomes=free_text(project.outcomes) if free_text else project.outcomes,
                handovers=tuple(
                    _handed_to(h, cohorts, titles) for h in sorted(handed, key=lambda h: h.date)
                ),
            )
        )
    handovers_in = tuple(
        f"{h.date}: {issues[h.issue_id].title if h.issue_id in issues else h.issue_id}, "
        f"from {titles.get(h.from_project_id, h.from_project_id)}"
        + (
            f", picked up by {titles.get(h.to_project_id, h.to_project_id)}"
            if h.to_project_id
            else ""
        )
        for h in sorted(
            store.find(Handover, {"to_cohort_id": cohort_id}, _ALL).data, key=lambda h: h.date
        )
    )

    figures: dict[str, str] = {}
    if len(snapshots) > 1:
        figures["ties_per_wave"] = _svg(plots.ties_per_wave, plots.wave_ties(snapshots))
    if suites:
        figures["ei_by_sector"] = _svg(
            plots.ei_by_sector, {w: s["sectors"] for w, s in suites.items()}
        )
        figures["mixing"] = _svg(
            plots.mixing_heatmap,
            suites[latest_wave]["mixing"]["sectors"],
            "density",
            f"Sector mixing at the {latest_wave.replace('_', '-')} wave (density)",
        )
    if "baseline" in suites and "end" in suites:
        before = {p: m for p, m in (suites["baseline"]["people"] or {}).items() if p in member_ids}
        after = {p: m for p, m in (suites["end"]["people"] or {}).items() if p in member_ids}
        figures["reach"] = _svg(plots.reach_before_after, before, after)
    if len(suites) > 1:  # one wave is a point, not a change over time
        start = cohort.start_date
        end = max(date.fromisoformat(str(snapshots[-1][1].graph["as_of"])), start)
        if len(measure.dates_between(start, end, "quarter")) <= SHARES_POINTS:
            figures["shares"] = _svg(
                plots.share_over_time,
                _wave_points(snapshots, suites),
                "Ties across boundaries, wave by wave",
            )
    wave_names = [w for w, _ in snapshots]
    kinds = measure.check_kinds(kinds)

    return CohortReport(
        cohort=cohort,
        generated_on=today,
        kinds=tuple(k.value for k in kinds),
        waves=tuple((w, str(g.graph["as_of"])) for w, g in snapshots),
        members=len(member_ids),
        members_in_analytics=len(analysed),
        growth_rows=growth_rows,
        changes=tuple(changes),
        sector_rows=sector_rows,
        brokers=brokers,
        brokers_wave=latest_wave,
        isolated=tuple(isolated),
        isolated_hidden=isolated_hidden,
        projects=tuple(lines),
        handovers_in=handovers_in,
        figures=figures,
        development=tuple(measure.cohort_development(store, cohort_id)),
        isolates_all=isolates_all,
        wave_questions=(
            _wave_questions(store, cohort_id, wave_names, kinds, questions) if questions else ()
        ),
        like_for_like=(
            _like_for_like(store, cohort_id, wave_names, kinds, questions, asked)
            if questions and asked
            else ()
        ),
    )


def to_html(report: CohortReport) -> str:
    """The report as one HTML page that loads nothing."""
    return (
        template_environment()
        .get_template("report.html")
        .render(r=report, sections=SECTIONS, definitions=DEFINITIONS, fmt=_fmt)
    )


def render(report: CohortReport, path: Path) -> Path:
    path.write_text(to_html(report), encoding="utf-8")
    return path
