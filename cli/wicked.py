"""``alumni-graph wicked``: a wicked issue's lineage, and its handover pack as a file.

``show`` is for the programme team at the console: everyone on the issue's
projects, emails only with consent. ``pack`` writes the document a new
project team starts from, and a file gets passed on: it is written as an
alumnus would see it (people only with directory consent, emails only with
contact consent), whoever runs the command.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graph.errors import Invalid, Problem

if TYPE_CHECKING:
    from services.schemas import PersonOut

app = typer.Typer(help="Wicked issues: what happened before, and the pack to hand on.")

StoreOption = Annotated[str | None, typer.Option("--store", help="Store URL")]


def _names(people: list["PersonOut"]) -> str:
    return "; ".join(p.name + (f" <{p.email}>" if p.email else "") for p in people) or "-"


PAGE_SIZE = 25


@app.command("list")
def list_issues(
    orphaned_since: Annotated[
        str | None,
        typer.Option("--orphaned-since", help="YYYY-MM-DD: only issues no project worked on since"),
    ] = None,
    page: Annotated[int, typer.Option(min=1, help=f"Page of {PAGE_SIZE} issues.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for programs")] = False,
    store: StoreOption = None,
) -> None:
    """Every wicked issue: the ids ``show``, ``pack`` and ``people --issue`` take."""
    from rich.console import Console
    from rich.table import Table

    from cli.output import command_store, parse_day, to_json
    from graph.store import Page
    from services import wicked

    since = parse_day(orphaned_since, "--orphaned-since") if orphaned_since else None
    with command_store(store) as graph_store:
        found = wicked.list_issues(
            graph_store,
            wicked.console_team(),
            Page(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE),
            orphaned_since=since,
        )
    if as_json:
        typer.echo(to_json(found.model_dump(mode="json")))
        return
    pages = max(1, -(-found.count // PAGE_SIZE))
    table = Table(title=f"{found.count} wicked issues, page {page} of {pages}")
    widest = max((len(i.id) for i in found.data), default=2)
    table.add_column("id", no_wrap=True, min_width=widest)  # whole: show and pack take it
    table.add_column("title", overflow="fold")
    table.add_column("projects", justify="right", no_wrap=True)
    table.add_column("now", overflow="fold")
    for i in found.data:
        if i.active_now:
            now = "active"
        elif i.last_active:
            now = f"last active {i.last_active.isoformat()}"
        else:
            now = "not started" if not i.open_projects else "proposed"
        table.add_row(i.id, i.title, str(i.project_count), now)
    Console().print(table)
    if page < pages:
        typer.echo(f"next: --page {page + 1}")


@app.command()
def show(
    issue_id: Annotated[str, typer.Argument(help="The wicked issue's id")],
    store: StoreOption = None,
) -> None:
    """The issue's lineage: every project in order, its people, outcomes and handovers."""
    from cli.output import command_store
    from services import wicked

    with command_store(store) as graph_store:
        shown = wicked.lineage_for(graph_store, wicked.console_team(), issue_id)
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
    from cli.output import command_store
    from services import wicked

    with command_store(store) as graph_store:
        found = wicked.pack_for(
            graph_store,
            wicked.pack_reader(),
            issue_id,
            "html" if suffix in (".html", ".htm") else "markdown",
        )
    output.write_text(found.text, encoding="utf-8")
    typer.echo(f"wrote {output}")
