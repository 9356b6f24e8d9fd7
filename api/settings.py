"""Typed settings, read once from ``CONFLICTKG_*`` environment variables or arguments."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "DEFAULT_STORE"]

#: Where the embedded on-disk store lives unless told otherwise.
DEFAULT_STORE = "var/store"


class Settings(BaseSettings):
    """Everything configurable about a conflictkg process.

    Each field is read from the environment variable ``CONFLICTKG_<NAME>``
    (``CONFLICTKG_STORE``, ``CONFLICTKG_QUERY_TIMEOUT_S`` …) unless passed in.
    """

    model_config = SettingsConfigDict(env_prefix="CONFLICTKG_", extra="forbid")

    store: str = Field(DEFAULT_STORE, description="Store folder, or ':memory:'.")
    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port the HTTP server listens on.")
    query_timeout_s: float = Field(30.0, gt=0, description="Time limit of one query, in seconds.")
    max_result_rows: int = Field(100_000, gt=0, description="Most rows a query result may have.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS.")
    update_token: str | None = Field(None, description="Bearer token that allows SPARQL Update; none: read-only.")
