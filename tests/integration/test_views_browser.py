"""The HTML views in a real headless chromium, opened from disk with no network.

Each test renders a page to a file, opens it as `file://`, and checks that it draws, that it
answers clicks, that it never asks for anything outside the file, and that script-bearing data
runs nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from graph.records import NodeRecord, Projection, RelRecord
from graph.views import (
    ClaimSummary,
    GraphViewOptions,
    PanelData,
    SeriesPoint,
    SourceRef,
    TimelineEvent,
    TimelineOptions,
    TimelineSeries,
    render_graph,
    render_timeline,
)

try:  # tests/ as a package (tests/__init__.py present) or as rootdir-relative modules
    from tests.integration.browser import (
        browser_context,
        open_page,
        pixel_stats,
        require_chromium,
        screenshot_path,
    )
except ImportError:
    from browser import (  # type: ignore[no-redef]
        browser_context,
        open_page,
        pixel_stats,
        require_chromium,
        screenshot_path,
    )

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

D = dt.date
PWN = '<img src=x onerror="window.__pwned=1">'
PWN_SCRIPT = "</script><script>window.__pwned=2</script>"


def _node(node_id: str, labels: tuple[str, ...], label: str, **props: Any) -> NodeRecord:
    return NodeRecord(
        node_id, ("Entity", *labels), {"id": node_id, "label": label, "type": labels[-1], **props}
    )


def case_projection(label_of_claim: str = "Claim CL-05") -> Projection:
    nodes = (
        _node("mx-war", ("Case",), "Mexico's war on the cartels"),
        _node(
            "op-michoacan",
            ("Event", "MilitaryOperation"),
            "Operación Conjunta Michoacán",
            date_edtf="2006-12-11",
            earliest=D(2006, 12, 11),
            latest=D(2006, 12, 11),
            status="VERIFIED",
            description="About 6,500 soldiers and federal police sent to Michoacán.",
            iri="https://w3id.org/casegraph/id/event/op-michoacan",
        ),
        _node("calderon", ("Agent", "Person"), "Felipe Calderón"),
        _node("sedena", ("Agent", "Organization", "GovernmentAgency"), "SEDENA"),
        _node("mexico", ("Place", "Country"), "Mexico"),
        _node(
            "fragmentation",
            ("Phenomenon",),
            "Cartel fragmentation",
            date_edtf="2009~",
            earliest=D(2008, 1, 1),
            latest=D(2010, 12, 31),
            approximate=True,
        ),
        _node(
            "homicides",
            ("Phenomenon",),
            "Rise in homicides",
            date_edtf="2008/2011?",
            earliest=D(2008, 1, 1),
            latest=D(2011, 12, 31),
            uncertain=True,
        ),
        _node("cl-05", ("Claim", "CausalClaim"), label_of_claim),
        _node("s01", ("Source", "Report"), "Report S01", earliest=D(2012, 3, 1)),
        _node(
            "obs-hom-2010",
            ("Observation",),
            "Homicides per 100k, 2010",
            earliest=D(2010, 1, 1),
            latest=D(2010, 12, 31),
        ),
    )
    rels = (
        RelRecord("IN_CASE", "op-michoacan", "mx-war"),
        RelRecord("PARTICIPANT", "op-michoacan", "calderon"),
        RelRecord("PARTICIPANT", "op-michoacan", "sedena"),
        RelRecord("PLACE", "op-michoacan", "mexico"),
        RelRecord(
            "CONTRIBUTES_TO",
            "op-michoacan",
            "fragmentation",
            properties={"claim_ids": ["CL-05"], "stance": "supports", "confidence": 0.7},
        ),
        RelRecord(
            "CAUSES",
            "fragmentation",
            "homicides",
            properties={"claim_ids": ["CL-06"], "stance": "supports", "confidence": 0.6},
        ),
        RelRecord(
            "CAUSES",
            "op-michoacan",
            "homicides",
            properties={"claim_ids": ["CL-07"], "stance": "disputes", "confidence": 0.4},
        ),
        RelRecord("CAUSE", "cl-05", "op-michoacan"),
        RelRecord("EFFECT", "cl-05", "fragmentation"),
        RelRecord("SOURCE", "cl-05", "s01"),
        RelRecord("INTERVAL_BEFORE", "op-michoacan", "homicides", properties={"certain": False}),
        RelRecord("SOURCE", "obs-hom-2010", "s01"),
    )
    return Projection(nodes, rels)


def case_panels(text: str = "Felipe Calderón") -> dict[str, PanelData]:
    return {
        "op-michoacan": PanelData(
            claims=(
                ClaimSummary(
                    "CL-05",
                    "contributes to",
                    "supports",
                    asserted_by=(text,),
                    sources=("Report S01",),
                    other="Cartel fragmentation",
                    note=text,
                ),
            ),
            sources=(
                SourceRef(text, "https://example.org/report"),
                SourceRef("bad", "javascript:x"),
            ),
        )
    }


def timeline_data(
    label: str = "Mérida Initiative",
) -> tuple[list[TimelineEvent], list[TimelineSeries]]:
    events = [
        TimelineEvent(
            "op-michoacan",
            "Operación Conjunta Michoacán",
            D(2006, 12, 11),
            D(2006, 12, 11),
            group="Mexico",
        ),
        TimelineEvent(
            "merida",
            label,
            D(2008, 6, 1),
            D(2021, 10, 8),
            start_latest=D(2008, 6, 30),
            approximate=True,
            group="Mexico",
        ),
        TimelineEvent(
            "airstrikes",
            "Air strikes on opium labs",
            D(2017, 11, 1),
            D(2018, 12, 31),
            start_latest=D(2017, 11, 30),
            end_earliest=D(2018, 12, 1),
            group="Afghanistan",
        ),
        TimelineEvent(
            "fto", "FTO designations", D(2025, 2, 20), D(2025, 2, 20), group="United States"
        ),
        TimelineEvent(
            "strategy", "Open-ended strategy", D(2019, 5, 1), None, group="United States"
        ),
    ]
    rates = [9.5, 9.7, 8.1, 12.7, 17.6, 22.6, 23.8, 22.0, 19.5, 16.7, 17.0, 20.0, 25.0, 29.0]
    deaths = [36010, 36450, 37004, 38329, 41340, 41502, 43982, 47055, 52404, 63632, 70237, 67367]
    series = [
        TimelineSeries(
            "hom-mx",
            "Homicides, Mexico",
            tuple(
                SeriesPoint(D(y, 1, 1), D(y, 12, 31), v, id=f"obs-hom-{y}")
                for y, v in zip(range(2005, 2019), rates, strict=True)
            ),
            unit="per 100,000",
        ),
        TimelineSeries(
            "od-us",
            "Overdose deaths, United States",
            tuple(
                SeriesPoint(D(y, 1, 1), D(y, 12, 31), v)
                for y, v in zip(range(2007, 2019), deaths, strict=True)
            ),
            unit="deaths",
        ),
    ]
    return events, series


@pytest.fixture(scope="module")
def context() -> Any:
    require_chromium()
    with browser_context() as ctx:
        yield ctx


def _assert_clean(log: Any) -> None:
    assert log.external_requests == []
    assert log.console_errors == []
    assert log.page_errors == []
    assert log.dialogs == []


def _click_node(page: Any, node_id: str) -> None:
    point = page.evaluate(
        """(id) => {
            const net = window.casegraphView.network;
            const pos = net.canvasToDOM(net.getPositions([id])[id]);
            const box = document.getElementById("graph").getBoundingClientRect();
            return {x: box.left + pos.x, y: box.top + pos.y};
        }""",
        node_id,
    )
    page.mouse.click(point["x"], point["y"])


def _canvas_ink(page: Any) -> float:
    """Share of canvas pixels that are drawn (not transparent, not white)."""
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


def _clip(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None
    return {
        "x": box["x"],
        "y": box["y"],
        "width": min(box["width"], 600),
        "height": min(box["height"], 400),
    }


def test_graph_view_draws_offline_and_opens_the_panel(context: Any, tmp_path: Path) -> None:
    projection = case_projection()
    html = render_graph(
        projection,
        title="Mexico: the war on the cartels",
        panels=case_panels(),
        options=GraphViewOptions(subtitle="From December 2006"),
    )
    path = tmp_path / "graph.html"
    path.write_text(html, encoding="utf-8")
    page, log = open_page(context, path)

    view = page.evaluate(
        "() => ({n: casegraphView.nodeCount, e: casegraphView.edgeCount,"
        " physics: casegraphView.network.physics.options.enabled})"
    )
    assert view == {
        "n": len(projection.nodes),
        "e": len(projection.relationships),
        "physics": False,
    }
    assert _canvas_ink(page) > 0.002

    _click_node(page, "op-michoacan")
    page.wait_for_selector("#panel:not([hidden])")
    panel = page.locator("#panel")
    assert "Operación Conjunta Michoacán" in panel.inner_text()
    assert "Cartel fragmentation" in panel.inner_text()
    hrefs = panel.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert hrefs == [
        "https://example.org/report",
        "/id/event/op-michoacan",
        "/view/entity/op-michoacan",
    ]

    shot = page.screenshot(path=str(screenshot_path("graph-case.png", tmp_path)))
    colours, _ = pixel_stats(page.screenshot(clip=_clip(page, "#graph")))
    assert colours > 20
    assert shot

    # Graph as of 2007-06-30: nodes first dated later disappear, undated ones stay.
    page.fill("#asof-date", "2007-06-30")
    page.dispatch_event("#asof-date", "change")
    expected = sum(
        1
        for n in projection.nodes
        if not isinstance(n.properties.get("earliest"), dt.date)
        or n.properties["earliest"] <= D(2007, 6, 30)  # type: ignore[operator]
    )
    assert page.evaluate("() => casegraphView.visibleNodeCount") == expected
    hidden_edges = page.evaluate(
        "() => casegraphView.network.body.data.edges.get({filter: e => e.hidden}).length"
    )
    assert hidden_edges > 0
    page.click("#asof-all")
    assert page.evaluate("() => casegraphView.visibleNodeCount") == len(projection.nodes)
    _assert_clean(log)
    page.close()


def test_big_graph_has_physics_off_and_says_so(context: Any, tmp_path: Path) -> None:
    n = 2500
    nodes = tuple(_node(f"n{i}", ("Event",), f"Event {i}") for i in range(n))
    rels = tuple(RelRecord("CAUSES", f"n{i}", f"n{(i * 7 + 1) % n}") for i in range(n))
    path = tmp_path / "big.html"
    html = render_graph(Projection(nodes, rels), title="Big", options=GraphViewOptions(focus="n5"))
    path.write_text(html, encoding="utf-8")
    page, log = open_page(context, path, timeout_ms=60_000)
    assert page.evaluate("() => casegraphView.nodeCount") == n
    assert page.evaluate("() => casegraphView.network.physics.options.enabled") is False
    assert "physics is off" in page.locator(".cg-note").inner_text()
    assert _canvas_ink(page) > 0.001
    assert page.locator("#panel").get_attribute("data-node") == "n5"  # the focused node
    assert page.evaluate("() => casegraphView.network.getSelectedNodes()") == ["n5"]
    _assert_clean(log)
    page.close()


def test_timeline_draws_offline_zooms_and_opens_the_panel(context: Any, tmp_path: Path) -> None:
    events, series = timeline_data()
    html = render_timeline(
        events,
        series,
        title="Militarised drug policy, 2006-2025",
        options=TimelineOptions(panels={"merida": PanelData(description="US security aid.")}),
    )
    path = tmp_path / "timeline.html"
    path.write_text(html, encoding="utf-8")
    page, log = open_page(context, path)

    assert page.evaluate("() => [casegraphView.eventCount, casegraphView.seriesCount]") == [5, 2]
    assert page.locator("g.cg-ev").count() == len(events)
    assert page.locator("g.cg-series polyline").count() == 2
    colours, ink = pixel_stats(page.screenshot(clip=_clip(page, "#timeline")))
    assert colours > 20
    assert ink > 0.01
    page.screenshot(path=str(screenshot_path("timeline.png", tmp_path)))

    before = page.evaluate("() => casegraphView.domain()")
    page.click("#zoom-in")
    after = page.evaluate("() => casegraphView.domain()")
    assert after[1] - after[0] < before[1] - before[0]
    page.click("#zoom-reset")

    page.locator('g.cg-ev[data-id="merida"] .cg-ev-label').click()
    page.wait_for_selector("#panel:not([hidden])")
    assert "Mérida Initiative" in page.locator("#panel").inner_text()
    assert "US security aid." in page.locator("#panel").inner_text()
    _assert_clean(log)
    page.close()


def test_timeline_click_goes_to_the_entity_view(context: Any, tmp_path: Path) -> None:
    events, _ = timeline_data()
    path = tmp_path / "timeline-links.html"
    path.write_text(render_timeline(events, title="Links"), encoding="utf-8")
    page, log = open_page(context, path)
    # From a file the target does not exist; what matters is that the page asked for it.
    with page.expect_request("**/view/entity/fto"):
        page.locator('g.cg-ev[data-id="fto"] .cg-ev-label').click()
    assert log.requests[-1] == "file:///view/entity/fto"
    page.close()


def test_script_bearing_data_runs_nothing(context: Any, tmp_path: Path) -> None:
    projection = case_projection(label_of_claim=PWN)
    nodes = (
        *projection.nodes,
        _node("evil", ("Event",), PWN_SCRIPT, description=PWN, status=PWN_SCRIPT),
    )
    rels = (
        *projection.relationships,
        RelRecord("CAUSES", "evil", "cl-05", properties={"stance": PWN}),
    )
    panels = {**case_panels(PWN), "evil": PanelData(claims=(ClaimSummary(PWN, PWN_SCRIPT, PWN),))}
    graph_path = tmp_path / "evil-graph.html"
    graph_path.write_text(
        render_graph(Projection(nodes, rels), title=PWN_SCRIPT, panels=panels), encoding="utf-8"
    )
    page, log = open_page(context, graph_path)
    for node_id in ("cl-05", "evil", "op-michoacan"):
        _click_node(page, node_id)
        page.wait_for_selector(f'#panel[data-node="{node_id}"]')
        page.wait_for_timeout(150)  # let any injected onerror fire
    assert page.locator("#panel .cg-panel-title").inner_text() == "Operación Conjunta Michoacán"
    _click_node(page, "evil")
    page.wait_for_selector('#panel[data-node="evil"]')
    assert page.locator("#panel .cg-panel-title").inner_text() == PWN_SCRIPT
    assert page.locator("#panel img").count() == 0
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.title() == PWN_SCRIPT
    _assert_clean(log)
    page.close()

    events, series = timeline_data(label=PWN)
    events.append(TimelineEvent("evil", PWN_SCRIPT, D(2010, 1, 1), D(2010, 1, 1), group=PWN))
    timeline_path = tmp_path / "evil-timeline.html"
    timeline_path.write_text(
        render_timeline(
            events,
            series,
            title=PWN,
            options=TimelineOptions(
                panels={"merida": PanelData(description=PWN), "evil": PanelData()}
            ),
        ),
        encoding="utf-8",
    )
    page, log = open_page(context, timeline_path)
    page.locator('g.cg-ev[data-id="merida"] .cg-ev-label').click()
    page.wait_for_selector('#panel[data-node="merida"]')
    page.wait_for_timeout(150)
    assert page.locator("#panel img").count() == 0
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    _assert_clean(log)
    page.close()
