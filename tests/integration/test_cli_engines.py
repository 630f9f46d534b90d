"""`casegraph load` keeps the Cypher engines in sync; `check`, `sync` and `query cypher` work.

Real FalkorDB (embedded) and a real Neo4j (the test server from scripts/neo4j-test-server).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.cypher import CypherBackend

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "data" / "good" / "small-case.yaml"
runner = CliRunner()

CLAIMS = (
    "MATCH (c:Claim)-[:ASSERTED_BY]->(a:Entity) WHERE 'TEST-CL-1' IN c.casebook_ids "
    "RETURN a.label AS who, c.stance AS stance ORDER BY who"
)


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(params=["falkordb", "neo4j"])
def engine(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(tmp_path / "data"))
    if request.param == "neo4j":
        # The fixture clears the database, and fails in CI when the server is missing.
        backend: CypherBackend = request.getfixturevalue("neo4j_backend")
        assert backend is not None
    monkeypatch.setenv("CASEGRAPH_CYPHER_BACKEND", request.param)
    return str(request.param)


def test_load_syncs_and_check_passes(engine: str) -> None:
    code, output = cli("load", str(GOOD))
    assert code == 0, output
    assert f"{engine}: full sync to version" in output
    code, output = cli("check")
    assert code == 0, output
    assert f"{engine}: ok" in output
    code, output = cli("query", "cypher", "--format", "json", CLAIMS)
    assert code == 0, output
    rows = json.loads(output)["rows"]
    assert ["Ana Líztica", "supports"] in rows
    assert ["Government of Testland", "disputes"] in rows


def test_drift_is_reported_and_full_sync_repairs_it(engine: str) -> None:
    assert cli("load", str(GOOD))[0] == 0
    from api.settings import Settings
    from graph.cypher import open_backend

    backend = open_backend(engine, Settings())
    try:
        backend.query(
            "MATCH (n:Entity {id: $id}) DETACH DELETE n", {"id": "test-war"}, read_only=False
        )
    finally:
        backend.close()
    code, output = cli("check")
    assert code == 1
    assert "differences" in output
    code, output = cli("sync", "--full")
    assert code == 0, output
    assert cli("check")[0] == 0


def test_cypher_is_read_only_and_errors_are_clear(engine: str) -> None:
    assert cli("load", str(GOOD))[0] == 0
    code, output = cli("query", "cypher", "CREATE (n:Entity {id: 'x'}) RETURN n")
    assert code == 1
    assert "query failed" in output
    code, output = cli("query", "cypher", "MATCH (n RETURN n")
    assert code == 1
    assert "query failed" in output and "Traceback" not in output


def test_relative_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # FalkorDB runs as a child process in another folder; a relative data dir must still work.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", "relative/data")
    monkeypatch.setenv("CASEGRAPH_CYPHER_BACKEND", "falkordb")
    code, output = cli("load", str(GOOD))
    assert code == 0, output
    assert "falkordb: full sync to version" in output
    assert (tmp_path / "relative" / "data" / "falkordb").is_dir()
