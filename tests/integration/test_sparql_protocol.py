"""/sparql against the SPARQL 1.1 Protocol, over real HTTP.

The cases follow the W3C protocol test suite (https://www.w3.org/2009/sparql/docs/tests/
data-sparql11/protocol/manifest): query by GET, POST form and POST direct; dataset parameters;
content types of SELECT, ASK, CONSTRUCT and DESCRIBE results; malformed requests (bad method,
two queries, wrong or missing media type, non-UTF-8, syntax errors) answered 4xx; updates by
POST form and direct, with and without the token. Not applicable here: `using-graph-uri` /
`using-named-graph-uri` (answered 400, see api/routes/sparql.py) and updates of loaded
documents' graphs (409).
"""

from __future__ import annotations

import csv
import io
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from tests.integration.server import TOKEN, Server, running

pytestmark = pytest.mark.timeout(300)

AUTH = {"Authorization": f"Bearer {TOKEN}"}
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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("sparql")
    with running(root, env={"CASEGRAPH_QUERY_TIMEOUT_S": "3"}) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def select_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    results = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
    assert isinstance(results, ox.QuerySolutions)
    names = [v.value for v in results.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in results]


def assert_4xx(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return str(response.json()["detail"])


# -- query operations -------------------------------------------------------------------------


def test_query_get(client: httpx.Client) -> None:
    rows = select_rows(client.get("/sparql", params={"query": SELECT}))
    assert [r["e"].rsplit("/", 1)[1] for r in rows] == [
        "fx-michoacan-operation",
        "test-offensive",
        "fx-kingpin-arrest",
    ]


def test_query_post_form(client: httpx.Client) -> None:
    rows = select_rows(client.post("/sparql", data={"query": SELECT}))
    assert len(rows) == 3


def test_query_post_direct(client: httpx.Client) -> None:
    response = client.post(
        "/sparql", content=SELECT.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert len(select_rows(response)) == 3


def test_query_ask(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params={"query": ASK}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.json() == {"head": {}, "boolean": True}
    xml = client.get(
        "/sparql", params={"query": ASK}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    assert bool(ox.parse_query_results(xml.content, format=ox.QueryResultsFormat.XML))


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
def test_select_content_negotiation(
    client: httpx.Client, accept: str | None, media: str, fmt: ox.QueryResultsFormat | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": SELECT}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
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
def test_graph_content_negotiation(
    client: httpx.Client, query: str, accept: str | None, media: str, fmt: ox.RdfFormat
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.post("/sparql", data={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    triples = list(ox.parse(response.content, format=fmt))
    assert len(triples) >= 2


def test_unacceptable_result_type_is_406(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"})
    assert_4xx(response, 406)


def test_dataset_parameters(client: httpx.Client) -> None:
    graphs = {g["name"]: g["graph"] for g in client.get("/api/stats").json()["graphs"]}
    small = graphs["small-case.yaml"]
    count = EVENT_COUNT
    everything = select_rows(client.get("/sparql", params={"query": count}))[0]["n"]
    only_small = select_rows(
        client.get("/sparql", params={"query": count, "default-graph-uri": small})
    )[0]["n"]
    assert (int(everything), int(only_small)) == (6, 3)
    both = select_rows(
        client.post(
            "/sparql",
            data={
                "query": count,
                "default-graph-uri": [small, graphs["api-mexico.yaml"]],
            },
        )
    )[0]["n"]
    assert int(both) == 6
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a cg:Arrest } }"
    rows = select_rows(client.get("/sparql", params={"query": named, "named-graph-uri": small}))
    assert [r["g"] for r in rows] == [small]
    direct = client.post(
        "/sparql",
        params={"default-graph-uri": small},
        content=count.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert int(select_rows(direct)[0]["n"]) == 3


def test_query_from_clause_is_honoured(client: httpx.Client) -> None:
    graphs = {g["name"]: g["graph"] for g in client.get("/api/stats").json()["graphs"]}
    query = EVENT_COUNT.replace("WHERE", f"FROM <{graphs['small-case.yaml']}> WHERE")
    assert int(select_rows(client.get("/sparql", params={"query": query}))[0]["n"]) == 3


def test_service_description(client: httpx.Client) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(t.object == ox.NamedNode(f"{sd}Service") for t in triples)
    assert any(t.predicate == ox.NamedNode(f"{sd}endpoint") for t in triples)


# -- malformed requests -----------------------------------------------------------------------


def test_bad_query_method(client: httpx.Client) -> None:
    assert client.put("/sparql", data={"query": SELECT}).status_code == 405


def test_version_parameter(client: httpx.Client) -> None:
    """SPARQL 1.2 Protocol draft, the `version` parameter: one known version is fine, an
    unknown one or more than one is 400 (URL and form alike)."""
    for version in ("1.1", "1.2"):
        ok = client.get("/sparql", params={"query": ASK, "version": version})
        assert ok.status_code == 200, ok.text
    assert_4xx(client.get("/sparql", params={"query": ASK, "version": "9.9"}), 400)
    two = [("query", ASK), ("version", "1.1"), ("version", "1.2")]
    assert_4xx(client.get("/sparql", params=two), 400)
    form = client.post(
        "/sparql",
        content=str(httpx.QueryParams(two)).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_4xx(form, 400)


def test_bad_multiple_queries(client: httpx.Client) -> None:
    response = client.get("/sparql", params=[("query", ASK), ("query", SELECT)])
    assert_4xx(response, 400)
    form = client.post(
        "/sparql",
        content=httpx.QueryParams([("query", ASK), ("query", ASK)]).__str__().encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_4xx(form, 400)


def test_bad_query_wrong_media_type(client: httpx.Client) -> None:
    response = client.post(
        "/sparql", content=SELECT.encode(), headers={"Content-Type": "text/plain"}
    )
    assert_4xx(response, 415)


def test_bad_query_missing_form_type(client: httpx.Client) -> None:
    response = client.post("/sparql", content=f"query={SELECT}".encode())
    assert_4xx(response, 400)


def test_bad_query_non_utf8(client: httpx.Client) -> None:
    body = 'SELECT * WHERE { ?s rdfs:label "Calder\xf3n" }'.encode("latin-1")
    response = client.post(
        "/sparql", content=body, headers={"Content-Type": "application/sparql-query"}
    )
    assert "UTF-8" in assert_4xx(response, 400)
    form = client.post(
        "/sparql",
        content=b"query=SELECT%20*%20%7B%20?s%20?p%20%22%F3%22%20%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_4xx(form, 400)
    declared = client.post(
        "/sparql",
        content=body,
        headers={"Content-Type": "application/sparql-query; charset=ISO-8859-1"},
    )
    assert "UTF-8" in assert_4xx(declared, 415)


def test_bad_query_syntax_reports_the_parser_message(client: httpx.Client) -> None:
    detail = assert_4xx(client.get("/sparql", params={"query": "SELEC * WHERE { ?s ?p ?o }"}), 400)
    assert "error at 1:" in detail
    assert_4xx(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}), 400)


def test_service_is_refused_without_any_connection(client: httpx.Client) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(3)
    port = listener.getsockname()[1]
    hits: list[bytes] = []

    def accept() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        hits.append(conn.recv(100))
        conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        for query in [
            f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
            f"select * where {{ service silent <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?s rdfs:label ?l # }}\n SERVICE <http://127.0.0.1:{port}/> {{}} }}",
        ]:
            detail = assert_4xx(client.get("/sparql", params={"query": query}), 400)
            assert "SERVICE" in detail
        thread.join(timeout=4)
    finally:
        listener.close()
    assert hits == []
    harmless = 'SELECT * WHERE { ?s rdfs:label "SERVICE" } LIMIT 1'
    assert client.get("/sparql", params={"query": harmless}).status_code == 200


def test_slow_query_times_out_with_503(client: httpx.Client) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    detail = assert_4xx(client.get("/sparql", params={"query": slow}), 503)
    assert "did not finish" in detail
    assert time.monotonic() - started < 15
    assert client.get("/api/health").status_code == 200


# -- update operations ------------------------------------------------------------------------

INSERT = (
    "INSERT DATA { <https://example.org/protocol/s> "
    '<http://www.w3.org/2000/01/rdf-schema#label> "protocol test %s" }'
)


def _ask(client: httpx.Client, label: str) -> bool:
    query = f'ASK {{ ?s rdfs:label "{label}" }}'
    return bool(client.get("/sparql", params={"query": query}).json()["boolean"])


def test_bad_update_get(client: httpx.Client) -> None:
    assert_4xx(client.get("/sparql", params={"update": INSERT % "get"}, headers=AUTH), 400)


def test_update_requires_authorization(client: httpx.Client) -> None:
    form = {"update": INSERT % "unauthorised"}
    response = client.post("/sparql", data=form)
    assert_4xx(response, 401)
    assert "Bearer" in response.headers["www-authenticate"]
    assert_4xx(client.post("/sparql", data=form, headers={"Authorization": "Bearer wrong"}), 403)
    assert_4xx(client.post("/sparql", data=form, headers={"Authorization": "Basic eDp5"}), 401)
    direct = client.post(
        "/sparql",
        content=(INSERT % "unauthorised").encode(),
        headers={"Content-Type": "application/sparql-update"},
    )
    assert_4xx(direct, 401)
    assert not _ask(client, "protocol test unauthorised")


def test_update_post_form(client: httpx.Client) -> None:
    response = client.post("/sparql", data={"update": INSERT % "form"}, headers=AUTH)
    assert response.status_code == 200, response.text
    assert _ask(client, "protocol test form")


def test_update_post_direct(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content=(INSERT % "direct").encode(),
        headers={"Content-Type": "application/sparql-update"} | AUTH,
    )
    assert response.status_code == 200, response.text
    assert _ask(client, "protocol test direct")
    delete = 'DELETE DATA { <https://example.org/protocol/s> rdfs:label "protocol test direct" }'
    assert client.post("/sparql", data={"update": delete}, headers=AUTH).status_code == 200
    assert not _ask(client, "protocol test direct")


def test_update_named_graph(client: httpx.Client) -> None:
    update = (
        "INSERT DATA { GRAPH <https://example.org/protocol/g> "
        '{ <https://e.org/a> <https://e.org/b> "in g" } }'
    )
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 200
    graph = client.get(
        "/graph-store",
        params={"graph": "https://example.org/protocol/g"},
        headers={"Accept": "application/n-triples"},
    )
    assert graph.status_code == 200 and '"in g"' in graph.text
    ask = client.get("/sparql", params={"query": 'ASK { ?s ?p "in g" }'}).json()
    assert ask["boolean"] is True  # client graphs are part of the union default graph
    drop = "DROP GRAPH <https://example.org/protocol/g>"
    assert client.post("/sparql", data={"update": drop}, headers=AUTH).status_code == 200
    assert (
        client.get("/graph-store", params={"graph": "https://example.org/protocol/g"}).status_code
        == 404
    )


def test_bad_updates(client: httpx.Client) -> None:
    syntax = client.post("/sparql", data={"update": "INSERT DATA { <a> }"}, headers=AUTH)
    assert "error at" in assert_4xx(syntax, 400)
    both = client.post("/sparql", data={"update": INSERT % "x", "query": ASK}, headers=AUTH)
    assert_4xx(both, 400)
    two = client.post(
        "/sparql",
        content=httpx.QueryParams([("update", INSERT % "a"), ("update", INSERT % "b")])
        .__str__()
        .encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"} | AUTH,
    )
    assert_4xx(two, 400)
    non_utf8 = client.post(
        "/sparql",
        content='INSERT DATA { <https://e.org/a> <https://e.org/b> "\xf3" }'.encode("latin-1"),
        headers={"Content-Type": "application/sparql-update"} | AUTH,
    )
    assert_4xx(non_utf8, 400)
    conflict = client.post(
        "/sparql",
        params={"using-graph-uri": "https://e.org/g"},
        content=b"DELETE { ?s ?p ?o } USING <https://e.org/g> WHERE { ?s ?p ?o }",
        headers={"Content-Type": "application/sparql-update"} | AUTH,
    )
    assert_4xx(conflict, 400)
    load = client.post("/sparql", data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"}, headers=AUTH)
    assert "LOAD" in assert_4xx(load, 400)
