"""``alumni-graph wicked``: a wicked issue's lineage, and its handover pack as a file.

``show`` is for the programme team at the console: everyone on the issue's
projects, emails only with consent. ``pack`` writes the document a new
project team starts from, and a file gets passed on: it is written as an
alumnus would see it (people only with directory consent, emails only with
contact consent), whoever runs the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graph.errors import Invalid, Problem

if TYPE_CHECKING:
    from services.schemas import PersonOut

app = typer.Typer(help="Wicked issues: what happened before, and the pack to hand on.")

StoreOption = Annotated[str | None, typer.Option("--store", help="Store URL")]


def _names(people: list[PersonOut]) -> str:
    return "; ".join(p.name + (f" <{p.email}>" if p.email else "") for p in people) or "-"


@app.command()
def show(
    issue_id: Annotated[str, typer.Argument(help="The wicked issue's id")],
    store: StoreOption = None,
) -> None:
    """The issue's lineage: every project in order, its people, outcomes and handovers."""
    from graph.stores import open_store
    from services import wicked

    graph_store = open_store(store)
    try:
        shown = wicked.lineage_for(graph_store, wicked.console_team(), issue_id)
    finally:
        graph_store.close()
    issue = shown.issue
    lines = [f"{issue.title} ({issue.id})"]
    if issue.description:
        lines.append(issue.description)
    for index, s in enumerate(shown.steps, 1):
        p = s.project
        dates = wicked.project_dates(p.start_date, p.due_date, p.active_until)
        lines += [
            "",
            f"{index}. {p.title}",
            f"   {p.id} | {p.cohort.name} | {p.status.value.replace('_', ' ')} | {dates}",
            f"   led by: {_names(s.leads)}",
            f"   sponsor: {_names([s.sponsor] if s.sponsor else [])}",
            f"   team: {'; '.join(m.name for m in s.members) or '-'}",
            f"   outcomes: {s.outcomes or '-'}",
        ]
        for h in s.handed_over:
            to = h.to_project.title if h.to_project else h.to_cohort_id
            lines.append(f"   handed over on {h.date} to {to}: {h.notes or '(no note)'}")
    lines += ["", f"working on it now: {_names(shown.working_now)}"]
    typer.echo("\n".join(lines))


@app.command()
def pack(
    issue_id: Annotated[str, typer.Argument(help="The wicked issue's id")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="FILE.md (Markdown) or FILE.html (one page)")
    ],
    store: StoreOption = None,
) -> None:
    """Write the handover pack a new project team starts from (.md or .html by suffix)."""
    suffix = output.suffix.casefold()
    if suffix not in (".md", ".markdown", ".html", ".htm"):
        raise Invalid([Problem("option", "-o", str(output), "must end in .md or .html")])
    from graph.stores import open_store
    from services import wicked

    graph_store = open_store(store)
    try:
        found = wicked.pack_for(
            graph_store,
            wicked.pack_reader(),
            issue_id,
            "html" if suffix in (".html", ".htm") else "markdown",
        )
    finally:
        graph_store.close()
    output.write_text(found.text, encoding="utf-8")
    typer.echo(f"wrote {output}")
