"""`casegraph export --format graphml|gexf|nodelink|neo4j-csv`: what is written reads back.

GraphML, GEXF and node-link JSON are read back by networkx and compared, node by node and edge
by edge, attributes included, with what the records say (through the encoding documented in
`graph.export`). The Neo4j CSV folder is imported by `neo4j-admin database import full` into a
second Neo4j test server (scripts/neo4j-test-server start --import), after which
`casegraph check --backend neo4j` finds no drift and the graph equals a bulk sync's.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.cypher import Neo4jBackend
from graph.export import (
    edge_attributes,
    edge_id,
    mixed_kind,
    node_attributes,
    write_gexf,
    write_graphml,
    write_nodelink,
    xml_kind,
    xml_text,
)
from graph.ingest import load
from graph.records import NodeRecord, PropertyValue, RelRecord
from graph.sync import projection, sync
from graph.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "data" / "cases"
CASEGRAPH = Path(sys.executable).parent / "casegraph"
runner = CliRunner()

ODD = (
    NodeRecord(
        "odd-1",
        ("Entity", "Event"),
        {
            "label": 'Tabs\tand "quotes" & <angles>,\nnew lines\r\nand a bell \x07',
            "earliest": dt.date(2001, 2, 3),
            "key_dates": [dt.date(2001, 2, 3)],
            "aliases": ["ünïcödé", ""],
            "mixed": 1,
            "flag": True,
            "ratio": 0.1,
            "big": 2**40,
        },
    ),
    NodeRecord("odd-2", ("Entity", "Event"), {"mixed": 2.5, "flag": False}),
    NodeRecord("odd-3", ("Entity", "Agent"), {"mixed": "text", "ratio": 3}),
    NodeRecord("odd-4", ("Entity",), {}),
)
ODD_RELS = (
    RelRecord("PARTICIPANT", "odd-1", "odd-3"),
    RelRecord("TARGET", "odd-1", "odd-3"),
    RelRecord("CAUSES", "odd-1", "odd-2", "cl-1", {"confidence": 0.5, "claim_ids": ["cl-1"]}),
    RelRecord("CAUSES", "odd-1", "odd-2", "cl-2", {"confidence": 1, "source_ids": []}),
)


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the curated cases loaded (no engine synced)."""
    data = tmp_path_factory.mktemp("export") / "data"
    workspace = Workspace.open(data)
    load(workspace, [CASES])
    workspace.close()
    return data


def records(data: Path) -> tuple[tuple[NodeRecord, ...], tuple[RelRecord, ...]]:
    workspace = Workspace.open(data, read_only=True)
    try:
        with workspace.model.read() as conn:
            graph = projection(conn)
    finally:
        workspace.close()
    return graph.nodes, graph.relationships


# -- what networkx should read back ---------------------------------------------------------


def declared(items: list[dict[str, PropertyValue]]) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for attributes in items:
        for name, value in attributes.items():
            kind = xml_kind(value)
            kinds[name] = mixed_kind(kinds[name], kind) if name in kinds else kind
    return kinds


def decoded(value: PropertyValue, kind: str) -> Any:
    text = xml_text(value).replace("\x07", "\ufffd")
    if kind == "boolean":
        return text == "true"
    if kind == "long":
        return int(text)
    if kind == "double":
        return float(text)
    return text


def expected_xml(
    nodes: tuple[NodeRecord, ...], rels: tuple[RelRecord, ...], *, gexf: bool
) -> nx.MultiDiGraph:
    node_kinds = declared([node_attributes(n) for n in nodes])
    edge_kinds = declared([edge_attributes(r) for r in rels])
    graph = nx.MultiDiGraph()
    for node in nodes:
        data = {k: decoded(v, node_kinds[k]) for k, v in node_attributes(node).items()}
        if gexf:
            data["label"] = decoded(node.properties.get("label", node.id), "string")
        graph.add_node(node.id, **data)
    for rel in rels:
        data = {k: decoded(v, edge_kinds[k]) for k, v in edge_attributes(rel).items()}
        if gexf:
            data.update(id=edge_id(rel), label=rel.type)
        graph.add_edges_from([(rel.source, rel.target, edge_id(rel), data)])
    return graph


def assert_same(read: nx.Graph, expected: nx.MultiDiGraph) -> None:
    assert read.is_directed()
    assert dict(read.nodes(data=True)) == dict(expected.nodes(data=True))
    got = {(u, v, k): d for u, v, k, d in nx.MultiDiGraph(read).edges(keys=True, data=True)}
    want = {(u, v, k): d for u, v, k, d in expected.edges(keys=True, data=True)}
    assert got == want


# -- the tests --------------------------------------------------------------------------------


def test_graphml_reads_back(tmp_path: Path, curated: Path) -> None:
    for nodes, rels in (records(curated), (ODD, ODD_RELS)):
        path = tmp_path / "graph.graphml"
        with path.open("w", encoding="utf-8") as out:
            summary = write_graphml(iter(nodes), iter(rels), out)
        assert (summary.nodes, summary.relationships) == (len(nodes), len(rels))
        read = nx.read_graphml(path, force_multigraph=True)
        assert_same(read, expected_xml(nodes, rels, gexf=False))


def test_graphml_types(tmp_path: Path) -> None:
    path = tmp_path / "odd.graphml"
    with path.open("w", encoding="utf-8") as out:
        write_graphml(ODD, ODD_RELS, out)
    read = nx.read_graphml(path, force_multigraph=True)
    odd = read.nodes["odd-1"]
    assert odd["earliest"] == "2001-02-03"
    assert json.loads(odd["labels"]) == ["Entity", "Event"]
    assert json.loads(odd["key_dates"]) == ["2001-02-03"]
    assert odd["label"].startswith('Tabs\tand "quotes" & <angles>,\nnew lines\r\n')
    assert odd["flag"] is True
    assert odd["big"] == 2**40
    assert odd["mixed"] == "1"  # declared string: mixed with text elsewhere
    assert read.nodes["odd-3"]["ratio"] == 3.0  # long and double mixed: double
    edges = read.get_edge_data("odd-1", "odd-3")
    assert {d["type"] for d in edges.values()} == {"PARTICIPANT", "TARGET"}


def test_gexf_reads_back(tmp_path: Path, curated: Path) -> None:
    for nodes, rels in (records(curated), (ODD, ODD_RELS)):
        path = tmp_path / "graph.gexf"
        with path.open("w", encoding="utf-8") as out:
            write_gexf(iter(nodes), iter(rels), out, today=dt.date(2026, 1, 1))
        assert 'xmlns="http://gexf.net/1.3"' in path.read_text(encoding="utf-8")[:300]
        read = nx.read_gexf(path, version="1.3")
        assert_same(read, expected_xml(nodes, rels, gexf=True))


def test_nodelink_reads_back(tmp_path: Path, curated: Path) -> None:
    nodes, rels = records(curated)
    out = io.StringIO()
    write_nodelink(iter(nodes), iter(rels), out)
    read = nx.node_link_graph(json.loads(out.getvalue()))
    assert read.is_directed() and read.is_multigraph()
    expected = nx.MultiDiGraph()
    for node in nodes:
        attributes = json.loads(json.dumps(node_attributes(node), default=str))
        attributes.pop("id", None)  # node-link's node identifier; the `id` property equals it
        expected.add_node(node.id, **attributes)
    for rel in rels:
        data = json.loads(json.dumps(dict(rel.properties), default=str))
        data.update(type=rel.type, rel_key=rel.key)
        expected.add_edges_from([(rel.source, rel.target, edge_id(rel), data)])
    assert_same(read, expected)
    assert read.nodes["mx-2006-02"]["earliest"] == "2006-12-11"


def test_cli_exports(tmp_path: Path, curated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(curated))
    nodes, rels = records(curated)
    for fmt, name in (("graphml", "g.graphml"), ("gexf", "g.gexf"), ("nodelink", "g.json")):
        result = runner.invoke(app, ["export", "--format", fmt, "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert f"{len(nodes)} nodes, {len(rels)} relationships" in result.output
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_nodes() == len(nodes)
    result = runner.invoke(app, ["export", "--format", "nodelink"])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["edges"]) == len(rels)
    result = runner.invoke(app, ["export", "--format", "neo4j-csv"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["export", "--format", "dot"])
    assert result.exit_code == 2


# -- neo4j-admin import ------------------------------------------------------------------------

DUMP = (
    "MATCH (n:Entity) RETURN n ORDER BY n.id",
    "MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id AS a, type(r) AS t, r.key AS k, b.id AS b, r "
    "ORDER BY a, t, k, b",
    "MATCH (n:Event) WHERE n.earliest >= date('2017-01-01') RETURN n.id, n.earliest.year "
    "ORDER BY n.id",
)


@pytest.fixture
def imported(tmp_path: Path, curated: Path) -> Iterator[dict[str, str]]:
    """A second Neo4j server whose database neo4j-admin imported from the CSV export."""
    folder = tmp_path / "csv"
    result = runner.invoke(
        app, ["export", "--format", "neo4j-csv", "-o", str(folder)], env=_data(curated)
    )
    assert result.exit_code == 0, result.output
    state = tmp_path / "neo4j"
    env = {**os.environ, "NEO4J_TEST_DIR": str(state)}
    script = ROOT / "scripts" / "neo4j-test-server"
    started = subprocess.run(
        [str(script), "start", "--import", str(folder)], env=env, capture_output=True, text=True
    )
    try:
        assert started.returncode == 0, started.stderr
        printed = subprocess.run(
            [str(script), "env"], env=env, capture_output=True, text=True, check=True
        ).stdout
        values = dict(item.split("=", 1) for item in printed.split()[1:])
        yield values
    finally:
        subprocess.run([str(script), "stop"], env=env, capture_output=True, check=False)


def _data(curated: Path) -> dict[str, str]:
    return {"CASEGRAPH_DATA_DIR": str(curated)}


@pytest.mark.neo4j
@pytest.mark.timeout(600)
def test_neo4j_admin_import_of_the_csv_export(
    neo4j_backend: Neo4jBackend, imported: dict[str, str], curated: Path
) -> None:
    env = {**os.environ, **_data(curated), **imported}
    check = subprocess.run(
        [str(CASEGRAPH), "check", "--backend", "neo4j"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "neo4j: ok" in check.stdout
    # The same graph as a bulk sync of the same read model.
    workspace = Workspace.open(curated)  # a sync records the engine's version
    try:
        sync(workspace.model, neo4j_backend, full=True)
    finally:
        workspace.close()
    other = Neo4jBackend(imported["NEO4J_URI"], "neo4j", imported["NEO4J_PASSWORD"])
    try:
        for query in DUMP:
            assert other.query(query).rows == neo4j_backend.query(query).rows, query
    finally:
        other.close()
