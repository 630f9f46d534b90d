"""HTTP as RFC 9110 (HTTP Semantics) has it, over real HTTP: HEAD on every GET route (§9.3.2),
OPTIONS and the true `Allow` (§9.3.7, §10.2.1, a 405 carrying it: §15.5.6), 413 with a body
cap on every surface that takes a body (§15.5.14), 415 on `/cypher` (§15.5.16), a query past
its timeout 503 for SPARQL and Cypher alike (§15.6.4), a result over its cap 422 (§15.5.21),
and the access log (docs/api.md *HTTP*; never a token: §17.8). CORS off by default is here
too (this module's servers configure none); CORS when configured is `test_spec_cors.py`.

Two servers: `server` has small body caps; `plain` a three-second query timeout and small
result caps. Each test is named after the section it checks; docs/conformance.md maps every
requirement to its test.
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.integration.exchanges import AUTH, problem, wait_for_engines
from tests.integration.server import TOKEN, Server, running

pytestmark = pytest.mark.timeout(300)

SPARQL_CAP = 100_000
CYPHER_CAP = 50_000
UPLOAD_CAP = 200_000
OTHER_CAP = 10_000
CAPS = {
    "CASEGRAPH_SPARQL_MAX_BODY_BYTES": str(SPARQL_CAP),
    "CASEGRAPH_CYPHER_MAX_BODY_BYTES": str(CYPHER_CAP),
    "CASEGRAPH_UPLOAD_MAX_BODY_BYTES": str(UPLOAD_CAP),
    "CASEGRAPH_MAX_BODY_BYTES": str(OTHER_CAP),
}
SPARQL_RESULT_CAP = 20_000
SECRET_QUERY_VALUE = "s3cr3t-in-the-query-string"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory.mktemp("http-caps"), env=CAPS) as srv:
        yield srv


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {
        "CASEGRAPH_QUERY_TIMEOUT_S": "3",
        "CASEGRAPH_SPARQL_MAX_BYTES": str(SPARQL_RESULT_CAP),
        "CASEGRAPH_CYPHER_MAX_ROWS": "5",
        "CASEGRAPH_CYPHER_MAX_BYTES": "3000",
    }
    with running(tmp_path_factory.mktemp("http-plain"), env=env) as srv:
        yield srv


@pytest.fixture(scope="module")
def plain_client(plain: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=plain.url, timeout=60) as c:
        yield c


def allow_of(response: httpx.Response) -> set[str]:
    return {m.strip() for m in response.headers["allow"].split(",")}


# -- HEAD -------------------------------------------------------------------------------------

SAMPLE_QUERY: dict[str, dict[str, str]] = {
    "/api/compare": {"cases": "fx-mexico,fx-afghanistan"},
    "/api/causal-chains": {"from": "fx-michoacan-operation", "to": "fx-violence"},
    "/view/chain": {"from": "fx-michoacan-operation", "to": "fx-violence"},
    "/view/timeline": {"case": "fx-mexico"},
    "/sparql": {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2"},
    "/graph-store": {"default": ""},
}
NOT_IN_SCHEMA = ["/openapi.json", "/docs", "/redoc", "/docs/assets/swagger-ui.css"]


def get_urls(client: httpx.Client) -> list[tuple[str, dict[str, str]]]:
    """Every GET route of the OpenAPI document (and the pages outside it), made concrete."""
    iri = client.get("/api/entities/fx-michoacan-operation").json()["iri"]
    kind, slug = iri.split("/id/")[1].split("/")
    put = client.put(  # a graph addressed by its own IRI (Graph Store direct identification)
        "/graph-store/head/check.ttl",
        content=b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .",
        headers={"Content-Type": "text/turtle"} | AUTH,
    )
    assert put.status_code in (201, 204), put.text
    wait_for_engines(client)  # /api/health changes while the engines take the write in
    values = {
        "/api/cases/{id}": "fx-mexico",
        "/view/case/{id}": "fx-mexico",
        "/api/sources/{id}": "fx-report",
    }
    urls: list[tuple[str, dict[str, str]]] = []
    for path, item in client.get("/openapi.json").json()["paths"].items():
        if "get" not in item:
            continue
        url = path.replace("{kind}", kind).replace("{slug}", slug)
        url = url.replace("{id}", values.get(path, "fx-michoacan-operation"))
        url = url.replace("{measure}", "test-homicide-rate").replace("{path}", "head/check.ttl")
        urls.append((url, SAMPLE_QUERY.get(path, {})))
    return urls + [(path, {}) for path in NOT_IN_SCHEMA]


def test_rfc9110_9_3_2_head_on_every_get_route(client: httpx.Client) -> None:
    urls = get_urls(client)
    assert len(urls) >= 25
    ok = 0
    for url, params in urls:
        got = client.get(url, params=params)
        head = client.head(url, params=params)
        assert head.status_code == got.status_code, (url, head.status_code, got.text)
        assert head.content == b"", url
        same = {k: v for k, v in head.headers.items() if k != "date"}
        assert same == {k: v for k, v in got.headers.items() if k != "date"}, url
        if "content-length" in got.headers:
            assert int(head.headers["content-length"]) == len(got.content), url
        ok += got.status_code == 200
    assert ok == len(urls), "every sample URL should answer 200"


# -- OPTIONS and Allow ------------------------------------------------------------------------


def test_rfc9110_9_3_7_options_lists_the_true_allow(client: httpx.Client) -> None:
    expected = {
        "/sparql": {"GET", "HEAD", "POST", "OPTIONS"},
        "/graph-store": {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"},
        "/graph-store/person/1.ttl": {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"},
        "/cypher": {"POST", "OPTIONS"},
        "/api/health": {"GET", "HEAD", "OPTIONS"},
        "/id/event/anything": {"GET", "HEAD", "OPTIONS"},
        "/docs": {"GET", "HEAD", "OPTIONS"},
    }
    for path, methods in expected.items():
        response = client.options(path)
        assert response.status_code == 204, path
        assert response.content == b""
        assert allow_of(response) == methods, path


def test_rfc9110_10_2_1_allow_matches_the_openapi_document(client: httpx.Client) -> None:
    for path, item in client.get("/openapi.json").json()["paths"].items():
        documented = {m.upper() for m in item if m in {"get", "post", "put", "delete", "patch"}}
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        allow = allow_of(client.options(concrete))
        assert allow - {"HEAD", "OPTIONS"} == documented, path
        assert ("HEAD" in allow) == ("GET" in documented)


def test_rfc9110_9_3_7_options_on_an_unknown_path_is_404(client: httpx.Client) -> None:
    problem(client.options("/no/such/path"), 404)


def test_rfc9110_15_5_6_405_carries_the_true_allow(client: httpx.Client) -> None:
    response = client.delete("/sparql")
    problem(response, 405)
    assert allow_of(response) == {"GET", "HEAD", "POST", "OPTIONS"}
    response = client.put("/cypher", json={})
    problem(response, 405)
    assert allow_of(response) == {"POST", "OPTIONS"}
    # The Graph Store's optional PATCH is not offered.
    response = client.patch("/graph-store", params={"default": ""}, content=b"", headers=AUTH)
    problem(response, 405)
    assert allow_of(response) == {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"}


def test_fetch_3_2_cors_is_off_by_default(client: httpx.Client) -> None:
    """No `CASEGRAPH_CORS_ORIGINS`: no CORS header on a preflight or an answer, and no
    `Vary: Origin` (docs/api.md *HTTP*)."""
    origin = "http://allowed.example"
    response = client.options(
        "/sparql",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 204
    assert not [h for h in response.headers if h.startswith("access-control-")]
    simple = client.get("/api/health", headers={"Origin": origin})
    assert not [h for h in simple.headers if h.startswith("access-control-")]
    assert "vary" not in simple.headers


# -- body caps --------------------------------------------------------------------------------


def raw_exchange(server: Server, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` on a fresh socket; read one response (headers and Content-Length body)."""
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    assert host is not None and port is not None
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed before a response: {data!r}"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, v in (x.split(":", 1) for x in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            chunk = sock.recv(65536)
            assert chunk, "connection closed inside the response body"
            body += chunk
    return status, headers, body


def test_rfc9110_15_5_14_413_without_reading_the_body(server: Server) -> None:
    # A terabyte is announced and 3 bytes sent: the answer comes without waiting for the rest.
    for path, content_type, cap in [
        ("/graph-store?default", "text/turtle", "CASEGRAPH_UPLOAD_MAX_BODY_BYTES"),
        ("/sparql", "application/sparql-query", "CASEGRAPH_SPARQL_MAX_BODY_BYTES"),
        ("/cypher", "application/json", "CASEGRAPH_CYPHER_MAX_BODY_BYTES"),
    ]:
        request = (
            f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Length: 1000000000000\r\n\r\nabc"
        ).encode()
        status, headers, body = raw_exchange(server, request)
        assert status == 413
        assert headers["content-type"] == "application/problem+json"
        assert headers["connection"] == "close"
        problem = json.loads(body)
        assert problem["status"] == 413 and cap in problem["detail"]


def test_rfc9110_15_5_14_413_reaches_a_client_that_sends_the_whole_body(
    client: httpx.Client,
) -> None:
    # httpx writes the whole body before it reads: it must get the 413, not a reset.
    cases = [
        ("/sparql", "application/sparql-query", SPARQL_CAP),
        ("/cypher", "application/json", CYPHER_CAP),
        ("/graph-store?graph=http://example.org/g", "text/turtle", UPLOAD_CAP),
    ]
    for path, content_type, cap in cases:
        # The last size leaves more than the drain budget (1 MiB) unread: closed at once.
        for size in (cap + 1, 3 * cap, cap + 4 * 2**20):
            response = client.post(
                path,
                content=b" " * size,
                headers={"Content-Type": content_type, "Authorization": f"Bearer {TOKEN}"},
            )
            problem(response, 413)


def test_rfc9110_15_5_14_413_when_a_chunked_body_streams_past_the_cap(client: httpx.Client) -> None:
    def chunks(total: int) -> Iterator[bytes]:
        for _ in range(total // 8192):
            yield b" " * 8192

    for path, content_type, cap in [
        ("/sparql", "application/sparql-query", SPARQL_CAP),
        ("/cypher", "application/json", CYPHER_CAP),
    ]:
        response = client.post(
            path, content=chunks(2 * cap), headers={"Content-Type": content_type}
        )
        assert "content-length" not in response.request.headers
        problem(response, 413)


def test_rfc9110_15_5_14_413_caps_are_per_surface(client: httpx.Client) -> None:
    # 150 kB is over the SPARQL cap (100 kB) and under the Graph Store cap (200 kB).
    turtle = b"<http://example.org/s> <http://example.org/p> " + b'"' + b"x" * 150_000 + b'" .\n'
    stored = client.put(
        "/graph-store",
        params={"graph": "http://example.org/per-surface"},
        content=turtle,
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
    )
    assert stored.status_code in (201, 204), stored.text
    query = b"ASK { ?s ?p " + b'"' + b"x" * 150_000 + b'" }'
    problem(
        client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}),
        413,
    )
    small = b"ASK { ?s ?p " + b'"' + b"x" * 50_000 + b'" }'
    answer = client.post(
        "/sparql", content=small, headers={"Content-Type": "application/sparql-query"}
    )
    assert answer.status_code == 200


def test_rfc9110_15_5_14_413_on_paths_that_take_no_body(client: httpx.Client) -> None:
    response = client.request("GET", "/api/health", content=b" " * (OTHER_CAP + 1))
    problem(response, 413)
    assert client.get("/api/health").status_code == 200


# -- access log -------------------------------------------------------------------------------

LOG_LINE = re.compile(r"^\S+ \S+ (GET|HEAD|POST|PUT|DELETE|OPTIONS) (\S+) (\d{3}) (\d+\.\d+)ms$")


def access_lines(server: Server) -> list[tuple[str, str, int]]:
    lines = []
    for line in server.output().splitlines():
        match = LOG_LINE.match(line)
        if match:
            lines.append((match[1], match[2], int(match[3])))
    return lines


def logged(server: Server, skip: int, wanted: set[tuple[str, str, int]]) -> list[Any]:
    """The access lines after the first `skip`, once `wanted` are among them (or after 10 s).

    The server writes a request's line after the response has gone out, so a client that has
    its answer may read the log a moment before the line is there."""
    give_up = time.monotonic() + 10
    while True:
        lines = access_lines(server)[skip:]
        if wanted <= set(lines) or time.monotonic() > give_up:
            return lines
        time.sleep(0.05)


def test_api_md_http_an_access_log_line_per_request(client: httpx.Client, server: Server) -> None:
    marker = "/api/entities/access-log-marker"
    before = access_lines(server)
    client.get(marker)
    client.head("/api/health")
    client.options("/sparql")
    after = logged(
        server,
        len(before),
        {("GET", marker, 404), ("HEAD", "/api/health", 200), ("OPTIONS", "/sparql", 204)},
    )
    assert ("GET", marker, 404) in after
    assert ("HEAD", "/api/health", 200) in after
    assert ("OPTIONS", "/sparql", 204) in after


def test_rfc9110_17_8_the_access_log_never_shows_a_token(
    client: httpx.Client, server: Server
) -> None:
    client.get(
        "/api/health",
        params={"token": SECRET_QUERY_VALUE, "access_token": SECRET_QUERY_VALUE},
        headers=AUTH,
    )
    client.post(
        "/sparql",
        data={"update": "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"},
        headers=AUTH,
    )
    client.put(
        "/graph-store",
        params={"graph": "http://example.org/logged", "token": SECRET_QUERY_VALUE},
        content=b"<http://example.org/a> <http://example.org/b> 2 .",
        headers={**AUTH, "Content-Type": "text/turtle"},
    )
    lines = logged(server, 0, {("GET", "/api/health", 200), ("PUT", "/graph-store", 201)})
    output = server.output()
    assert ("GET", "/api/health", 200) in lines
    assert ("PUT", "/graph-store", 201) in lines
    assert TOKEN not in output
    assert SECRET_QUERY_VALUE not in output


# -- /cypher content types, timeouts and result caps ---------------------------------------


def test_rfc9110_15_5_16_cypher_unsupported_content_type_is_415(client: httpx.Client) -> None:
    query = "MATCH (n) RETURN n LIMIT 1"
    for headers, content in [
        ({"Content-Type": "text/plain"}, query),
        ({"Content-Type": "application/x-www-form-urlencoded"}, f"query={query}"),
        ({"Content-Type": "application/xml"}, "<query/>"),
        ({}, json.dumps({"query": query})),
    ]:
        body = problem(client.post("/cypher", content=content, headers=headers), 415)
        assert "application/json" in body["detail"]
    ok = client.post(
        "/cypher",
        content=json.dumps({"query": "RETURN 1 AS one"}),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert ok.json() == {"columns": ["one"], "rows": [[1]]}


def test_rfc9110_15_6_4_a_sparql_query_past_its_timeout_is_503(
    plain_client: httpx.Client,
) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    body = problem(plain_client.get("/sparql", params={"query": slow}), 503)
    assert "did not finish" in body["detail"]
    assert body["type"].endswith("/query-timeout")
    assert time.monotonic() - started < 15
    assert plain_client.get("/api/health").status_code == 200


def test_rfc9110_15_6_4_a_cypher_timeout_is_503_like_sparqls(plain_client: httpx.Client) -> None:
    # A cartesian product of every node six times over: far more than three seconds of work, and
    # one that FalkorDB's own timeout (given the same three seconds) stops promptly.
    slow = "MATCH (a), (b), (c), (d), (e), (f) RETURN count(*)"
    body = problem(plain_client.post("/cypher", json={"query": slow}), 503)
    assert "CASEGRAPH_QUERY_TIMEOUT_S" in body["detail"] or "timed out" in body["detail"]
    assert body["type"].endswith("/query-timeout")
    assert plain_client.post("/cypher", json={"query": "RETURN 1"}).status_code == 200


def test_rfc9110_15_5_21_a_cypher_result_over_the_row_cap_is_422(
    plain_client: httpx.Client,
) -> None:
    five = plain_client.post("/cypher", json={"query": "UNWIND range(1, 5) AS x RETURN x"})
    assert five.json()["rows"] == [[1], [2], [3], [4], [5]]
    six = plain_client.post("/cypher", json={"query": "UNWIND range(1, 6) AS x RETURN x"})
    body = problem(six, 422)
    assert body["type"].endswith("/result-too-large")
    assert "CASEGRAPH_CYPHER_MAX_ROWS" in body["detail"]


def test_rfc9110_15_5_21_a_cypher_result_over_the_byte_cap_is_422(
    plain_client: httpx.Client,
) -> None:
    fits = plain_client.post(
        "/cypher", json={"query": "RETURN $s AS s", "parameters": {"s": "x" * 2000}}
    )
    assert fits.status_code == 200
    big = plain_client.post(
        "/cypher", json={"query": "RETURN $s AS s", "parameters": {"s": "x" * 4000}}
    )
    body = problem(big, 422)
    assert "CASEGRAPH_CYPHER_MAX_BYTES" in body["detail"]


def test_rfc9110_15_5_21_a_sparql_result_over_its_byte_cap_is_422(
    plain_client: httpx.Client,
) -> None:
    """`CASEGRAPH_SPARQL_MAX_BYTES` (20 kB here): a larger result is refused before its first
    byte goes out; a smaller one is whole."""
    everything = "CONSTRUCT WHERE { ?s ?p ?o }"
    body = problem(plain_client.get("/sparql", params={"query": everything}), 422)
    assert body["type"].endswith("/result-too-large")
    assert f"{SPARQL_RESULT_CAP:,}" in body["detail"]
    few = plain_client.get("/sparql", params={"query": f"{everything} LIMIT 5"})
    assert few.status_code == 200 and 0 < len(few.content) < SPARQL_RESULT_CAP
