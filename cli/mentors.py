"""``alumni-graph mentors``: match mentors to a cohort (``spec/matching.md``), and accept it.

Heavy imports (the store, the solver) happen inside the command, so ``--help`` stays fast.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.metrics import Format, FormatOption
from cli.output import rich_console, rich_table, to_csv, to_json
from graph.vocabulary import KeyRole

if TYPE_CHECKING:
    from services.schemas_decisions import MatchOut

app = typer.Typer(help="Mentors who open doors: match a pool to a cohort's participants.")

SCORE_PARTS = "score = new sector (3) + organisations opened + shared interests"

StoreOption = Annotated[str | None, typer.Option("--store", help="Store URL")]


def _csv(found: "MatchOut") -> str:
    header = ("mentor", "mentee", "score", "new_sector", "new_orgs", "shared_interests", "opens",
              "unmatched_reason")  # fmt: skip
    rows: list[list[object]] = [
        [p.mentor, p.mentee, p.score, p.new_sector, p.new_orgs, p.shared_interests,
         "; ".join(p.opens), ""]
        for p in found.pairs
    ]  # fmt: skip
    rows += [["", u.mentee, "", "", "", "", "", u.reason] for u in found.unmatched]
    return to_csv(header, rows)


def _table(found: "MatchOut", title: str) -> None:
    """One row a pair: the mentor's and the participant's emails whole, one above the
    other (``--accept`` and later files name them by them), the score and its parts,
    and what the pair opens, wrapped by words to the terminal's width."""
    table = rich_table(title=title, caption=SCORE_PARTS)
    table.add_column("mentor\n→ participant", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("opens", overflow="fold")
    for p in found.pairs:
        parts = f"{3 * p.new_sector}+{p.new_orgs}+{p.shared_interests}"
        table.add_row(f"{p.mentor}\n→ {p.mentee}", f"{p.score}\n{parts}", ", ".join(p.opens))
    console = rich_console()
    console.print(table)
    for u in found.unmatched:
        console.print(f"unmatched: {u.mentee} ({u.reason})")


@app.command()
def match(
    cohort: Annotated[
        str, typer.Option("--cohort", help="The cohort whose participants are matched")
    ],
    pool: Annotated[
        Path, typer.Option("--pool", help="Mentor pool: .csv, .xlsx (sheet mentors) or .json")
    ],
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="JSON: locked, forbidden, mentees_per_participant"),
    ] = None,
    output: FormatOption = Format.TABLE,
    accept: Annotated[
        bool, typer.Option("--accept", help="Write the match's mentoring ties (one ingest run)")
    ] = False,
    store: StoreOption = None,
) -> None:
    """The exact match: the most pairs, then the greatest total score (3 for a new
    sector, 1 per organisation opened, 1 per shared interest)."""
    from cli.output import command_store
    from services import mentoring
    from services.consent import Viewer

    team = Viewer(role=KeyRole.PROGRAMME, key_id="cli")
    with command_store(store) as graph_store:
        if accept:
            accepted = mentoring.accept_match(graph_store, team, cohort, pool, rules)
            found, title = accepted.match, f"accepted as run {accepted.run_id}"
        else:
            found = mentoring.match_for(graph_store, team, cohort, pool, rules)
            title = f"{len(found.pairs)} pairs, total score {found.total_score}"
    if output is Format.JSON:
        typer.echo(to_json(found.model_dump(mode="json")))
    elif output is Format.CSV:
        typer.echo(_csv(found), nl=False)
    else:
        _table(found, f"Mentors for {cohort}: {title}")
