"""``SurveyStore`` for the SQLite store: a file of its own beside the graph's
(``graph.db-surveys``), on its own connection, as page sessions are: a respondent
saving answers is not a change to the graph, so it must not move the graph file's
``data_version`` (every process would drop its read caches), nor wait behind a
long load holding the graph's write lock.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from graph.errors import Conflict, NotFound, StoreUnavailable
from graph.model import Wave
from graph.surveys import WAVE_ORDER, SavedAnswers, SurveyStore, SurveyToken, SurveyWave

__all__ = ["SqliteSurveys", "surveys_of"]

_SCHEMA = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA secure_delete = ON",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA busy_timeout = 5000",
    "CREATE TABLE IF NOT EXISTS survey_wave (key TEXT PRIMARY KEY, cohort_id TEXT NOT NULL,"
    " wave TEXT NOT NULL, closed INTEGER NOT NULL, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS survey_token (token_sha256 TEXT PRIMARY KEY,"
    " cohort_id TEXT NOT NULL, wave TEXT NOT NULL, person_id TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS survey_token_person ON survey_token(cohort_id, wave, person_id)",
    "CREATE INDEX IF NOT EXISTS survey_token_of ON survey_token(person_id)",
    "CREATE TABLE IF NOT EXISTS survey_answers (key TEXT PRIMARY KEY, cohort_id TEXT NOT NULL,"
    " wave TEXT NOT NULL, person_id TEXT NOT NULL, revision INTEGER NOT NULL,"
    " data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS survey_answers_wave ON survey_answers(cohort_id, wave, person_id)",
)

_LOCK = threading.Lock()


def surveys_of(owner: Any, graph_path: str) -> SurveyStore:
    """The surveys of one ``SqliteStore`` (made on first use, then kept on it)."""
    with _LOCK:
        found = owner.__dict__.get("_surveys")
        if found is None:
            found = owner.__dict__["_surveys"] = SqliteSurveys(graph_path)
            # Closed with the store's object, so no connection is left to the collector.
            weakref.finalize(owner, found.close)
        assert isinstance(found, SqliteSurveys)
        return found


def _wave_rank(wave: SurveyWave) -> tuple[str, int]:
    return wave.cohort_id, WAVE_ORDER.index(wave.wave)


class SqliteSurveys:
    def __init__(self, graph_path: str) -> None:
        path = ":memory:" if graph_path == ":memory:" else f"{graph_path}-surveys"
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open {path}: {exc}") from exc
        self._lock = threading.Lock()
        for statement in _SCHEMA:
            self._conn.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- waves ------------------------------------------------------------------
    def save_wave(self, wave: SurveyWave) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO survey_wave (key, cohort_id, wave, closed, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    wave.key,
                    wave.cohort_id,
                    wave.wave.value,
                    int(wave.closed_at is not None),
                    wave.model_dump_json(),
                ),
            )

    def wave(self, cohort_id: str, wave: Wave) -> SurveyWave:
        rows = self._read(
            "SELECT data FROM survey_wave WHERE cohort_id = ? AND wave = ?",
            (cohort_id, wave.value),
        )
        if not rows:
            raise NotFound("survey wave", f"{cohort_id} {wave.value}")
        return SurveyWave.model_validate_json(rows[0][0])

    def waves(self, cohort_id: str | None = None) -> list[SurveyWave]:
        if cohort_id is None:
            rows = self._read("SELECT data FROM survey_wave")
        else:
            rows = self._read("SELECT data FROM survey_wave WHERE cohort_id = ?", (cohort_id,))
        return sorted((SurveyWave.model_validate_json(d) for (d,) in rows), key=_wave_rank)

    # -- tokens -----------------------------------------------------------------
    def issue_token(self, token: SurveyToken) -> None:
        with self._transaction() as conn:
            conn.execute(
                "DELETE FROM survey_token WHERE cohort_id = ? AND wave = ? AND person_id = ?",
                (token.cohort_id, token.wave.value, token.person_id),
            )
            conn.execute(
                "INSERT OR REPLACE INTO survey_token"
                " (token_sha256, cohort_id, wave, person_id, data) VALUES (?, ?, ?, ?, ?)",
                (
                    token.token_sha256,
                    token.cohort_id,
                    token.wave.value,
                    token.person_id,
                    token.model_dump_json(),
                ),
            )

    def token(self, token_sha256: str) -> SurveyToken:
        rows = self._read("SELECT data FROM survey_token WHERE token_sha256 = ?", (token_sha256,))
        if not rows:
            raise NotFound("survey link", "by hash")
        return SurveyToken.model_validate_json(rows[0][0])

    def tokens(self, cohort_id: str, wave: Wave) -> list[SurveyToken]:
        rows = self._read(
            "SELECT data FROM survey_token WHERE cohort_id = ? AND wave = ? ORDER BY person_id",
            (cohort_id, wave.value),
        )
        return [SurveyToken.model_validate_json(d) for (d,) in rows]

    # -- answers ----------------------------------------------------------------
    def save_answers(self, saved: SavedAnswers) -> SavedAnswers:
        with self._transaction() as conn:
            waves = conn.execute(
                "SELECT closed FROM survey_wave WHERE cohort_id = ? AND wave = ?",
                (saved.cohort_id, saved.wave.value),
            ).fetchall()
            if not waves or waves[0][0]:
                raise Conflict(f"the {saved.wave.value} wave is not open: nothing was saved")
            stored = conn.execute(
                "SELECT revision FROM survey_answers WHERE key = ?", (saved.key,)
            ).fetchall()
            if (stored[0][0] if stored else 0) != saved.revision - 1:
                raise Conflict(
                    "these answers were already saved from this form (or changed since it"
                    " was shown): reload it; nothing was saved"
                )
            conn.execute(
                "INSERT OR REPLACE INTO survey_answers"
                " (key, cohort_id, wave, person_id, revision, data) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    saved.key,
                    saved.cohort_id,
                    saved.wave.value,
                    saved.person_id,
                    saved.revision,
                    saved.model_dump_json(),
                ),
            )
        return saved

    def answers(self, cohort_id: str, wave: Wave, person_id: str) -> SavedAnswers:
        rows = self._read(
            "SELECT data FROM survey_answers WHERE cohort_id = ? AND wave = ? AND person_id = ?",
            (cohort_id, wave.value, person_id),
        )
        if not rows:
            raise NotFound("survey answers", f"{cohort_id} {wave.value}")
        return SavedAnswers.model_validate_json(rows[0][0])

    def answers_of_wave(self, cohort_id: str, wave: Wave) -> list[SavedAnswers]:
        rows = self._read(
            "SELECT data FROM survey_answers WHERE cohort_id = ? AND wave = ? ORDER BY person_id",
            (cohort_id, wave.value),
        )
        return [SavedAnswers.model_validate_json(d) for (d,) in rows]

    def forget_person(self, person_id: str) -> int:
        with self._transaction() as conn:
            touched = conn.execute(
                "DELETE FROM survey_token WHERE person_id = ?", (person_id,)
            ).rowcount
            touched += conn.execute(
                "DELETE FROM survey_answers WHERE person_id = ?", (person_id,)
            ).rowcount
            for key, data in conn.execute(
                "SELECT key, data FROM survey_answers WHERE instr(data, ?) > 0", (person_id,)
            ).fetchall():
                saved = SavedAnswers.model_validate_json(data)
                kept = tuple(a for a in saved.answers if a.person_id != person_id)
                if kept != saved.answers:
                    after = saved.model_copy(update={"answers": kept})
                    conn.execute(
                        "UPDATE survey_answers SET data = ? WHERE key = ?",
                        (after.model_dump_json(), key),
                    )
                    touched += 1
        with self._lock:
            # secure_delete overwrote the freed pages; their old images leave the log too
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return touched
