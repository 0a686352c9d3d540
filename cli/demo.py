"""``alumni-graph demo``: write three invented cohorts as bundles and load them.

The bundles go to ``./demo-bundles`` by default, not a temporary folder, so
that a new user can open them and see what a bundle looks like in each
container before making their own. They are loaded with
``ingest.pipeline.load_bundle``, the path every real bundle takes, so the demo
also shows what a load reports (including the one deliberate warning).

Running it again rewrites byte-identical files and skips every bundle whose
bytes the store has already loaded, so the second run creates nothing, not
even an ingest run. (Loading an older bundle again after a newer one would
put back its older facts, such as a job title from before a move.)

Wire it with ``app.command("demo")(demo)`` in ``cli.main``.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.output import rich_console
from graph.vocabulary import KeyRole, Role

if TYPE_CHECKING:
    from rich.console import Console

    from graph.store import GraphStore
    from ingest.pipeline import IngestReport

__all__ = ["DEFAULT_OUT", "demo"]

DEFAULT_OUT = Path("demo-bundles")
"""Where the bundles go unless ``--out`` says otherwise (relative to the working directory)."""

_COUNTS = ("created", "updated", "unchanged")

REFUSED = 2
"""Exit status when a demo bundle is refused (as for ``Invalid`` in ``cli.main``)."""


def demo(
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Store URL (default: ALUMNI_GRAPH_STORE or sqlite:///./alumni-graph.db)",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the demo bundles (default: ./demo-bundles)"),
    ] = None,
    keys: Annotated[
        bool,
        typer.Option("--keys", help="Also print a new API key for each role, to try the API"),
    ] = False,
) -> None:
    """Write three demo cohorts of Leading Greater Essex as bundles and load them."""
    from graph.stores import open_store
    from ingest.demo import write_demo
    from ingest.pipeline import load_bundle
    from ingest.read import read_bundle

    console = rich_console(highlight=False, soft_wrap=True)
    folder = out or DEFAULT_OUT
    paths = write_demo(folder)
    console.print(f"wrote {len(paths)} demo bundles to {folder}")
    graph_store = open_store(store)
    try:
        loaded = {run.sha256 for run in graph_store.runs() if run.status == "applied"}
        for path in paths:
            if read_bundle(path).sha256 in loaded:
                console.print(f"{path.name}: skipped, these exact bytes are already loaded")
                continue
            report = load_bundle(path, graph_store)
            _print_summary(console, path.name, report)
            if not report.ok:
                raise typer.Exit(REFUSED)
        _print_decisions(console)
        _open_survey_wave(console, graph_store)
        if keys:
            _print_keys(console, graph_store)
    finally:
        graph_store.close()


def _print_decisions(console: "Console") -> None:
    """Where the demo's mentor pool and applicants are, and the pages that use them."""
    from demo import path as demo_file

    pool, applicants = demo_file("mentor-pool.csv"), demo_file("applicants.csv")
    console.print(
        "decisions: the pages /mentors (cohort lge-2021, the demo's pool) and /selection (the"
        f" demo's applicants), or alumni-graph mentors match --cohort lge-2021 --pool {pool};"
        f" alumni-graph selection plan {applicants} --places 20"
    )


def _open_survey_wave(console: "Console", store: "GraphStore") -> None:
    """A survey wave in progress (services.survey_demo); once only."""
    from services.survey_demo import open_demo_wave

    opened = open_demo_wave(store)
    if opened is None:
        return
    console.print(
        f"opened the {opened.wave.value} survey of {opened.cohort_id}:"
        f" {opened.answered} of {opened.members} members have answered"
    )
    if opened.try_link:
        console.print(f"  try the form (a member who has not answered): {opened.try_link}")


def _print_keys(console: "Console", store: "GraphStore") -> None:
    """A fresh key per role; the alumni key belongs to a participant who shares
    their details, so its caller sees a typical alumnus's view."""
    from api.keys import issue_key
    from graph.model import Membership, Person
    from graph.store import Page

    member = next(
        m
        for m in store.find(Membership, {"role": Role.PARTICIPANT.value}, Page(limit=500)).data
        if (p := store.get(Person, m.person_id)).consent_directory and p.consent_contact
    )
    alumnus = store.get(Person, member.person_id)
    console.print("API keys for this demo (shown once, stored hashed):")
    for role in (KeyRole.ADMIN, KeyRole.PROGRAMME, KeyRole.ALUMNI):
        person_id = alumnus.id if role is KeyRole.ALUMNI else None
        key, _ = issue_key(store, role, person_id)
        whose = f" ({alumnus.name}, {member.cohort_id})" if person_id else ""
        console.print(f"  {role.value:<9} {key}{whose}")


def _print_summary(console: "Console", name: str, report: "IngestReport") -> None:
    if report.ok:
        counts = ", ".join(f"{report.total(what)} {what}" for what in _COUNTS)
        plural = "" if len(report.warnings) == 1 else "s"
        console.print(f"{name}: loaded, {counts}, {len(report.warnings)} warning{plural}")
    else:
        console.print(f"[red]{name}: refused[/red], {len(report.errors)} error(s), nothing written")
    for warning in report.warnings:
        console.print(f"  [yellow]warning:[/yellow] {warning}")
    for error in report.errors:
        console.print(f"  [red]error:[/red] {error}")
