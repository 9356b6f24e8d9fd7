"""Typed settings, read once from ``CONFLICTKG_*`` environment variables or arguments."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from conflictkg.graph.sparql.lexer import MAX_DEPTH, MAX_OPERATORS
from conflictkg.graph.sparql.workers import Limits
from conflictkg.graph.store.parsing import UploadLimits

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
    max_query_depth: int = Field(
        MAX_DEPTH, ge=1, le=1000, description="Deepest nesting of brackets a query or update may have (Oxigraph crashed at 2,500)."
    )
    max_query_operators: int = Field(
        MAX_OPERATORS, ge=1, le=5000,
        description="Most chained operators (UNION, OPTIONAL, MINUS, FILTER, && …) in a query or update (Oxigraph crashed near 8,000).",
    )
    max_client_queries: int = Field(4, ge=1, le=1000, description="Queries one client (address) may run at once; more get 429.")
    query_lane: int = Field(1, ge=0, le=16, description="Workers (or threads per reader) kept for cheap queries when the others are busy.")
    lane_timeout_s: float = Field(2.0, gt=0, description="Time limit of a query in the reserved lane, in seconds.")
    max_literal_bytes: int = Field(8 * 1024 * 1024, gt=0, description="Longest literal a load or upload may hold, in bytes.")
    max_expanded_bytes: int = Field(
        16 * 1024 * 1024, gt=0, description="Most bytes an RDF/XML document may have once its entity references are expanded."
    )
    upload_timeout_s: float = Field(30.0, gt=0, description="Time limit of parsing one uploaded graph (in a child process), in seconds.")
    upload_memory_mb: int = Field(1024, ge=64, description="Memory limit of the child process parsing one uploaded graph, in MiB.")
    header_timeout_s: float = Field(10.0, gt=0, description="Time a client has to send a request's headers before the connection is closed.")
    public_url: str | None = Field(
        None, description="The endpoint's public base URL (https://kg.example); named in the service description instead of the Host header."
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
        """The time, row, byte, depth and lane bounds of every query."""
        return Limits(
            timeout_s=self.query_timeout_s, max_rows=self.max_result_rows, max_bytes=self.max_result_bytes,
            max_depth=self.max_query_depth, max_operators=self.max_query_operators, lane_timeout_s=self.lane_timeout_s,
        )

    def upload_limits(self) -> UploadLimits:
        """The literal, expansion, time and memory bounds of parsing a load or an upload."""
        return UploadLimits(
            max_literal_bytes=self.max_literal_bytes, max_expanded_bytes=self.max_expanded_bytes,
            timeout_s=self.upload_timeout_s, memory_bytes=self.upload_memory_mb * 1024 * 1024,
        )

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
