"""/sparql against the SPARQL 1.1 Protocol (W3C Recommendation, 21 March 2013), section by
section, and the `version` parameter of the SPARQL 1.2 Protocol draft; over real HTTP.

Each test is named after the section it checks: `test_protocol_2_1_4_...` is §2.1.4
(*Specifying an RDF Dataset*), `test_rfc9110_15_5_7_...` is RFC 9110 §15.5.7 (406). The W3C
protocol manifest's own cases are in `test_w3c_protocol.py`; the base IRI, `FROM` and `GRAPH`
(SPARQL 1.1 Query) in `test_spec_sparql_query.py`; what updates do to the store (SPARQL 1.1
Update) in `test_spec_sparql_update.py`. docs/conformance.md maps every requirement to its test.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from tests.integration.exchanges import AUTH, detail, put_graph, solutions
from tests.integration.server import Server, running

pytestmark = pytest.mark.timeout(300)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
QUERY = {"Content-Type": "application/sparql-query"}
UPDATE = {"Content-Type": "application/sparql-update"}
SELECT = (
    "SELECT ?e ?label WHERE { ?e a cg:Event ; rdfs:label ?label ; cg:earliest ?d } "
    "ORDER BY ?d LIMIT 3"
)
ASK = "ASK { <https://w3id.org/casegraph/id/agent/test-cartel> rdfs:label ?l }"
CONSTRUCT = "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a cg:Place ; rdfs:label ?l }"
DESCRIBE = "DESCRIBE <https://w3id.org/casegraph/id/place/test-city>"
EVENT_COUNT = (
    "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?c . "
    "FILTER(?c IN (cg:MilitaryOperation, cg:Arrest, cg:ArmedConflict, cg:AirCampaign)) }"
)
"""Counts the six fixture events by their asserted classes (the class closure is derived, so
it is not in the documents' own graphs)."""
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
"""Minutes of work on the fixture store: far past this module's three-second timeout."""
BAD_IRIS = ["AAA", "", "relative/graph", "http://exa mple.org/g", "http://example.org/<g>"]
"""Not absolute IRIs: no scheme, empty, relative, a space, a character IRIs exclude."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("sparql")
    with running(root, env={"CASEGRAPH_QUERY_TIMEOUT_S": "3"}) as srv:
        yield srv


def form(pairs: list[tuple[str, str]]) -> bytes:
    """A form body that may repeat a field (httpx's `data=` would not keep the order)."""
    return str(httpx.QueryParams(pairs)).encode()


# -- 2.1 query operation ----------------------------------------------------------------------


def test_protocol_2_1_1_query_via_get(client: httpx.Client) -> None:
    rows = solutions(client.get("/sparql", params={"query": SELECT}))
    assert [r["e"].rsplit("/", 1)[1] for r in rows] == [
        "fx-michoacan-operation",
        "test-offensive",
        "fx-kingpin-arrest",
    ]


def test_protocol_2_1_exactly_one_query_else_400(client: httpx.Client) -> None:
    detail(client.get("/sparql", params=[("query", ASK), ("query", SELECT)]), 400)
    two = client.post("/sparql", content=form([("query", ASK), ("query", ASK)]), headers=FORM)
    detail(two, 400)


def test_protocol_2_1_query_by_put_is_405(client: httpx.Client) -> None:
    response = client.put("/sparql", data={"query": SELECT})
    detail(response, 405)
    assert "PUT" not in response.headers["allow"]


def test_protocol_2_1_2_query_via_post_with_urlencoded_parameters(client: httpx.Client) -> None:
    rows = solutions(client.post("/sparql", data={"query": SELECT}))
    assert len(rows) == 3


def test_protocol_2_1_2_a_form_without_its_content_type_is_400(client: httpx.Client) -> None:
    request = client.build_request("POST", "/sparql", content=f"query={SELECT}".encode())
    assert "content-type" not in request.headers
    detail(client.send(request), 400)


def test_protocol_2_1_3_query_via_post_directly(client: httpx.Client) -> None:
    response = client.post("/sparql", content=SELECT.encode(), headers=QUERY)
    assert len(solutions(response)) == 3


def test_protocol_2_1_3_a_query_in_another_media_type_is_415(client: httpx.Client) -> None:
    response = client.post(
        "/sparql", content=SELECT.encode(), headers={"Content-Type": "text/plain"}
    )
    detail(response, 415)


def test_protocol_2_1_3_the_declared_charset_is_honoured_only_utf8_is_accepted(
    client: httpx.Client,
) -> None:
    """The query media types are UTF-8 (SPARQL 1.1 Query, appendix C): bytes that are not
    UTF-8 are 400, and a body that declares another charset is 415 (RFC 9110 §15.5.16)."""
    body = 'SELECT * WHERE { ?s rdfs:label "Calder\xf3n" }'.encode("latin-1")
    assert "UTF-8" in detail(client.post("/sparql", content=body, headers=QUERY), 400)
    latin_form = b"query=SELECT%20*%20%7B%20?s%20?p%20%22%F3%22%20%7D"
    detail(client.post("/sparql", content=latin_form, headers=FORM), 400)
    for charset in ("ISO-8859-1", "UTF-16"):
        declared = client.post(
            "/sparql",
            content='ASK { ?s ?p "\xf3" }'.encode(charset),
            headers={"Content-Type": f"application/sparql-query; charset={charset}"},
        )
        assert "UTF-8" in detail(declared, 415)
    utf8 = client.post(
        "/sparql",
        content='ASK { ?s ?p "\xf3" }'.encode(),
        headers={"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert utf8.status_code == 200, utf8.text


def test_protocol_2_1_4_dataset_parameters_choose_the_graphs(client: httpx.Client) -> None:
    graphs = {g["name"]: g["graph"] for g in client.get("/api/stats").json()["graphs"]}
    small = graphs["small-case.yaml"]
    everything = solutions(client.get("/sparql", params={"query": EVENT_COUNT}))[0]["n"]
    only_small = solutions(
        client.get("/sparql", params={"query": EVENT_COUNT, "default-graph-uri": small})
    )[0]["n"]
    assert (int(everything), int(only_small)) == (6, 3)
    both = solutions(
        client.post(
            "/sparql",
            data={"query": EVENT_COUNT, "default-graph-uri": [small, graphs["api-mexico.yaml"]]},
        )
    )[0]["n"]
    assert int(both) == 6
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a cg:Arrest } }"
    rows = solutions(client.get("/sparql", params={"query": named, "named-graph-uri": small}))
    assert [r["g"] for r in rows] == [small]
    direct = client.post(
        "/sparql",
        params={"default-graph-uri": small},
        content=EVENT_COUNT.encode(),
        headers=QUERY,
    )
    assert int(solutions(direct)[0]["n"]) == 3


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_protocol_2_1_4_a_bad_dataset_iri_is_400(client: httpx.Client, parameter: str) -> None:
    """Dataset parameters are IRIs: anything else is the client's error (400), by GET, in a
    form and with a direct body alike, never a 500."""
    for value in BAD_IRIS:
        by_get = client.get("/sparql", params={"query": "ASK {}", parameter: value})
        assert parameter in detail(by_get, 400), value
        in_form = client.post("/sparql", data={"query": "ASK {}", parameter: value})
        assert parameter in detail(in_form, 400), value
        direct = client.post("/sparql", params={parameter: value}, content="ASK {}", headers=QUERY)
        assert parameter in detail(direct, 400), value


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        (
            "application/sparql-results+json",
            "application/sparql-results+json",
            ox.QueryResultsFormat.JSON,
        ),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            ox.QueryResultsFormat.XML,
        ),
        ("text/tab-separated-values", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("text/csv;q=0.9, application/sparql-results+xml;q=0.1", "text/csv", None),
        ("*/*", "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        (None, "application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ],
)
def test_protocol_2_1_5_select_results_by_content_negotiation(
    client: httpx.Client, accept: str | None, media: str, fmt: ox.QueryResultsFormat | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": SELECT}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert "Accept" in response.headers["vary"]
    if fmt is None:
        table = list(csv.reader(io.StringIO(response.text)))
        assert table[0] == ["e", "label"] and len(table) == 4
    else:
        parsed = ox.parse_query_results(response.content, format=fmt)
        assert isinstance(parsed, ox.QuerySolutions)
        assert len(list(parsed)) == 3


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        (None, "text/turtle", ox.RdfFormat.TURTLE),
    ],
)
def test_protocol_2_1_5_construct_and_describe_graphs_by_content_negotiation(
    client: httpx.Client, query: str, accept: str | None, media: str, fmt: ox.RdfFormat
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.post("/sparql", data={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    triples = list(ox.parse(response.content, format=fmt))
    assert len(triples) >= 2


def test_rfc9110_15_5_7_406_is_decided_before_the_query_runs(
    client: httpx.Client, server: Server
) -> None:
    """Nothing acceptable in `Accept` is 406 at once: the query (minutes of work, stopped
    with 503 at this server's three-second timeout if it ran) never starts."""
    started = time.monotonic()
    response = client.get("/sparql", params={"query": SLOW}, headers={"Accept": "image/png"})
    detail(response, 406)
    assert time.monotonic() - started < 2.5
    graph = client.post("/sparql", data={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    detail(graph, 406)
    assert "Traceback" not in server.output()


def test_protocol_2_1_6_ask_is_a_boolean_result_document(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params={"query": ASK}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.json() == {"head": {}, "boolean": True}
    xml = client.get(
        "/sparql", params={"query": ASK}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    assert bool(ox.parse_query_results(xml.content, format=ox.QueryResultsFormat.XML))


def test_protocol_2_1_7_a_syntax_error_is_400_with_the_parser_message(
    client: httpx.Client,
) -> None:
    message = detail(client.get("/sparql", params={"query": "SELEC * WHERE { ?s ?p ?o }"}), 400)
    assert "error at 1:" in message
    detail(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}), 400)


def test_protocol_2_1_7_a_bad_iri_in_the_query_text_is_400(client: httpx.Client) -> None:
    for query in ("ASK FROM <http://exa mple.org/g> {}", "ASK { GRAPH <a<b> { ?s ?p ?o } }"):
        assert "syntax" in detail(client.get("/sparql", params={"query": query}), 400)


def test_sparql12_protocol_version_parameter_one_known_version_else_400(
    client: httpx.Client,
) -> None:
    """SPARQL 1.2 Protocol (draft), the `version` parameter: one known version is fine, an
    unknown one or more than one is 400 (URL and form alike)."""
    for version in ("1.1", "1.2"):
        ok = client.get("/sparql", params={"query": ASK, "version": version})
        assert ok.status_code == 200, ok.text
    detail(client.get("/sparql", params={"query": ASK, "version": "9.9"}), 400)
    two = [("query", ASK), ("version", "1.1"), ("version", "1.2")]
    detail(client.get("/sparql", params=two), 400)
    detail(client.post("/sparql", content=form(two), headers=FORM), 400)


def test_service_description_get_without_a_query_describes_the_service(
    client: httpx.Client, server: Server
) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(t.object == ox.NamedNode(f"{sd}Service") for t in triples)
    endpoints = [t.object for t in triples if t.predicate == ox.NamedNode(f"{sd}endpoint")]
    assert endpoints == [ox.NamedNode(f"{server.url}/sparql")]


# -- 2.2 update operation ---------------------------------------------------------------------

INSERT = (
    "INSERT DATA { <https://example.org/protocol/s> "
    '<http://www.w3.org/2000/01/rdf-schema#label> "protocol test %s" }'
)


def _ask(client: httpx.Client, label: str) -> bool:
    query = f'ASK {{ ?s rdfs:label "{label}" }}'
    return bool(client.get("/sparql", params={"query": query}).json()["boolean"])


def test_protocol_2_2_an_update_by_get_is_400(client: httpx.Client) -> None:
    detail(client.get("/sparql", params={"update": INSERT % "get"}, headers=AUTH), 400)
    assert not _ask(client, "protocol test get")


def test_protocol_2_2_1_update_via_post_with_urlencoded_parameters(client: httpx.Client) -> None:
    response = client.post("/sparql", data={"update": INSERT % "form"}, headers=AUTH)
    assert response.status_code == 200, response.text
    assert _ask(client, "protocol test form")


def test_protocol_2_2_1_exactly_one_update_and_no_query_else_400(client: httpx.Client) -> None:
    both = client.post("/sparql", data={"update": INSERT % "both", "query": ASK}, headers=AUTH)
    detail(both, 400)
    pairs = [("update", INSERT % "one"), ("update", INSERT % "two")]
    detail(client.post("/sparql", content=form(pairs), headers=FORM | AUTH), 400)
    assert not _ask(client, "protocol test one") and not _ask(client, "protocol test both")


def test_protocol_2_2_2_update_via_post_directly(client: httpx.Client) -> None:
    response = client.post("/sparql", content=(INSERT % "direct").encode(), headers=UPDATE | AUTH)
    assert response.status_code == 200, response.text
    assert _ask(client, "protocol test direct")
    delete = 'DELETE DATA { <https://example.org/protocol/s> rdfs:label "protocol test direct" }'
    assert client.post("/sparql", data={"update": delete}, headers=AUTH).status_code == 200
    assert not _ask(client, "protocol test direct")


def test_protocol_2_2_2_a_non_utf8_update_is_400(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content='INSERT DATA { <https://e.org/a> <https://e.org/b> "\xf3" }'.encode("latin-1"),
        headers=UPDATE | AUTH,
    )
    assert "UTF-8" in detail(response, 400)


USING_DATA = "https://example.org/using/"


def found_by_using(
    client: httpx.Client, tag: str, where: str, parameters: list[tuple[str, int]]
) -> list[str]:
    """Two graphs `g1`, `g2`, each holding `<graph>#doc a <#Doc>`; then a form update that
    copies what `where` finds into a target graph, with each (parameter, graph number) in
    `parameters`. What the target holds, sorted."""
    graphs = [f"{USING_DATA}{tag}/g{n}" for n in (1, 2)]
    for graph in graphs:
        put = put_graph(client, graph, f"<{graph}#doc> a <{USING_DATA}Doc> .")
        assert put.status_code in (201, 204), put.text
    target = f"{USING_DATA}{tag}/found"
    update = f"INSERT {{ GRAPH <{target}> {{ ?s a <{USING_DATA}Found> }} }} WHERE {{ {where} }}"
    pairs = [("update", update), *((name, graphs[n - 1]) for name, n in parameters)]
    done = client.post("/sparql", content=form(pairs), headers=FORM | AUTH)
    assert done.status_code == 200, done.text
    query = f"SELECT ?s WHERE {{ GRAPH <{target}> {{ ?s a <{USING_DATA}Found> }} }} ORDER BY ?s"
    return [row["s"] for row in solutions(client.get("/sparql", params={"query": query}))]


def test_protocol_2_2_3_using_graph_uri_applies_as_using(client: httpx.Client) -> None:
    where = f"?s a <{USING_DATA}Doc>"
    # Without it, the WHERE reads the store's own default graph: nothing found.
    assert found_by_using(client, "none", where, []) == []
    found = found_by_using(client, "default", where, [("using-graph-uri", 2)])
    assert found == [f"{USING_DATA}default/g2#doc"]


def test_protocol_2_2_3_using_named_graph_uri_applies_as_using_named(
    client: httpx.Client,
) -> None:
    where = f"GRAPH ?g {{ ?s a <{USING_DATA}Doc> }}"
    found = found_by_using(client, "named", where, [("using-named-graph-uri", 1)])
    assert found == [f"{USING_DATA}named/g1#doc"]


def test_protocol_2_2_3_using_parameters_with_a_using_clause_are_400(
    client: httpx.Client,
) -> None:
    conflict = client.post(
        "/sparql",
        params={"using-graph-uri": "https://e.org/g"},
        content=b"DELETE { ?s ?p ?o } USING <https://e.org/g> WHERE { ?s ?p ?o }",
        headers=UPDATE | AUTH,
    )
    assert "USING" in detail(conflict, 400)


@pytest.mark.parametrize("parameter", ["using-graph-uri", "using-named-graph-uri"])
def test_protocol_2_2_3_a_bad_using_iri_is_400(client: httpx.Client, parameter: str) -> None:
    update = "INSERT { <https://e.org/a> <https://e.org/b> ?o } WHERE { ?s ?p ?o }"
    for value in BAD_IRIS:
        in_form = client.post("/sparql", data={"update": update, parameter: value}, headers=AUTH)
        assert parameter in detail(in_form, 400), value
        direct = client.post(
            "/sparql", params={parameter: value}, content=update, headers=UPDATE | AUTH
        )
        assert parameter in detail(direct, 400), value


def test_protocol_2_2_5_an_update_syntax_error_is_400(client: httpx.Client) -> None:
    syntax = client.post("/sparql", data={"update": "INSERT DATA { <a> }"}, headers=AUTH)
    assert "error at" in detail(syntax, 400)


def test_rfc9110_15_5_2_an_update_without_a_valid_token_is_401_or_403(
    client: httpx.Client,
) -> None:
    body = {"update": INSERT % "unauthorised"}
    response = client.post("/sparql", data=body)
    detail(response, 401)
    assert "Bearer" in response.headers["www-authenticate"]
    detail(client.post("/sparql", data=body, headers={"Authorization": "Bearer wrong"}), 403)
    detail(client.post("/sparql", data=body, headers={"Authorization": "Basic eDp5"}), 401)
    direct = client.post("/sparql", content=(INSERT % "unauthorised").encode(), headers=UPDATE)
    detail(direct, 401)
    assert not _ask(client, "protocol test unauthorised")
