"""One place for configuration: environment variables prefixed `CASEGRAPH_` (and NEO4J_*)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

MiB = 1 << 20


class Settings(BaseSettings):
    """casegraph's settings. Secrets have no default and are never logged."""

    model_config = SettingsConfigDict(
        env_prefix="CASEGRAPH_", env_file=".casegraph.env", extra="ignore"
    )

    data_dir: Path = Field(
        default=Path("var/casegraph"), description="Where the stores keep their files."
    )
    cases_dir: Path | None = Field(
        default=None,
        description="Case files loaded on the first start of `casegraph serve` "
        "(default: the data/cases folder shipped with casegraph).",
    )
    cypher_backend: Literal["falkordb", "neo4j"] = "falkordb"
    sync_backends: list[Literal["falkordb", "neo4j"]] | None = Field(
        default=None,
        description="Engines kept in sync after each load (default: the Cypher backend).",
    )
    write_token: SecretStr | None = Field(
        default=None, description="Bearer token required for SPARQL updates and graph writes."
    )
    query_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="SPARQL and Cypher queries stop after this long (503); also how long a "
        "write waits for running queries.",
    )
    sparql_max_bytes: int = Field(
        default=64 * MiB,
        gt=0,
        description="A SPARQL result larger than this is stopped (422); "
        "the worker stops serialising at the byte past it.",
    )
    cypher_max_rows: int = Field(
        default=100_000, gt=0, description="A Cypher result with more rows is refused (422)."
    )
    cypher_max_bytes: int = Field(
        default=64 * MiB, gt=0, description="A Cypher result larger than this is refused (422)."
    )

    response_cache_mb: int = Field(
        default=64,
        ge=0,
        description="Encoded REST answers kept per store version, in MB (0: none; every "
        "answer is then read from the read model).",
    )
    sparql_max_chars: int = Field(
        default=512 * 1024,
        gt=0,
        description="Longest SPARQL query or update text (else 400, `graph.query_guard`).",
    )
    cypher_max_chars: int = Field(
        default=64 * 1024, gt=0, description="Longest Cypher query text (else 400)."
    )

    sparql_max_body_bytes: int = Field(
        default=1 * MiB, gt=0, description="Largest request body on /sparql (else 413)."
    )
    cypher_max_body_bytes: int = Field(
        default=1 * MiB, gt=0, description="Largest request body on /cypher (else 413)."
    )
    upload_max_body_bytes: int = Field(
        default=50_000_000,
        gt=0,
        description="Largest request body on /graph-store and the upload routes (else 413).",
    )
    max_body_bytes: int = Field(
        default=64 * 1024, gt=0, description="Largest request body on every other path."
    )
    body_drain_bytes: int = Field(
        default=1 * MiB,
        ge=0,
        description="After a 413, read and discard up to this much of the rest of the body "
        "so that a client still sending it reads the answer instead of a reset.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (CORS), as a JSON list or "
        "comma-separated; `*` allows any. Empty (the default): no CORS headers.",
    )
    access_log: bool = Field(
        default=True,
        description="One line per request on the `casegraph.access` logger "
        "(method, path, status, milliseconds).",
    )
    sparql_workers: int = Field(
        default=2,
        ge=0,
        description="Worker processes that run SPARQL queries (0: in-process).",
    )
    read_only: bool = Field(
        default=False,
        description="Open the store read-only (set by `casegraph serve --workers N`, N > 1); "
        "writes through the API are then refused with 503.",
    )
    write_process: bool = Field(
        default=True,
        description="Run writes in a child process that owns the store (false: on a thread "
        "of the server, where a large write slows reads down; see docs/store.md).",
    )
    validate_shacl: bool = True

    falkordb_query_memory_mb: int = Field(
        default=512,
        ge=0,
        description="Memory one Cypher query may use in the embedded FalkorDB "
        "(QUERY_MEM_CAPACITY; 0: no cap).",
    )
    falkordb_timeout_default_ms: int = Field(
        default=120_000,
        ge=0,
        description="Deadline of the embedded FalkorDB's statements that set none, the sync's "
        "writes among them (TIMEOUT_DEFAULT; 0: none).",
    )
    falkordb_timeout_max_ms: int = Field(
        default=120_000,
        ge=0,
        description="Longest deadline any query gets in the embedded FalkorDB; longer ones, "
        "query_timeout_s included, are lowered to it (TIMEOUT_MAX; 0: no bound).",
    )

    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password: SecretStr | None = Field(default=None, validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", validation_alias="NEO4J_DATABASE")

    @model_validator(mode="after")
    def _falkordb_timeouts(self) -> Settings:
        # FalkorDB refuses to start with a default deadline above the maximum.
        maximum = self.falkordb_timeout_max_ms
        if maximum and not 0 < self.falkordb_timeout_default_ms <= maximum:
            raise ValueError(
                f"falkordb_timeout_default_ms must be between 1 and falkordb_timeout_max_ms "
                f"({maximum}) when the latter is set"
            )
        return self

    @field_validator("data_dir", "cases_dir")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        # Engines started as child processes (FalkorDB's redis-server) run in other folders.
        return value.expanduser().resolve() if value is not None else None

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part for part in (p.strip() for p in text.split(",")) if part]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _normal_origins(cls, value: list[str]) -> list[str]:
        return [origin if origin == "*" else origin.rstrip("/").lower() for origin in value]

    @property
    def store_path(self) -> Path:
        return self.data_dir / "oxigraph"

    @property
    def falkordb_path(self) -> Path:
        return self.data_dir / "falkordb"

    def engines(self) -> list[str]:
        return list(self.sync_backends or [self.cypher_backend])
