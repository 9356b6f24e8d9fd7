"""Typed settings, read once from ``CONFLICTKG_*`` environment variables or arguments."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from conflictkg.graph.sparql.workers import Limits

__all__ = ["Settings", "DEFAULT_STORE", "settings_table"]

#: Where the embedded on-disk store lives unless told otherwise.
DEFAULT_STORE = "var/store"


class Settings(BaseSettings):
    """Everything configurable about a conflictkg process.

    Each field is read from the environment variable ``CONFLICTKG_<NAME>``
    (``CONFLICTKG_STORE``, ``CONFLICTKG_QUERY_TIMEOUT_S`` …) unless passed in;
    lists are JSON (``CONFLICTKG_CORS_ORIGINS='["https://a.example"]'``).
    """

    model_config = SettingsConfigDict(env_prefix="CONFLICTKG_", extra="forbid")

    store: str = Field(DEFAULT_STORE, description=(
        "The store: a folder (the embedded store), ':memory:', sparql+http://HOST:PORT (a server laid out like "
        "Oxigraph's), http://HOST:PORT/sparql (a conflictkg server), or 'sparql' with the STORE_*_URL settings."
    ))
    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port the HTTP server listens on.")
    query_timeout_s: float = Field(30.0, gt=0, description="Time limit of one query, in seconds; a query past it is stopped.")
    max_result_rows: int = Field(100_000, gt=0, description="Most rows (or triples) a query result may have.")
    max_result_bytes: int = Field(256 * 1024 * 1024, gt=0, description="Most bytes a serialized query result may have.",
                                  json_schema_extra={"default_text": "`268435456` (256 MiB)"})
    max_body_bytes: int = Field(1024 * 1024, gt=0, description="Largest request body accepted (queries, updates, graphs).",
                                json_schema_extra={"default_text": "`1048576` (1 MiB)"})
    query_workers: int = Field(
        max(2, min(4, os.cpu_count() or 2)), ge=1, le=64, description="Worker processes that run queries (queries at once); with `serve --readers`, query threads per reader.",
        json_schema_extra={"default_text": "the CPU count, within 2–4"},
    )
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS ('*' allowed, never with credentials).")
    update_token: str | None = Field(None, repr=False, description=(
        "The bearer token that allows SPARQL Update and Graph Store writes (`Authorization: Bearer TOKEN`); "
        "unset, the server is read-only. The CLI also sends it to a running server it reaches instead of a locked store."
    ))
    service_allowlist: list[str] = Field(
        default_factory=list, description="IRI prefixes SERVICE and LOAD may reach (file: never); empty: none."
    )
    queries_dir: str | None = Field(None, description="Folder of saved .rq queries (default: the shipped queries/).")
    update_token_file: Path | None = Field(
        None, description="A file holding the update token (read when update_token is not set)."
    )
    store_query_url: str | None = Field(
        None, description="SPARQL Query endpoint of a remote store laid out otherwise than Oxigraph's /query."
    )
    store_update_url: str | None = Field(None, description="SPARQL Update endpoint of a remote store.")
    store_gsp_url: str | None = Field(None, description="Graph Store Protocol endpoint of a remote store.")
    store_user: str | None = Field(None, description="User name for a remote store (HTTP basic auth).")
    store_password: SecretStr | None = Field(None, description="Password for a remote store (HTTP basic auth).")
    store_token: SecretStr | None = Field(None, description="Bearer token sent to a remote store (for a conflictkg server, its update token).")

    @model_validator(mode="after")
    def _update_token_from_file(self) -> Settings:
        # Secrets come from the environment or a file, never the command line.
        if self.update_token is None and self.update_token_file is not None:
            try:
                token = self.update_token_file.read_text(encoding="utf-8").strip()
            except OSError as err:
                raise ValueError(f"update_token_file {self.update_token_file}: cannot read: {err.strerror}") from None
            self.update_token = token or None
        return self

    def query_limits(self) -> Limits:
        """The time, row and byte bounds of every query."""
        return Limits(timeout_s=self.query_timeout_s, max_rows=self.max_result_rows, max_bytes=self.max_result_bytes)

    def store_options(self) -> dict[str, object]:
        """Keyword arguments for :func:`conflictkg.graph.store.open_store` beyond the store spec."""

        def secret(value: SecretStr | None) -> str | None:
            return value.get_secret_value() if value is not None else None

        return {
            "query_url": self.store_query_url,
            "update_url": self.store_update_url,
            "store_url": self.store_gsp_url,
            "user": self.store_user,
            "password": secret(self.store_password),
            "token": secret(self.store_token),
            "timeout_s": self.query_timeout_s,
        }


def _default_text(name: str) -> str:
    field = Settings.model_fields[name]
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if "default_text" in extra:
        return str(extra["default_text"])
    if field.default_factory is not None:
        return f"`{field.default_factory()!r}`".replace("'", '"')
    if field.default is None:
        return "none"
    return f"`{field.default}`"


def settings_table() -> str:
    """Every setting as the Markdown table the README holds (``python -m conflictkg.api.settings`` prints it)."""
    rows = ["| variable | default | what it sets |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `CONFLICTKG_{name.upper()}` | {_default_text(name)} | {field.description} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(settings_table(), end="")
