"""The API's settings, from ``ALUMNI_GRAPH_*`` environment variables.

Read through ``get_api_settings()`` (cached) so tests clear the cache or pass
their own ``ApiSettings`` to ``create_app`` instead of patching globals.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALUMNI_GRAPH_", extra="ignore")

    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    """Largest bundle ``POST /ingest`` accepts; bigger uploads get 413 before being read."""
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    """Largest body any route but the uploads takes; bigger gets 413 before being read,
    before the caller's key is even looked at."""
    auth_failures_per_minute: int = Field(default=20, ge=1)
    """Failed authentications one client address may make in a minute before 429."""
    auth_failure_window_seconds: float = Field(default=60.0, gt=0)
    max_unzipped_bytes: int = Field(default=200 * 1024 * 1024, ge=1)
    """Largest total size of the CSV files inside an uploaded ``.zip`` (zip bombs)."""


@lru_cache
def get_api_settings() -> ApiSettings:
    return ApiSettings()
