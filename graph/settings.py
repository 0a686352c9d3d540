"""One settings class, read from ``ALUMNI_GRAPH_*`` environment variables.

Read through ``get_settings()`` (cached) so tests can clear the cache and
override the environment instead of patching module globals.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALUMNI_GRAPH_", extra="ignore")

    store: str = "sqlite:///./alumni-graph.db"
    """``sqlite:///PATH`` (the embedded default) or ``neo4j://host:port``."""
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("alumni-graph-dev")
    neo4j_database: str = "neo4j"
    id_salt: SecretStr = SecretStr("alumni-graph-demo-salt")
    """Key for person ids: set a secret of your own in production, once, and keep it."""
    max_members: int = Field(default=500, ge=2)
    """Most members one cohort or one project may have (stored and new together): peer
    ties grow with its square, so a bundle past it is refused."""


@lru_cache
def get_settings() -> Settings:
    return Settings()
