"""CORS against the Fetch Standard's CORS protocol (§3.2: the preflight request of §3.2.2 and
the response headers of §3.2.3), over real HTTP and in chromium.

The server allows two origins (`CASEGRAPH_CORS_ORIGINS`): `http://allowed.example` and the
origin of `page`, a tiny HTTP server of the test's own serving a page that queries `/sparql`.
`stranger` serves the same page from an origin the server does not allow. CORS off by default
is `test_spec_http.py::test_fetch_3_2_cors_is_off_by_default`. Each test is named after the
section it checks; docs/conformance.md maps every requirement to its test.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.browser import origin_context
from tests.integration.server import Server, free_port, running

pytestmark = pytest.mark.timeout(300)

ALLOWED = "http://allowed.example"
PAGE = """<!doctype html>
<meta charset="utf-8">
<title>another origin</title>
<script>
async function ask(endpoint) {
  try {
    const response = await fetch(endpoint + "/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/sparql-query",
        "Accept": "application/sparql-results+json",
        "Authorization": "Bearer not-needed-for-queries",
      },
      body: "ASK { ?s ?p ?o }",
    });
    return {status: response.status, body: await response.json(),
            vary: response.headers.get("Vary")};
  } catch (error) {
    return {error: String(error)};
  }
}
async function select(endpoint) {
  try {
    const query = encodeURIComponent("SELECT ?l WHERE { ?e rdfs:label ?l } LIMIT 3");
    const response = await fetch(endpoint + "/sparql?query=" + query);
    return {status: response.status, body: await response.json()};
  } catch (error) {
    return {error: String(error)};
  }
}
</script>
"""


class Page:
    """`cors.html` served by a local HTTP server on a port of its own (its own origin)."""

    def __init__(self, folder: Path) -> None:
        handler = functools.partial(QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.url = f"{self.origin}/cors.html"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    folder = tmp_path_factory.mktemp("other-origin")
    (folder / "cors.html").write_text(PAGE, encoding="utf-8")
    served = Page(folder)
    try:
        yield served
    finally:
        served.close()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    yield from serve_page(tmp_path_factory)


@pytest.fixture(scope="module")
def stranger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    yield from serve_page(tmp_path_factory)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, page: Page) -> Iterator[Server]:
    env = {"CASEGRAPH_CORS_ORIGINS": json.dumps([page.origin, ALLOWED])}
    with running(tmp_path_factory.mktemp("cors"), env=env) as srv:
        yield srv


def preflight(client: httpx.Client, path: str, origin: str, method: str) -> httpx.Response:
    return client.options(
        path,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )


def test_fetch_3_2_3_a_preflight_from_a_configured_origin_is_granted(
    client: httpx.Client,
) -> None:
    for path, method in [
        ("/sparql", "POST"),
        ("/sparql", "GET"),
        ("/cypher", "POST"),
        ("/graph-store", "PUT"),
        ("/graph-store", "DELETE"),
    ]:
        response = preflight(client, path, ALLOWED, method)
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == ALLOWED
        methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
        assert method in methods, (path, methods)
        allowed = response.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed and "content-type" in allowed
        assert int(response.headers["access-control-max-age"]) > 0
        assert "Origin" in response.headers["vary"]


def test_fetch_3_2_3_a_preflight_from_another_origin_gets_no_grant(client: httpx.Client) -> None:
    response = preflight(client, "/sparql", "http://evil.example", "POST")
    assert response.status_code == 204
    assert "access-control-allow-origin" not in response.headers
    assert "access-control-allow-methods" not in response.headers
    assert "Origin" in response.headers["vary"]


def test_fetch_3_2_3_answers_name_the_origin_and_vary_on_it(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": ALLOWED})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    vary = {v.strip() for v in response.headers["vary"].split(",")}
    assert vary == {"Accept", "Origin"}
    assert "Location" in response.headers["access-control-expose-headers"]
    problem = client.get("/api/entities/no-such-thing", headers={"Origin": ALLOWED})
    assert problem.headers["access-control-allow-origin"] == ALLOWED
    other = client.get("/api/health", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    assert "Origin" in other.headers["vary"]


@pytest.mark.browser
def test_fetch_3_2_a_page_on_an_allowed_origin_queries_sparql(server: Server, page: Page) -> None:
    with origin_context([page.origin, server.url]) as (context, blocked):
        tab = context.new_page()
        tab.goto(page.url)
        asked = tab.evaluate("endpoint => ask(endpoint)", server.url)
        assert asked.get("error") is None, asked
        assert asked["status"] == 200 and asked["body"] == {"head": {}, "boolean": True}
        selected = tab.evaluate("endpoint => select(endpoint)", server.url)
        assert selected["status"] == 200
        assert len(selected["body"]["results"]["bindings"]) == 3
    assert blocked == []


@pytest.mark.browser
def test_fetch_3_2_a_page_on_an_origin_not_allowed_is_refused_by_the_browser(
    server: Server, stranger: Page
) -> None:
    with origin_context([stranger.origin, server.url]) as (context, _blocked):
        tab = context.new_page()
        console: list[str] = []
        tab.on("console", lambda message: console.append(message.text))
        tab.goto(stranger.url)
        asked = tab.evaluate("endpoint => ask(endpoint)", server.url)
        assert "error" in asked and "Failed to fetch" in asked["error"], asked
        selected = tab.evaluate("endpoint => select(endpoint)", server.url)
        assert "error" in selected, selected
    assert any("CORS" in line for line in console), console
