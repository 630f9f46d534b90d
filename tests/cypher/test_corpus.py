"""The analysts' corpus: every `*.cypher` here answers its `*.expected.json`, on both engines.

The curated cases (data/cases) are loaded into a real workspace (Oxigraph store and read model)
and synced into a fresh embedded FalkorDB and into the Neo4j test server through the real sync
(`graph.sync.sync` over the read model);
each query then runs read-only on each engine, and its columns and rows, as JSON text (so an
integer is not a float and list order counts), must equal the expected file. Both engines
matching the same file is the cross-engine check. The queries use only Cypher both accept
(FalkorDB's dialect is the narrower; docs/property-graph.md lists what to avoid).

To add a query: write `name.cypher` (a comment saying what it asks, one statement, literal
values), then its expected rows, for example from `casegraph query cypher -f name.cypher
--format json` on each engine once you have checked them against the casebook.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.cypher import CypherBackend, FalkorDBBackend, Neo4jBackend
from graph.ingest import load
from graph.sync import check, sync
from graph.workspace import Workspace

HERE = Path(__file__).resolve().parent
CASES = HERE.parents[1] / "data" / "cases"
QUERIES = sorted(HERE.glob("*.cypher"))


def test_the_corpus_is_large_enough() -> None:
    assert len(QUERIES) >= 15
    for query in QUERIES:
        assert query.with_suffix(".expected.json").is_file(), query.name
        assert query.read_text(encoding="utf-8").startswith("//"), query.name


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    opened = Workspace.open(tmp_path_factory.mktemp("corpus") / "data")
    load(opened, [CASES])
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def falkordb(
    workspace: Workspace, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FalkorDBBackend]:
    backend = FalkorDBBackend(tmp_path_factory.mktemp("corpus-falkordb") / "falkordb")
    try:
        sync(workspace.model, backend)
        assert check(workspace.model, backend).ok
        yield backend
    finally:
        backend.close()


@pytest.fixture(scope="module")
def neo4j(workspace: Workspace, neo4j_session_backend: Neo4jBackend) -> Neo4jBackend:
    neo4j_session_backend.clear()
    sync(workspace.model, neo4j_session_backend, full=True)
    assert check(workspace.model, neo4j_session_backend).ok
    return neo4j_session_backend


@pytest.mark.parametrize("engine", ["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_query_answers_as_expected(
    query: Path, engine: str, request: pytest.FixtureRequest
) -> None:
    backend: CypherBackend = request.getfixturevalue(engine)
    expected = json.loads(query.with_suffix(".expected.json").read_text(encoding="utf-8"))
    result = backend.query(query.read_text(encoding="utf-8"), read_only=True, timeout_s=30)
    got = {"columns": result.columns, "rows": result.rows}
    assert json.dumps(got, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
    assert result.rows, "a corpus query must return rows"


def test_examples_are_corpus_queries() -> None:
    """examples/cypher holds copies of corpus queries, so they are tested too."""
    examples = sorted((HERE.parents[1] / "examples" / "cypher").glob("*.cypher"))
    assert examples
    for example in examples:
        assert example.read_text(encoding="utf-8") == (HERE / example.name).read_text(
            encoding="utf-8"
        ), example.name
