"""FalkorDB embedded and Neo4j written from the same Projection and queried with the same Cypher.

Run with `-p tests.integration.conftest_cypher`; the Neo4j cases need the test server
(scripts/neo4j-test-server).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from graph.cypher import CypherBackend, FalkorDBBackend, Neo4jBackend
from graph.cypher.statements import check_labels, ontology_labels, upsert_nodes
from graph.errors import BackendUnavailable, QueryError
from graph.records import NodeRecord, Projection, RelRecord

REPO = Path(__file__).resolve().parents[2]

NODES = (
    NodeRecord(
        "mx-michoacan-operation",
        ("Entity", "Event", "MilitaryOperation"),
        {
            "label": "Joint Operation Michoacán",
            "type": "MilitaryOperation",
            "iri": "https://w3id.org/casegraph/id/event/mx-michoacan-operation",
            "dateEDTF": "2006-12-11",
            "earliest": dt.date(2006, 12, 11),
            "latest": dt.date(2006, 12, 11),
            "approximate": False,
            "altLabel": ["Operativo Conjunto Michoacán", "Michoacán operation"],
        },
    ),
    NodeRecord(
        "mx-homicides-rise",
        ("Entity", "Event"),
        {
            "label": "Rise in homicides",
            "type": "Event",
            "dateEDTF": "2008/2011",
            "earliest": dt.date(2008, 1, 1),
            "latest": dt.date(2011, 12, 31),
            "keyDates": [dt.date(2008, 1, 1), dt.date(2010, 6, 30)],
        },
    ),
    NodeRecord(
        "felipe-calderon",
        ("Entity", "Agent", "Person"),
        {"label": "Felipe Calderón", "type": "Person", "altLabel": ["Calderón"]},
    ),
    NodeRecord("mexico", ("Entity", "Place", "Country"), {"label": "Mexico", "type": "Country"}),
)
RELS = (
    RelRecord("PARTICIPANT", "mx-michoacan-operation", "felipe-calderon"),
    RelRecord("PLACE", "mx-michoacan-operation", "mexico"),
    RelRecord(
        "CAUSES",
        "mx-michoacan-operation",
        "mx-homicides-rise",
        key="claim-1",
        properties={"certain": True, "confidence": 0.7, "claimIds": ["claim-1"]},
    ),
    RelRecord(
        "CAUSES",
        "mx-michoacan-operation",
        "mx-homicides-rise",
        key="claim-2",
        properties={"certain": False, "confidence": 0.3, "stance": "disputes"},
    ),
    RelRecord(
        "INTERVAL_BEFORE",
        "mx-michoacan-operation",
        "mx-homicides-rise",
        properties={"certain": True},
    ),
)
PROJECTION = Projection(NODES, RELS)

EXPECTED_LABELS = {
    "Entity": 4,
    "Event": 2,
    "MilitaryOperation": 1,
    "Agent": 1,
    "Person": 1,
    "Place": 1,
    "Country": 1,
}
EXPECTED_TYPES = {"PARTICIPANT": 1, "PLACE": 1, "CAUSES": 2, "INTERVAL_BEFORE": 1}

SHARED_QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("MATCH (n:Entity) RETURN n ORDER BY n.id", {}),
    (
        "MATCH (n:Event) WHERE n.earliest >= date($from) RETURN n.id, n.earliest, n.keyDates",
        {"from": "2007-01-01"},
    ),
    (
        "MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id, type(r), r.key, b.id, r.certain, r",
        {},
    ),
    ("MATCH p = (a:Event)-[:CAUSES]->(b:Event) RETURN p", {}),
    ("MATCH (n:Entity) WHERE $name IN n.altLabel RETURN n.id", {"name": "Calderón"}),
    ("MATCH (n:Event) RETURN n.earliest.year AS year, count(*) AS n", {}),
]


@pytest.fixture(params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def backend(request: pytest.FixtureRequest) -> CypherBackend:
    fixture: CypherBackend = request.getfixturevalue(f"{request.param}_backend")
    return fixture


def _canonical(rows: list[list[Any]]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def test_write_and_count(backend: CypherBackend) -> None:
    summary = backend.write(PROJECTION)
    assert summary == (4, 5)
    labels, types = backend.counts()
    assert labels == EXPECTED_LABELS
    assert types == EXPECTED_TYPES


def test_rewrite_is_idempotent(backend: CypherBackend) -> None:
    backend.write(PROJECTION)
    first = backend.counts()
    backend.write(PROJECTION, batch_size=2)
    backend.ensure_schema()
    assert backend.counts() == first


def test_node_relationship_and_path_are_json_safe(backend: CypherBackend) -> None:
    backend.write(PROJECTION)
    columns, rows = backend.query(
        "MATCH p = (a:Entity {id: $a})-[r:CAUSES {key: $key}]->(b:Entity) RETURN a, r, p",
        {"a": "mx-michoacan-operation", "key": "claim-1"},
        timeout_s=10,
    )
    assert columns == ["a", "r", "p"]
    assert len(rows) == 1
    node, rel, path = rows[0]
    json.dumps(rows)  # no engine objects, dates or other non-JSON values left
    assert node["id"] == "mx-michoacan-operation"
    assert node["labels"] == ["Entity", "Event", "MilitaryOperation"]
    assert node["properties"]["earliest"] == "2006-12-11"
    assert node["properties"]["altLabel"] == ["Operativo Conjunto Michoacán", "Michoacán operation"]
    assert node["properties"]["approximate"] is False
    assert rel == {
        "type": "CAUSES",
        "start": "mx-michoacan-operation",
        "end": "mx-homicides-rise",
        "properties": {
            "certain": True,
            "claimIds": ["claim-1"],
            "confidence": 0.7,
            "key": "claim-1",
        },
    }
    assert [n["id"] for n in path["nodes"]] == ["mx-michoacan-operation", "mx-homicides-rise"]
    assert path["relationships"] == [rel]


def test_dates_are_native(backend: CypherBackend) -> None:
    backend.write(PROJECTION)
    _, rows = backend.query(
        "MATCH (n:Event) WHERE n.earliest < date('2007-01-01') "
        "RETURN n.id, n.earliest.year, n.latest > n.earliest, [d IN n.keyDates | d.month]",
    )
    assert rows == [["mx-michoacan-operation", 2006, False, None]]
    _, rows = backend.query(
        "MATCH (n:Event {id: $id}) RETURN [d IN n.keyDates | d.month]", {"id": "mx-homicides-rise"}
    )
    assert rows == [[[1, 6]]]


@pytest.mark.neo4j
def test_engines_agree(falkordb_backend: FalkorDBBackend, neo4j_backend: Neo4jBackend) -> None:
    falkordb_backend.write(PROJECTION)
    neo4j_backend.write(PROJECTION)
    assert falkordb_backend.counts() == neo4j_backend.counts()
    for cypher, params in SHARED_QUERIES:
        f_columns, f_rows = falkordb_backend.query(cypher, params)
        n_columns, n_rows = neo4j_backend.query(cypher, params)
        assert f_columns == n_columns, cypher
        assert _canonical(f_rows) == _canonical(n_rows), cypher


def test_delete(backend: CypherBackend) -> None:
    backend.write(PROJECTION)
    removed = backend.delete_relationships(
        [("CAUSES", "mx-michoacan-operation", "mx-homicides-rise", "claim-2")]
    )
    assert removed == 1
    assert backend.counts().types["CAUSES"] == 1
    assert backend.delete_relationships([RELS[0]]) == 1
    assert backend.delete_nodes(["felipe-calderon", "no-such-node"]) == 1
    labels, types = backend.counts()
    assert "Person" not in labels
    assert labels["Entity"] == 3
    assert "PARTICIPANT" not in types
    backend.clear()
    assert backend.counts() == ({}, {})


def test_read_only_query_refuses_writes(backend: CypherBackend) -> None:
    backend.write(PROJECTION)
    with pytest.raises(QueryError):
        backend.query("CREATE (n:Entity {id: $id}) RETURN n", {"id": "intruder"})
    with pytest.raises(QueryError):
        backend.query("MATCH (n:Entity) DETACH DELETE n")
    assert backend.counts().labels["Entity"] == 4
    _, rows = backend.query(
        "CREATE (n:Entity {id: $id}) RETURN n.id", {"id": "allowed"}, read_only=False
    )
    assert rows == [["allowed"]]


def test_syntax_error_is_a_query_error(backend: CypherBackend) -> None:
    with pytest.raises(QueryError, match=r"(?i)\w"):
        backend.query("MATCH (n RETURN n")


@pytest.mark.timeout(120)
def test_pathological_query_times_out(backend: CypherBackend) -> None:
    ids = [f"e{i}" for i in range(14)]
    nodes = tuple(NodeRecord(i, ("Entity", "Event")) for i in ids)
    rels = tuple(RelRecord("PRECEDES", a, b) for a in ids for b in ids if a != b)
    backend.write(Projection(nodes, rels))
    started = time.monotonic()
    with pytest.raises(QueryError, match=r"(?i)time"):
        backend.query("MATCH p = (a:Event)-[*]->(b:Event) RETURN count(p)", timeout_s=1.0)
    assert time.monotonic() - started < 30
    assert backend.counts().types == {"PRECEDES": 182}  # still answers afterwards


def test_allow_lists(backend: CypherBackend) -> None:
    bad_label = Projection((NodeRecord("x", ("Entity", "Bogus")),), ())
    with pytest.raises(ValueError, match="Bogus"):
        backend.write(bad_label)
    injected = Projection((NodeRecord("x", ("Entity", "Event) DETACH DELETE (n")),), ())
    with pytest.raises(ValueError, match="label"):
        backend.write(injected)
    bad_type = Projection(NODES, (RelRecord("NOT_A_TYPE", NODES[0].id, NODES[1].id),))
    with pytest.raises(ValueError, match="NOT_A_TYPE"):
        backend.write(bad_type)
    with pytest.raises(ValueError, match="relationship type"):
        backend.delete_relationships([("causes", "a", "b", "")])
    assert backend.counts() == ({}, {})  # nothing was written before the check failed


def test_statement_builders_check_names() -> None:
    assert check_labels(["Entity", "Event"], ontology_labels()) == ("Entity", "Event")
    assert "SET n:Event:MilitaryOperation" in upsert_nodes(
        ["Entity", "Event", "MilitaryOperation"], ontology_labels()
    )
    with pytest.raises(ValueError, match="property name"):
        upsert_nodes(["Entity"], ontology_labels(), date_props=["x} DELETE n"])


# -- FalkorDB process handling -------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from graph.cypher import FalkorDBBackend
    from graph.records import NodeRecord, Projection
    backend = FalkorDBBackend(Path(sys.argv[1]))
    backend.write(Projection((NodeRecord("survivor", ("Entity",)),), ()))
    print(backend.server.pid, flush=True)
    time.sleep(120)
    """
)


def _gone(pid: int, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # a zombie (not yet reaped) counts as gone
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
        except (OSError, IndexError):
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


@pytest.mark.timeout(120)
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_falkordb_server_dies_with_its_parent(tmp_path: Path, sig: signal.Signals) -> None:
    data = tmp_path / "falkordb"
    with subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(data)], cwd=REPO, stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            server_pid = int(child.stdout.readline())
            os.kill(server_pid, 0)  # running
            child.send_signal(sig)
            child.wait(30)
            assert _gone(server_pid, 10), f"redis-server {server_pid} outlived its parent"
        finally:
            child.kill()
    # The server saved on SIGTERM (its death signal) and released the folder.
    with FalkorDBBackend(data) as again:
        assert again.counts().labels == {"Entity": 1}


def test_falkordb_folder_is_locked(falkordb_backend: FalkorDBBackend) -> None:
    with pytest.raises(BackendUnavailable, match="in use"):
        FalkorDBBackend(falkordb_backend.server.path)


def test_falkordb_opened_in_a_short_lived_thread_survives_it(tmp_path: Path) -> None:
    opened: list[FalkorDBBackend] = []
    thread = threading.Thread(target=lambda: opened.append(FalkorDBBackend(tmp_path / "fk")))
    thread.start()
    thread.join()
    with opened[0] as backend:
        time.sleep(0.5)  # a death signal tied to the thread would have fired by now
        assert backend.query("RETURN 1 AS one") == (["one"], [[1]])


def test_falkordb_close_stops_the_server(tmp_path: Path) -> None:
    backend = FalkorDBBackend(tmp_path / "fk")
    pid = backend.server.pid
    assert pid is not None
    backend.close()
    assert _gone(pid, 5)
    backend.close()  # idempotent
