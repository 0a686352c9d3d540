"""``alumni-graph metrics``: the spec's metrics on a snapshot, a cohort's growth,
and the network over time."""

from enum import StrEnum
from typing import Annotated, Any

import typer

from cli.output import parse_day, rich_console, rich_table, to_csv, to_json
from graph.vocabulary import Wave

app = typer.Typer(help="Measure the network: is it less siloed, is it growing?")


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class Every(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


StoreOption = Annotated[str | None, typer.Option("--store", help="Store URL")]
TiesOption = Annotated[
    str | None,
    typer.Option("--ties", help="Comma-separated tie kinds (default: the spec's five)"),
]
FormatOption = Annotated[Format, typer.Option("--format", help="table, json or csv")]


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _print_table(title: str, rows: dict[str, Any]) -> None:
    table = rich_table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in rows.items():
        table.add_row(name, _fmt(value))
    rich_console().print(table)


def _suite_csv(suite: dict[str, Any]) -> str:
    """One long table: scope, name, metric, value (every number the JSON has)."""
    rows: list[tuple[object, ...]] = [("network", "", k, v) for k, v in suite["network"].items()]
    for scope in ("organisations", "sectors", "people"):
        for name, metrics in suite[scope].items():
            rows += [(scope, name, k, v) for k, v in metrics.items()]
    return to_csv(("scope", "name", "metric", "value"), rows)


@app.callback(invoke_without_command=True)
def metrics(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD (default today)")] = None,
    cohort: Annotated[str | None, typer.Option("--cohort", help="Cohort id, with --wave")] = None,
    wave: Annotated[Wave | None, typer.Option("--wave", help="Survey wave")] = None,
    ties: TiesOption = None,
    output: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """Every metric of one snapshot: as of a date, or at a cohort's survey wave."""
    if ctx.invoked_subcommand is not None:
        return
    from graph import measure
    from graph.stores import open_store

    _check_snapshot_options(as_of, cohort, wave)
    graph_store = open_store(store)
    try:
        suite: dict[str, Any] = dict(
            measure.network_report(
                graph_store,
                as_of=parse_day(as_of, "--as-of") if as_of else None,
                cohort_id=cohort,
                wave=wave,
                kinds=measure.parse_kinds(ties),
            )
        )
    finally:
        graph_store.close()
    if output is Format.JSON:
        typer.echo(to_json(suite))
    elif output is Format.CSV:
        typer.echo(_suite_csv(suite), nl=False)
    else:
        _print_table(f"network ({suite['meta'].get('as_of')})", suite["network"])
        table = rich_table(title="sectors")
        for column in ("sector", "size", "internal", "external", "ei"):
            table.add_column(column)
        for name, m in suite["sectors"].items():
            table.add_row(name, *(_fmt(m[k]) for k in ("size", "internal", "external", "ei")))
        rich_console().print(table)


def _check_snapshot_options(as_of: str | None, cohort: str | None, wave: Wave | None) -> None:
    """A date, or a cohort and its wave: said in the options' own words when mixed up."""
    from graph.errors import Invalid, Problem

    waves = ", ".join(w.value for w in Wave)
    if cohort is not None and wave is None:
        raise Invalid([Problem("option", "--wave", "", f"give it with --cohort: one of {waves}")])
    if wave is not None and cohort is None:
        raise Invalid([Problem("option", "--cohort", "", "give it with --wave: a cohort's id")])
    if cohort is not None and as_of is not None:
        reason = "give a date, or --cohort and --wave, not both"
        raise Invalid([Problem("option", "--as-of", as_of, reason)])


@app.command()
def growth(
    cohort: Annotated[str, typer.Option("--cohort", help="Cohort id")],
    ties: TiesOption = None,
    output: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """A cohort's change from its baseline wave to its end wave, and on to follow-up."""
    from graph import measure
    from graph.stores import open_store

    graph_store = open_store(store)
    try:
        report = measure.growth_report(graph_store, cohort, measure.parse_kinds(ties))
    finally:
        graph_store.close()
    if output is Format.JSON:
        typer.echo(to_json(report))
        return
    steps: dict[str, Any] = {k: v for k, v in report.items() if v is not None}
    if output is Format.CSV:
        rows = [
            (step, metric, value)
            for step, change in steps.items()
            for metric, value in {
                "new_ties": change["new_ties"],
                "lost_ties": change["lost_ties"],
                "retention": change["retention"],
                **{f"delta_{k}": v for k, v in change["delta"].items()},
            }.items()
        ]
        typer.echo(to_csv(("step", "metric", "value"), rows), nl=False)
        return
    for step, change in steps.items():
        _print_table(
            f"{cohort}: {step}",
            {
                "new_ties": change["new_ties"],
                "lost_ties": change["lost_ties"],
                "retention": change["retention"],
                "cross_org_share before": change["before"]["cross_org_share"],
                "cross_org_share after": change["after"]["cross_org_share"],
                "ei_org change": change["delta"]["ei_org"],
            },
        )


@app.command(name="timeline")
def timeline_command(
    start: Annotated[str, typer.Option("--from", help="YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--to", help="YYYY-MM-DD")],
    every: Annotated[Every, typer.Option("--every", help="month or quarter")] = Every.QUARTER,
    ties: TiesOption = None,
    output: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """The whole-network metrics at every month or quarter between two dates."""
    from graph import measure
    from graph.stores import open_store

    graph_store = open_store(store)
    try:
        points = measure.timeline_report(
            graph_store,
            parse_day(start, "--from"),
            parse_day(end, "--to"),
            every.value,
            measure.parse_kinds(ties),
        )
    finally:
        graph_store.close()
    if output is Format.JSON:
        typer.echo(to_json(points))
        return
    columns = list(points[0]) if points else ["date"]
    if output is Format.CSV:
        typer.echo(to_csv(columns, ([p[c] for c in columns] for p in points)), nl=False)  # type: ignore[literal-required]
        return
    shown = ["date", "people", "ties", "cross_org_share", "cross_sector_share", "ei_org"]
    table = rich_table(title=f"timeline, every {every.value}")
    for column in shown:
        table.add_column(column)
    for point in points:
        table.add_row(*(_fmt(point[c]) for c in shown))  # type: ignore[literal-required]
    rich_console().print(table)


class ProgrammeEvery(StrEnum):
    QUARTER = "quarter"
    YEAR = "year"


@app.command(name="programme")
def programme_command(
    start: Annotated[
        str | None, typer.Option("--from", help="YYYY-MM-DD (default: the first cohort's start)")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD (default today)")] = None,
    every: Annotated[
        ProgrammeEvery, typer.Option("--every", help="quarter or year")
    ] = ProgrammeEvery.QUARTER,
    ties: TiesOption = None,
    output: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """Every cohort, and everyone, over time: cross-organisation and cross-sector share,
    E-I and its excess over chance, organisations within two steps, the largest
    component and the silo index."""
    from graph import measure
    from graph.stores import open_store
    from graph.vocabulary import KeyRole
    from services.consent import Viewer
    from services.programme import ProgrammeQuestion, programme_view
    from services.schemas_programme import PROGRAMME_COLUMNS

    graph_store = open_store(store)
    try:
        asked = ProgrammeQuestion(
            start=parse_day(start, "--from") if start else None,
            end=parse_day(end, "--to") if end else None,
            every=every.value,
            kinds=measure.parse_kinds(ties),
        )
        view = programme_view(graph_store, Viewer(role=KeyRole.PROGRAMME, key_id="cli"), asked)
    finally:
        graph_store.close()
    if output is Format.JSON:
        typer.echo(view.model_dump_json(indent=2))
        return
    rows = [[getattr(p, c) for c in PROGRAMME_COLUMNS] for p in view.points]
    if output is Format.CSV:
        typer.echo(to_csv(PROGRAMME_COLUMNS, rows), nl=False)
        return
    shown = {
        "date": "date", "scope": "who", "people": "people", "ties": "ties",
        "cross_org_share": "x-org", "ei_org_excess": "excess", "silo_index": "silo",
    }  # fmt: skip
    table = rich_table(title=f"the programme, every {every.value} (--format csv: every column)")
    for header in shown.values():
        table.add_column(header, justify="left" if header == "who" else "right")
    for point in view.points:
        table.add_row(*(_fmt(getattr(point, c)) for c in shown))
    console = rich_console()
    console.print(table)
    console.print(view.snapshot)
