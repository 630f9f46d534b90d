"""/graph-store against the SPARQL 1.1 Graph Store HTTP Protocol (W3C Recommendation,
21 March 2013), section by section, over real HTTP.

Indirect identification (§4.2): `?graph=<IRI>` names any graph, `?default` the store's own
default graph (what clients wrote without a graph name, not the union queries see). Direct
identification (§4.1): a graph whose IRI is under `<server>/graph-store/` is also addressed by
that URL. GET (§5.2), PUT (§5.3), DELETE (§5.4), POST (§5.5: merge, multipart, and to the
store itself a new graph with `Location`). Each test is named after the section it checks; the
W3C Graph Store manifest's own cases are in `test_w3c_protocol.py`, and docs/conformance.md
maps every requirement to its test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic

from tests.integration.exchanges import AUTH, detail, problem, put_graph, solutions
from tests.integration.server import Server, running

pytestmark = pytest.mark.timeout(300)

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
NT = {"Accept": "application/n-triples"}
TURTLE = {"Content-Type": "text/turtle"}
EX = "http://example.org/gsp/"
RDF_XML = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/gsp/">'
    '<rdf:Description rdf:about="http://example.org/gsp/d"><e:p>4</e:p></rdf:Description></rdf:RDF>'
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory.mktemp("graph-store")) as srv:
        yield srv


def graph_of(response: httpx.Response, fmt: str = "nt") -> rdflib.Graph:
    assert response.status_code == 200, response.text
    return rdflib.Graph().parse(data=response.content, format=fmt)


def same(response: httpx.Response, turtle: str) -> bool:
    return isomorphic(graph_of(response), rdflib.Graph().parse(data=turtle, format="turtle"))


# -- 4.1 Direct Graph Identification ----------------------------------------------------------


def test_gsp_4_1_direct_identification_is_the_graph_named_by_the_request_url(
    client: httpx.Client, server: Server
) -> None:
    one = f"{server.url}/graph-store/direct/one.ttl"
    put = client.put("/graph-store/direct/one.ttl", content="<rel> <p> 1 .", headers=TURTLE | AUTH)
    assert put.status_code == 201, put.text
    assert put.headers["location"] == one
    # The body's relative IRIs resolve against the graph's IRI; ?graph= names the same graph.
    expected = f"<{server.url}/graph-store/direct/rel> <{server.url}/graph-store/direct/p> 1 ."
    assert same(client.get("/graph-store", params={"graph": one}, headers=NT), expected)
    two = f"{server.url}/graph-store/direct/two.ttl"
    assert put_graph(client, two, f"<{EX}s> <{EX}p> 2 .").status_code == 201
    assert same(client.get("/graph-store/direct/two.ttl", headers=NT), f"<{EX}s> <{EX}p> 2 .")
    # The same path under another host is another graph.
    other = put_graph(client, "http://other.example/graph-store/direct/one.ttl", "<a:x> <a:y> 3 .")
    assert other.status_code == 201, other.text
    assert same(client.get("/graph-store/direct/one.ttl", headers=NT), expected)
    detail(client.get("/graph-store/direct/none.ttl"), 404)
    assert "?graph=" in detail(client.get("/graph-store/direct/a%20b.ttl"), 400)
    assert client.delete("/graph-store/direct/one.ttl", headers=AUTH).status_code == 204
    detail(client.get("/graph-store", params={"graph": one}), 404)


# -- 4.2 Indirect Graph Identification --------------------------------------------------------


def test_gsp_4_2_indirect_identification_put_get_post_delete(client: httpx.Client) -> None:
    graph = "https://example.org/graphs/notes"
    body = (
        "<https://w3id.org/casegraph/id/phenomenon/fx-note> a "
        "<https://w3id.org/casegraph/ontology#Phenomenon> ;\n"
        '  <http://www.w3.org/2000/01/rdf-schema#label> "A note on prices"@en .\n'
    )
    no_token = client.put("/graph-store", params={"graph": graph}, content=body, headers=TURTLE)
    problem(no_token, 401)
    assert put_graph(client, graph, body).status_code == 201
    back = client.get("/graph-store", params={"graph": graph}, headers={"Accept": "text/turtle"})
    assert isomorphic(graph_of(back, "turtle"), rdflib.Graph().parse(data=body, format="turtle"))
    assert client.get("/api/entities/fx-note").json()["label"] == "A note on prices"
    more = (
        "<https://w3id.org/casegraph/id/phenomenon/fx-note> "
        '<http://www.w3.org/2004/02/skos/core#altLabel> "Precios" .'
    )
    added = client.post(
        "/graph-store",
        params={"graph": graph},
        content=more,
        headers={"Content-Type": "application/n-triples"} | AUTH,
    )
    assert added.status_code == 204
    found = client.get("/api/entities", params={"q": "precios"}).json()["items"]
    assert [item["id"] for item in found] == ["fx-note"]
    assert client.delete("/graph-store", params={"graph": graph}, headers=AUTH).status_code == 204
    problem(client.get("/graph-store", params={"graph": graph}), 404)
    problem(client.get("/api/entities/fx-note"), 404)
    problem(client.delete("/graph-store", params={"graph": graph}, headers=AUTH), 404)


def test_gsp_4_2_default_is_the_stores_own_default_graph(client: httpx.Client) -> None:
    """`?default` is what clients wrote without a graph name — by the Graph Store or by SPARQL
    Update — and nothing else: not a named graph, not a loaded document."""
    put = client.put("/graph-store?default", content=f"<{EX}d> <{EX}p> 1 .", headers=TURTLE | AUTH)
    assert put.status_code in (201, 204), put.text
    assert put_graph(client, f"{EX}named", f"<{EX}n> <{EX}p> 2 .").status_code == 201
    update = f"INSERT DATA {{ <{EX}u> <{EX}p> 3 }}"
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 200
    default = client.get("/graph-store?default", headers=NT)
    assert same(default, f"<{EX}d> <{EX}p> 1 . <{EX}u> <{EX}p> 3 .")
    # Queries see the union of every graph as their default graph: the document's too.
    union = solutions(client.get("/sparql", params={"query": "SELECT ?s { ?s rdfs:label ?l }"}))
    assert "https://w3id.org/casegraph/id/event/test-offensive" in {r["s"] for r in union}


def test_gsp_4_2_a_bad_graph_iri_is_400(client: httpx.Client) -> None:
    for value in ("AAA", "", "relative/graph", "http://exa mple.org/g", "http://e.org/<g>"):
        assert "IRI" in detail(client.get("/graph-store", params={"graph": value}), 400), value
        detail(put_graph(client, value, f"<{EX}s> <{EX}p> 1 ."), 400)
        detail(client.delete("/graph-store", params={"graph": value}, headers=AUTH), 400)


def test_gsp_4_2_graph_g_reads_what_sparql_update_wrote_as_g(client: httpx.Client) -> None:
    graph = f"{EX}written-by-update"
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}s> <{EX}p> "by update" }} }}'
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 200
    read = client.get("/graph-store", params={"graph": graph}, headers=NT)
    assert same(read, f'<{EX}s> <{EX}p> "by update" .')


def test_gsp_status_codes_of_refused_requests(client: httpx.Client) -> None:
    """400 for a body that does not parse or a request that names no graph (or two), 409 for
    casegraph's own graphs, 415 for a body in another media type."""
    graphs = {g["name"]: g["graph"] for g in client.get("/api/stats").json()["graphs"]}
    body = "<https://example.org/a> <https://example.org/b> <https://example.org/c> ."
    problem(put_graph(client, graphs["derived:api-mexico.yaml"], body), 409)
    document = client.get("/graph-store", params={"graph": graphs["api-mexico.yaml"]}, headers=NT)
    assert len(graph_of(document)) > 100
    problem(put_graph(client, "https://example.org/g", "<a> <b> ."), 400)
    problem(put_graph(client, "https://example.org/g", body, "text/plain"), 415)
    problem(client.get("/graph-store"), 400)
    both = client.get("/graph-store", params={"graph": "https://example.org/g", "default": ""})
    problem(both, 400)


# -- 5.3 HTTP PUT, 5.5 HTTP POST --------------------------------------------------------------


def test_gsp_5_3_put_bodies_get_the_loaders_checks(client: httpx.Client) -> None:
    graph = "https://example.org/graphs/unsafe"
    bomb = (BAD / "xml-entity-bomb.rdf").read_bytes()
    response = put_graph(client, graph, bomb, "application/rdf+xml")
    assert response.status_code in {400, 422}
    assert "billion laughs" in detail(response, response.status_code)
    remote = b'{"@context": "https://schema.org/", "@id": "https://example.org/x", "name": "x"}'
    response = put_graph(client, graph, remote, "application/ld+json")
    assert response.status_code in {400, 422}
    assert "remote JSON-LD contexts are disabled" in response.text
    problem(client.get("/graph-store", params={"graph": graph}), 404)


def test_gsp_5_5_post_to_the_store_creates_a_graph_with_location(
    client: httpx.Client, server: Server
) -> None:
    subject = f"{EX}created"
    first = client.post("/graph-store", content=f"<{subject}> <{EX}p> 1 .", headers=TURTLE | AUTH)
    assert first.status_code == 201, first.text
    location = first.headers["location"]
    assert location.startswith(f"{server.url}/graph-store/")
    assert client.head(location).status_code == 200
    assert same(
        client.get("/graph-store", params={"graph": location}, headers=NT),
        f"<{subject}> <{EX}p> 1 .",
    )
    named = solutions(
        client.get("/sparql", params={"query": f"SELECT ?g {{ GRAPH ?g {{ <{subject}> ?p ?o }} }}"})
    )
    assert named == [{"g": location}]
    second = client.post("/graph-store", content=f"<{subject}> <{EX}p> 2 .", headers=TURTLE | AUTH)
    assert second.status_code == 201 and second.headers["location"] != location


def test_gsp_5_5_multipart_post_merges_every_part(client: httpx.Client) -> None:
    graph = f"{EX}multipart"
    parts = [
        ("a", ("a.ttl", f"<{EX}a> <{EX}p> 1 .", "text/turtle")),
        ("b", ("b.nt", f'<{EX}b> <{EX}p> "2" .', "application/n-triples")),
        ("c", ("c.jsonld", f'{{"@id": "{EX}c", "{EX}p": 3}}', "application/ld+json")),
        ("d", ("d.rdf", RDF_XML, "application/rdf+xml")),
    ]
    created = client.post("/graph-store", params={"graph": graph}, files=parts, headers=AUTH)
    assert created.status_code == 201, created.text
    merged = graph_of(client.get("/graph-store", params={"graph": graph}, headers=NT))
    assert {str(s) for s in merged.subjects()} == {f"{EX}{n}" for n in "abcd"}
    bad = [
        ("e", ("e.ttl", f"<{EX}e> <{EX}p> 5 .", "text/turtle")),
        ("f", ("f.nt", f"<{EX}f> <{EX}p> .", "application/n-triples")),
    ]
    refused = client.post("/graph-store", params={"graph": graph}, files=bad, headers=AUTH)
    assert "f.nt" in detail(refused, 400)
    unchanged = graph_of(client.get("/graph-store", params={"graph": graph}, headers=NT))
    assert isomorphic(unchanged, merged), "no part of a refused POST is merged"
