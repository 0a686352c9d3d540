"""One settings class, read from ``ALUMNI_GRAPH_*`` environment variables: the
store's, the loads' and the served API's, so one prefix means one class and every
variable is read (and checked) in one place.

Read through ``get_settings()`` (cached) so tests can clear the cache and
override the environment instead of patching module globals.
"""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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

    # -- the served API and pages ------------------------------------------------------
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
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Addresses or networks (``10.0.0.0/8,127.0.0.1``) of the reverse proxies in front of
    the server: only a request whose direct peer is one of them may name its client in
    ``Forwarded`` / ``X-Forwarded-For`` (and its scheme in ``X-Forwarded-Proto``).
    Empty (the default): those headers are ignored."""
    session_idle_seconds: float = Field(default=8 * 3600, gt=0)
    """A page session ends this long after its last use..."""
    session_lifetime_seconds: float = Field(default=24 * 3600, gt=0)
    """...and this long after sign-in, whatever its use."""
    sessions_per_key: int = Field(default=10, ge=1)
    """Page sessions one key may hold; its oldest ends when it signs in once more."""
    staged_upload_dir: str = ""
    """Where checked uploads wait to be loaded (every worker must see the same folder);
    empty: ``alumni-graph-staged-<uid>`` in the system's temporary folder."""
    staged_upload_total_bytes: int = Field(default=512 * 1024 * 1024, ge=1)
    """Room for all checked uploads waiting to be loaded together."""
    staged_upload_per_key_bytes: int = Field(default=64 * 1024 * 1024, ge=1)
    """Room for the checked uploads of one key."""
    staged_upload_ttl_seconds: float = Field(default=3600, gt=0)
    """A checked upload not loaded within this time is deleted."""
    warm_on_start: bool = False
    """Read the warm-tie network (what introduction paths search) when the app starts,
    in the background, instead of at the first path asked for: 12-15 s at 100,000
    people. ``alumni-graph serve`` turns it on unless the variable says otherwise."""

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"trusted_proxies: {entry!r} is not an IP address or network"
                ) from None
        return value

    def proxy_networks(self) -> list[IPv4Network | IPv6Network]:
        return [ip_network(entry, strict=False) for entry in self.trusted_proxies]


@lru_cache
def get_settings() -> Settings:
    return Settings()
