"""What a query sees, against SPARQL 1.1 Query (W3C Recommendation, 21 March 2013): the base
IRI (§4.1.1.2), the dataset `FROM` / `FROM NAMED` and the protocol's parameters give
(§13.2), and named graphs as their writers named them (§13.3); over real HTTP.

Issue 12, point 1: a graph a client writes as `<G>` — by SPARQL Update, by the Graph Store or
as a document `POST /api/load` names — is matched by `GRAPH <G>` and bound as `<G>` by
`GRAPH ?g`; loaded documents have stable graph IRIs (`cgg:doc/<file name>`, docs/store.md).
Each test is named after the section it checks (`test_query_13_3_1_...` is §13.3.1);
docs/conformance.md maps every requirement to its test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.exchanges import AUTH, put_graph, solutions
from tests.integration.server import Server, running

pytestmark = pytest.mark.timeout(300)

CGG = "https://w3id.org/casegraph/graph/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
EVENT_COUNT = (
    "SELECT (COUNT(DISTINCT ?e) AS ?n) {FROM} WHERE {{ ?e a ?c . "
    "FILTER(?c IN (cg:MilitaryOperation, cg:Arrest, cg:ArmedConflict, cg:AirCampaign)) }}"
)
"""The fixture events by their asserted classes (three in each document); `{FROM}` is where
a dataset clause goes."""
WRITERS = ["sparql-update", "graph-store", "api-load"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory.mktemp("sparql-query")) as srv:
        yield srv


def select(client: httpx.Client, query: str, **params: str) -> list[dict[str, str]]:
    return solutions(client.get("/sparql", params={"query": query, **params}))


def ask(client: httpx.Client, query: str) -> bool:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def registered(client: httpx.Client) -> dict[str, str]:
    """Graph IRI → registry name, as `/api/stats` lists them."""
    return {g["graph"]: g["name"] for g in client.get("/api/stats").json()["graphs"]}


def write(client: httpx.Client, writer: str, tag: str) -> tuple[str, str]:
    """One statement `<s> rdfs:label "<tag>"` written by `writer` into a graph it names;
    (the graph's IRI, the subject)."""
    subject = f"http://example.org/named/{tag}/s"
    triple = f'<{subject}> <{LABEL}> "{tag}" .'
    if writer == "sparql-update":
        graph = f"http://example.org/named/{tag}"
        update = f"INSERT DATA {{ GRAPH <{graph}> {{ {triple} }} }}"
        done = client.post("/sparql", data={"update": update}, headers=AUTH)
    elif writer == "graph-store":
        graph = f"http://example.org/named/{tag}"
        done = put_graph(client, graph, triple, "application/n-triples")
    else:
        graph = f"{CGG}doc/{tag}.nt"
        done = client.post(
            "/api/load",
            params={"graph": f"{tag}.nt"},
            content=triple,
            headers={"Content-Type": "application/n-triples"} | AUTH,
        )
        assert [g["graph"] for g in done.json()["graphs"]] == [graph], done.text
    assert done.status_code in (200, 201, 204), done.text
    return graph, subject


# -- 4.1.1.2 Relative IRIs --------------------------------------------------------------------


def test_query_4_1_1_2_relative_iris_resolve_against_the_endpoint_url(
    client: httpx.Client, server: Server
) -> None:
    """The base IRI of queries and updates is the endpoint's URL; a `BASE` in the text wins."""
    by_get = select(client, "SELECT (<x> AS ?iri) {}")
    in_form = solutions(client.post("/sparql", data={"query": "SELECT (<../y> AS ?iri) {}"}))
    assert [by_get[0]["iri"], in_form[0]["iri"]] == [f"{server.url}/x", f"{server.url}/y"]
    own = select(client, "BASE <http://example.org/b/> SELECT (<x> AS ?iri) {}")
    assert own[0]["iri"] == "http://example.org/b/x"
    graph = "http://example.org/base-test"
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <s> <p> <o> }} }}"
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 200
    written = select(client, f"SELECT ?s ?p ?o {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert written == [{"s": f"{server.url}/s", "p": f"{server.url}/p", "o": f"{server.url}/o"}]


# -- 13.2 Specifying RDF Datasets -------------------------------------------------------------


def test_query_13_2_1_from_specifies_the_default_graph(client: httpx.Client) -> None:
    graphs = {name: iri for iri, name in registered(client).items()}
    union = select(client, EVENT_COUNT.format(FROM=""))
    small = select(client, EVENT_COUNT.format(FROM=f"FROM <{graphs['small-case.yaml']}>"))
    assert (int(union[0]["n"]), int(small[0]["n"])) == (6, 3)


def test_query_13_2_from_and_from_named_see_only_registered_graphs(
    client: httpx.Client,
) -> None:
    """A query sees the graphs the store has registered (and the registry `cgg:meta`), never
    another: not a graph it never wrote, not one deleted, by `FROM`, `FROM NAMED` or the
    protocol's dataset parameters."""
    visible = {r["g"] for r in select(client, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")}
    assert visible <= set(registered(client)) | {f"{CGG}meta"}
    assert f"{CGG}doc/small-case.yaml" in visible
    gone = "http://example.org/dataset/deleted"
    put = put_graph(client, gone, "<http://example.org/a> <http://example.org/b> 1 .")
    assert put.status_code == 201, put.text
    count = "SELECT (COUNT(*) AS ?n) FROM <{g}> {{ ?s ?p ?o }}"
    assert select(client, count.format(g=gone)) == [{"n": "1"}]
    assert client.delete("/graph-store", params={"graph": gone}, headers=AUTH).status_code == 204
    for graph in (gone, "http://example.org/dataset/never-written"):
        assert select(client, count.format(g=graph)) == [{"n": "0"}]
        named = f"SELECT ?s FROM NAMED <{graph}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"
        assert select(client, named) == []
        anything = "SELECT ?s { ?s ?p ?o }"
        assert select(client, anything, **{"default-graph-uri": graph}) == []
        in_named = "SELECT ?s { GRAPH ?g { ?s ?p ?o } }"
        assert select(client, in_named, **{"named-graph-uri": graph}) == []


# -- 13.3 Querying the Dataset ----------------------------------------------------------------


@pytest.mark.parametrize("writer", WRITERS)
def test_query_13_3_2_graph_g_matches_a_graph_written_as_g(
    client: httpx.Client, writer: str
) -> None:
    graph, subject = write(client, writer, f"match-{writer}")
    assert ask(client, f'ASK {{ GRAPH <{graph}> {{ <{subject}> rdfs:label "match-{writer}" }} }}')
    assert not ask(client, f"ASK {{ GRAPH <{graph}/other> {{ <{subject}> ?p ?o }} }}")


@pytest.mark.parametrize("writer", WRITERS)
def test_query_13_3_1_graph_variable_binds_the_name_the_writer_gave(
    client: httpx.Client, writer: str
) -> None:
    graph, subject = write(client, writer, f"bind-{writer}")
    found = select(client, f"SELECT ?g {{ GRAPH ?g {{ <{subject}> ?p ?o }} }}")
    assert found == [{"g": graph}]
    assert graph in registered(client)


def test_query_13_3_1_loaded_documents_are_named_by_stable_iris(client: httpx.Client) -> None:
    """A loaded document's graph is `cgg:doc/<file name>`: no content hash, the same IRI
    after the document is loaded again with other content (docs/store.md)."""
    documents = {
        iri: name for iri, name in registered(client).items() if iri.startswith(f"{CGG}doc/")
    }
    assert set(documents.values()) >= {"small-case.yaml", "api-mexico.yaml"}
    assert all(iri == f"{CGG}doc/{name}" for iri, name in documents.items())
    subject = "https://w3id.org/casegraph/id/event/test-offensive"
    found = select(client, f"SELECT DISTINCT ?g {{ GRAPH ?g {{ <{subject}> rdfs:label ?l }} }}")
    assert {r["g"] for r in found} == {f"{CGG}doc/small-case.yaml"}
    iris = set()
    for version in ("1", "2"):
        loaded = client.post(
            "/api/load",
            params={"graph": "stable.nt"},
            content=f'<http://example.org/stable> <{LABEL}> "version {version}" .\n',
            headers={"Content-Type": "application/n-triples"} | AUTH,
        )
        assert loaded.status_code == 200, loaded.text
        iris |= {g["graph"] for g in loaded.json()["graphs"]}
    assert iris == {f"{CGG}doc/stable.nt"}
    documents = [iri for iri in registered(client) if iri.startswith(f"{CGG}doc/")]
    assert f"{CGG}doc/stable.nt" in documents
    assert not [iri for iri in documents if re.search(r"[0-9a-f]{16}", iri)]
    label = select(client, f"SELECT ?l {{ GRAPH <{CGG}doc/stable.nt> {{ ?s rdfs:label ?l }} }}")
    assert label == [{"l": "version 2"}]
