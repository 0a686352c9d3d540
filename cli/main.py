"""``alumni-graph``: one entry point, a command group per capability.

Domain errors become a one-line message and a non-zero exit status here, in
one place; anything else is a bug and keeps its traceback.
"""

import os
import sys
from typing import Annotated, Any

import typer
import typer.core

from cli import backup, keys, metrics, survey, wicked
from cli import mentors as mentor_commands
from cli import selection as selection_commands
from cli.demo import demo
from cli.ingest import app as ingest_app
from cli.ingest import template
from cli.output import aligned, rich_console
from cli.people import cohorts, organisations, people
from cli.visualise import report, visualise
from graph.errors import AlumniGraphError, Invalid, NotFound


class WordsGroup(typer.core.TyperGroup):
    """The root command: an option's value that typer refuses is said in words (the
    value and why, a suggestion among choices), whichever subcommand it was given to."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except typer.BadParameter as error:
            from cli.output import bad_value_in_words

            words = bad_value_in_words(error)
            if words is not None:
                error.message = words
            raise


app = typer.Typer(
    cls=WordsGroup,
    no_args_is_help=True,
    help="The alumni network of a systems-leadership programme.",
)

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="Store URL (default: ALUMNI_GRAPH_STORE or sqlite:///./alumni-graph.db)"
    ),
]


@app.callback()
def _root() -> None:
    """The alumni network of a systems-leadership programme, as a graph."""


def exit_code_for(error: AlumniGraphError) -> int:
    if isinstance(error, Invalid):
        return 2
    if isinstance(error, NotFound):
        return 3
    return 1


app.add_typer(metrics.app, name="metrics")
app.add_typer(ingest_app, name="ingest")
app.add_typer(keys.app, name="keys")
app.add_typer(wicked.app, name="wicked")
app.add_typer(mentor_commands.app, name="mentors")
app.add_typer(selection_commands.app, name="selection")
app.add_typer(survey.app, name="survey")
app.command("template")(template)
app.command("demo")(demo)
app.command("visualise")(visualise)
app.command("report")(report)
app.command("export")(backup.export)
app.command("import")(backup.import_)
app.command("people")(people)
app.command("organisations")(organisations)
app.command("cohorts")(cohorts)


@app.command()
def status(store: StoreOption = None) -> None:
    """How many records of every kind the store holds."""
    from graph.stores import record_counts, store_url

    url = store_url(store)
    counts = record_counts(url)
    typer.echo(f"alumni-graph status: {url}")
    for line in aligned([("kind", "count"), *((k, str(n)) for k, n in counts.items())]):
        typer.echo(line)


@app.command()
def serve(
    store: StoreOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, envvar="ALUMNI_GRAPH_WORKERS", help="Worker processes")
    ] = 1,
) -> None:
    """Serve the API and pages.

    Every worker opens the store itself (sessions and checked uploads are shared
    through the store and the staging folder). The access log names routes, not
    paths: no query strings, no person ids. Forwarded headers are read by the app,
    from ALUMNI_GRAPH_TRUSTED_PROXIES only, never by uvicorn. Each worker reads the warm
    network introduction paths search as it starts (ALUMNI_GRAPH_WARM_ON_START=false:
    at the first path asked for instead), and keeps its own copy of it: on Neo4j at
    100,000 people two workers on 2 cores answered four clients' paths at twice the
    rate of one (BENCHMARKS.md), each holding about 1.2 GiB.
    """
    import uvicorn

    from api.access_log import log_config
    from graph.settings import get_settings

    if store:
        os.environ["ALUMNI_GRAPH_STORE"] = store  # for each worker's create_app()
    # Each worker reads the warm network as it starts, not at its first path asked for.
    os.environ.setdefault("ALUMNI_GRAPH_WARM_ON_START", "true")
    get_settings.cache_clear()
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        log_config=log_config(),
    )


def _print_error(words: str) -> None:
    from rich.text import Text

    rich_console(stderr=True).print(Text("error: ", style="red") + Text(words), highlight=False)


def _store_in(argv: list[str]) -> str | None:
    """The ``--store`` a command line names (``--store URL`` or ``--store=URL``), if any."""
    for index, arg in enumerate(argv):
        if arg == "--store" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--store="):
            return arg.removeprefix("--store=")
    return None


def _suggesting(error: AlumniGraphError) -> AlumniGraphError:
    """A ``NotFound`` from a command that opened its store itself (not through
    ``cli.output.command_store``), with suggestions read from that store as well."""
    if not isinstance(error, NotFound) or error.suggestions:
        return error
    from cli.output import command_store

    try:
        with command_store(_store_in(sys.argv[1:])):
            raise error
    except NotFound as suggested:
        return suggested
    except AlumniGraphError:  # the store cannot be read now: the error as it was
        return error


def main() -> None:
    from cli.output import in_words, validation_in_words

    try:
        app()
    except AlumniGraphError as error:
        _print_error(in_words(_suggesting(error)))
        raise SystemExit(exit_code_for(error)) from None
    except OSError as error:  # an output the command cannot write (or a file it cannot read)
        if error.filename is None:
            raise
        _print_error(f"cannot use {error.filename}: {error.strerror or error}")
        raise SystemExit(1) from None
    except Exception as error:  # a request a command built was refused by its model
        words = validation_in_words(error)
        if words is None:
            raise
        _print_error(words)
        raise SystemExit(2) from None


if __name__ == "__main__":  # python -m cli.main, as the installed alumni-graph
    main()
