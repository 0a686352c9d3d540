"""``alumni-graph export -o FILE.jsonl`` and ``alumni-graph import FILE.jsonl``.

The format and what a backup holds are in ``graph.backup``. Refusals (a store
that is not empty, a truncated or altered file) are domain errors, turned into
one line and a non-zero exit status by ``cli.main.main``.
"""

from pathlib import Path
from typing import Annotated

import typer

from cli.output import rich_console

__all__ = ["export", "import_"]

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="Store URL (default: ALUMNI_GRAPH_STORE or sqlite:///./alumni-graph.db)"
    ),
]


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {kind}" for kind, n in counts.items() if n)


def export(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Where to write the backup (.jsonl)")
    ],
    store: StoreOption = None,
) -> None:
    """Write the whole store (records, runs, journal, key hashes, erasures) to one file."""
    from graph.backup import export_store
    from graph.stores import open_store

    graph_store = open_store(store)
    try:
        counts = export_store(graph_store, output)
    finally:
        graph_store.close()
    rich_console(stderr=True).print(f"exported {graph_store.url} to {output}: {_summary(counts)}")


def import_(
    path: Annotated[Path, typer.Argument(help="A backup written by alumni-graph export")],
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Replace a store that is not empty (all its content)"),
    ] = False,
    store: StoreOption = None,
) -> None:
    """Restore a backup into an empty store, in one transaction; a damaged file writes nothing."""
    from graph.backup import import_store
    from graph.stores import open_store

    graph_store = open_store(store)
    try:
        counts = import_store(graph_store, path, replace=replace)
    finally:
        graph_store.close()
    rich_console(stderr=True).print(f"imported {path} into {graph_store.url}: {_summary(counts)}")
