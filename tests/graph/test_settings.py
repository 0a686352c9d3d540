"""Settings: one class reads every ``ALUMNI_GRAPH_*`` variable, under the names the
README, docker-compose.yml and scripts/neo4j document."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.settings import ApiSettings, get_api_settings
from graph.settings import Settings, get_settings

DOCUMENTED = {
    "ALUMNI_GRAPH_STORE": ("store", "neo4j://neo4j:7687"),
    "ALUMNI_GRAPH_NEO4J_USER": ("neo4j_user", "graph-admin"),
    "ALUMNI_GRAPH_NEO4J_PASSWORD": ("neo4j_password", "s3cret"),
    "ALUMNI_GRAPH_ID_SALT": ("id_salt", "pepper"),
    "ALUMNI_GRAPH_MAX_MEMBERS": ("max_members", 40),
    "ALUMNI_GRAPH_MAX_BODY_BYTES": ("max_body_bytes", 2048),
    "ALUMNI_GRAPH_SESSIONS_PER_KEY": ("sessions_per_key", 3),
    "ALUMNI_GRAPH_STAGED_UPLOAD_DIR": ("staged_upload_dir", "/srv/staged"),
    "ALUMNI_GRAPH_TRUSTED_PROXIES": ("trusted_proxies", ["10.0.0.0/8", "127.0.0.1"]),
}
"""Each documented variable, the field it sets and the value the text below sets it to."""

TEXT = {
    "ALUMNI_GRAPH_STORE": "neo4j://neo4j:7687",
    "ALUMNI_GRAPH_NEO4J_USER": "graph-admin",
    "ALUMNI_GRAPH_NEO4J_PASSWORD": "s3cret",
    "ALUMNI_GRAPH_ID_SALT": "pepper",
    "ALUMNI_GRAPH_MAX_MEMBERS": "40",
    "ALUMNI_GRAPH_MAX_BODY_BYTES": "2048",
    "ALUMNI_GRAPH_SESSIONS_PER_KEY": "3",
    "ALUMNI_GRAPH_STAGED_UPLOAD_DIR": "/srv/staged",
    "ALUMNI_GRAPH_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1",
}


def _value(settings: Settings, field: str) -> object:
    value = getattr(settings, field)
    return value.get_secret_value() if hasattr(value, "get_secret_value") else value


def test_every_documented_variable_sets_its_field(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, text in TEXT.items():
        monkeypatch.setenv(name, text)
    settings = Settings()
    assert {name: _value(settings, field) for name, (field, _) in DOCUMENTED.items()} == {
        name: expected for name, (_, expected) in DOCUMENTED.items()
    }


def test_the_api_reads_the_same_one_settings_class() -> None:
    assert ApiSettings is Settings
    assert get_api_settings is get_settings


def test_a_bad_value_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALUMNI_GRAPH_TRUSTED_PROXIES", "10.0.0.0/8,not-an-address")
    with pytest.raises(ValidationError, match="trusted_proxies: 'not-an-address'"):
        Settings()
