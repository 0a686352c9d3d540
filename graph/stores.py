"""Open the store a URL names: the one place that knows every implementation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from graph.errors import Invalid, Problem
from graph.store import GraphStore

if TYPE_CHECKING:
    from graph.settings import Settings

NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def _settings(settings: Settings | None) -> Settings:
    """The settings given, or the environment's: read only when a URL or a password is
    missing, so a command given a SQLite URL does not import pydantic-settings (~50 ms)."""
    from graph.settings import get_settings

    return settings or get_settings()


def open_store(url: str | None = None, settings: Settings | None = None) -> GraphStore:
    """A ``GraphStore`` for ``url`` (default: ``ALUMNI_GRAPH_STORE``)."""
    url = url or _settings(settings).store
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
