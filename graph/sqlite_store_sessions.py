"""Page sessions of the SQLite store, in a file of their own beside the graph's."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from graph.errors import NotFound, StoreUnavailable
from graph.store import PageSession

_SESSION_COLUMNS = (
    "token_sha256, key_id, key_sha256, created_at, expires_at, staged_id, staged_name"
)


def _session_row(session: PageSession) -> tuple[Any, ...]:
    return (
        session.token_sha256,
        session.key_id,
        session.key_sha256,
        session.created_at.timestamp(),
        session.expires_at.timestamp(),
        session.staged_id,
        session.staged_name,
    )


def _session_of(row: Sequence[Any]) -> PageSession:
    token, key_id, key_sha256, created, expires, staged_id, staged_name = row
    return PageSession(
        token_sha256=token,
        key_id=key_id,
        key_sha256=key_sha256,
        created_at=datetime.fromtimestamp(created, UTC),
        expires_at=datetime.fromtimestamp(expires, UTC),
        staged_id=staged_id,
        staged_name=staged_name,
    )


class SessionFile:
    """Page sessions in a file of their own beside the graph's (``graph.db-sessions``),
    on their own connection: a sign-in is not a change to the graph, so it must not
    change the graph file's ``data_version`` (every other process would drop its read
    caches) nor wait behind a long load holding the graph's write lock."""

    def __init__(self, graph_path: str) -> None:
        path = ":memory:" if graph_path == ":memory:" else f"{graph_path}-sessions"
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open {path}: {exc}") from exc
        self._lock = threading.Lock()
        for statement in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA secure_delete = ON",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA busy_timeout = 5000",
            "CREATE TABLE IF NOT EXISTS page_session (token_sha256 TEXT PRIMARY KEY,"
            " key_id TEXT NOT NULL, key_sha256 TEXT NOT NULL, created_at REAL NOT NULL,"
            " expires_at REAL NOT NULL, staged_id TEXT, staged_name TEXT)",
            "CREATE INDEX IF NOT EXISTS page_session_key ON page_session(key_id, created_at)",
            "CREATE INDEX IF NOT EXISTS page_session_expiry ON page_session(expires_at)",
        ):
            self._conn.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _write(self, sql: str, params: Sequence[Any]) -> int:
        with self._lock:
            return self._conn.execute(sql, params).rowcount

    def delete(self, token_sha256: str) -> None:
        self._write("DELETE FROM page_session WHERE token_sha256 = ?", (token_sha256,))

    def delete_of_key(self, key_id: str) -> int:
        return self._write("DELETE FROM page_session WHERE key_id = ?", (key_id,))

    def delete_expired(self, now: datetime) -> int:
        return self._write("DELETE FROM page_session WHERE expires_at <= ?", (now.timestamp(),))

    def save(self, session: PageSession, keep_per_key: int | None) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.execute(
                    f"INSERT OR REPLACE INTO page_session ({_SESSION_COLUMNS})"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    _session_row(session),
                )
                if keep_per_key is not None:
                    self._conn.execute(
                        "DELETE FROM page_session WHERE token_sha256 IN"
                        " (SELECT token_sha256 FROM page_session WHERE key_id = ?"
                        "  ORDER BY created_at DESC, token_sha256 DESC LIMIT -1 OFFSET ?)",
                        (session.key_id, max(keep_per_key, 0)),
                    )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def get(self, token_sha256: str, now: datetime) -> PageSession:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM page_session"
                " WHERE token_sha256 = ? AND expires_at > ?",
                (token_sha256, now.timestamp()),
            ).fetchall()
        if not rows:
            raise NotFound("session", "by hash")
        return _session_of(rows[0])

    def of_key(self, key_id: str) -> list[PageSession]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_SESSION_COLUMNS} FROM page_session WHERE key_id = ?"
                " ORDER BY created_at, token_sha256",
                (key_id,),
            ).fetchall()
        return [_session_of(r) for r in rows]
