"""The limits every Cypher engine enforces the same way: timeout, row cap, unsendable values."""

from __future__ import annotations

import pytest

from graph.cypher import CypherBackend
from graph.errors import QueryError, QueryTimeout, ResultTooLarge
from graph.records import NodeRecord, Projection, RelRecord


@pytest.fixture(params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def backend(request: pytest.FixtureRequest) -> CypherBackend:
    fixture: CypherBackend = request.getfixturevalue(f"{request.param}_backend")
    return fixture


@pytest.mark.timeout(120)
def test_timeout_is_query_timeout(backend: CypherBackend) -> None:
    ids = [f"e{i}" for i in range(14)]
    nodes = tuple(NodeRecord(i, ("Entity", "Event")) for i in ids)
    rels = tuple(RelRecord("PRECEDES", a, b) for a in ids for b in ids if a != b)
    backend.write(Projection(nodes, rels))
    with pytest.raises(QueryTimeout):
        backend.query("MATCH p = (a:Event)-[*]->(b:Event) RETURN count(p)", timeout_s=1.0)
    assert backend.query("RETURN 1 AS one").rows == [[1]]


def test_max_rows_is_result_too_large(backend: CypherBackend) -> None:
    query = "UNWIND range(1, $n) AS x RETURN x"
    assert backend.query(query, {"n": 5}, max_rows=5).rows == [[1], [2], [3], [4], [5]]
    with pytest.raises(ResultTooLarge, match="more than 5 rows"):
        backend.query(query, {"n": 6}, max_rows=5)
    with pytest.raises(ResultTooLarge):
        backend.query(query, {"n": 1_000_000}, max_rows=10)  # stops reading early (Neo4j)
    assert len(backend.query(query, {"n": 50}).rows) == 50  # no cap by default


def test_values_an_engine_cannot_send_are_query_errors(backend: CypherBackend) -> None:
    with pytest.raises(QueryError):
        backend.query("RETURN $s AS s", {"s": "lone surrogate \udc80"})
