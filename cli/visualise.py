"""``alumni-graph visualise`` and ``alumni-graph report``: the network as a map,
and a cohort's programme report, each one self-contained HTML file.

Whoever runs these commands holds the store, so they see what the programme
team sees through the API (``services.consent`` decides, as for every route): every
person with analytics consent is drawn, and a map reaches someone two steps out
only through people who agreed to introductions.
"""

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from cli.output import parse_day
from graph.errors import Invalid, Problem
from graph.vocabulary import KeyRole, Sector, Wave

TEAM_KEY_ID = "cli-visualise"
"""The reader of what these commands write is the programme team, under this key id."""

StoreOption = Annotated[str | None, typer.Option("--store", help="Store URL")]
OutputOption = Annotated[Path, typer.Option("-o", "--output", help="The HTML file to write")]


def _html_path(output: Path) -> None:
    if output.suffix.casefold() not in (".html", ".htm"):
        raise Invalid([Problem("option", "-o", str(output), "must end in .html")])


def visualise(
    output: OutputOption,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")] = None,
    cohort: Annotated[
        str | None, typer.Option("--cohort", help="Cohort id: with --wave, or --compare-waves")
    ] = None,
    wave: Annotated[Wave | None, typer.Option("--wave", help="Survey wave")] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="Draw this person's ego map (email or id)")
    ] = None,
    radius: Annotated[int, typer.Option("--radius", help="Ego map: 1 or 2 steps")] = 1,
    cohort_filter: Annotated[
        str | None, typer.Option("--cohort-filter", help="Only members of this cohort")
    ] = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="Only people at this organisation (id)")
    ] = None,
    sector: Annotated[Sector | None, typer.Option("--sector", help="Only this sector")] = None,
    ties: Annotated[
        str | None, typer.Option("--ties", help="Comma-separated tie kinds (default: the spec's)")
    ] = None,
    collapse: Annotated[
        str | None, typer.Option("--collapse", help="'organisations': one node per organisation")
    ] = None,
    compare_waves: Annotated[
        bool, typer.Option("--compare-waves", help="The --cohort's waves side by side")
    ] = False,
    store: StoreOption = None,
) -> None:
    """Draw the network as an interactive map (one HTML file that loads nothing)."""
    from dataclasses import replace

    from cli.output import command_store, person_option
    from graph import measure
    from services import maps
    from services.consent import Viewer

    team = Viewer(role=KeyRole.PROGRAMME, key_id=TEAM_KEY_ID)
    _html_path(output)
    if collapse not in (None, "organisations"):
        raise Invalid([Problem("option", "--collapse", str(collapse), "only 'organisations'")])
    request = maps.MapRequest(
        as_of=parse_day(as_of, "--as-of") if as_of else None,
        cohort_id=cohort,
        wave=wave,
        kinds=measure.parse_kinds(ties),
        person_id=person,
        radius=radius,
        cohort_filter=cohort_filter,
        organisation=organisation,
        sector=sector,
        collapse="organisations" if collapse else None,
    )
    with command_store(store) as graph_store:
        if person:
            request = replace(request, person_id=person_option(graph_store, person))
        drawn = maps.draw_map(graph_store, team, request, compare_waves=compare_waves)
    output.write_text(drawn.html, encoding="utf-8")
    typer.echo(f"wrote {output} ({drawn.summary})")


def report(
    output: OutputOption,
    cohort: Annotated[str | None, typer.Option("--cohort", help="Cohort id")] = None,
    ties: Annotated[
        str | None, typer.Option("--ties", help="Comma-separated tie kinds (default: the spec's)")
    ] = None,
    store: StoreOption = None,
    programme: Annotated[
        bool, typer.Option("--programme", help="The whole programme over time, not a cohort")
    ] = False,
) -> None:
    """Write a cohort's programme report: growth, sectors, brokers, isolated participants,
    projects and handovers, and what each number means (one HTML file, plots inlined).
    With --programme instead: every cohort and everyone over time, for a board."""
    if programme or cohort is None:
        return _programme_report(output, cohort, ties, store)
    from cli.output import command_store
    from graph import measure
    from services.consent import Viewer
    from services.report import cohort_report

    team = Viewer(role=KeyRole.PROGRAMME, key_id=TEAM_KEY_ID)
    _html_path(output)
    with command_store(store) as graph_store:
        found = cohort_report(graph_store, team, cohort, kinds=measure.parse_kinds(ties))
    output.write_text(found.html, encoding="utf-8")
    typer.echo(f"wrote {output}")


def _programme_report(
    output: Path, cohort: str | None, ties: str | None, store: str | None
) -> None:
    """``report --programme``: services.programme's report, written to ``output``."""
    from graph import measure
    from graph.stores import open_store
    from services.consent import Viewer
    from services.programme import BOARD_QUESTION, programme_report

    if cohort is not None:
        raise Invalid([Problem("option", "--programme", "--cohort", "give one, not both")])
    _html_path(output)
    graph_store = open_store(store)
    try:
        html = programme_report(
            graph_store,
            Viewer(role=KeyRole.PROGRAMME, key_id=TEAM_KEY_ID),
            replace(BOARD_QUESTION, kinds=measure.parse_kinds(ties)),
        )
    finally:
        graph_store.close()
    output.write_text(html, encoding="utf-8")
    typer.echo(f"wrote {output}")
