"""Real clients against a real server: SPARQLWrapper on /sparql, and /cypher against the CLI.

SPARQLWrapper runs SELECT, ASK, CONSTRUCT and DESCRIBE in every result format it offers for
the query form (JSON, XML, CSV, TSV for results; RDF/XML, Turtle, N3, JSON-LD for graphs), by
GET and by POST, and its own conversion of each answer must give the same result. These
queries use the default dataset only (no named graphs), so they do not depend on how the store
names graphs.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

from tests.integration.server import Server, running, start_server

pytestmark = pytest.mark.timeout(300)

CG = "https://w3id.org/casegraph/ontology#"
EVENT = "https://w3id.org/casegraph/id/event/fx-kingpin-arrest"
SELECT = f"""PREFIX cg: <{CG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?label WHERE {{ ?event a cg:Event ; rdfs:label ?label }} ORDER BY ?event"""
ASK_TRUE = f"PREFIX cg: <{CG}> ASK {{ <{EVENT}> a cg:Event }}"
ASK_FALSE = f"PREFIX cg: <{CG}> ASK {{ <{EVENT}> a cg:Person }}"
CONSTRUCT = f"""PREFIX cg: <{CG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{ ?event rdfs:label ?label }} WHERE {{ ?event a cg:Event ; rdfs:label ?label }}"""
DESCRIBE = f"DESCRIBE <{EVENT}>"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory.mktemp("real-clients")) as srv:
        yield srv


def wrapper(server: Server, query: str, fmt: str, method: str) -> Any:
    client = SPARQLWrapper(f"{server.url}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    with warnings.catch_warnings():
        # rdflib's JSON-LD parser builds a (deprecated) ConjunctiveGraph inside.
        warnings.simplefilter("ignore", DeprecationWarning)
        return client.queryAndConvert()


def rows_of(result: Any, fmt: str) -> list[tuple[str, ...]]:
    """SELECT rows from each format SPARQLWrapper converts, as (event, label) tuples."""
    if fmt == JSON:
        return [(b["event"]["value"], b["label"]["value"]) for b in result["results"]["bindings"]]
    if fmt == XML:
        rows = []
        for node in result.getElementsByTagName("result"):
            values = {}
            for binding in node.getElementsByTagName("binding"):
                values[binding.getAttribute("name")] = binding.firstChild.firstChild.data
            rows.append((values["event"], values["label"]))
        return rows
    if fmt == CSV:
        reader = csv.reader(io.StringIO(result.decode("utf-8")))
        assert next(reader) == ["event", "label"]
        return [tuple(row) for row in reader]
    assert fmt == TSV
    lines = result.decode("utf-8").splitlines()
    assert lines[0].split("\t") == ["?event", "?label"]
    out = []
    for line in lines[1:]:
        event, label = line.split("\t")
        out.append((event.strip("<>"), json.loads(label.split("@")[0]) if label else ""))
    return out


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_in_every_format(server: Server, method: str) -> None:
    results = {
        fmt: rows_of(wrapper(server, SELECT, fmt, method), fmt) for fmt in (JSON, XML, CSV, TSV)
    }
    expected = results[JSON]
    assert len(expected) >= 5
    assert (EVENT, "Arrest of a cartel leader") in expected
    for fmt, rows in results.items():
        assert rows == expected, fmt


def boolean_of(result: Any, fmt: str) -> bool:
    if fmt == JSON:
        value = result["boolean"]
        assert isinstance(value, bool)
        return value
    if fmt == XML:
        return bool(result.getElementsByTagName("boolean")[0].firstChild.data == "true")
    text = result.decode("utf-8").strip().splitlines()[-1].strip()
    assert text in ("true", "false"), text
    return text == "true"


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_ask_in_every_format(server: Server, fmt: str, method: str) -> None:
    assert boolean_of(wrapper(server, ASK_TRUE, fmt, method), fmt) is True
    assert boolean_of(wrapper(server, ASK_FALSE, fmt, method), fmt) is False


def graph_of(result: Any, fmt: str) -> rdflib.Graph:
    if isinstance(result, rdflib.Graph):
        return result
    graph = rdflib.Graph()
    assert fmt in (TURTLE, N3), type(result)
    graph.parse(data=result, format="turtle")
    return graph


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_sparqlwrapper_graphs_in_every_format(server: Server, query: str, method: str) -> None:
    graphs = {
        fmt: graph_of(wrapper(server, query, fmt, method), fmt)
        for fmt in (XML, RDFXML, TURTLE, N3, JSONLD)
    }
    reference = graphs[TURTLE]
    assert len(reference) >= 5
    assert (
        rdflib.URIRef(EVENT),
        rdflib.RDFS.label,
        rdflib.Literal("Arrest of a cartel leader"),
    ) in reference
    for fmt, graph in graphs.items():
        assert isomorphic(graph, reference), fmt


# -- /cypher and the CLI ----------------------------------------------------------------------

CYPHER = [
    ("MATCH (e:Event) RETURN e.id AS id, e.label AS label, e.start AS start ORDER BY id", {}),
    (
        "MATCH (a:Event)-[r]->(b:Entity) RETURN a.id, type(r), b.id ORDER BY a.id, type(r), b.id",
        {},
    ),
    ("MATCH (e:Entity {id: $id}) RETURN e, labels(e) AS labels", {"id": "fx-kingpin-arrest"}),
    ("MATCH (n:Entity) RETURN count(n) AS n, min(n.start) AS first", {}),
]


def test_cypher_rows_equal_the_cli(tmp_path: Path) -> None:
    server = start_server(tmp_path / "server")
    try:
        answers = []
        for query, parameters in CYPHER:
            response = httpx.post(
                f"{server.url}/cypher",
                json={"query": query, "parameters": parameters},
                timeout=60,
            )
            assert response.status_code == 200, response.text
            answers.append(response.json())
    finally:
        server.stop()  # the embedded FalkorDB belongs to one process: the CLI opens it next
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    environment["CASEGRAPH_DATA_DIR"] = str(server.data_dir)
    for (query, parameters), answer in zip(CYPHER, answers, strict=True):
        command = [sys.executable, "-c", "from api.cli import app; app()", "query", "cypher"]
        command += [query, "--format", "json"]
        for name, value in parameters.items():
            command += ["--param", f"{name}={json.dumps(value)}"]
        done = subprocess.run(
            command,
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == answer, query
        assert answer["rows"], query


# -- rdflib's SPARQLStore and SPARQLUpdateStore -----------------------------------------------

NOTES = "https://example.org/rdflib/notes"


def test_rdflib_update_store_writes_a_named_graph_read_back_by_name(server: Server) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore

    from tests.integration.server import TOKEN

    endpoint = f"{server.url}/sparql"
    writer = SPARQLUpdateStore(
        endpoint, endpoint, headers={"Authorization": f"Bearer {TOKEN}"}, autocommit=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's Dataset internals
        dataset = rdflib.Dataset(store=writer)
        graph = dataset.graph(rdflib.URIRef(NOTES))
        subject = rdflib.URIRef("https://example.org/rdflib/s")
        graph.add((subject, rdflib.RDFS.label, rdflib.Literal("written by rdflib")))
        graph.add((subject, rdflib.RDF.type, rdflib.URIRef(f"{CG}Agent")))

        reader = SPARQLStore(endpoint)
        by_name = rdflib.Graph(store=reader, identifier=rdflib.URIRef(NOTES))
        assert set(by_name.objects(subject, rdflib.RDFS.label)) == {
            rdflib.Literal("written by rdflib")
        }
        assert len(by_name) == 2
        names = {c.identifier if isinstance(c, rdflib.Graph) else c for c in reader.contexts()}
        assert rdflib.URIRef(NOTES) in names
        unknown = rdflib.Graph(store=reader, identifier=rdflib.URIRef(f"{NOTES}/none"))
        assert len(unknown) == 0
