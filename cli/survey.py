"""``alumni-graph survey``: open, follow, reissue and close survey waves.

``open`` prints each member's email and personal link, once (the store keeps only
their hashes): one ``EMAIL<TAB>LINK`` line a member, or ``--format json|csv`` for a
mail merge. The same use cases serve ``/surveys`` (``services.surveys``). Domain
errors are left to ``cli.main.main``, which turns them into one line and an exit
status.
"""

import csv
import io
import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from graph.vocabulary import KeyRole, Wave

if TYPE_CHECKING:
    from services.consent import Viewer

app = typer.Typer(no_args_is_help=True, help="Open, follow, reissue and close survey waves.")

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="Store URL (default: ALUMNI_GRAPH_STORE or sqlite:///./alumni-graph.db)"
    ),
]
CohortOption = Annotated[str, typer.Option("--cohort", help="The cohort's id, e.g. lge-2024")]
WaveOption = Annotated[Wave, typer.Option("--wave", help="baseline, end or follow_up")]
BaseUrlOption = Annotated[
    str,
    typer.Option("--base-url", help="The service's address, put before each /s/TOKEN link"),
]
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


class LinkFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    CSV = "csv"


def _team() -> "Viewer":
    from services.consent import Viewer

    return Viewer(role=KeyRole.PROGRAMME, key_id="cli-survey")


def read_indicators(path: Path) -> list[dict[str, str]]:
    """Indicators from a CSV (``id,wording``) or a JSON list of ``{"id", "wording"}``."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.casefold() == ".json":
        found = json.loads(text)
        if not isinstance(found, list):
            raise typer.BadParameter("a JSON list of {id, wording}", param_hint="--indicators")
        return [{"id": str(i.get("id", "")), "wording": str(i.get("wording", ""))} for i in found]
    rows = csv.DictReader(io.StringIO(text))
    return [{"id": r.get("id", "") or "", "wording": r.get("wording", "") or ""} for r in rows]


@app.command("open")
def open_(
    cohort: CohortOption,
    wave: WaveOption,
    closes: Annotated[str, typer.Option("--closes", help="Last day to answer, YYYY-MM-DD")],
    indicators: Annotated[
        Path | None,
        typer.Option("--indicators", help="CSV (id,wording) or JSON of self-assessment indicators"),
    ] = None,
    fmt: Annotated[LinkFormat, typer.Option("--format", help="text, json or csv")] = (
        LinkFormat.TEXT
    ),
    base_url: BaseUrlOption = DEFAULT_BASE_URL,
    store: StoreOption = None,
) -> None:
    """Open a wave: one personal link per member, printed once."""
    from pydantic import TypeAdapter, ValidationError

    from cli.output import command_store
    from graph.errors import Invalid, Problem
    from graph.surveys import Indicator
    from services.surveys import open_wave
    from services.tables import neutralise

    try:
        closes_on = date.fromisoformat(closes)
    except ValueError as exc:
        raise typer.BadParameter(f"{closes!r} is not YYYY-MM-DD", param_hint="--closes") from exc
    try:
        given = read_indicators(indicators) if indicators else []
        parsed = TypeAdapter(list[Indicator]).validate_python(given)
    except ValidationError as exc:
        raise Invalid(
            [Problem(f"indicators row {e['loc'][0]}", str(e["loc"][-1]), None, e["msg"])
             for e in exc.errors()]
        ) from exc  # fmt: skip
    with command_store(store) as graph_store:
        opened = open_wave(graph_store, _team(), cohort, wave, closes_on, parsed)
    rows = [
        {
            "email": link.email,
            "name": link.name,
            "roles": ";".join(r.value for r in link.roles),
            "link": base_url.rstrip("/") + link.link,
        }
        for link in opened.links
    ]
    if fmt is LinkFormat.JSON:
        typer.echo(json.dumps(rows, indent=2))
    elif fmt is LinkFormat.CSV:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["email", "name", "roles", "link"])
        writer.writeheader()
        writer.writerows({k: neutralise(v) for k, v in row.items()} for row in rows)
        typer.echo(out.getvalue(), nl=False)
    else:
        for row in rows:
            typer.echo(f"{row['email']}\t{row['link']}")


@app.command()
def status(cohort: CohortOption, wave: WaveOption, store: StoreOption = None) -> None:
    """Who has answered, and the response rate by role and organisation."""
    from cli.output import command_store
    from services.surveys import wave_status

    with command_store(store) as graph_store:
        found = wave_status(graph_store, _team(), cohort, wave)
    state = "open" if found.open else f"closed (run {found.run_id})" if found.run_id else "closed"
    r = found.response
    typer.echo(f"{cohort} {wave.value}: {state}, closes {found.closes_on.isoformat()}")
    typer.echo(f"answered {r.answered} / {r.members} ({r.rate:.0%})")
    for title, groups in (("by role", found.by_role), ("by organisation", found.by_organisation)):
        typer.echo(f"{title}:")
        for name, g in groups.items():
            typer.echo(f"  {name}: {g.answered} / {g.members} ({g.rate:.0%})")


@app.command()
def reissue(
    email: Annotated[str, typer.Argument(help="The member's email")],
    cohort: CohortOption,
    wave: WaveOption,
    base_url: BaseUrlOption = DEFAULT_BASE_URL,
    store: StoreOption = None,
) -> None:
    """A new link for one member (printed once); their old link stops working."""
    from cli.output import command_store
    from services.surveys import reissue_link

    with command_store(store) as graph_store:
        link = reissue_link(graph_store, _team(), cohort, wave, email)
    typer.echo(f"{link.email}\t{base_url.rstrip('/')}{link.link}")


@app.command()
def close(cohort: CohortOption, wave: WaveOption, store: StoreOption = None) -> None:
    """Close a wave: links stop working and the answers load as one ingest run."""
    from cli.output import command_store
    from services.surveys import close_wave

    with command_store(store) as graph_store:
        closed = close_wave(graph_store, _team(), cohort, wave)
    r = closed.response
    created = sum(c.get("created", 0) for c in closed.counts.values())
    typer.echo(
        f"closed {cohort} {wave.value}: answered {r.answered} / {r.members} ({r.rate:.0%});"
        f" loaded as run {closed.run_id} ({created} created)"
    )
    for warning in closed.warnings:
        typer.echo(f"warning: {warning}")
    typer.echo(f"undo with: alumni-graph ingest rollback {closed.run_id}")


@app.command()
def development(cohort: CohortOption, store: StoreOption = None) -> None:
    """Individual development: per indicator and rater, the mean score at two waves over
    the people rated at both, and its change."""
    from cli.output import command_store
    from services.surveys import cohort_development

    with command_store(store) as graph_store:
        found = cohort_development(graph_store, _team(), cohort)
    if not found:
        typer.echo(f"{cohort}: nobody has been rated at two waves yet")
    for d in found:
        typer.echo(
            f"{d.indicator}\t{d.rater}\t{d.from_wave.value} -> {d.to_wave.value}\t"
            f"{d.people} people\t{d.mean_from:.2f} -> {d.mean_to:.2f} ({d.change:+.2f})"
        )
