"""Pytest plugin with the Cypher backend fixtures (`-p tests.integration.conftest_cypher`).

`falkordb_backend` starts an embedded FalkorDB in a temporary folder. `neo4j_backend` connects
to the Neo4j named by NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE (start one with
`scripts/neo4j-test-server start` and `eval "$(scripts/neo4j-test-server env)"`) and empties it
before each test. Without NEO4J_URI the Neo4j tests are skipped, except under CI=true, where
they fail: CI must run them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.cypher import FalkorDBBackend, Neo4jBackend


@pytest.fixture
def falkordb_backend(tmp_path: Path) -> Iterator[FalkorDBBackend]:
    backend = FalkorDBBackend(tmp_path / "falkordb")
    try:
        backend.ensure_schema()
        yield backend
    finally:
        backend.close()


@pytest.fixture(scope="session")
def neo4j_session_backend() -> Iterator[Neo4jBackend]:
    uri = os.environ.get("NEO4J_URI")
    password = os.environ.get("NEO4J_PASSWORD")
    if not uri or not password:
        reason = (
            "NEO4J_URI/NEO4J_PASSWORD are not set: run scripts/neo4j-test-server start and "
            'eval "$(scripts/neo4j-test-server env)"'
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    backend = Neo4jBackend(
        uri,
        os.environ.get("NEO4J_USER", "neo4j"),
        password,
        os.environ.get("NEO4J_DATABASE", "neo4j"),
    )
    try:
        backend.ensure_schema()
        yield backend
    finally:
        backend.close()


@pytest.fixture
def neo4j_backend(neo4j_session_backend: Neo4jBackend) -> Neo4jBackend:
    neo4j_session_backend.clear()
    return neo4j_session_backend
