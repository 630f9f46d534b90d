"""The API configured as docker-compose.yml configures it — Neo4j as the Cypher engine and the
only synced engine — run against the real Neo4j test server (scripts/neo4j-test-server)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from graph.cypher import CypherBackend
from tests.integration.server import running

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def compose_env() -> dict[str, str]:
    """The api service's environment, with the Neo4j address of the test server."""
    env = {k: str(v) for k, v in COMPOSE["services"]["api"]["environment"].items()}
    env = {k: v for k, v in env.items() if "${" not in v}  # secrets come from the test server
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


@pytest.fixture
def client(
    neo4j_backend: CypherBackend, compose_env: dict[str, str], tmp_path: Path
) -> Iterator[httpx.Client]:
    assert neo4j_backend is not None  # cleared; fails in CI when the server is missing
    with (
        running(tmp_path, env=compose_env) as server,
        httpx.Client(base_url=server.url, timeout=60) as c,
    ):
        yield c


def test_compose_configuration_serves_cypher_from_neo4j(client: httpx.Client) -> None:
    assert client.get("/api/health").json()["cypher_backend"] == "neo4j"
    response = client.post(
        "/cypher",
        json={
            "query": "MATCH (c:Claim)-[:ASSERTED_BY]->(a:Entity) WHERE $id IN c.casebook_ids "
            "RETURN a.label AS who, c.stance AS stance ORDER BY who",
            "parameters": {"id": "TEST-CL-1"},
        },
    )
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert ["Government of Testland", "disputes"] in rows
    assert ["Ana Líztica", "supports"] in rows
    assert client.post("/cypher", json={"query": "CREATE (n:Entity {id: 'x'})"}).status_code == 400
