"""The /view/... pages served by a real `casegraph serve`, and the `casegraph view` exports, in
headless chromium.

One server runs for the module, loaded with the fixture case files plus a case whose labels carry
script. The node and edge counts each page reports (`window.casegraphView`) are checked against
counts computed here from the projection of the same files; every page must draw, open its side
panel on a click, log no error and ask for nothing outside the server (or, for exports, the file).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from api.cli import app as cli_app
from api.routes.views import CONTENT_SECURITY_POLICY
from graph import analytics, ingest
from graph.projection import project_store
from graph.records import Projection
from graph.views.build import CONTEXT_TYPES
from graph.workspace import Workspace

try:  # tests/ as a package (tests/__init__.py present) or as rootdir-relative modules
    from tests.integration.browser import (
        headless_chromium,
        open_page,
        pixel_stats,
        require_chromium,
        screenshot_path,
    )
    from tests.integration.server import FIXTURES, Server, running
except ImportError:
    from browser import (  # type: ignore[no-redef]
        headless_chromium,
        open_page,
        pixel_stats,
        require_chromium,
        screenshot_path,
    )
    from server import FIXTURES, Server, running  # type: ignore[no-redef]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

VIEWPORT = {"width": 1400, "height": 900}
PWN = '<img src=x onerror="window.__pwned=1">'
EVIL_CASE = """\
casegraph: 1
cases:
  - id: evil-case
    label: '<img src=x onerror="window.__pwned=1">'
    description: '</script><script>window.__pwned=2</script>'
agents:
  - id: evil-agent
    type: Person
    label: '<img src=x onerror="window.__pwned=1">'
events:
  - id: evil-event
    type: Event
    label: '</script><script>window.__pwned=2</script>'
    description: '<img src=x onerror="window.__pwned=1">'
    date: "2015-05-05"
    participants: [evil-agent]
    cases: [evil-case]
"""


@dataclass
class Site:
    """The running server, the projection of the same files, and a store the CLI can read."""

    server: Server
    projection: Projection
    data_dir: Path
    root: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    require_chromium()
    root = tmp_path_factory.mktemp("views-served")
    evil = root / "evil-case.yaml"
    evil.write_text(EVIL_CASE, encoding="utf-8")
    cases = (*FIXTURES, evil)
    local = root / "local"
    workspace = Workspace.open(local)
    try:
        ingest.load(workspace, list(cases))
        projection = project_store(workspace.store)
    finally:
        workspace.close()
    with running(root / "server", cases=cases) as server:
        yield Site(server, projection, local, root)


# -- expected counts, computed from the projection -------------------------------------------------
#
# A view draws no link-step node: each step is an edge between its two ends, and the claims and
# steps between the same two nodes are one edge. Every other relationship between two drawn
# nodes is drawn, except the steps' plumbing (STEP, FROM, TO).

PLUMBING = {"STEP", "FROM", "TO"}


def _step_pairs(projection: Projection) -> list[tuple[str, str, str]]:
    """(link, from, to) of every link step."""
    ends: dict[str, dict[str, str]] = {}
    link_of: dict[str, str] = {}
    for r in projection.relationships:
        if r.type in {"FROM", "TO"}:
            ends.setdefault(r.source, {})[r.type] = r.target
        elif r.type == "STEP":
            link_of[r.target] = r.source
    return [(link_of[s], e["FROM"], e["TO"]) for s, e in ends.items() if s in link_of]


def _drawable(projection: Projection) -> set[str]:
    return {n.id for n in projection.nodes if "LinkStep" not in n.labels}


def _edges(projection: Projection, ids: set[str]) -> int:
    rels = [r for r in projection.relationships if r.source in ids and r.target in ids]
    plain = sum(1 for r in rels if "claim_ids" not in r.properties and r.type not in PLUMBING)
    pairs = {(r.source, r.target) for r in rels if "claim_ids" in r.properties}
    pairs |= {(a, b) for _, a, b in _step_pairs(projection) if a in ids and b in ids}
    return plain + len(pairs)


def _case_ids(projection: Projection, case_id: str) -> set[str]:
    rels = projection.relationships
    members = {r.source for r in rels if r.type == "IN_CASE" and r.target == case_id}
    ids = {case_id, *members}
    ids |= {r.target for r in rels if r.source in members and r.type in CONTEXT_TYPES}
    ids |= {end for link, a, b in _step_pairs(projection) if link in members for end in (a, b)}
    return ids & _drawable(projection)


def expected_case(projection: Projection, case_id: str) -> tuple[int, int]:
    ids = _case_ids(projection, case_id)
    return len(ids), _edges(projection, ids)


def expected_spine(projection: Projection, case_id: str) -> int:
    """The nodes a case view shows first: those a claim or a link step joins."""
    ids = _case_ids(projection, case_id)
    ends = {
        end
        for r in projection.relationships
        if "claim_ids" in r.properties and r.source in ids and r.target in ids
        for end in (r.source, r.target)
    }
    ends |= {e for _, a, b in _step_pairs(projection) if a in ids and b in ids for e in (a, b)}
    return len(ends)


def expected_entity(projection: Projection, node_id: str, depth: int) -> tuple[int, int]:
    neighbours: dict[str, set[str]] = {}

    def join(a: str, b: str) -> None:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)

    for r in projection.relationships:
        if r.type not in PLUMBING:
            join(r.source, r.target)
    for link, a, b in _step_pairs(projection):
        join(a, b)
        join(link, a)
        join(link, b)
    seen, frontier = {node_id}, {node_id}
    for _ in range(depth):
        frontier = {o for n in frontier for o in neighbours.get(n, ())} - seen
        seen |= frontier
    ids = seen & _drawable(projection)
    return len(ids), _edges(projection, ids)


def expected_chain(projection: Projection, start: str, end: str) -> tuple[int, int]:
    chains = analytics.causal_chains(analytics.causal_subgraph(projection), start, end)
    ids = {start, end, *(n for c in chains for n in c.nodes)}
    steps = {(s.source, s.target) for c in chains for s in c.steps}
    pairs = {
        (r.source, r.target)
        for r in projection.relationships
        if r.type in analytics.CAUSAL_TYPES
        and ((r.target, r.source) if r.type == "RESPONDS_TO" else (r.source, r.target)) in steps
    }
    # Link steps on a chain's steps are drawn too (merged with the claims between the same ends).
    pairs |= {(a, b) for _, a, b in _step_pairs(projection) if (a, b) in steps or (b, a) in steps}
    assert chains, "the fixture has a chain"
    return len(ids), len(pairs)


# -- the browser -----------------------------------------------------------------------------------


@dataclass
class Log:
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def chromium(site: Site) -> Iterator[Any]:
    """The system chromium, driven by Playwright; each test opens fresh contexts on it."""
    with headless_chromium() as browser:
        yield browser


@pytest.fixture
def browser(chromium: Any) -> Iterator[Any]:
    """A context for served pages: each page may reach the test server and nothing else."""
    context = chromium.new_context(viewport=VIEWPORT)
    try:
        yield context
    finally:
        context.close()


def open_served(context: Any, site: Site, path: str) -> tuple[Any, Log]:
    log = Log()
    page = context.new_page()
    origin = site.server.url + "/"

    def on_route(route: Any) -> None:
        url = route.request.url
        if url.startswith((origin, "data:", "about:", "blob:")):
            route.continue_()
        else:
            log.outside.append(url)
            route.abort()

    def on_request(request: Any) -> None:
        log.requests.append(request.url)
        if not request.url.startswith((origin, "data:", "about:", "blob:")):
            log.outside.append(request.url)

    def on_console(message: Any) -> None:
        if message.type == "error":
            log.console_errors.append(message.text)

    def on_dialog(dialog: Any) -> None:
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    page.route("**/*", on_route)
    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))
    page.on("dialog", on_dialog)
    response = page.goto(site.server.url + path)
    assert response is not None and response.status == 200, path
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    _wait_ready(page)
    return page, log


def _wait_ready(page: Any) -> None:
    page.wait_for_function(
        "() => window.casegraphView && window.casegraphView.ready === true", timeout=30_000
    )


def _assert_clean(log: Any) -> None:
    outside = getattr(log, "outside", None)
    assert (outside if outside is not None else log.external_requests) == []
    assert log.console_errors == []
    assert log.page_errors == []
    assert log.dialogs == []


def _counts(page: Any) -> tuple[int, int]:
    found = page.evaluate("() => [casegraphView.nodeCount, casegraphView.edgeCount]")
    return int(found[0]), int(found[1])


def _canvas_ink(page: Any) -> float:
    return float(
        page.evaluate(
            """() => {
                const c = document.querySelector("#graph canvas");
                const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
                let ink = 0;
                for (let i = 0; i < d.length; i += 4) {
                    if (d[i + 3] > 0 && d[i] + d[i + 1] + d[i + 2] < 720) ink++;
                }
                return ink / (d.length / 4);
            }"""
        )
    )


def _click_node(page: Any, node_id: str) -> None:
    point = page.evaluate(
        """(id) => {
            const net = window.casegraphView.network;
            net.focus(id, {scale: 2, animation: false});  // centred and large: nothing on top
            const pos = net.canvasToDOM(net.getPositions([id])[id]);
            const box = document.getElementById("graph").getBoundingClientRect();
            return {x: box.left + pos.x, y: box.top + pos.y};
        }""",
        node_id,
    )
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector(f'#panel:not([hidden])[data-node="{node_id}"]')


def _check_graph(page: Any, expected: tuple[int, int], click: str) -> None:
    assert _counts(page) == expected
    assert _canvas_ink(page) > 0.001
    _click_node(page, click)


def _panel_links(page: Any) -> list[str]:
    return list(page.locator("#panel a").evaluate_all("as => as.map(a => a.getAttribute('href'))"))


# -- served pages ----------------------------------------------------------------------------------


def test_case_view(site: Site, browser: Any, tmp_path: Path) -> None:
    page, log = open_served(browser, site, "/view/case/fx-mexico")
    _check_graph(page, expected_case(site.projection, "fx-mexico"), "fx-michoacan-operation")
    spine = expected_spine(site.projection, "fx-mexico")
    assert page.evaluate("() => casegraphView.visibleNodeCount") == spine  # the causal spine
    panel = page.locator("#panel").inner_text()
    assert "Joint Operation Michoacán" in panel
    assert "2006-12-11" in panel
    assert "Federal forces deployed to Michoacán." in panel
    assert "enables" in panel  # the claim fx-claim-operation-arrest
    links = _panel_links(page)
    assert "/id/event/fx-michoacan-operation" in links
    assert "/view/entity/fx-michoacan-operation" in links
    assert page.locator("#asof-date").count() == 1  # "graph as of" control
    page.fill("#asof-date", "2007-01-01")
    page.dispatch_event("#asof-date", "change")
    assert page.evaluate("() => casegraphView.visibleNodeCount") < spine
    page.click("#asof-all")
    page.evaluate("() => casegraphView.network.fit({animation: false})")
    colours, _ = pixel_stats(page.screenshot(path=str(screenshot_path("view-case.png", tmp_path))))
    assert colours > 20
    _assert_clean(log)
    page.close()


def test_entity_view_and_recentre(site: Site, browser: Any, tmp_path: Path) -> None:
    page, log = open_served(browser, site, "/view/entity/fx-fragmentation?depth=1")
    assert _counts(page) == expected_entity(site.projection, "fx-fragmentation", 1)
    assert page.locator("#panel").get_attribute("data-node") == "fx-fragmentation"  # focused
    page.screenshot(path=str(screenshot_path("view-entity.png", tmp_path)))
    _check_graph(page, _counts(page), "fx-kingpin-arrest")
    with page.expect_navigation():
        page.locator('#panel a[href="/view/entity/fx-kingpin-arrest"]').click()
    _wait_ready(page)
    assert page.url.endswith("/view/entity/fx-kingpin-arrest")
    assert _counts(page) == expected_entity(site.projection, "fx-kingpin-arrest", 1)
    assert page.locator("#panel").get_attribute("data-node") == "fx-kingpin-arrest"

    deeper, log2 = open_served(browser, site, "/view/entity/fx-fragmentation?depth=2")
    assert _counts(deeper) == expected_entity(site.projection, "fx-fragmentation", 2)
    _assert_clean(log)
    _assert_clean(log2)
    page.close()
    deeper.close()


def test_chain_view(site: Site, browser: Any, tmp_path: Path) -> None:
    path = "/view/chain?from=fx-michoacan-operation&to=fx-violence"
    page, log = open_served(browser, site, path)
    _check_graph(
        page,
        expected_chain(site.projection, "fx-michoacan-operation", "fx-violence"),
        "fx-violence",
    )
    panel = page.locator("#panel").inner_text()
    assert "Splinter groups fought over territory." in panel
    assert "disputes" in panel
    page.evaluate("() => casegraphView.network.fit({animation: false})")
    page.screenshot(path=str(screenshot_path("view-chain.png", tmp_path)))
    _assert_clean(log)
    page.close()


def test_case_entity_chain_and_back(site: Site, browser: Any) -> None:
    """A student's walk: a case, one of its events, a causal chain from there, and back twice;
    every page answers, logs no error and asks for nothing outside the server."""
    page, log = open_served(browser, site, "/view/case/fx-mexico")
    nav = page.locator("nav.cg-nav a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert nav == ["/", "/view/timeline?case=fx-mexico"]
    _click_node(page, "fx-kingpin-arrest")
    assert "/view/case/fx-mexico" in _panel_links(page)
    assert "/view/timeline?ids=fx-kingpin-arrest" in _panel_links(page)
    with page.expect_navigation():
        page.locator('#panel a[href="/view/entity/fx-kingpin-arrest"]').click()
    _wait_ready(page)
    assert page.url.endswith("/view/entity/fx-kingpin-arrest")
    assert page.locator("#panel").get_attribute("data-node") == "fx-kingpin-arrest"
    nav = page.locator("nav.cg-nav a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert nav == ["/", "/view/case/fx-mexico", "/view/timeline?case=fx-mexico"]
    chain = "/view/chain?from=fx-kingpin-arrest&to=fx-violence"
    assert chain in _panel_links(page)
    with page.expect_navigation():
        page.locator(f'#panel a[href="{chain}"]').click()
    _wait_ready(page)
    assert page.url.endswith(chain)
    assert _counts(page) == expected_chain(site.projection, "fx-kingpin-arrest", "fx-violence")
    assert "1 causal chain" in page.locator(".cg-subtitle").inner_text()
    with page.expect_navigation():
        page.click("#nav-back")
    _wait_ready(page)
    assert page.url.endswith("/view/entity/fx-kingpin-arrest")
    with page.expect_navigation():
        page.click("#nav-back")
    _wait_ready(page)
    assert page.url.endswith("/view/case/fx-mexico")
    with page.expect_navigation():
        page.locator('nav.cg-nav a[href="/view/timeline?case=fx-mexico"]').click()
    _wait_ready(page)
    assert page.evaluate("() => casegraphView.eventCount") > 0
    assert {r.split("?")[0] for r in log.requests if "/view/" in r} >= {
        site.server.url + "/view/case/fx-mexico",
        site.server.url + "/view/entity/fx-kingpin-arrest",
        site.server.url + "/view/chain",
        site.server.url + "/view/timeline",
    }
    _assert_clean(log)
    page.close()


def test_whole_graph_with_filters(site: Site, browser: Any) -> None:
    projection = site.projection
    page, log = open_served(browser, site, "/view/graph")
    every = _drawable(projection)
    _check_graph(page, (len(every), _edges(projection, every)), "fx-calderon")
    page.close()
    events = {n.id for n in projection.nodes if "Event" in n.labels}
    page, log2 = open_served(browser, site, "/view/graph?type=Event&from=2010&to=2020")
    in_range = {
        n.id
        for n in projection.nodes
        if n.id in events
        and n.properties["earliest"] <= dt.date(2020, 12, 31)  # type: ignore[operator]
        and n.properties.get("latest", dt.date.max) >= dt.date(2010, 1, 1)  # type: ignore[operator]
    }
    assert _counts(page) == (len(in_range), _edges(projection, in_range))
    page.close()
    page, log3 = open_served(browser, site, "/view/graph?case=fx-afghanistan")
    assert _counts(page) == expected_case(projection, "fx-afghanistan")
    for found in (log, log2, log3):
        _assert_clean(found)
    page.close()


def _timeline_events(projection: Projection, case_id: str) -> int:
    members = {
        r.source for r in projection.relationships if r.type == "IN_CASE" and r.target == case_id
    }
    return sum(
        1
        for n in projection.nodes
        if n.id in members
        and "earliest" in n.properties
        and ("Event" in n.labels or "Statement" in n.labels)
    )


def test_timeline(site: Site, browser: Any, tmp_path: Path) -> None:
    path = "/view/timeline?case=test-case&series=test-homicide-rate"
    page, log = open_served(browser, site, path)
    counts = page.evaluate("() => [casegraphView.eventCount, casegraphView.seriesCount]")
    assert counts == [_timeline_events(site.projection, "test-case"), 1]
    # 2009 and 2013 only: two points and no line across the years without a figure
    assert page.locator("g.cg-series circle").count() == 2
    assert page.locator("g.cg-series polyline").count() == 0
    colours, ink = pixel_stats(
        page.screenshot(path=str(screenshot_path("view-timeline.png", tmp_path)))
    )
    assert colours > 20
    assert ink > 0.01
    with page.expect_navigation():
        page.locator('g.cg-ev[data-id="test-offensive"] .cg-ev-label').click()
    _wait_ready(page)
    assert page.url.endswith("/view/entity/test-offensive")
    assert page.locator("#panel").get_attribute("data-node") == "test-offensive"

    by_ids, log2 = open_served(browser, site, "/view/timeline?ids=fx-calderon,fx-strikes")
    lanes = by_ids.evaluate("() => casegraphView.eventCount")
    assert lanes == 2  # fx-michoacan-operation (Calderón takes part) and fx-strikes
    _assert_clean(log)
    _assert_clean(log2)
    page.close()
    by_ids.close()


def test_script_bearing_labels_run_nothing(site: Site, browser: Any) -> None:
    page, log = open_served(browser, site, "/view/case/evil-case")
    assert page.title() == PWN
    for node_id in ("evil-event", "evil-agent", "evil-case"):
        _click_node(page, node_id)
        page.wait_for_timeout(150)  # let any injected onerror fire
    assert page.locator("#panel .cg-panel-title").inner_text() == PWN  # evil-case, as text
    assert page.locator("#panel img").count() == 0
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    _assert_clean(log)
    page.close()
    page, log = open_served(browser, site, "/view/timeline?case=evil-case")
    assert page.locator("g.cg-ev").count() == 1
    assert page.locator("img").count() == 0
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    _assert_clean(log)
    page.close()


@pytest.mark.parametrize(
    "path",
    [
        "/view/case/no-such-case",
        "/view/case/fx-calderon",
        "/view/entity/no-such-thing",
        "/view/chain?from=no-such-thing&to=fx-violence",
        "/view/timeline?case=no-such-case",
        "/view/timeline?case=test-case&series=no-such-measure",
        "/view/timeline?ids=fx-calderon,no-such-thing",
        "/view/graph?case=no-such-case",
        "/view/graph?type=NoSuchClass",
    ],
)
def test_unknown_ids_are_404_problems(site: Site, path: str) -> None:
    response = httpx.get(site.server.url + path, timeout=30)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


def test_bad_parameters_are_422(site: Site) -> None:
    for path in (
        "/view/timeline",
        "/view/graph?from=last-year",
        "/view/entity/fx-calderon?depth=9",
    ):
        response = httpx.get(site.server.url + path, timeout=30)
        assert response.status_code == 422, path
        assert response.headers["content-type"].startswith("application/problem+json")


# -- CLI exports -----------------------------------------------------------------------------------


def _cli(site: Site, *args: str) -> Any:
    env = {"CASEGRAPH_DATA_DIR": str(site.data_dir)}
    return CliRunner().invoke(cli_app, ["view", *args], env=env)


def test_cli_exports_render_from_disk(site: Site, chromium: Any, tmp_path: Path) -> None:
    offline = chromium.new_context(viewport=VIEWPORT, offline=True)
    try:  # open_page aborts (and records) every request that is not file: or data:
        _check_exports(site, offline, tmp_path)
    finally:
        offline.close()


def _check_exports(site: Site, browser: Any, tmp_path: Path) -> None:
    projection = site.projection
    exports = {
        "case.html": (
            ["case", "fx-mexico"],
            expected_case(projection, "fx-mexico"),
            "fx-kingpin-arrest",
        ),
        "entity.html": (
            ["entity", "fx-fragmentation", "--depth", "2"],
            expected_entity(projection, "fx-fragmentation", 2),
            "fx-violence",
        ),
        "chain.html": (
            ["chain", "fx-michoacan-operation", "fx-violence"],
            expected_chain(projection, "fx-michoacan-operation", "fx-violence"),
            "fx-kingpin-arrest",
        ),
    }
    for name, (args, expected, click) in exports.items():
        output = tmp_path / name
        result = _cli(site, *args, "-o", str(output))
        assert result.exit_code == 0, result.output
        page, log = open_page(browser, output)
        _check_graph(page, expected, click)
        # No server behind a file: only the sources' own web pages are linked.
        assert all(link.startswith("https://") for link in _panel_links(page))
        _assert_clean(log)
        page.close()

    output = tmp_path / "timeline.html"
    result = _cli(
        site, "timeline", "test-case", "--series", "test-homicide-rate", "-o", str(output)
    )
    assert result.exit_code == 0, result.output
    page, log = open_page(browser, output)
    counts = page.evaluate("() => [casegraphView.eventCount, casegraphView.seriesCount]")
    assert counts == [_timeline_events(projection, "test-case"), 1]
    assert page.locator("nav.cg-nav a").count() == 0  # no server behind a file: no links
    page.locator('g.cg-ev[data-id="test-offensive"] .cg-ev-label').click()
    page.wait_for_selector('#panel:not([hidden])[data-node="test-offensive"]')
    assert "Operation Test" in page.locator("#panel").inner_text()
    _assert_clean(log)
    page.close()

    linked = tmp_path / "linked.html"
    result = _cli(
        site, "case", "fx-mexico", "-o", str(linked), "--link-base", "https://cg.example.org/"
    )
    assert result.exit_code == 0, result.output
    assert "https://cg.example.org/view/entity/fx-calderon" in linked.read_text(encoding="utf-8")


def test_cli_refuses_directories_and_unknown_ids(site: Site, tmp_path: Path) -> None:
    result = _cli(site, "case", "fx-mexico", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "is a directory" in result.output
    result = _cli(site, "case", "no-such-case", "-o", str(tmp_path / "x.html"))
    assert result.exit_code == 1
    assert "not found" in result.output and "no-such-case" in result.output
    assert not (tmp_path / "x.html").exists()
    result = _cli(site, "chain", "fx-calderon", "no-such-thing", "-o", str(tmp_path / "x.html"))
    assert result.exit_code == 1
    assert os.listdir(tmp_path) == []  # no temporary file left behind
