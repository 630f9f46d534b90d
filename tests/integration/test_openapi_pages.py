"""`/docs` (Swagger UI) and `/redoc` (ReDoc) served with local assets: no outside URL in the
pages, a Content-Security-Policy that allows this server only, and (in chromium, with every
other origin blocked) both render the API."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.browser import origin_context
from tests.integration.server import Server, running

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory.mktemp("openapi-pages")) as srv:
        yield srv


ATTRIBUTE_URL = re.compile(r"""(?:src|href|url|spec-url)\s*[=:]\s*['"]([^'"]+)['"]""")


def test_docs_pages_reference_no_outside_url(client: httpx.Client) -> None:
    for page_path in ("/docs", "/redoc"):
        page = client.get(page_path)
        assert page.status_code == 200
        urls = ATTRIBUTE_URL.findall(page.text)
        assert urls, page_path
        for url in urls:
            assert url.startswith("/") and not url.startswith("//"), (page_path, url)
            assert client.get(url).status_code == 200, url
        assert "http://" not in page.text and "https://" not in page.text
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "connect-src 'self'" in csp


@pytest.mark.browser
def test_browser_docs_render_offline(server: Server) -> None:
    with origin_context([server.url]) as (context, blocked):
        tab = context.new_page()
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.goto(f"{server.url}/docs")
        tab.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert "casegraph" in tab.inner_text(".swagger-ui .info .title")
        tab.wait_for_selector("text=/cypher", timeout=30_000)
        tab.goto(f"{server.url}/redoc")
        tab.wait_for_selector("h1", timeout=30_000)
        assert "casegraph" in tab.inner_text("h1")
        tab.wait_for_function(
            "() => document.body.innerText.includes('Read-only Cypher query')", timeout=30_000
        )
    assert blocked == []
    assert not [e for e in errors if "Content Security Policy" in e], errors
