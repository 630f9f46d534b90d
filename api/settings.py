"""One place for configuration: environment variables prefixed `CASEGRAPH_` (and NEO4J_*)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
        default=10.0, gt=0, description="Deadline of a SPARQL or Cypher query, in seconds."
    )
    max_result_bytes: int = Field(
        default=256 << 20, ge=0, description="Largest SPARQL result served (0: no cap)."
    )
    sparql_workers: int = Field(
        default=2, ge=0, description="Worker processes that run SPARQL queries (0: in-process)."
    )
    read_only: bool = Field(
        default=False,
        description="Open the store read-only (set by `casegraph serve --workers N`, N > 1); "
        "writes through the API are then refused with 503.",
    )
    validate_shacl: bool = True

    neo4j_uri: str | None = Field(default=None, validation_alias="NEO4J_URI")
    neo4j_user: str = Field(default="neo4j", validation_alias="NEO4J_USER")
    neo4j_password: SecretStr | None = Field(default=None, validation_alias="NEO4J_PASSWORD")
    neo4j_database: str = Field(default="neo4j", validation_alias="NEO4J_DATABASE")

    @field_validator("data_dir", "cases_dir")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        # Engines started as child processes (FalkorDB's redis-server) run in other folders.
        return value.expanduser().resolve() if value is not None else None

    @property
    def store_path(self) -> Path:
        return self.data_dir / "oxigraph"

    @property
    def falkordb_path(self) -> Path:
        return self.data_dir / "falkordb"

    def engines(self) -> list[str]:
        return list(self.sync_backends or [self.cypher_backend])
