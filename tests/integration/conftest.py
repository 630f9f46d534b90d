"""Fixtures shared by the integration tests: the Cypher engines (real FalkorDB and Neo4j), and
`client`, an HTTP client of the module's `server` (a module that needs another defines its
own)."""

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.conftest_cypher import (
    falkordb_backend,
    neo4j_backend,
    neo4j_session_backend,
)
from tests.integration.server import Server


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


__all__ = ["client", "falkordb_backend", "neo4j_backend", "neo4j_session_backend"]
