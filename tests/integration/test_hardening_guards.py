"""Regression tests for issue 15, findings 1, 2, 8 (typed literals), 11 and 12, over real HTTP
(`casegraph serve`, tests/integration/server.py) and the real CLI; and a fuzz test of deeply
nested SPARQL and Cypher against the server: every answer is 400 or a result, and the server
stays up.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.html import html_headers
from api.routes.views import CONTENT_SECURITY_POLICY as VIEW_POLICY
from graph import query_guard
from tests.integration.server import FIXTURES, TOKEN, Server, running

pytestmark = pytest.mark.timeout(900)

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "tests" / "data" / "good"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CG = "https://w3id.org/casegraph/ontology#"
ID = "https://w3id.org/casegraph/id/"
SCRIPT_TTL = f"""\
@prefix cg: <{CG}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<{ID}claim/script-claim> a cg:Claim ;
    rdfs:label "A claim whose cause, asserter and source are javascript: IRIs" ;
    cg:cause <javascript:alert('cause')> ;
    cg:effect <{ID}phenomenon/test-fragmentation> ;
    cg:relation cg:causes ;
    cg:assertedBy <javascript:alert('asserter')> ;
    cg:source <javascript:alert('source')> ;
    cg:stance "supports" ;
    cg:note "n" .
<{ID}phenomenon/test-fragmentation> rdfs:seeAlso <javascript:alert('see-also')> ;
    owl:sameAs <JavaScript:alert('same-as')> .
"""


@dataclass
class Listener:
    port: int
    hits: list[bytes] = field(default_factory=list)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    """A loopback socket: any request that reaches out ends up here."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    found = Listener(server.getsockname()[1])

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.settimeout(1)
            try:
                found.hits.append(conn.recv(200))
            except OSError:
                found.hits.append(b"")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("hardening")
    script = root / "script-iris.ttl"
    script.write_text(SCRIPT_TTL, encoding="utf-8")
    with running(root, cases=(*FIXTURES, script), env={"CASEGRAPH_VALIDATE_SHACL": "false"}) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        deadline = time.monotonic() + 180  # the engines start and sync after /api/health
        while time.monotonic() < deadline:
            engines = c.get("/api/health").json()["engines"]
            if engines and all(e["state"] == "ok" for e in engines.values()):
                break
            time.sleep(0.5)
        else:
            pytest.fail(f"the Cypher engine did not start: {engines}")
        yield c


def assert_alive(server: Server, client: httpx.Client) -> None:
    assert server.process.poll() is None, server.output()[-3000:]
    assert client.get("/api/health").status_code == 200
    rows = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert rows.status_code == 200


def count(client: httpx.Client) -> int:
    response = client.get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# -- finding 1: no request reaches out ------------------------------------------------------------


def test_finding_1_service_after_a_dot_is_refused_and_connects_nowhere(
    client: httpx.Client, listener: Listener
) -> None:
    url = f"<http://127.0.0.1:{listener.port}/x>"
    queries = [
        f"SELECT ?x WHERE {{ {{}} .SERVICE {url} {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ FILTER(?a<?b)SERVICE#>\n{url}{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER(1<2)SERVICE SILENT {url} {{}} }}",
    ]
    for query in queries:
        for response in (
            client.get("/sparql", params={"query": query}),
            client.post(
                "/sparql",
                content=query.encode(),
                headers={"Content-Type": "application/sparql-query"},
            ),
        ):
            assert response.status_code == 400, response.text
    updates = [
        f"INSERT {{ <{ID}agent/x> <{CG}note> ?o }} WHERE {{ {{}} .SERVICE {url} {{ ?s ?p ?o }} }}",
        f"LOAD <http://127.0.0.1:{listener.port}/data.ttl>",
        f"LOAD <https://127.0.0.1:{listener.port}/data.ttl>",
        "LOAD <file:///etc/hostname>",
    ]
    for update in updates:
        response = client.post(
            "/sparql",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update", **AUTH},
        )
        assert response.status_code == 400, response.text
        assert "no scheme is allowed" in response.text or "SERVICE" in response.text
    time.sleep(0.5)
    assert listener.hits == []


def test_service_is_refused_without_any_connection(
    client: httpx.Client, listener: Listener
) -> None:
    """`SERVICE` however it is spelled (lower case, `SILENT`, a `\\u` escape, after a comment)
    is refused before any parser sees it; the word inside a string is harmless."""
    port = listener.port
    for query in [
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s rdfs:label ?l # }}\n SERVICE <http://127.0.0.1:{port}/> {{}} }}",
    ]:
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 400, response.text
        assert "SERVICE" in response.json()["detail"]
    harmless = 'SELECT * WHERE { ?s rdfs:label "SERVICE" } LIMIT 1'
    assert client.get("/sparql", params={"query": harmless}).status_code == 200
    time.sleep(0.5)
    assert listener.hits == []


def test_finding_1_cypher_load_csv_is_refused_and_connects_nowhere(
    client: httpx.Client, listener: Listener
) -> None:
    for query in [
        f"LOAD CSV FROM 'https://127.0.0.1:{listener.port}/x.csv' AS row RETURN row",
        "LOAD CSV WITH HEADERS FROM 'file:///etc/passwd' AS row RETURN row",
        f"WITH 1 AS x LOAD/**/CSV FROM 'https://127.0.0.1:{listener.port}/x.csv' AS r RETURN r",
        "CALL algo.BFS(null, 1, null)",
    ]:
        response = client.post("/cypher", json={"query": query})
        assert response.status_code == 400, response.text
    allowed = client.post("/cypher", json={"query": "CALL db.labels() YIELD label RETURN label"})
    assert allowed.status_code == 200, allowed.text
    assert "Entity" in {row[0] for row in allowed.json()["rows"]}
    time.sleep(0.5)
    assert listener.hits == []


def test_finding_1_the_cli_refuses_the_same_texts(tmp_path: Path, listener: Listener) -> None:
    url = f"<http://127.0.0.1:{listener.port}/x>"
    sparql = cli(tmp_path / "data", "query", "sparql", f"SELECT * {{ {{}} .SERVICE {url} {{}} }}")
    assert sparql.returncode == 1, sparql.stdout + sparql.stderr
    assert "SERVICE" in sparql.stderr and "Traceback" not in sparql.stderr
    load_csv = f"LOAD CSV FROM 'https://127.0.0.1:{listener.port}/x.csv' AS r RETURN r"
    cypher = cli(tmp_path / "data", "query", "cypher", load_csv)
    assert cypher.returncode == 1, cypher.stdout + cypher.stderr
    assert "LOAD CSV" in cypher.stderr
    deep = cli(tmp_path / "data", "query", "sparql", CRASHERS[0])
    assert deep.returncode == 1 and "deep" in deep.stderr
    time.sleep(0.5)
    assert listener.hits == []


# -- finding 2: one request cannot kill the server ------------------------------------------------

CRASHERS = [
    "SELECT * { " + "{" * 3000 + "}" * 3000 + " }",
    "SELECT * { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "SELECT * { FILTER(" + "!" * 20000 + "true) }",
    "SELECT * { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o " * 3000 + "}" * 3000 + " }",
]


def test_finding_2_deep_sparql_is_refused_and_the_server_stays_up(
    server: Server, client: httpx.Client
) -> None:
    pid = server.process.pid
    for query in CRASHERS:
        response = client.post(
            "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}
        )
        assert response.status_code == 400, response.text[:500]
        assert "deep" in response.json()["detail"]
        update = f"DELETE {{ ?s ?p ?o }} WHERE {{ {query.removeprefix('SELECT * ')} }}"
        response = client.post(
            "/sparql",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update", **AUTH},
        )
        assert response.status_code == 400, response.text[:500]
    assert server.process.pid == pid
    assert_alive(server, client)


def test_finding_2_deep_cypher_is_refused_before_the_engine_parses_it(
    server: Server, client: httpx.Client
) -> None:
    for depth in (25, 20, 11):
        query = "RETURN " + "(" * depth + "1" + ")" * depth + " AS x"
        response = client.post("/cypher", json={"query": query})
        assert response.status_code == 400, response.text
    limit = query_guard.CYPHER_MAX_DEPTH
    ok = client.post("/cypher", json={"query": "RETURN " + "(" * limit + "1" + ")" * limit})
    assert ok.status_code == 200, ok.text
    assert_alive(server, client)


def test_deep_jsonld_and_rdfxml_bodies_are_refused_and_the_server_stays_up(
    server: Server, client: httpx.Client
) -> None:
    deep_jsonld = '{"@id": "http://a/", "http://p/q": ' + '{"http://p/q": ' * 5000 + "1"
    deep_jsonld += "}" * 5001
    deep_xml = (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:p="http://p/">'
        + '<rdf:Description rdf:about="http://a/"><p:q>' * 100_000
        + "</p:q></rdf:Description>" * 100_000
        + "</rdf:RDF>"
    )
    for body, media in [(deep_jsonld, "application/ld+json"), (deep_xml, "application/rdf+xml")]:
        response = client.put(
            "/graph-store",
            params={"graph": "https://example.org/deep"},
            content=body.encode(),
            headers={"Content-Type": media, **AUTH},
        )
        assert response.status_code == 400, response.text[:300]
        assert "levels deep" in response.json()["detail"]
    assert_alive(server, client)


# -- fuzz: nested SPARQL and Cypher ----------------------------------------------------------------

SPARQL_NESTING = [
    ("{", "}"),
    ("{ ?s ?p ?o OPTIONAL {", "}}"),
    ("{ SELECT * WHERE {", "}}"),
    ("FILTER(", ")"),
    ("FILTER(!", ")"),
    ("FILTER(STR(", "))"),
    ("FILTER(NOT EXISTS {", "})"),
    ("MINUS {", "}"),
    ("GRAPH ?g {", "}"),
    ("{ ?s ?p ?o } UNION {", "}"),
    ("FILTER((", "))"),
    ("BIND(-(", ") AS ?x)"),
]
CYPHER_NESTING = [
    ("(", ")"),
    ("[", "]"),
    ("{a: ", "}"),
    ("NOT ", ""),
    ("- ", ""),
    ("abs(", ")"),
    ("[x IN [1] | ", "]"),
    ("CASE WHEN true THEN ", " END"),
    ("size([", "])"),
]
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
depths = st.integers(1, 40) | st.integers(55, 75) | st.integers(100, 6000)


def nest(pattern: list[tuple[str, str]], depth: int, inner: str) -> str:
    opens = [pattern[i % len(pattern)] for i in range(depth)]
    return "".join(o for o, _ in opens) + inner + "".join(c for _, c in reversed(opens))


@FUZZ
@given(
    pattern=st.lists(st.sampled_from(SPARQL_NESTING), min_size=1, max_size=4),
    depth=depths,
    update=st.booleans(),
)
def test_fuzz_nested_sparql_answers_400_or_a_result(
    server: Server,
    client: httpx.Client,
    pattern: list[tuple[str, str]],
    depth: int,
    update: bool,
) -> None:
    body = nest(pattern, depth, "?s ?p ?o")
    if update:
        text = f"DELETE {{ <{ID}agent/nobody> ?p ?o }} WHERE {{ {body} }}"
        headers = {"Content-Type": "application/sparql-update", **AUTH}
    else:
        text = f"SELECT * WHERE {{ {body} }} LIMIT 1"
        headers = {"Content-Type": "application/sparql-query"}
    response = client.post("/sparql", content=text.encode(), headers=headers)
    assert response.status_code in {200, 400}, (response.status_code, response.text[:300])
    assert server.process.poll() is None


@FUZZ
@given(
    pattern=st.lists(st.sampled_from(CYPHER_NESTING), min_size=1, max_size=4),
    depth=st.integers(1, 14) | st.integers(15, 3000),
)
def test_fuzz_nested_cypher_answers_400_or_a_result(
    server: Server, client: httpx.Client, pattern: list[tuple[str, str]], depth: int
) -> None:
    query = "RETURN " + nest(pattern, depth, "1") + " AS x"
    response = client.post("/cypher", json={"query": query})
    assert response.status_code in {200, 400}, (response.status_code, response.text[:300])
    assert server.process.poll() is None


def test_the_server_is_up_after_the_fuzz(server: Server, client: httpx.Client) -> None:
    assert_alive(server, client)
    assert client.post("/cypher", json={"query": "RETURN 1 AS x"}).status_code == 200


# -- finding 8 (typed literals): nothing changes ---------------------------------------------------


def test_finding_8_an_ill_typed_date_is_refused_and_nothing_changes(client: httpx.Client) -> None:
    before = count(client)
    for literal in ['"not-a-date"', '"not-a-date"^^xsd:date', '"2021-02-29"^^xsd:date']:
        update = f'INSERT DATA {{ <{ID}event/bad-date> cg:earliest {literal} ; rdfs:label "x" }}'
        response = client.post(
            "/sparql",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update", **AUTH},
        )
        assert response.status_code == 400, response.text
        assert "earliest" in response.json()["detail"]
    assert count(client) == before
    good = f'INSERT DATA {{ <{ID}agent/after-bad-date> rdfs:label "After" }}'
    response = client.post(
        "/sparql",
        content=good.encode(),
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert response.status_code == 200, response.text
    assert count(client) > before


def cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    env["CASEGRAPH_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-c", "from api.cli import app; app()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=600,
        check=False,
    )


def stats(data_dir: Path) -> dict[str, object]:
    result = cli(data_dir, "stats", "--json")
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_finding_8_load_no_validate_of_an_ill_typed_date_exits_1(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli(data, "load", "--no-sync", str(GOOD / "small-case.yaml")).returncode == 0
    before = stats(data)
    bad = tmp_path / "bad-date.ttl"
    bad.write_text(
        f"<{ID}event/bad-date> <{CG}earliest> "
        '"not-a-date"^^<http://www.w3.org/2001/XMLSchema#date> .\n',
        encoding="utf-8",
    )
    result = cli(data, "load", "--no-validate", "--no-sync", str(bad))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "bad-date.ttl" in result.stderr and "earliest" in result.stderr
    assert stats(data) == before


# -- finding 11: HTML ------------------------------------------------------------------------------


def test_finding_11_javascript_iris_are_text_not_links(client: httpx.Client) -> None:
    response = client.get("/id/phenomenon/test-fragmentation", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    page = response.text
    assert "script-claim" in page  # the claim is on the page ...
    assert "javascript:alert(&#39;cause&#39;)" in page  # ... its cause shown as text
    assert 'href="javascript' not in page.lower().replace("'", '"')
    assert "href=javascript" not in page.lower()
    for line in page.splitlines():
        if "javascript:" in line.lower():
            assert "<a href" not in line.split("javascript:")[0].rsplit(">", 1)[-1]


def test_finding_11_every_html_page_has_the_shared_csp(client: httpx.Client) -> None:
    page = client.get("/id/phenomenon/test-fragmentation", headers={"Accept": "text/html"})
    expected = html_headers()
    for name, value in expected.items():
        assert page.headers[name] == value
    assert "script-src" not in page.headers["content-security-policy"]
    view = client.get("/view/entity/test-fragmentation")
    assert view.status_code == 200
    assert view.headers["content-security-policy"] == VIEW_POLICY
    assert view.headers["x-content-type-options"] == expected["X-Content-Type-Options"]


BAD_SEGMENTS = [
    *("a%20b", "%22", "%3E", "%3C", "%7B", "%7D", "%5C", "%00", "%7C", "%5E", "%60"),
    *("a%zz", "%0A", "%E2%80%AE", "%2e%2e", "%2F..%2F"),
]


@pytest.mark.parametrize("segment", BAD_SEGMENTS)
def test_finding_11_bad_characters_in_paths_are_4xx_never_500(
    client: httpx.Client, segment: str
) -> None:
    paths = [
        f"/id/event/{segment}/c",
        f"/id/event/{segment}",
        f"/id/{segment}/x",
        f"/view/entity/{segment}",
        f"/view/case/{segment}",
    ]
    for path in paths:
        for accept in ("text/html", "text/turtle", "application/ld+json"):
            response = client.get(path, headers={"Accept": accept})
            assert response.status_code in {400, 404, 422}, (path, response.status_code)


# -- finding 12: validate --------------------------------------------------------------------------


def test_finding_12_validate_resolves_references_like_load(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cases = REPO / "data" / "cases"
    loaded = cli(data, "load", "--no-sync", str(cases))
    assert loaded.returncode == 0, loaded.stderr
    edited = tmp_path / "claims.yaml"  # same document name, new content: checked for real
    edited.write_text(
        (cases / "claims.yaml").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8"
    )
    result = cli(data, "validate", str(edited))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok" in result.stdout
    alone = cli(tmp_path / "empty", "validate", str(edited))
    assert alone.returncode == 1
    assert "files alone" in alone.stderr and "undefined id" in alone.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("confidence: 0.8", "confidence: .nan"),
        ("confidence: 0.8", "confidence: .inf"),
        ("latitude: 10.5", "latitude: -.inf"),
    ],
)
def test_finding_12_non_finite_numbers_get_their_own_message(
    tmp_path: Path, old: str, new: str
) -> None:
    text = (GOOD / "small-case.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "small-case.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    result = cli(tmp_path / "data", "validate", str(path))
    assert result.returncode == 1
    assert "finite" in result.stderr
    assert "less than or equal" not in result.stderr
    assert "greater than or equal" not in result.stderr
