"""Open the store a URL names: the one place that knows every implementation."""

from __future__ import annotations

from graph.errors import Invalid, Problem
from graph.settings import Settings, get_settings
from graph.store import GraphStore

NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def open_store(url: str | None = None, settings: Settings | None = None) -> GraphStore:
    """A ``GraphStore`` for ``url`` (default: ``ALUMNI_GRAPH_STORE``)."""
    settings = settings or get_settings()
    url = url or settings.store
    if url.startswith("sqlite:///"):
        from graph.sqlite_store import SqliteStore

        return SqliteStore(url)
    if url.startswith(NEO4J_SCHEMES):
        from graph.neo4j_store import Neo4jStore

        return Neo4jStore(
            url,
            user=settings.neo4j_user,
            password=settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
        )
    raise Invalid([Problem("settings", "store", url, "use sqlite:///PATH or neo4j://HOST:PORT")])
