"""The curated cases' views in headless chromium, opened from disk with no network: each graph
view opens on its causal spine with its labels legible and apart, stays so when layers are
toggled, lists the claims of an edge on a click, and takes dates as YYYY-MM-DD; the timeline
draws its labels whole, switches lanes and breaks its series at gaps.

Label boxes come from the page (`casegraphView.labelBoxes()`: every label vis-network drew and
the page did not hide, in page pixels, inside the canvas).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api import ingest
from graph.projection import project_store
from graph.store import Store
from graph.views.build import (
    case_members,
    case_view,
    render_view,
    spine_ids,
    timeline_for_case,
)
from graph.views.index import GraphIndex
from graph.views.spine import NODE_FONT

try:  # tests/ as a package (tests/__init__.py present) or as rootdir-relative modules
    from tests.integration.browser import browser_context, open_page, require_chromium
except ImportError:
    from browser import browser_context, open_page, require_chromium  # type: ignore[no-redef]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

CASES_DIR = Path(__file__).resolve().parents[2] / "data" / "cases"
CURATED = (
    "mexico-drug-war",
    "us-military-options-against-cartels",
    "afghanistan-iron-tempest",
    "us-overdose-crisis",
    "halt-fentanyl-act",
)
LEGIBLE_PX = 11.0
"""Node labels are drawn at NODE_FONT canvas pixels; on screen they must be at least this."""


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> GraphIndex:
    require_chromium()
    store = Store(tmp_path_factory.mktemp("curated-views") / "oxigraph")
    try:
        ingest.load(store, [CASES_DIR])
        return GraphIndex(project_store(store))
    finally:
        store.close()


@pytest.fixture(scope="module")
def context() -> Iterator[Any]:
    require_chromium()
    with browser_context(width=1400, height=900) as ctx:
        yield ctx


def _open_case(context: Any, idx: GraphIndex, case_id: str, folder: Path) -> tuple[Any, Any]:
    path = folder / f"{case_id}.html"
    path.write_text(render_view(case_view(idx, case_id), link_base=None, export=True), "utf-8")
    return open_page(context, path)


def _overlapping(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = []
    for a, b in itertools.combinations(boxes, 2):
        if (
            a["x"] < b["x"] + b["width"]
            and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"]
            and b["y"] < a["y"] + a["height"]
        ):
            found.append((a["text"], b["text"]))
    return found


def _assert_clean(log: Any) -> None:
    assert log.external_requests == []
    assert log.console_errors == []
    assert log.page_errors == []
    assert log.dialogs == []


@pytest.mark.parametrize("case_id", CURATED)
def test_first_view_shows_the_spine_labels_apart(
    context: Any, curated: GraphIndex, case_id: str, tmp_path: Path
) -> None:
    page, log = _open_case(context, curated, case_id, tmp_path)
    spine = spine_ids(curated, case_members(curated, case_id))
    assert len(spine) >= 8
    assert page.evaluate("() => casegraphView.visibleNodeCount") == len(spine)
    assert page.evaluate("() => casegraphView.layers()") == ["spine"]
    boxes = page.evaluate("() => casegraphView.labelBoxes()")
    nodes = [b for b in boxes if b["kind"] == "node"]
    edges = [b for b in boxes if b["kind"] == "edge"]
    # nearly every spine node has its label on screen, and some edges too
    assert len(nodes) >= 0.75 * len(spine), (len(nodes), len(spine))
    assert len(edges) >= 3
    assert _overlapping(boxes) == []
    assert page.evaluate("() => casegraphView.scale()") * NODE_FONT >= LEGIBLE_PX
    # every label is in words: no slug of a claim or link, no id of an entity
    texts = " ".join(b["text"] for b in boxes)
    assert " causes cartel-" not in texts and "mx-20" not in texts
    _assert_clean(log)
    page.close()


def test_toggled_layers_keep_labels_apart(
    context: Any, curated: GraphIndex, tmp_path: Path
) -> None:
    page, log = _open_case(context, curated, "mexico-drug-war", tmp_path)
    spine = page.evaluate("() => casegraphView.visibleNodeCount")
    layers = page.evaluate(
        "() => Array.from(document.querySelectorAll('input[data-layer]'))"
        ".map(b => [b.dataset.layer, b.checked])"
    )
    assert dict(layers)["spine"] is True
    assert {"actors", "places", "sources", "observations"} <= {k for k, on in layers if not on}
    counts = dict(
        page.evaluate(
            "() => Array.from(document.querySelectorAll('input[data-layer]'))"
            ".map(b => [b.dataset.layer, Number(b.parentElement.querySelector('.cg-count')"
            ".textContent)])"
        )
    )
    page.check('input[data-layer="actors"]')
    page.wait_for_function("() => casegraphView.idle()", timeout=60_000)
    assert page.evaluate("() => casegraphView.visibleNodeCount") == spine + counts["actors"]
    assert page.evaluate("() => casegraphView.network.physics.options.enabled") is False
    boxes = page.evaluate("() => casegraphView.labelBoxes()")
    assert _overlapping(boxes) == []
    edges = page.evaluate("() => casegraphView.visibleEdgeCount")
    page.check("#time-relations")
    page.wait_for_function("() => casegraphView.idle()")
    assert page.evaluate("() => casegraphView.visibleEdgeCount") > edges
    page.uncheck('input[data-layer="actors"]')
    page.uncheck("#time-relations")
    page.wait_for_function("() => casegraphView.idle()")
    assert page.evaluate("() => casegraphView.visibleNodeCount") == spine
    _assert_clean(log)
    page.close()


def test_an_edge_click_lists_its_claims(context: Any, curated: GraphIndex, tmp_path: Path) -> None:
    page, log = _open_case(context, curated, "mexico-drug-war", tmp_path)
    edge = page.evaluate(
        """() => {
            const v = casegraphView, net = v.network;
            const id = Object.keys(net.body.edges).find(
                k => net.body.edges[k].fromId === "mx-2012-03"
                  && net.body.edges[k].toId === "cartel-fragmentation");
            const p = net.canvasToDOM(net.body.edges[id].edgeType.getPoint(0.5));
            const box = document.getElementById("graph").getBoundingClientRect();
            return {id: id, x: box.left + p.x, y: box.top + p.y,
                    label: net.body.edges[id].options.label};
        }"""
    )
    assert edge["label"] == "causes \N{MULTIPLICATION SIGN}5"
    page.mouse.click(edge["x"], edge["y"])
    page.wait_for_selector(f'#panel:not([hidden])[data-edge="{edge["id"]}"]')
    panel = page.locator("#panel").inner_text()
    for asserter in ("Bruce Bagley", "Carolyn Gallaher", "Christopher McCallion"):
        assert asserter in panel
    assert "Illustrated by:" in panel  # LNK-03 and LNK-05 illustrate CL-01
    assert "CL-01" in panel
    assert page.locator("#panel li.cg-claim").count() == 5
    _assert_clean(log)
    page.close()


def test_dates_are_typed_as_iso(context: Any, curated: GraphIndex, tmp_path: Path) -> None:
    page, log = _open_case(context, curated, "mexico-drug-war", tmp_path)
    field = page.locator("#asof-date")
    assert field.get_attribute("type") == "text"
    assert field.get_attribute("placeholder") == "YYYY-MM-DD"
    before = page.evaluate("() => casegraphView.visibleNodeCount")
    field.fill("12/31/2012")
    field.press("Enter")
    assert page.evaluate("() => document.getElementById('asof-date').validity.valid") is False
    assert page.evaluate("() => casegraphView.visibleNodeCount") == before
    field.fill("2012-12-31")
    field.press("Enter")
    assert page.evaluate("() => document.getElementById('asof-date').validity.valid") is True
    after = page.evaluate("() => casegraphView.visibleNodeCount")
    assert 0 < after < before
    assert "known by 2012-12-31" in page.locator("#asof-status").inner_text()
    # the slider writes ISO days back into the field
    page.evaluate(
        """() => { const r = document.getElementById('asof-range');
                   r.value = String(Number(r.min) + 10);
                   r.dispatchEvent(new Event('input')); }"""
    )
    assert page.input_value("#asof-date").count("-") == 2
    page.click("#asof-all")
    assert page.evaluate("() => casegraphView.visibleNodeCount") == before
    _assert_clean(log)
    page.close()


def test_timeline_labels_whole_and_lanes_switch(
    context: Any, curated: GraphIndex, tmp_path: Path
) -> None:
    path = tmp_path / "timeline.html"
    view = timeline_for_case(curated, "mexico-drug-war")
    path.write_text(render_view(view, link_base=None, export=True), "utf-8")
    page, log = open_page(context, path)
    labels = page.evaluate("() => casegraphView.labels()")
    assert len(labels) == len(view.events)
    cut = [(label["text"], label["full"]) for label in labels if label["text"] != label["full"]]
    assert cut == []  # 1,400 pixels leave room for every label of this case
    assert _overlapping(labels) == []
    actors = page.evaluate("() => casegraphView.lanes()")
    assert len(actors) > 3 and "Felipe Calderón Hinojosa" in actors
    page.select_option("#lane-grouping", "case")
    assert page.evaluate("() => casegraphView.lanes()") == ["Mexico's militarised drug war"]
    assert _overlapping(page.evaluate("() => casegraphView.labels()")) == []
    page.select_option("#lane-grouping", "actor")
    assert page.evaluate("() => casegraphView.lanes()") == actors
    # INEGI's count has no figure for 2014-2015: its line stops and starts again
    count = page.locator('g.cg-series[data-series="homicides"] polyline')
    assert count.count() == 2
    assert page.locator('g.cg-series[data-series="homicide-rate-per-100k"] polyline').count() == 1
    # ISO on the axis: years here; months when zoomed in
    for _ in range(6):
        page.click("#zoom-in")
    ticks = page.evaluate(
        "() => Array.from(document.querySelectorAll('.cg-axis text')).map(t => t.textContent)"
    )
    assert any(len(t) == 7 and t[4] == "-" for t in ticks), ticks
    _assert_clean(log)
    page.close()
