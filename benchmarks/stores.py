"""The stores under test: an empty one on demand, of either kind, by URL."""

from __future__ import annotations

import os
from pathlib import Path

from graph.sqlite_store import path_from_url
from graph.store import GraphStore
from graph.stores import open_store

__all__ = ["fresh_store", "neo4j_version", "sqlite_url", "store_mib"]


def sqlite_url(folder: Path, name: str) -> str:
    return f"sqlite:///{(folder / f'{name}.db').resolve()}"


def fresh_store(url: str) -> GraphStore:
    """An empty store at ``url``: SQLite files removed, or every Neo4j node deleted."""
    if url.startswith("sqlite:///"):
        path = Path(path_from_url(url))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return open_store(url)
    store = open_store(url)
    wipe = getattr(store, "wipe", None)
    if wipe is None:
        raise TypeError(f"cannot empty the store at {url}")
    wipe()
    return store


def neo4j_version(url: str) -> str | None:
    """The server's version string, as ``dbms.components()`` reports it."""
    from neo4j import GraphDatabase

    from graph.settings import get_settings

    settings = get_settings()
    auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    with GraphDatabase.driver(url, auth=auth) as driver:
        records, _, _ = driver.execute_query(
            "CALL dbms.components() YIELD name, versions, edition"
            " RETURN name, versions[0] AS version, edition",
            database_=settings.neo4j_database,
        )
    return " ".join(f"{r['name']} {r['version']} {r['edition']}" for r in records) or None


def neo4j_memory(url: str) -> dict[str, str]:
    """The server's page cache and transaction memory limit, as it reports them: the
    settings it actually runs with, whoever started it (the limit is 70% of its heap)."""
    from neo4j import GraphDatabase

    from graph.settings import get_settings

    settings = get_settings()
    auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
    wanted = ["server.memory.pagecache.size", "dbms.memory.transaction.total.max"]
    with GraphDatabase.driver(url, auth=auth) as driver:
        records, _, _ = driver.execute_query(
            "CALL dbms.listConfig() YIELD name, value WHERE name IN $wanted RETURN name, value",
            wanted=wanted,
            database_=settings.neo4j_database,
        )
    return {r["name"]: str(r["value"]) for r in records}


def store_mib(url: str) -> float | None:
    """Bytes on disk of the store, in MiB: the SQLite files, or the Neo4j data folder
    when ``ALUMNI_GRAPH_NEO4J_HOME`` names it (as ``make bench`` does)."""
    if url.startswith("sqlite:///"):
        base = path_from_url(url)
        files = [Path(f"{base}{suffix}") for suffix in ("", "-wal", "-shm")]
    else:
        home = os.environ.get("ALUMNI_GRAPH_NEO4J_HOME")
        if not home or not (Path(home) / "data").is_dir():
            return None
        files = [p for p in (Path(home) / "data").rglob("*") if p.is_file()]
    return round(sum(f.stat().st_size for f in files if f.exists()) / 2**20, 1)
