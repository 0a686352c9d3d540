"""``alumni-graph selection``: plan a cohort's selection (``spec/selection.md``).

Heavy imports (the store, the solver) happen inside the command, so ``--help`` stays fast.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.metrics import Format, FormatOption
from cli.output import rich_console, rich_table, to_csv, to_json
from graph.vocabulary import KeyRole

if TYPE_CHECKING:
    from services.schemas_decisions import SelectionOut

app = typer.Typer(help="Cohorts that reach further: plan a selection among applicants.")

StoreOption = Annotated[str | None, typer.Option("--store", help="Store URL")]
QuotaOption = Annotated[list[str] | None, typer.Option(help="SECTOR=K, repeatable")]


def _csv(plan: "SelectionOut") -> str:
    header = ("email", "status", "value", "merit", "adds_objective", "adds_or_reason")
    rows: list[list[object]] = [
        [s.email, "selected", s.value, s.merit, "", "; ".join(s.adds)] for s in plan.selected
    ]
    rows += [[g.email, "left_out", g.value, g.merit, g.adds_objective, ""] for g in plan.left_out]
    rows += [[i.email, "ineligible", "", "", "", i.reason] for i in plan.ineligible]
    return to_csv(header, rows)


def _table(plan: "SelectionOut") -> None:
    console = rich_console()
    for u in plan.quotas_unmet:
        console.print(f"[red]quota not met:[/red] {u.quota}: short by {u.short_by} ({u.reason})")
    compare = rich_table(title="This selection beside the top by score")
    for column in ("", "this selection", "top by score"):
        compare.add_column(column)
    by = plan.by_score
    compare.add_row("objective", f"{plan.objective:.3f}", f"{by.objective:.3f}")
    compare.add_row("network value", f"{plan.network_value:.3f}", f"{by.network_value:.3f}")
    compare.add_row("merit", f"{plan.merit:.3f}", f"{by.merit:.3f}")
    compare.add_row("organisations", str(len(plan.organisations)), str(len(by.organisations)))
    compare.add_row("sectors", ", ".join(plan.sectors), ", ".join(by.sectors))
    compare.add_row("areas", str(len(plan.areas)), str(len(by.areas)))
    console.print(compare)
    # the applicant's email whole (a later file names them by it); what they add wraps
    chosen = rich_table(title=f"Selected ({len(plan.selected)})")
    chosen.add_column("applicant", no_wrap=True)
    chosen.add_column("value", justify="right", no_wrap=True)
    chosen.add_column("merit", justify="right", no_wrap=True)
    chosen.add_column("adds", overflow="fold")
    for s in plan.selected:
        chosen.add_row(s.email, f"{s.value:.3f}", f"{s.merit:.2f}", "; ".join(s.adds))
    console.print(chosen)
    if plan.left_out:
        left = rich_table(title="Left out, in order of what one extra place would add")
        left.add_column("applicant", no_wrap=True)
        left.add_column("would add", justify="right", no_wrap=True)
        for g in plan.left_out:
            left.add_row(g.email, f"{g.adds_objective:.3f}")
        console.print(left)
    for i in plan.ineligible:
        console.print(f"not eligible: {i.email} ({i.reason})")


@app.command()
def plan(
    applicants: Annotated[
        Path, typer.Argument(help="Applicants: .csv, .xlsx (sheet applicants) or .json")
    ],
    places: Annotated[int, typer.Option("--places", help="Places in the cohort")],
    sector_min: QuotaOption = None,
    sector_max: QuotaOption = None,
    organisation_max: Annotated[
        int | None, typer.Option("--organisation-max", help="At most K from one organisation")
    ] = None,
    merit_weight: Annotated[
        float, typer.Option("--merit-weight", help="Weight w of merit (default 1)")
    ] = 1.0,
    output: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """The exact selection: min(N, eligible) applicants meeting every quota with the
    greatest network value + w · merit; beside it, the top N by score."""
    from cli.output import command_store
    from services import selection
    from services.consent import Viewer

    minima = dict(selection.parse_quota(q, "--sector-min") for q in sector_min or [])
    maxima = dict(selection.parse_quota(q, "--sector-max") for q in sector_max or [])
    team = Viewer(role=KeyRole.PROGRAMME, key_id="cli")
    with command_store(store) as graph_store:
        found = selection.plan_for(
            graph_store,
            team,
            applicants,
            places=places,
            sector_min=minima,
            sector_max=maxima,
            organisation_max=organisation_max,
            merit_weight=merit_weight,
        )
    if output is Format.JSON:
        typer.echo(to_json(found.model_dump(mode="json")))
    elif output is Format.CSV:
        typer.echo(_csv(found), nl=False)
    else:
        _table(found)
