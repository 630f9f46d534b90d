"""The Cypher engine fixtures (real FalkorDB and Neo4j) for the analysts' corpus."""

from tests.integration.conftest_cypher import neo4j_session_backend

__all__ = ["neo4j_session_backend"]
