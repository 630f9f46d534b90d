"""Fixtures shared by the integration tests: the Cypher engines (real FalkorDB and Neo4j)."""

from tests.integration.conftest_cypher import (
    falkordb_backend,
    neo4j_backend,
    neo4j_session_backend,
)

__all__ = ["falkordb_backend", "neo4j_backend", "neo4j_session_backend"]
