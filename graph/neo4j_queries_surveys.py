"""Every Cypher statement of the Neo4j ``SurveyStore`` (``graph.neo4j_surveys``).

Survey bookkeeping lives on nodes no domain relationship touches
(``:SurveyWave``, ``:SurveyToken``, ``:SurveyAnswers``), each carrying its record
as JSON in ``data`` beside the properties queries match on. Values always travel
as parameters.
"""

from __future__ import annotations

from typing import LiteralString

SCHEMA: tuple[LiteralString, ...] = (
    "CREATE CONSTRAINT survey_wave_key IF NOT EXISTS FOR (n:SurveyWave) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT survey_token_hash IF NOT EXISTS"
    " FOR (n:SurveyToken) REQUIRE n.token_sha256 IS UNIQUE",
    "CREATE INDEX survey_token_person IF NOT EXISTS FOR (n:SurveyToken) ON (n.person_id)",
    "CREATE CONSTRAINT survey_answers_key IF NOT EXISTS"
    " FOR (n:SurveyAnswers) REQUIRE n.key IS UNIQUE",
    "CREATE INDEX survey_answers_person IF NOT EXISTS FOR (n:SurveyAnswers) ON (n.person_id)",
    "CREATE INDEX survey_answers_wave IF NOT EXISTS FOR (n:SurveyAnswers) ON (n.wave_key)",
)
"""Made on first use of the surveys, not at start-up: most processes never run one."""

SAVE_WAVE: LiteralString = (
    "MERGE (w:SurveyWave {key: $key})"
    " SET w.cohort_id = $cohort_id, w.wave = $wave, w.closed = $closed, w.data = $data"
)

WAVE: LiteralString = "MATCH (w:SurveyWave {key: $key}) RETURN w.data AS data"

WAVES: LiteralString = "MATCH (w:SurveyWave) RETURN w.data AS data"

WAVES_OF_COHORT: LiteralString = (
    "MATCH (w:SurveyWave) WHERE w.cohort_id = $cohort_id RETURN w.data AS data"
)

ISSUE_TOKEN: LiteralString = (
    "OPTIONAL MATCH (old:SurveyToken {person_id: $person_id, wave_key: $wave_key})"
    " DELETE old"
    " WITH count(*) AS ended"
    " MERGE (t:SurveyToken {token_sha256: $token_sha256})"
    " SET t.person_id = $person_id, t.wave_key = $wave_key, t.data = $data"
)
"""Ends the person's other tokens of the wave in the same statement as the new one."""

TOKEN: LiteralString = "MATCH (t:SurveyToken {token_sha256: $token_sha256}) RETURN t.data AS data"

TOKENS: LiteralString = (
    "MATCH (t:SurveyToken) WHERE t.wave_key = $wave_key RETURN t.data AS data ORDER BY t.person_id"
)

LOCK_WAVE: LiteralString = (
    "MATCH (w:SurveyWave {key: $wave_key}) SET w.saves = coalesce(w.saves, 0) + 1"
    " RETURN w.closed AS closed"
)
"""Takes the wave's write lock before its answers are read, so two saves of the same
answers queue rather than both see the same revision."""

ANSWERS_REVISION: LiteralString = (
    "MATCH (a:SurveyAnswers {key: $key}) RETURN a.revision AS revision"
)

SAVE_ANSWERS: LiteralString = (
    "MERGE (a:SurveyAnswers {key: $key})"
    " SET a.wave_key = $wave_key, a.person_id = $person_id, a.revision = $revision,"
    " a.data = $data"
)

ANSWERS: LiteralString = "MATCH (a:SurveyAnswers {key: $key}) RETURN a.data AS data"

ANSWERS_OF_WAVE: LiteralString = (
    "MATCH (a:SurveyAnswers) WHERE a.wave_key = $wave_key"
    " RETURN a.data AS data ORDER BY a.person_id"
)

FORGET_TOKENS: LiteralString = (
    "MATCH (t:SurveyToken {person_id: $person_id})"
    " WITH collect(t) AS found FOREACH (t IN found | DELETE t) RETURN size(found) AS deleted"
)

FORGET_ANSWERS: LiteralString = (
    "MATCH (a:SurveyAnswers {person_id: $person_id})"
    " WITH collect(a) AS found FOREACH (a IN found | DELETE a) RETURN size(found) AS deleted"
)

NAMING: LiteralString = (
    "MATCH (a:SurveyAnswers) WHERE a.data CONTAINS $person_id RETURN a.key AS key, a.data AS data"
)

REWRITE_ANSWERS: LiteralString = "MATCH (a:SurveyAnswers {key: $key}) SET a.data = $data"
