"""Open the store a URL names: the one place that knows every implementation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.errors import Invalid, Problem

if TYPE_CHECKING:
    from graph.settings import Settings
    from graph.store import GraphStore

NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def _settings(settings: Settings | None) -> Settings:
    """The settings given, or the environment's: read only when a URL or a password is
    missing, so a command given a SQLite URL does not import pydantic-settings (~50 ms)."""
    from graph.settings import get_settings

    return settings or get_settings()


def store_url(url: str | None = None, settings: Settings | None = None) -> str:
    """The URL given, or the settings' (``ALUMNI_GRAPH_STORE``)."""
    return url or _settings(settings).store


def open_store(url: str | None = None, settings: Settings | None = None) -> GraphStore:
    """A ``GraphStore`` for ``url`` (default: ``ALUMNI_GRAPH_STORE``)."""
    url = store_url(url, settings)
    if url.startswith("sqlite:///"):
        from graph.sqlite_store import SqliteStore

        return SqliteStore(url)
    if url.startswith(NEO4J_SCHEMES):
        from graph.neo4j_store import Neo4jStore

        settings = _settings(settings)
        return Neo4jStore(
            url,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
        )
    raise Invalid([Problem("settings", "store", url, "use sqlite:///PATH or neo4j://HOST:PORT")])


def record_counts(url: str | None = None, settings: Settings | None = None) -> dict[str, int]:
    """How many records of every kind the store at ``url`` holds (``GraphStore.counts``).

    An existing SQLite file whose tables are all there is counted in SQL alone, without
    importing the models or the store (about 60 ms of ``alumni-graph status``);
    any other store is opened, created or brought up to date first."""
    url = store_url(url, settings)
    if url.startswith("sqlite:///"):
        from graph.sqlite_store_counts import counts_of_existing

        found = counts_of_existing(url.removeprefix("sqlite:///") or ":memory:")
        if found is not None:
            return found
    store = open_store(url, settings)
    try:
        return store.counts()
    finally:
        store.close()
