"""``SurveyStore`` for the Neo4j store: its own nodes, written in transactions that
leave the store's version token alone (as page sessions are), since survey answers
become graph facts only when their wave closes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, LiteralString, TypeVar

from neo4j import ManagedTransaction

from graph import neo4j_queries_surveys as q
from graph.errors import Conflict, NotFound
from graph.model import Wave
from graph.surveys import WAVE_ORDER, SavedAnswers, SurveyStore, SurveyToken, SurveyWave

if TYPE_CHECKING:
    from graph.neo4j_store import Neo4jStore

__all__ = ["Neo4jSurveys", "surveys_of"]

T = TypeVar("T")

_LOCK = threading.Lock()


def surveys_of(owner: Neo4jStore) -> SurveyStore:
    """The surveys of one ``Neo4jStore`` (made on first use, then kept on it)."""
    with _LOCK:
        found = owner.__dict__.get("_surveys")
        if found is None:
            found = owner.__dict__["_surveys"] = Neo4jSurveys(owner)
        assert isinstance(found, Neo4jSurveys)
        return found


def _wave_key(cohort_id: str, wave: Wave) -> str:
    return f"{cohort_id}|{wave.value}"


def _rows(tx: ManagedTransaction, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in tx.run(query, params)]


class Neo4jSurveys:
    def __init__(self, store: Neo4jStore) -> None:
        self._store = store
        self._schema = False

    def _write(self, work: Callable[[ManagedTransaction], T]) -> T:
        store = self._store
        if not self._schema:
            with store._translated():
                for statement in q.SCHEMA:
                    store._driver.execute_query(statement, database_=store._database)
            self._schema = True
        with store._driver_session() as session:
            return session.execute_write(work)

    def _query(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in self._store._query(query, **params)]

    # -- waves ------------------------------------------------------------------
    def save_wave(self, wave: SurveyWave) -> None:
        self._write(
            lambda tx: _rows(
                tx,
                q.SAVE_WAVE,
                key=wave.key,
                cohort_id=wave.cohort_id,
                wave=wave.wave.value,
                closed=wave.closed_at is not None,
                data=wave.model_dump_json(),
            )
        )

    def wave(self, cohort_id: str, wave: Wave) -> SurveyWave:
        rows = self._query(q.WAVE, key=_wave_key(cohort_id, wave))
        if not rows:
            raise NotFound("survey wave", f"{cohort_id} {wave.value}")
        return SurveyWave.model_validate_json(rows[0]["data"])

    def waves(self, cohort_id: str | None = None) -> list[SurveyWave]:
        if cohort_id is None:
            rows = self._query(q.WAVES)
        else:
            rows = self._query(q.WAVES_OF_COHORT, cohort_id=cohort_id)
        found = [SurveyWave.model_validate_json(r["data"]) for r in rows]
        return sorted(found, key=lambda w: (w.cohort_id, WAVE_ORDER.index(w.wave)))

    # -- tokens -----------------------------------------------------------------
    def issue_token(self, token: SurveyToken) -> None:
        self._write(
            lambda tx: _rows(
                tx,
                q.ISSUE_TOKEN,
                token_sha256=token.token_sha256,
                person_id=token.person_id,
                wave_key=_wave_key(token.cohort_id, token.wave),
                data=token.model_dump_json(),
            )
        )

    def token(self, token_sha256: str) -> SurveyToken:
        rows = self._query(q.TOKEN, token_sha256=token_sha256)
        if not rows:
            raise NotFound("survey link", "by hash")
        return SurveyToken.model_validate_json(rows[0]["data"])

    def tokens(self, cohort_id: str, wave: Wave) -> list[SurveyToken]:
        rows = self._query(q.TOKENS, wave_key=_wave_key(cohort_id, wave))
        return [SurveyToken.model_validate_json(r["data"]) for r in rows]

    # -- answers ----------------------------------------------------------------
    def save_answers(self, saved: SavedAnswers) -> SavedAnswers:
        wave_key = _wave_key(saved.cohort_id, saved.wave)

        def save(tx: ManagedTransaction) -> None:
            waves = _rows(tx, q.LOCK_WAVE, wave_key=wave_key)
            if not waves or waves[0]["closed"]:
                raise Conflict(f"the {saved.wave.value} wave is not open: nothing was saved")
            stored = _rows(tx, q.ANSWERS_REVISION, key=saved.key)
            if (stored[0]["revision"] if stored else 0) != saved.revision - 1:
                raise Conflict(
                    "these answers were already saved from this form (or changed since it"
                    " was shown): reload it; nothing was saved"
                )
            _rows(
                tx,
                q.SAVE_ANSWERS,
                key=saved.key,
                wave_key=wave_key,
                person_id=saved.person_id,
                revision=saved.revision,
                data=saved.model_dump_json(),
            )

        self._write(save)
        return saved

    def answers(self, cohort_id: str, wave: Wave, person_id: str) -> SavedAnswers:
        rows = self._query(q.ANSWERS, key=f"{_wave_key(cohort_id, wave)}|{person_id}")
        if not rows:
            raise NotFound("survey answers", f"{cohort_id} {wave.value}")
        return SavedAnswers.model_validate_json(rows[0]["data"])

    def answers_of_wave(self, cohort_id: str, wave: Wave) -> list[SavedAnswers]:
        rows = self._query(q.ANSWERS_OF_WAVE, wave_key=_wave_key(cohort_id, wave))
        return [SavedAnswers.model_validate_json(r["data"]) for r in rows]

    def forget_person(self, person_id: str) -> int:
        def forget(tx: ManagedTransaction) -> int:
            touched = sum(
                int(_rows(tx, query, person_id=person_id)[0]["deleted"])
                for query in (q.FORGET_TOKENS, q.FORGET_ANSWERS)
            )
            for row in _rows(tx, q.NAMING, person_id=person_id):
                saved = SavedAnswers.model_validate_json(row["data"])
                kept = tuple(a for a in saved.answers if a.person_id != person_id)
                if kept != saved.answers:
                    after = saved.model_copy(update={"answers": kept})
                    _rows(tx, q.REWRITE_ANSWERS, key=row["key"], data=after.model_dump_json())
                    touched += 1
            return touched

        return self._write(forget)
