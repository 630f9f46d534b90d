"""The bulk paths of a full sync (FalkorDB GRAPH.BULK + RENAME, Neo4j CREATE batches).

They must leave exactly what the MERGE path leaves: the same labels, the same property values
with the same types (dates as dates, lists, booleans, floats), the same relationships. Run with
the real engines (`-p tests.integration.conftest_cypher`; Neo4j needs the test server).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.cypher import CypherBackend, FalkorDBBackend
from graph.cypher.falkordb import BULK_SUFFIX
from graph.ingest import load
from graph.records import NodeRecord, Projection, RelRecord
from graph.sync import check, projection, sync
from graph.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "data" / "cases"

NODES = (
    NodeRecord(
        "ev-1",
        ("Entity", "Event", "MilitaryOperation"),
        {
            "iri": "https://w3id.org/casegraph/id/event/ev-1",
            "label": 'Opération «Test» "quoted", with a comma; and a\nnewline',
            "type": "MilitaryOperation",
            "earliest": dt.date(2006, 12, 11),
            "latest": dt.date(2007, 1, 8),
            "approximate": False,
            "uncertain": True,
            "confidence": 0.7,
            "step_index": 3,
            "aliases": ["Operativo Conjunto Michoacán", "Michoacán"],
            "key_dates": [dt.date(2006, 12, 11), dt.date(2006, 12, 31)],
            "empty": [],
            "blank": "",
        },
    ),
    NodeRecord(
        "ev-2",
        ("Entity", "Event"),
        {"label": "Second", "type": "Event", "earliest": dt.date(1999, 1, 1), "value": -1.5e-7},
    ),
    NodeRecord("agent-1", ("Entity", "Agent", "Person"), {"label": "A. Person", "type": "Person"}),
    NodeRecord("place-1", ("Entity", "Place", "Country"), {}),
)
RELS = (
    RelRecord("PARTICIPANT", "ev-1", "agent-1"),
    RelRecord("PLACE", "ev-1", "place-1"),
    RelRecord(
        "CAUSES",
        "ev-1",
        "ev-2",
        key="cl-1",
        properties={
            "claim_ids": ["cl-1"],
            "confidence": 0.9,
            "stance": "supports",
            "source_ids": [],
            "asserted_by": ["agent-1"],
        },
    ),
    RelRecord("CAUSES", "ev-1", "ev-2", key="cl-2", properties={"confidence": 0.3}),
    RelRecord("INTERVAL_BEFORE", "ev-2", "ev-1", key="possible", properties={"certain": False}),
    RelRecord("PRECEDES", "ev-2", "ev-1", properties={"on": dt.date(2000, 2, 29)}),
    RelRecord("PARTICIPANT", "ev-2", "nowhere"),  # an endpoint that is not a node: skipped
)

DUMP_NODES = "MATCH (n:Entity) RETURN n ORDER BY n.id"
DUMP_RELS = (
    "MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id AS a, type(r) AS t, r.key AS k, b.id AS b, r "
    "ORDER BY a, t, k, b"
)
TYPES = (
    "MATCH (n:Event) RETURN n.id, n.earliest.year, n.earliest < date('2007-01-01'), "
    "[d IN n.key_dates | d.month], n.confidence * 2, n.approximate = false, size(n.empty) "
    "ORDER BY n.id"
)
REL_DATE = "MATCH ()-[r:PRECEDES]->() RETURN r.on.year, r.on.month, r.on.day"


@pytest.fixture(params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def backend(request: pytest.FixtureRequest) -> CypherBackend:
    fixture: CypherBackend = request.getfixturevalue(f"{request.param}_backend")
    return fixture


def dump(backend: CypherBackend) -> list[Any]:
    return [backend.query(q).rows for q in (DUMP_NODES, DUMP_RELS, TYPES, REL_DATE)]


def test_bulk_equals_merge(backend: CypherBackend) -> None:
    backend.write(Projection(NODES, RELS))
    merged = dump(backend)
    counts = backend.counts()
    backend.clear()
    summary = backend.replace_all(iter(NODES), iter(RELS))
    assert summary == (4, 6)
    assert backend.counts() == counts
    bulk = dump(backend)
    assert bulk == merged
    assert json.dumps(bulk)  # JSON-safe
    types = bulk[2]
    assert types == [
        ["ev-1", 2006, True, [12, 12], 1.4, True, 0],
        ["ev-2", 1999, True, None, None, None, None],
    ]
    assert bulk[3] == [[2000, 2, 29]]
    node = bulk[0][1][0]
    assert node["properties"]["label"].endswith("a\nnewline")
    assert node["properties"]["blank"] == ""


def test_bulk_replaces_what_was_there(backend: CypherBackend) -> None:
    backend.write(Projection((NodeRecord("old", ("Entity", "Event")),), ()))
    backend.replace_all(NODES[:2], RELS[2:4])
    _, rows = backend.query("MATCH (n:Entity) RETURN n.id ORDER BY n.id")
    assert rows == [["ev-1"], ["ev-2"]]
    assert backend.counts().types == {"CAUSES": 2}
    backend.replace_all((), ())
    assert backend.counts() == ({}, {})


def test_falkordb_bulk_in_many_calls(falkordb_backend: FalkorDBBackend) -> None:
    """Tiny calls: internal ids, date ranges and relationships still line up across calls."""
    nodes = [
        NodeRecord(
            f"n{i:03}",
            ("Entity", "Event") if i % 3 else ("Entity", "Agent"),
            {"earliest": dt.date(2000, 1, 1) + dt.timedelta(days=i)} if i % 2 else {"x": i},
        )
        for i in range(120)
    ]
    rels = [RelRecord("PRECEDES", f"n{i:03}", f"n{i + 1:03}", key=str(i)) for i in range(119)]
    summary = falkordb_backend.replace_all(nodes, rels, max_call_bytes=300)
    assert summary == (120, 119)
    _, rows = falkordb_backend.query(
        "MATCH (a)-[r:PRECEDES]->(b) RETURN a.id, r.key, b.id, b.earliest ORDER BY r.key"
    )
    assert len(rows) == 119
    for a, key, b, earliest in rows:
        i = int(key)
        assert (a, b) == (f"n{i:03}", f"n{i + 1:03}")
        expected = (dt.date(2000, 1, 1) + dt.timedelta(days=i + 1)).isoformat()
        assert earliest == (expected if (i + 1) % 2 else None)
    _, typed = falkordb_backend.query(
        "MATCH (n:Entity) WHERE n.earliest IS NOT NULL RETURN count(n), min(n.earliest.year)"
    )
    assert typed == [[60, 2000]]


def test_falkordb_failed_bulk_leaves_the_old_graph(falkordb_backend: FalkorDBBackend) -> None:
    falkordb_backend.replace_all(NODES, RELS)
    before = dump(falkordb_backend)

    def broken() -> Iterator[NodeRecord]:
        yield from NODES
        yield NodeRecord("bad", ("Entity", "NotAClass"))

    with pytest.raises(ValueError, match="NotAClass"):
        falkordb_backend.replace_all(broken(), RELS, max_call_bytes=100)
    assert dump(falkordb_backend) == before
    connection = falkordb_backend._db.connection
    assert connection.exists(f"casegraph{BULK_SUFFIX}")  # the half-built key, not swapped in
    falkordb_backend.replace_all(NODES[:1], ())
    assert not connection.exists(f"casegraph{BULK_SUFFIX}")
    assert falkordb_backend.counts().labels["Entity"] == 1


def test_falkordb_bulk_builds_the_schema(falkordb_backend: FalkorDBBackend) -> None:
    falkordb_backend.replace_all(NODES, RELS)
    _, rows = falkordb_backend.query("CALL db.indexes() YIELD label, properties")
    indexed = {(label, prop) for label, props in rows for prop in props}
    assert {("Entity", "id"), ("Entity", "type"), ("Event", "earliest")} <= indexed
    plan = falkordb_backend._graph.explain(
        "MATCH (n:Event) WHERE n.earliest >= date('2000-01-01') RETURN n"
    )
    assert "Index Scan" in str(plan)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    opened = Workspace.open(tmp_path / "data")
    yield opened
    opened.close()


@pytest.mark.timeout(600)
def test_full_sync_of_the_curated_cases(workspace: Workspace, backend: CypherBackend) -> None:
    """A bulk full sync of the curated cases: `check` is clean, and an incremental one after
    it writes nothing."""
    load(workspace, [CASES])
    report = sync(workspace.model, backend, full=True)
    with workspace.model.read() as conn:
        graph = projection(conn)
    assert (report.nodes_written, report.relationships_written) == (
        len(graph.nodes),
        len(graph.relationships),
    )
    result = check(workspace.model, backend)
    assert result.ok, result.drift
    again = sync(workspace.model, backend)
    assert not again.full
    assert (again.nodes_written, again.relationships_written) == (0, 0)


def test_bulk_refuses_names_outside_the_ontology(backend: CypherBackend) -> None:
    with pytest.raises(ValueError, match="NOT_A_TYPE"):
        backend.replace_all(NODES, [RelRecord("NOT_A_TYPE", "nowhere", "ev-1")])
    with pytest.raises(ValueError, match="Bogus"):
        backend.replace_all([NodeRecord("x", ("Entity", "Bogus"))], [])
