"""``alumni-graph keys``: issue, list and revoke API keys.

``create`` prints the new key as its last line (``| tail -n 1`` gets it) and
nowhere else: the store keeps only its SHA-256, so a lost key is revoked and
replaced, never recovered. Domain errors (unknown person, unknown key) are left
to ``cli.main.main``, which turns them into one line and an exit status.
"""

from datetime import UTC, datetime
from typing import Annotated

import typer

from cli.output import rich_console, rich_table
from graph.vocabulary import KeyRole

app = typer.Typer(no_args_is_help=True, help="Issue, list and revoke API keys.")

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="Store URL (default: ALUMNI_GRAPH_STORE or sqlite:///./alumni-graph.db)"
    ),
]


@app.command()
def create(
    role: Annotated[KeyRole, typer.Option("--role", help="alumni, programme or admin")],
    person: Annotated[
        str | None,
        typer.Option("--person", help="The key's person: email or id (required for alumni)"),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Issue a key and print it, once, as the last line."""
    from api.keys import issue_key
    from cli.output import command_store, person_option

    with command_store(store) as graph_store:
        person_id = person_option(graph_store, person) if person else None
        key, record = issue_key(graph_store, role, person_id)
    owner = f" for {person}" if person else ""
    typer.echo(f"created {record.role.value} key {record.id}{owner}")
    typer.echo("shown once, stored only as a hash; send it as: Authorization: Bearer KEY")
    typer.echo(key)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


@app.command("list")
def list_keys(store: StoreOption = None) -> None:
    """Every key's id, role, person and dates (never a secret)."""
    from cli.output import command_store

    with command_store(store) as graph_store:
        found = graph_store.keys()
    table = rich_table(title="API keys")
    table.add_column("id", no_wrap=True, min_width=8)  # whole: revoke takes it
    table.add_column("role", no_wrap=True)
    table.add_column("person", overflow="fold")
    table.add_column("created (UTC)", overflow="fold", min_width=10)
    table.add_column("revoked (UTC)", overflow="fold", min_width=10)
    for k in found:
        table.add_row(
            k.id,
            k.role.value,
            k.person_id or "",
            _when(k.created_at),
            _when(k.revoked_at) if k.revoked_at else "",
        )
    rich_console().print(table)


@app.command()
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (the 8 characters after ag_)")],
    store: StoreOption = None,
) -> None:
    """Refuse a key from now on."""
    from api.keys import revoke_key
    from cli.output import command_store

    with command_store(store) as graph_store:
        record = revoke_key(graph_store, key_id)
    assert record.revoked_at is not None
    typer.echo(f"revoked key {record.id} at {record.revoked_at.isoformat(timespec='seconds')}")
