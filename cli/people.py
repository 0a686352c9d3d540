"""``alumni-graph people QUERY``: find people as the API's ``GET /people`` and the
``/find`` page do, from the console (as the programme team: everyone, emails only
with consent).

Only typer is imported here: the store and the services are imported when the
command runs, so ``--help`` stays fast.
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

import typer


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


PAGE_SIZE = 25


def people(
    query: Annotated[
        str,
        typer.Argument(
            help="Words to find in name, organisation (or its aliases), sector, area, job,"
            " interests, skills, cohorts and wicked issues; case and accents ignored."
        ),
    ] = "",
    organisation: Annotated[
        str | None, typer.Option(help="Employer now: its id, name or an alias.")
    ] = None,
    sector: Annotated[str | None, typer.Option(help="Employer's sector, e.g. police.")] = None,
    area: Annotated[str | None, typer.Option(help="Where they mainly work.")] = None,
    cohort: Annotated[str | None, typer.Option(help="A cohort's id or name.")] = None,
    issue: Annotated[str | None, typer.Option(help="A wicked issue's id or title.")] = None,
    page: Annotated[int, typer.Option(min=1, help=f"Page of {PAGE_SIZE} people.")] = 1,
    output: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.TABLE,
    store: Annotated[str | None, typer.Option("--store", help="Store URL")] = None,
) -> None:
    """Find people, best match first, a page at a time."""
    from rich.console import Console
    from rich.table import Table

    from cli.output import command_store, to_json
    from graph.errors import Invalid, Problem
    from graph.store import Page, PersonQuery
    from graph.vocabulary import KeyRole, Sector
    from services import people as service
    from services.consent import Viewer

    sectors = {s.value: s for s in Sector}
    if sector is not None and sector.strip().casefold().replace(" ", "_") not in sectors:
        known = ", ".join(sectors)
        raise Invalid([Problem("option", "--sector", sector, f"is not a sector; one of {known}")])
    team = Viewer(role=KeyRole.PROGRAMME, key_id="cli")
    with command_store(store) as graph_store:
        found = service.search(
            graph_store,
            team,
            PersonQuery(
                text=query.strip() or None,
                organisation_id=service.filter_id(
                    graph_store, "--organisation", "organisation", organisation
                )
                if organisation
                else None,
                sector=sectors[sector.strip().casefold().replace(" ", "_")] if sector else None,
                area=area,
                cohort_id=service.filter_id(graph_store, "--cohort", "cohort", cohort)
                if cohort
                else None,
                issue_id=service.filter_id(graph_store, "--issue", "issue", issue)
                if issue
                else None,
            ),
            Page(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE),
        )
    console = Console()
    if output is Format.JSON:
        console.print_json(to_json(found.model_dump(mode="json")))
        return
    pages = max(1, -(-found.count // PAGE_SIZE))
    table = Table(title=f"{found.count} people, page {page} of {pages}", expand=False)
    # id and email whole, one above the other (later commands take either); the rest
    # wraps by words in what is left of the terminal's width
    table.add_column("id\nemail", no_wrap=True)
    table.add_column("name", overflow="fold")
    table.add_column("job and organisation", overflow="fold")
    for p in found.data:
        at = p.organisation.name if p.organisation else ""
        job = ", ".join(x for x in (p.job_title, at) if x)
        table.add_row("\n".join(x for x in (p.id, p.email) if x), p.name, job)
    console.print(table)
    if page < pages:
        console.print(f"next: --page {page + 1}")


def _page_of(page: int) -> tuple[int, int]:
    return PAGE_SIZE, (page - 1) * PAGE_SIZE


def organisations(
    page: Annotated[int, typer.Option(min=1, help=f"Page of {PAGE_SIZE}.")] = 1,
    output: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.TABLE,
    store: Annotated[str | None, typer.Option("--store", help="Store URL")] = None,
) -> None:
    """List organisations: the ids and names ``people --organisation`` takes."""
    from services import people as service

    _listing(
        store,
        page,
        output,
        what="organisations",
        fetch=service.organisations,
        columns={"name (aliases)": True, "sector": True},
        row=lambda o: (
            o.name + (f" ({'; '.join(o.aliases)})" if o.aliases else ""),
            o.sector.value.replace("_", " "),
        ),
    )


def cohorts(
    page: Annotated[int, typer.Option(min=1, help=f"Page of {PAGE_SIZE}.")] = 1,
    output: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.TABLE,
    store: Annotated[str | None, typer.Option("--store", help="Store URL")] = None,
) -> None:
    """List cohorts: the ids and names ``people --cohort`` takes."""
    from services import people as service

    _listing(
        store,
        page,
        output,
        what="cohorts",
        fetch=service.cohorts,
        columns={"name": True, "start": False},
        row=lambda c: (c.name, c.start_date.isoformat()),
    )


def _listing(
    store: str | None,
    page: int,
    output: Format,
    *,
    what: str,
    fetch: Callable[..., Any],
    columns: dict[str, bool],
    row: Callable[[Any], tuple[str, ...]],
) -> None:
    """One page of a directory list as a table (whole ids, other columns folded where
    ``columns`` says so) or as JSON, read as the programme team would."""
    from rich.console import Console
    from rich.table import Table

    from cli.output import command_store, to_json
    from graph.store import Page
    from graph.vocabulary import KeyRole
    from services.consent import Viewer

    limit, offset = _page_of(page)
    with command_store(store) as graph_store:
        found = fetch(
            graph_store, Viewer(role=KeyRole.PROGRAMME, key_id="cli"), Page(limit, offset)
        )
    console = Console()
    if output is Format.JSON:
        console.print_json(to_json(found.model_dump(mode="json")))
        return
    table = Table(title=f"{found.count} {what}, page {page}")
    table.add_column("id", no_wrap=True, min_width=max((len(x.id) for x in found.data), default=2))
    for name, folds in columns.items():
        if folds:
            table.add_column(name, overflow="fold")
        else:
            table.add_column(name, no_wrap=True)
    for x in found.data:
        table.add_row(x.id, *row(x))
    console.print(table)
