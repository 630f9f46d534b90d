"""The property-graph backends (FalkorDB embedded, Neo4j) behind one interface.

    CypherBackend (base.py)      ensure_schema, write, delete_nodes, delete_relationships,
    ├── FalkorDBBackend          clear, counts, query, close
    └── Neo4jBackend

All Cypher text is in `statements.py`. `open_backend` builds the configured engine from the
application's settings. The engine modules (and their drivers, about a second each to import)
load on first use, not with this package.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from graph.cypher.base import Counts, CypherBackend, QueryResult, WriteSummary
from graph.errors import BackendUnavailable

if TYPE_CHECKING:
    from graph.cypher.falkordb import FalkorDBBackend
    from graph.cypher.neo4j import Neo4jBackend


def __getattr__(name: str) -> object:
    if name == "FalkorDBBackend":
        from graph.cypher.falkordb import FalkorDBBackend

        return FalkorDBBackend
    if name == "Neo4jBackend":
        from graph.cypher.neo4j import Neo4jBackend

        return Neo4jBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class BackendSettings(Protocol):
    """The settings `open_backend` reads (the API's `Settings` has them)."""

    @property
    def falkordb_path(self) -> Path: ...

    @property
    def falkordb_query_memory_mb(self) -> int: ...

    @property
    def falkordb_timeout_default_ms(self) -> int: ...

    @property
    def falkordb_timeout_max_ms(self) -> int: ...

    @property
    def neo4j_uri(self) -> str | None: ...

    @property
    def neo4j_user(self) -> str: ...

    @property
    def neo4j_password(self) -> object: ...

    @property
    def neo4j_database(self) -> str: ...


def open_backend(name: str, settings: BackendSettings) -> CypherBackend:
    """Start or connect to the engine called `name` (`falkordb` or `neo4j`)."""
    if name == "falkordb":
        from graph.cypher.falkordb import EngineLimits, FalkorDBBackend

        limits = EngineLimits(
            query_memory_mb=settings.falkordb_query_memory_mb,
            timeout_default_ms=settings.falkordb_timeout_default_ms,
            timeout_max_ms=settings.falkordb_timeout_max_ms,
        )
        return FalkorDBBackend(settings.falkordb_path, limits=limits)
    if name == "neo4j":
        if not settings.neo4j_uri:
            raise BackendUnavailable("Neo4j is not configured: set NEO4J_URI")
        secret = settings.neo4j_password
        reveal = getattr(secret, "get_secret_value", None)
        password = reveal() if callable(reveal) else secret
        if not isinstance(password, str) or not password:
            raise BackendUnavailable("Neo4j is not configured: set NEO4J_PASSWORD")
        from graph.cypher.neo4j import Neo4jBackend

        return Neo4jBackend(
            settings.neo4j_uri, settings.neo4j_user, password, settings.neo4j_database
        )
    raise ValueError(f"unknown Cypher backend {name!r} (falkordb or neo4j)")


__all__ = [
    "BackendSettings",
    "Counts",
    "CypherBackend",
    "FalkorDBBackend",
    "Neo4jBackend",
    "QueryResult",
    "WriteSummary",
    "open_backend",
]
