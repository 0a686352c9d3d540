"""``alumni-graph ingest``: load a bundle, list runs, roll one back; and ``template``.

``ingest PATH`` and ``ingest runs`` share one group: ``IngestGroup`` sends the
first argument to ``runs`` or ``rollback`` when it names them and to ``load``
otherwise, so the everyday command stays the short one. (A bundle literally
named ``runs`` can still be loaded as ``ingest load runs``.)

Domain errors (unknown run, a run that is not the latest) are left to
``cli.main.main``, which turns them into one line and an exit status; a
refused bundle is not an error of the program but its answer, so ``load``
prints the report and exits with status 2 itself.
"""

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core

from cli.output import rich_console, rich_table

if TYPE_CHECKING:
    from rich.console import Console

    from ingest.pipeline import IngestReport
    from services.consent import Viewer

__all__ = ["REFUSED", "IngestGroup", "app", "template"]

REFUSED = 2
"""Exit status of a load that was refused (the same as ``Invalid`` in ``cli.main``)."""

_LOAD = "load"

WIDE_RUNS = 110
"""From this many columns on, ``ingest runs`` shows each file's checksum too."""


class IngestGroup(typer.core.TyperGroup):
    """Routes ``ingest PATH ...`` to ``ingest load PATH ...``; subcommands win by name."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [_LOAD, *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=IngestGroup,
    no_args_is_help=True,
    help="Load a cohort bundle (ingest PATH), list loads (runs), undo the latest (rollback).",
)


def _operator() -> "Viewer":
    """Whoever runs the command line: the programme team, on the machine the store is on."""
    from graph.vocabulary import KeyRole
    from services.consent import Viewer

    return Viewer(role=KeyRole.PROGRAMME, key_id="cli-ingest")


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="Store URL (default: ALUMNI_GRAPH_STORE or sqlite:///./alumni-graph.db)"
    ),
]


@app.command(_LOAD)
def load(
    path: Annotated[
        Path, typer.Argument(help="A bundle: .xlsx workbook, .json file or folder of CSV files")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count what would change; write nothing")
    ] = False,
    store: StoreOption = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table for people, json for programs")
    ] = OutputFormat.TABLE,
) -> None:
    """Load a cohort bundle: every error listed and nothing written, or all of it written."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    from cli.output import command_store
    from ingest.pipeline import STEPS
    from services import upload

    out, err = rich_console(), rich_console(stderr=True)
    with command_store(store) as graph_store:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            console=err,
            transient=True,
            disable=output is OutputFormat.JSON or not err.is_terminal,
        ) as bar:
            task = bar.add_task(STEPS[0], total=len(STEPS))

            def progress(step: str, done: int, total: int) -> None:
                bar.update(task, description=step, completed=done, total=total)

            report = upload.ingest_bundle(
                graph_store, _operator(), path, dry_run=dry_run, progress=progress
            )
    if output is OutputFormat.JSON:
        typer.echo(report.to_json())
    else:
        _print_report(out, report)
    if not report.ok:
        raise typer.Exit(REFUSED)


def _print_report(out: "Console", report: "IngestReport") -> None:
    if report.counts:
        summary = rich_table(title=f"{report.file_name}" + (" (dry run)" if report.dry_run else ""))
        summary.add_column("kind")
        for what in ("created", "updated", "unchanged"):
            summary.add_column(what, justify="right")
        for kind, counts in report.counts.items():
            summary.add_row(
                kind, *(str(counts.get(w, 0)) for w in ("created", "updated", "unchanged"))
            )
        summary.add_row(
            "total",
            *(str(report.total(w)) for w in ("created", "updated", "unchanged")),
            style="bold",
        )
        out.print(summary)
    for warning in report.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning}", markup=True, highlight=False)
    if report.errors:
        errors = rich_table(title=f"{len(report.errors)} error(s): nothing was written")
        for name in ("file", "sheet", "row", "column", "value", "reason"):
            errors.add_column(name, overflow="fold")
        for e in report.errors:
            hint = f" (did you mean: {', '.join(e.suggestions)}?)" if e.suggestions else ""
            row = "" if e.location.row is None else f"{e.location.unit} {e.location.row}"
            errors.add_row(
                e.location.file,
                e.location.sheet or "",
                row,
                e.column or "",
                "" if e.value is None else str(e.value),
                e.reason + hint,
            )
        out.print(errors)
        out.print(f"[red]refused:[/red] {report.file_name}: fix the errors above and load again")
    elif report.dry_run:
        out.print(
            f"dry run: {report.total('created')} created, {report.total('updated')} updated;"
            " nothing written"
        )
    else:
        out.print(
            f"loaded as run [bold]{report.run_id}[/bold]: {report.total('created')} created,"
            f" {report.total('updated')} updated"
        )


@app.command("runs")
def runs(
    store: StoreOption = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table for people, json for programs")
    ] = OutputFormat.TABLE,
) -> None:
    """Every load so far, oldest first, with what it changed."""
    from cli.output import command_store
    from services import upload

    with command_store(store) as graph_store:
        found = upload.list_runs(graph_store, _operator()).data
    if output is OutputFormat.JSON:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in found], indent=2))
        return
    console = rich_console()
    # The run id stays whole (``ingest rollback`` takes it); the file name folds and the
    # checksum (in --format json) is left out when the terminal is narrow.
    wide = console.width >= WIDE_RUNS
    table = rich_table(title="ingest runs")
    table.add_column("run", no_wrap=True, min_width=max((len(r.id) for r in found), default=3))
    table.add_column("file", overflow="fold", min_width=8)
    if wide:
        table.add_column("sha256", no_wrap=True)
    table.add_column("started", overflow="fold", min_width=10)
    table.add_column("status", overflow="fold")
    table.add_column("created / updated", justify="right", overflow="fold", min_width=7)
    for run in found:
        created = sum(c.get("created", 0) for c in run.counts.values())
        updated = sum(c.get("updated", 0) for c in run.counts.values())
        table.add_row(
            run.id,
            run.file_name,
            *([run.sha256[:12]] if wide else []),
            run.started_at.strftime("%Y-%m-%d %H:%M"),
            run.status.replace("_", " "),
            f"{created} / {updated}",
        )
    console.print(table)


@app.command("rollback")
def rollback(
    run_id: Annotated[str, typer.Argument(help="The run to undo (the latest applied one)")],
    store: StoreOption = None,
) -> None:
    """Undo the latest run: remove what it created and restore what it changed."""
    from cli.output import command_store
    from services import upload

    with command_store(store) as graph_store:
        report = upload.roll_back(graph_store, _operator(), run_id)
    rich_console().print(
        f"rolled back {run_id}: {report.deleted} removed, {report.updated} restored"
    )


def template(
    path: Annotated[Path, typer.Argument(help="Where to write the workbook (.xlsx)")],
) -> None:
    """Write an empty bundle workbook with every sheet, examples and drop-downs."""
    from ingest.template import write_template

    if path.suffix.casefold() != ".xlsx":
        raise typer.BadParameter("the template is an Excel workbook: give a path ending .xlsx")
    written = write_template(path)
    rich_console().print(
        f"wrote {written}: fill it in, then run alumni-graph ingest {written.name}"
    )
