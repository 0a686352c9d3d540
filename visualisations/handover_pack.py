"""The handover pack: what a new project team reads first when it picks up a wicked issue.

One document, as Markdown or as a self-contained HTML page: where the issue
stands, its lineage (every project, its people, what it delivered, each
handover note), the questions those notes leave open, the outcomes so far,
the people to talk to, and a map of the issue's network.

The renderer decides nothing about consent: it is handed a pack
(``visualisations.handover_model``) with people already filtered for the
reader (``PackPerson`` carries an email only when it may be shown) and prints
what it is given. The HTML page loads nothing: styles and
the map (an SVG drawn from networkx positions) are inline, and its content
security policy forbids every fetch.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import networkx as nx

from visualisations.handover_model import HandoverPack, PackPerson, PackProject, day
from visualisations.palette import sector_colour

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "SECTIONS",
    "network_svg",
    "render",
    "to_html",
    "to_markdown",
]

SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Where it stands"),
    ("lineage", "Lineage"),
    ("open-questions", "Open questions"),
    ("outcomes", "Outcomes so far"),
    ("people", "People to talk to"),
    ("network-map", "Map of the issue's network"),
)
"""Every pack's sections, in order: (HTML id, heading)."""

CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""The page fetches nothing: no scripts, fonts, images or frames from anywhere."""


# -- words shared by both formats ------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _person_line(p: PackPerson) -> str:
    parts = [p.name]
    if p.job_title:
        parts.append(p.job_title)
    if p.organisation:
        parts.append(p.organisation)
    return ", ".join(parts)


def _summary(pack: HandoverPack) -> list[str]:
    """The opening paragraphs: how long the issue has been worked on and who has it now."""
    cohorts = list(dict.fromkeys(p.cohort for p in pack.projects))
    lines: list[str] = []
    if pack.projects:
        lines.append(
            f"{_plural(len(pack.projects), 'project')} in {_plural(len(cohorts), 'cohort')}"
            f" ({', '.join(cohorts)}) have worked on this issue;"
            f" it has been handed over {_plural(len(pack.handovers), 'time')}."
        )
    else:
        lines.append("No project has worked on this issue yet: this pack starts its lineage.")
    if pack.current:
        now = "; ".join(f"{p.title} ({p.cohort}, {p.status_text})" for p in pack.current)
        lines.append(f"Working on it now: {now}.")
    elif pack.projects:
        since = f" since {day(pack.last_active)}" if pack.last_active else ""
        lines.append(f"Nobody is working on it now{since}: it is waiting for a new team.")
    lines.append(
        "Start with the open questions, then talk to the people listed: they did the work"
        " before you, or they are in organisations the issue has not reached yet."
    )
    return lines


# -- Markdown ----------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """Text shown as written: Markdown and HTML characters escaped, on one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


_PLAIN_EMAIL = re.compile(
    r"[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*"
)
"""CommonMark's email autolink: an email it would not link is shown as escaped text."""


def _md_person(p: PackPerson) -> str:
    """A person's line; their email, when given, as a link (or as text if it would not
    make a plain one)."""
    line = _md(_person_line(p))
    if not p.email:
        return line
    return line + (f" <{p.email}>" if _PLAIN_EMAIL.fullmatch(p.email) else f" ({_md(p.email)})")


def to_markdown(pack: HandoverPack) -> str:
    """The pack as Markdown: the same sections as the HTML page, the map as a list."""
    out: list[str] = [f"# Handover pack: {_md(pack.title)}", ""]
    if pack.description:
        out += [_md(pack.description), ""]
    if pack.ambitions:
        out += ["Essex Vision ambitions: " + "; ".join(_md(a) for a in pack.ambitions), ""]
    out += [f"_Generated on {day(pack.generated_on)} for the team picking this issue up._", ""]
    headings = dict(SECTIONS)

    out += [f"## {headings['summary']}", ""]
    for line in _summary(pack):
        out += [_md(line), ""]

    out += [f"## {headings['lineage']}", ""]
    if not pack.projects:
        out += ["No projects yet.", ""]
    for index, p in enumerate(pack.projects, 1):
        out += [f"### {index}. {_md(p.title)} ({_md(p.cohort)})", ""]
        out.append(f"- Status: {_md(p.status_text)}")
        out.append(f"- Dates: {p.dates}")
        if p.leads:
            out.append("- Led by: " + "; ".join(_md_person(x) for x in p.leads))
        if p.sponsor:
            out.append(f"- Sponsor: {_md_person(p.sponsor)}")
        if p.members:
            out.append("- Team: " + "; ".join(_md(x.name) for x in p.members))
        out.append(f"- Outcomes: {_md(p.outcomes) if p.outcomes else 'none recorded'}")
        for h in p.received:
            out.append(f"- Received from {_md(h.from_project)} on {day(h.date)}")
        for h in p.handed_over:
            to = _md(h.to_project or h.to_cohort)
            out += [f"- **Handed over** to {to} on {day(h.date)}:", ""]
            out += [f"  > {_md(h.notes or 'no note recorded')}", ""]
        out.append("")

    out += [f"## {headings['open-questions']}", ""]
    questions = pack.open_questions()
    if questions:
        for q, h in questions:
            out.append(f"- {_md(q)} _(from {_md(h.from_project)}, {day(h.date)})_")
    else:
        out.append("No handover note records an open question yet.")
    out.append("")

    out += [f"## {headings['outcomes']}", ""]
    if pack.projects:
        out += ["| cohort | project | status | outcomes |", "|---|---|---|---|"]
        for p in pack.projects:
            row = [p.cohort, p.title, p.status_text, p.outcomes or "none recorded"]
            out.append("| " + " | ".join(_md(c) for c in row) + " |")
    else:
        out.append("None yet.")
    out.append("")

    out += [f"## {headings['people']}", ""]
    out += ["### Working on it now", ""]
    out += [f"- {_md_person(x)}" for x in pack.working_now] or ["Nobody at present."]
    out += ["", "### Who can help", ""]
    for s in pack.supporters:
        via = f" (knows {', '.join(_md(v.name) for v in s.via)})" if s.via else ""
        out.append(f"- {_md_person(s.person)}: {_md('; '.join(s.reasons))}{via}")
    if not pack.supporters:
        out.append("Nobody who has agreed to be contacted yet.")
    out += ["", "People appear here only as they agreed to be shown; an email only with their"]
    out += ["consent. Ask the programme team for an introduction to anyone else.", ""]

    out += [f"## {headings['network-map']}", ""]
    out += _markdown_map(pack)
    return "\n".join(out).rstrip() + "\n"


def _markdown_map(pack: HandoverPack) -> list[str]:
    """The map in words: the chain of projects, then who is on each and who is near."""
    out: list[str] = []
    if pack.projects:
        chain = " → ".join(f"{_md(p.cohort)}: {_md(p.title)}" for p in pack.projects)
        out += [f"Projects, oldest first: {chain}", ""]
    reached, next_ = _organisations(pack)
    if reached:
        out += ["Organisations in the issue's network: " + "; ".join(map(_md, reached)), ""]
    if next_:
        out += ["Organisations it could reach next: " + "; ".join(map(_md, next_)), ""]
    out += ["The HTML version of this pack draws the map.", ""]
    return out


def _organisations(pack: HandoverPack) -> tuple[list[str], list[str]]:
    """Organisations of the people on the projects, and of the people who could open others."""
    on = {x.organisation for p in pack.projects for x in _project_people(p) if x.organisation}
    near = {s.person.organisation for s in pack.supporters if s.via and s.person.organisation}
    return sorted(on), sorted(near - on)


def _project_people(p: PackProject) -> tuple[PackPerson, ...]:
    return (*p.leads, *p.members, *((p.sponsor,) if p.sponsor else ()))


# -- the map ------------------------------------------------------------------------------

_WIDTH, _HEIGHT, _MARGIN = 960, 600, 70
_MAP_NEWCOMERS = 8
"""People from organisations not reached yet drawn on the map: the best placed ones."""


def _map_graph(pack: HandoverPack) -> nx.Graph:
    """Projects and people; edges: on a project (lead, member, sponsor), handed over to,
    knows (a supporter from a new organisation and the people they know). People are
    drawn only when in ``pack.on_map`` (analytics consent)."""
    graph = nx.Graph()
    for p in pack.projects:
        graph.add_node(f"project:{p.id}", kind="project", project=p)
    ids = {p.id for p in pack.projects}
    for p in pack.projects:
        node = f"project:{p.id}"
        for role, people in (("lead", p.leads), ("member", p.members)):
            for x in people:
                if x.id not in pack.on_map:
                    continue
                graph.add_node(f"person:{x.id}", kind="person", person=x)
                graph.add_edge(node, f"person:{x.id}", kind=role)
        if p.sponsor and p.sponsor.id in pack.on_map:
            graph.add_node(f"person:{p.sponsor.id}", kind="person", person=p.sponsor)
            if not graph.has_edge(node, f"person:{p.sponsor.id}"):
                graph.add_edge(node, f"person:{p.sponsor.id}", kind="sponsor")
        for h in p.handed_over:
            if h.to_project_id in ids:
                graph.add_edge(node, f"project:{h.to_project_id}", kind="handover")
    for s in [s for s in pack.supporters if s.via and s.person.id in pack.on_map][:_MAP_NEWCOMERS]:
        node = f"person:{s.person.id}"
        if node not in graph:
            graph.add_node(node, kind="newcomer", person=s.person)
        for v in s.via:
            if f"person:{v.id}" in graph:
                graph.add_edge(node, f"person:{v.id}", kind="knows")
    return graph


def _positions(graph: nx.Graph, projects: Sequence[PackProject]) -> dict[str, tuple[float, float]]:
    """Projects fixed along a timeline, oldest on the left; people placed by a seeded
    spring layout around them (starting above or below their first project), so the
    same pack always draws the same map."""
    fixed = {f"project:{p.id}": (2.0 * i, 0.0) for i, p in enumerate(projects)}
    if not graph:
        return {}
    start: dict[str, tuple[float, float]] = dict(fixed)
    for i, node in enumerate(sorted(n for n in graph.nodes if n not in fixed)):
        anchors = [fixed[m] for m in sorted(graph.neighbors(node)) if m in fixed]
        spread = 2.0 * (i % max(len(projects), 1))
        x = sum(a[0] for a in anchors) / len(anchors) if anchors else spread
        side = 1 if i % 2 else -1
        start[node] = (x + 0.1 * ((i % 7) - 3), side * (0.6 + 0.15 * (i % 5)))
    placed = nx.spring_layout(
        graph, pos=start, fixed=list(fixed) or None, k=0.45, iterations=80, seed=2019
    )
    clear = 0.3
    """How far people keep from the timeline, so no one hides behind a project's box."""
    return {
        n: (float(x), float(y) if n in fixed or abs(y) >= clear else math.copysign(clear, y))
        for n, (x, y) in placed.items()
    }


def _scale(positions: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    if not positions:
        return {}
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    span_x = max(max(xs) - min(xs), 1e-9)
    span_y = max(max(ys) - min(ys), 1e-9)
    width, height = _WIDTH - 2 * _MARGIN, _HEIGHT - 2 * _MARGIN
    return {
        n: (
            round(_MARGIN + (x - min(xs)) / span_x * width, 1),
            round(_MARGIN + (y - min(ys)) / span_y * height, 1),
        )
        for n, (x, y) in positions.items()
    }


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def network_svg(pack: HandoverPack) -> str:
    """An inline SVG map of the issue's network: projects as labelled boxes on a
    timeline, people as dots coloured by sector, newcomers hollow."""
    graph = _map_graph(pack)
    at = _scale(_positions(graph, pack.projects))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}"'
        f' width="100%" role="img" aria-labelledby="map-title map-desc" class="network-map">',
        f'<title id="map-title">The network of {_esc(pack.title)}</title>',
        f'<desc id="map-desc">{_plural(len(pack.projects), "project")} and'
        f" {_plural(sum(1 for _, d in graph.nodes(data=True) if d['kind'] != 'project'), 'person')}"
        "; lines join people to their projects, arrows follow handovers.</desc>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5"'
        ' markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>',
    ]
    order = {f"project:{p.id}": i for i, p in enumerate(pack.projects)}
    for a, b, data in sorted(graph.edges(data=True), key=lambda e: (e[2]["kind"], e[0], e[1])):
        (x1, y1), (x2, y2) = at[a], at[b]
        kind = data["kind"]
        if kind == "handover":
            if order.get(a, 0) > order.get(b, 0):
                (x1, y1), (x2, y2) = (x2, y2), (x1, y1)
            bend = min(y1, y2) - 80
            parts.append(
                f'<path class="edge handover" d="M {x1} {y1 - 16} Q {(x1 + x2) / 2} {bend}'
                f' {x2} {y2 - 16}" fill="none" marker-end="url(#arrow)"/>'
            )
            continue
        parts.append(f'<line class="edge {kind}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>')
    for node, data in sorted(graph.nodes(data=True), key=lambda n: (n[1]["kind"], n[0])):
        x, y = at[node]
        if data["kind"] == "project":
            p: PackProject = data["project"]
            label = _esc(p.cohort)
            half = max(46, 3.6 * len(p.cohort) + 10)
            parts.append(
                f'<g class="node project"><title>{_esc(p.title)} ({label}, {_esc(p.status_text)})'
                f'</title><rect x="{x - half}" y="{y - 14}" width="{2 * half}" height="28" rx="6"/>'
                f'<text x="{x}" y="{y + 4}" text-anchor="middle">{label}</text></g>'
            )
            continue
        person: PackPerson = data["person"]
        colour = sector_colour(person.sector)
        where = f", {_esc(person.organisation)}" if person.organisation else ""
        fill = "#fff" if data["kind"] == "newcomer" else colour
        parts.append(
            f'<g class="node {data["kind"]}"><title>{_esc(person.name)}{where}</title>'
            f'<circle cx="{x}" cy="{y}" r="7" fill="{fill}" stroke="{colour}"/>'
            f'<text x="{x}" y="{y + 18}" text-anchor="middle">{_esc(person.name)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _legend(graph: nx.Graph) -> str:
    drawn = [d["person"] for _, d in graph.nodes(data=True) if d["kind"] != "project"]
    sectors = sorted({x.sector for x in drawn if x.sector})
    items = [
        f'<li><span class="swatch" style="background:{sector_colour(s)}">'
        f"</span>{_esc(s.replace('_', ' '))}</li>"
        for s in sectors
    ]
    items.append('<li><span class="swatch hollow"></span>not yet in the network</li>')
    return '<ul class="legend">' + "".join(items) + "</ul>"


# -- HTML ----------------------------------------------------------------------------------

_CSS = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;
max-width:60rem;margin:0 auto;padding:1.5rem}
header{border-bottom:3px solid #1f4e79;margin-bottom:1rem}h1{margin:.2rem 0;color:#1f4e79}
h2{color:#1f4e79;border-bottom:1px solid #ccd;padding-bottom:.2rem;margin-top:2rem}
.meta{color:#555}nav ol{columns:2;padding-left:1.2rem}
ol.lineage{list-style:none;padding:0;border-left:3px solid #1f4e79;margin-left:.5rem}
ol.lineage>li{padding:.2rem 0 .8rem 1rem;position:relative}
ol.lineage>li:before{content:"";position:absolute;left:-.55rem;top:.6rem;width:.8rem;
height:.8rem;border-radius:50%;background:#1f4e79}
.status{display:inline-block;font-size:.8rem;padding:0 .5rem;border-radius:1rem;
background:#e8eef6}blockquote{border-left:4px solid #f0b400;background:#fff8e1;margin:.5rem 0;
padding:.4rem .8rem}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#e8eef6}.reasons{color:#444;font-size:.95rem}
svg.network-map{border:1px solid #ccd;background:#fcfcfe}
svg .edge{stroke:#9aa;stroke-width:1.2}svg .edge.lead{stroke:#1f4e79;stroke-width:2}
svg .edge.sponsor{stroke-dasharray:5 3}svg .edge.knows{stroke-dasharray:2 3}
svg .edge.handover{stroke:#444;stroke-width:3}
svg .project rect{fill:#1f4e79}svg .project text{fill:#fff;font-weight:600}
svg text{font-size:10px;fill:#333}svg circle{stroke-width:2}
ul.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:50%;margin-right:.3rem}
.swatch.hollow{border:2px solid #777}
@media print{nav{display:none}body{max-width:none}}
"""


def _html_person(p: PackPerson) -> str:
    text = _esc(_person_line(p))
    if p.email:
        text += f' &lt;<a href="mailto:{_esc(p.email)}">{_esc(p.email)}</a>&gt;'
    return text


def _html_list(items: Iterable[str], empty: str, cls: str = "") -> str:
    shown = list(items)
    if not shown:
        return f"<p>{_esc(empty)}</p>"
    attr = f' class="{cls}"' if cls else ""
    return f"<ul{attr}>" + "".join(f"<li>{i}</li>" for i in shown) + "</ul>"


def _html_step(p: PackProject) -> str:
    rows = [
        f"<h3>{_esc(p.title)}</h3>",
        f'<p class="meta">{_esc(p.cohort)} · <span class="status">{_esc(p.status_text)}</span> · '
        f'<span class="dates">{_esc(p.dates)}</span></p>',
        "<dl>",
    ]
    if p.leads:
        rows.append("<dt>Led by</dt><dd>" + "; ".join(_html_person(x) for x in p.leads) + "</dd>")
    if p.sponsor:
        rows.append(f"<dt>Sponsor</dt><dd>{_html_person(p.sponsor)}</dd>")
    if p.members:
        rows.append("<dt>Team</dt><dd>" + "; ".join(_esc(x.name) for x in p.members) + "</dd>")
    rows.append(f"<dt>Outcomes</dt><dd>{_esc(p.outcomes or 'none recorded')}</dd>")
    for h in p.received:
        rows.append(f"<dt>Received</dt><dd>from {_esc(h.from_project)} on {day(h.date)}</dd>")
    rows.append("</dl>")
    for h in p.handed_over:
        to = _esc(h.to_project or h.to_cohort)
        rows.append(
            f'<div class="handover"><p><strong>Handed over</strong> to {to} on {day(h.date)}:'
            f"</p><blockquote>{_esc(h.notes or 'no note recorded')}</blockquote></div>"
        )
    return f'<li class="step" id="project-{_esc(p.id)}">' + "".join(rows) + "</li>"


def to_html(pack: HandoverPack) -> str:
    """The pack as one self-contained HTML page (no script, nothing fetched)."""
    headings = dict(SECTIONS)
    ambitions = (
        f"<p>Essex Vision ambitions: {_esc('; '.join(pack.ambitions))}</p>"
        if pack.ambitions
        else ""
    )
    toc = "".join(f'<li><a href="#{sid}">{_esc(title)}</a></li>' for sid, title in SECTIONS)
    questions = _html_list(
        (
            f'{_esc(q)} <span class="meta">(from {_esc(h.from_project)}, {day(h.date)})</span>'
            for q, h in pack.open_questions()
        ),
        "No handover note records an open question yet.",
        "questions",
    )
    outcomes = (
        "<table><thead><tr><th>cohort</th><th>project</th><th>status</th><th>outcomes</th></tr>"
        "</thead><tbody>"
        + "".join(
            f"<tr><td>{_esc(p.cohort)}</td><td>{_esc(p.title)}</td><td>{_esc(p.status_text)}</td>"
            f"<td>{_esc(p.outcomes or 'none recorded')}</td></tr>"
            for p in pack.projects
        )
        + "</tbody></table>"
        if pack.projects
        else "<p>None yet.</p>"
    )
    supporters = _html_list(
        (
            f'<span class="person">{_html_person(s.person)}</span>'
            f'<div class="reasons">{_esc("; ".join(s.reasons))}'
            + (f" (knows {_esc(', '.join(v.name for v in s.via))})" if s.via else "")
            + "</div>"
            for s in pack.supporters
        ),
        "Nobody who has agreed to be contacted yet.",
        "supporters",
    )
    body = [
        "<header>",
        f"<h1>Handover pack: {_esc(pack.title)}</h1>",
        f"<p>{_esc(pack.description)}</p>" if pack.description else "",
        ambitions,
        f'<p class="meta">Generated on {day(pack.generated_on)} for the team picking this'
        " issue up.</p>",
        "</header>",
        f'<nav aria-label="Contents"><ol>{toc}</ol></nav>',
        f'<section id="summary"><h2>{headings["summary"]}</h2>'
        + "".join(f"<p>{_esc(line)}</p>" for line in _summary(pack))
        + "</section>",
        f'<section id="lineage"><h2>{headings["lineage"]}</h2>'
        + (
            '<ol class="lineage">' + "".join(_html_step(p) for p in pack.projects) + "</ol>"
            if pack.projects
            else "<p>No projects yet.</p>"
        )
        + "</section>",
        f'<section id="open-questions"><h2>{headings["open-questions"]}</h2>{questions}</section>',
        f'<section id="outcomes"><h2>{_esc(headings["outcomes"])}</h2>{outcomes}</section>',
        f'<section id="people"><h2>{headings["people"]}</h2><h3>Working on it now</h3>'
        + _html_list(
            (_html_person(x) for x in pack.working_now), "Nobody at present.", "working-now"
        )
        + "<h3>Who can help</h3>"
        + supporters
        + '<p class="meta">People appear here only as they agreed to be shown; an email only'
        " with their consent. Ask the programme team for an introduction to anyone else.</p>"
        "</section>",
        f'<section id="network-map"><h2>{_esc(headings["network-map"])}</h2><figure>'
        + network_svg(pack)
        + f"<figcaption>{_legend(_map_graph(pack))}</figcaption></figure></section>",
        f'<footer class="meta"><p>alumni-graph handover pack for {_esc(pack.issue_id)}.</p>'
        "</footer>",
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Handover pack: {_esc(pack.title)}</title><style>{_CSS}</style></head>"
        "<body>" + "".join(body) + "</body></html>\n"
    )


def render(pack: HandoverPack, path: Path) -> Path:
    """Write the pack to ``path``: HTML for ``.html``/``.htm``, Markdown for ``.md``."""
    suffix = path.suffix.casefold()
    if suffix in (".html", ".htm"):
        path.write_text(to_html(pack), encoding="utf-8")
    elif suffix in (".md", ".markdown"):
        path.write_text(to_markdown(pack), encoding="utf-8")
    else:
        raise ValueError(f"{path.name}: a pack is written as .md or .html")
    return path
