"""The home page and the entity search page, served by a real `casegraph serve` on the curated
cases (data/cases), over HTTP and in headless chromium (Debian's, through Playwright).

A student's walk: home -> a case -> one of its entities -> a causal chain -> back to home, and a
search from the home page's form; every page answers, logs no error and asks for nothing outside
the server. The chain views over casebook links draw what the REST API returns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.routes.home import PAGE_HEADERS
from api.routes.views import CONTENT_SECURITY_POLICY

try:  # tests/ as a package (tests/__init__.py present) or as rootdir-relative modules
    from tests.integration.browser import headless_chromium, screenshot_path
    from tests.integration.server import Server, running
except ImportError:
    from browser import headless_chromium, screenshot_path  # type: ignore[no-redef]
    from server import Server, running  # type: ignore[no-redef]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "data" / "cases").glob("*.yaml"))
LOCAL = ("data:", "about:", "blob:")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("views-home")
    with running(root, cases=CASES, env={"CASEGRAPH_SYNC_BACKENDS": "[]"}) as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


class _Links(HTMLParser):
    """Every href and src of a page, and the attributes of its case lines."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.cases: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls.extend(v for k, v in attrs if k in {"href", "src", "action"} and v)
        if tag == "li" and found.get("class") == "cg-case":
            self.cases.append(found)


def links(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


# -- over HTTP -------------------------------------------------------------------------------------


def test_home_lists_every_case_with_its_span_counts_and_links(client: httpx.Client) -> None:
    home, index = client.get("/"), client.get("/view")
    assert home.status_code == index.status_code == 200
    api = client.get("/api", follow_redirects=False)
    assert (api.status_code, api.headers["location"]) == (307, "/docs")
    assert home.text == index.text
    for name, value in PAGE_HEADERS.items():
        assert home.headers[name] == value
    # The views' policy, except that the search form may submit to this site.
    assert home.headers["content-security-policy"] == CONTENT_SECURITY_POLICY.replace(
        "form-action 'none'", "form-action 'self'"
    )
    page = links(home.text)
    cases = client.get("/api/cases").json()["items"]
    assert [c["data-case"] for c in page.cases] == [c["id"] for c in cases]
    for case in cases:
        line = re.search(
            rf'<li class="cg-case" data-case="{case["id"]}">(.*?)</li>', home.text, re.S
        )
        assert line is not None
        text = line.group(1)
        assert f"{case['first']} \N{EN DASH} {case['last']}" in text
        assert f"{case['event_count']} events" in text
        assert f'href="/view/case/{case["id"]}"' in text
        assert f'href="/view/timeline?case={case["id"]}"' in text
        assert text.count('class="cg-case-chain"') >= 1
    assert 'href="/view/chain?from=mx-2012-03&amp;to=mexico-homicide-rise"' in home.text
    assert 'href="/view/chain?from=af-2017-01&amp;to=taliban-drug-revenue"' in home.text
    # Every address is on this site, and every one answers.
    assert page.urls and all(u.startswith("/") for u in page.urls), page.urls
    for url in sorted(set(page.urls)):
        answer = client.get(url.replace("&amp;", "&"))
        assert answer.status_code == 200, url


def test_search_page_ranks_filters_and_links(client: httpx.Client) -> None:
    response = client.get("/view/search", params={"q": "MX-2006-02"})
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == PAGE_HEADERS["Content-Security-Policy"]
    hits = re.findall(r'class="cg-hit-title" href="([^"]+)">([^<]+)<', response.text)
    assert hits[0] == (
        "/view/entity/mx-2006-02",
        "Operation Michoacán (Operativo Conjunto Michoacán)",
    )
    # A link is labelled in words, not with the loader's slugs.
    labels = [label for _href, label in hits]
    assert not any("mx-2006-01 \N{RIGHTWARDS ARROW}" in label for label in labels)
    assert any(label.startswith("precedes: Calderón takes office") for label in labels)
    assert '<a class="cg-hit-ld" href="/id/event/mx-2006-02">' in response.text
    assert client.get("/id/event/mx-2006-02", headers={"Accept": "text/html"}).status_code == 200
    filtered = client.get(
        "/view/search", params={"q": "cartel", "type": "Event", "from": "2019", "to": "2020"}
    ).text
    found = re.findall(r'class="cg-hit-title" href="/view/entity/([^"]+)"', filtered)
    assert found and "mx-2019-02" in found
    for node in found:
        event = client.get(f"/api/entities/{node}").json()
        assert "Event" in event["types"]
        assert event["start"] <= "2020-12-31" and (event["end"] or "9999") >= "2019-01-01"
    assert '<option value="Event" selected>Event</option>' in filtered
    assert "Undated entities are left out" in filtered
    # A date that is none is said on the page and left out; a malformed one is refused.
    typo = client.get("/view/search", params={"q": "Iron Tempest", "from": "2019-13"})
    assert typo.status_code == 200
    assert "&#39;2019-13&#39; is no date" in typo.text and "Operation Iron Tempest" in typo.text
    assert client.get("/view/search", params={"q": "x", "from": "yesterday"}).status_code == 422


def test_link_chains_answer_in_rest_and_views(client: httpx.Client) -> None:
    for start, end, steps in (
        ("us-2025-01", "us-2025-13", 4),
        ("af-2017-01", "taliban-drug-revenue", 1),
    ):
        chains = client.get("/api/causal-chains", params={"from": start, "to": end}).json()
        pairs = {
            (s["cause"]["id"], s["effect"]["id"]) for c in chains["chains"] for s in c["steps"]
        }
        assert len(pairs) == steps
        page = client.get("/view/chain", params={"from": start, "to": end})
        assert page.status_code == 200
        match = re.search(r'id="cg-data">(.*?)</script>', page.text, re.S)
        assert match is not None
        drawn = {(e["from"], e["to"]) for e in json.loads(match.group(1))["edges"]}
        assert drawn == pairs


# -- in the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium(server: Server) -> Iterator[Any]:
    """The system chromium, driven by Playwright; each test opens fresh contexts on it."""
    with headless_chromium() as browser:
        yield browser


class Log:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.outside: list[str] = []
        self.errors: list[str] = []


def open_site(chromium: Any, server: Server) -> tuple[Any, Any, Log]:
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    log = Log()
    origin = server.url + "/"

    def on_route(route: Any) -> None:
        url = route.request.url
        if url.startswith(origin) or url.startswith(LOCAL):
            route.continue_()
        else:
            log.outside.append(url)
            route.abort()

    def on_request(request: Any) -> None:
        log.requests.append(request.url)

    def on_console(message: Any) -> None:
        if message.type == "error":
            log.errors.append(message.text)

    page.route("**/*", on_route)
    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda error: log.errors.append(str(error)))
    page.on("dialog", lambda dialog: (log.errors.append(dialog.message), dialog.dismiss()))
    return context, page, log


def ready(page: Any) -> None:
    page.wait_for_function(
        "() => window.casegraphView && window.casegraphView.ready === true", timeout=30_000
    )


def click_node(page: Any, node_id: str) -> None:
    point = page.evaluate(
        """(id) => {
            const net = window.casegraphView.network;
            net.focus(id, {scale: 2, animation: false});
            const pos = net.canvasToDOM(net.getPositions([id])[id]);
            const box = document.getElementById("graph").getBoundingClientRect();
            return {x: box.left + pos.x, y: box.top + pos.y};
        }""",
        node_id,
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector(f'#panel:not([hidden])[data-node="{node_id}"]')


def test_home_case_entity_chain_and_back(server: Server, chromium: Any, tmp_path: Path) -> None:
    context, page, log = open_site(chromium, server)
    try:
        page.goto(server.url + "/")
        page.wait_for_selector("li.cg-case")
        page.screenshot(path=str(screenshot_path("view-home.png", tmp_path)), full_page=True)
        with page.expect_navigation():
            page.click('li[data-case="mexico-drug-war"] a.cg-case-title')
        ready(page)
        assert page.url.endswith("/view/case/mexico-drug-war")
        click_node(page, "mx-2012-03")
        with page.expect_navigation():
            page.locator('#panel a[href="/view/entity/mx-2012-03"]').click()
        ready(page)
        assert page.url.endswith("/view/entity/mx-2012-03")
        nav = page.locator("nav.cg-nav a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert nav == ["/", "/view/case/mexico-drug-war", "/view/timeline?case=mexico-drug-war"]
        panel = page.locator("#panel a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert "/id/event/mx-2012-03" in panel  # its Linked-Data page
        chain = next(h for h in panel if h.startswith("/view/chain?from=mx-2012-03&"))
        with page.expect_navigation():
            page.locator(f'#panel a[href="{chain}"]').click()
        ready(page)
        assert "causal chain" in page.locator(".cg-subtitle").inner_text()
        assert page.evaluate("() => casegraphView.edgeCount") >= 1
        for expected in ("/view/entity/mx-2012-03", "/view/case/mexico-drug-war"):
            with page.expect_navigation():
                page.click("#nav-back")
            ready(page)
            assert page.url.endswith(expected)
        with page.expect_navigation():
            page.click("#nav-back")
        page.wait_for_selector("li.cg-case")
        assert page.url == server.url + "/"
        visited = {r.split("?")[0].removeprefix(server.url) for r in log.requests}
        assert {
            "/",
            "/view/case/mexico-drug-war",
            "/view/entity/mx-2012-03",
            "/view/chain",
        } <= visited
        assert log.outside == [] and log.errors == []
    finally:
        context.close()


def test_search_from_the_home_page(server: Server, chromium: Any) -> None:
    context, page, log = open_site(chromium, server)
    try:
        page.goto(server.url + "/view")
        page.fill('form.cg-search input[name="q"]', "EO 14157")
        with page.expect_navigation():
            page.click('form.cg-search button[type="submit"]')
        assert "/view/search?q=EO+14157" in page.url
        first = page.locator("a.cg-hit-title").first
        assert first.inner_text().startswith("Executive Order 14157")
        with page.expect_navigation():
            first.click()
        ready(page)
        assert page.url.endswith("/view/entity/us-2025-01")
        with page.expect_navigation():
            page.click("#nav-back")
        page.wait_for_selector("a.cg-hit-title")
        with page.expect_navigation():
            page.locator('nav.cg-nav a[href="/"]').click()
        page.wait_for_selector("li.cg-case")
        assert log.outside == [] and log.errors == []
    finally:
        context.close()


def test_chain_over_links_draws_in_the_browser(
    server: Server, chromium: Any, tmp_path: Path
) -> None:
    context, page, log = open_site(chromium, server)
    try:
        page.goto(server.url + "/view/chain?from=af-2017-01&to=taliban-drug-revenue")
        ready(page)
        assert page.evaluate("() => [casegraphView.nodeCount, casegraphView.edgeCount]") == [2, 1]
        assert "1 causal chain" in page.locator(".cg-subtitle").inner_text()
        page.goto(server.url + "/view/chain?from=us-2025-01&to=us-2025-13")
        ready(page)
        assert page.evaluate("() => [casegraphView.nodeCount, casegraphView.edgeCount]") == [4, 4]
        assert "2 causal chains" in page.locator(".cg-subtitle").inner_text()
        page.screenshot(path=str(screenshot_path("view-chain-links.png", tmp_path)))
        assert log.outside == [] and log.errors == []
    finally:
        context.close()
