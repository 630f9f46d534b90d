"""The HTML views as text: self-contained, escaped, and carrying exactly the input."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest

import graph.views
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
    compute_layout,
    render_graph,
    render_timeline,
    style,
)
from graph.views.page import json_for_script

D = dt.date
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(1)</script>"


class _Page(HTMLParser):
    """Collects tags with their attributes and the text of each script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script, self._buffer = dict(attrs), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._buffer)))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._buffer.append(data)
        else:
            self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def json_block(page: _Page, block_id: str) -> Any:
    for attrs, text in page.scripts:
        if attrs.get("id") == block_id:
            assert attrs.get("type") == "application/json"
            return json.loads(text)
    raise AssertionError(f"no script#{block_id}")


def node(node_id: str, labels: tuple[str, ...], label: str, **props: Any) -> NodeRecord:
    return NodeRecord(node_id, ("Entity", *labels), {"id": node_id, "label": label, **props})


def sample() -> Projection:
    nodes = (
        node("case", ("Case",), "A case"),
        node(
            "op",
            ("Event", "MilitaryOperation"),
            "Operation",
            date_edtf="2006-12-11",
            earliest=D(2006, 12, 11),
            latest=D(2006, 12, 11),
            iri="https://w3id.org/casegraph/id/event/op",
            status="VERIFIED",
        ),
        node("frag", ("Phenomenon",), "Fragmentation", earliest=D(2008, 1, 1), approximate=True),
        node("rise", ("Phenomenon",), "Rise", earliest=D(2008, 1, 1), uncertain=True),
        node("claim", ("Claim", "CausalClaim"), IMG),
        node("src", ("Source", "Report"), SCRIPT),
        node("who", ("Agent", "Person"), "Someone"),
        node("org", ("Agent", "Organization", "Government"), "Some government"),
        node("mx", ("Place", "Country"), "Mexico"),
        node("obs", ("Observation",), "Figure"),
    )
    rels = (
        RelRecord("IN_CASE", "op", "case"),
        RelRecord("PARTICIPANT", "op", "who"),
        RelRecord("PLACE", "op", "mx"),
        RelRecord(
            "CONTRIBUTES_TO", "op", "frag", properties={"stance": "supports", "confidence": 0.7}
        ),
        RelRecord("CAUSES", "op", "rise", properties={"stance": "disputes", "claim_ids": [IMG]}),
        RelRecord("INTERVAL_BEFORE", "op", "rise", properties={"certain": False}),
        RelRecord("SOURCE", "claim", "src"),
        RelRecord("CAUSE", "claim", "op"),
        RelRecord("MEMBER_OF", "who", "org"),
    )
    return Projection(nodes, rels)


def panels() -> dict[str, PanelData]:
    return {
        "op": PanelData(
            claims=(ClaimSummary("CL-1", "contributes to", "supports", (IMG,), (SCRIPT,)),),
            sources=(
                SourceRef(SCRIPT, "https://example.org/a"),
                SourceRef("x", "javascript:alert(1)"),
            ),
        )
    }


def assert_self_contained(html: str) -> None:
    page = parse(html)
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "data", "action", "poster"):
            value = attrs.get(name)
            if tag == "a" and name == "href" and value is not None:
                # navigation (never loaded): a same-site path only
                assert value.startswith("/") and not value.startswith("//"), value
                continue
            assert value is None, f"<{tag} {name}={value!r}> loads or links something"
        assert tag not in {"iframe", "object", "embed", "base", "link", "img"}
    for attrs, _ in page.scripts:
        assert "src" not in attrs
    styles = re.findall(r"<style>(.*?)</style>", html, flags=re.S)
    assert styles
    for css in styles:
        assert "@import" not in css
        assert not re.search(r"url\(\s*['\"]?(?!data:)", css), "CSS url() other than data:"
    assert "sourceMappingURL" not in html
    assert "Content-Security-Policy" in html
    assert "default-src 'none'" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)


def assert_no_raw_markup(html: str, *payloads: str) -> None:
    for payload in payloads:
        assert payload not in html
    # Every </script> closes one of our script elements and nothing else.
    assert html.lower().count("</script") == len(parse(html).scripts)
    assert "<!--" not in html


def test_graph_page_is_self_contained() -> None:
    html = render_graph(sample(), title="Case", panels=panels())
    assert_self_contained(html)
    page = parse(html)
    assert len(page.scripts) == 5  # config, data, vis-network, panel, view
    vis = next(text for attrs, text in page.scripts if "vis-network" in text[:200])
    assert len(vis) > 400_000  # inlined, not linked


def test_graph_page_escapes_script_bearing_data() -> None:
    html = render_graph(sample(), title=SCRIPT, panels=panels())
    assert_no_raw_markup(html, IMG, SCRIPT, "<img")
    page = parse(html)
    assert "<title>&lt;/script&gt;&lt;script&gt;" in html
    data = json_block(page, "cg-data")
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels["claim"] == IMG  # the data survives, as text
    assert data["info"]["src"]["label"] == SCRIPT
    assert data["info"]["op"]["claims"][0]["assertedBy"] == [IMG]
    assert json_block(page, "cg-config")["title"] == SCRIPT


def test_graph_counts_equal_the_input() -> None:
    projection = sample()
    page = parse(render_graph(projection, title="Case"))
    data, config = json_block(page, "cg-data"), json_block(page, "cg-config")
    assert len(data["nodes"]) == config["nodeCount"] == len(projection.nodes)
    assert len(data["edges"]) == config["edgeCount"] == len(projection.relationships)
    assert len({e["id"] for e in data["edges"]}) == len(data["edges"])
    assert set(data["info"]) == {n.id for n in projection.nodes}


def test_dangling_relationships_are_left_out() -> None:
    projection = sample()
    with_dangling = Projection(
        projection.nodes, (*projection.relationships, RelRecord("LOCATED_IN", "mx", "elsewhere"))
    )
    config = json_block(parse(render_graph(with_dangling, title="x")), "cg-config")
    assert config["edgeCount"] == len(projection.relationships)


def test_styles_by_family_and_edge_kind() -> None:
    data = json_block(parse(render_graph(sample(), title="x")), "cg-data")
    groups = {n["id"]: n["group"] for n in data["nodes"]}
    assert groups == {
        "case": "Case",
        "op": "Event",
        "frag": "Phenomenon",
        "rise": "Phenomenon",
        "claim": "Claim",
        "src": "Source",
        "who": "Person",
        "org": "Organization",
        "mx": "Place",
        "obs": "Observation",
    }
    kinds = {(e.get("rel", "claims"), e["from"], e["to"]): e for e in data["edges"]}
    disputed = kinds[("claims", "op", "rise")]  # a claim: merged, coloured by its stance
    assert disputed["kind"] == "claims"
    assert disputed["stance"] == "disputes"
    assert disputed["label"] == "causes"
    assert kinds[("CONTRIBUTES_TO", "op", "frag")]["kind"] == "causal"
    assert kinds[("CONTRIBUTES_TO", "op", "frag")]["width"] == pytest.approx(2.4)
    assert kinds[("INTERVAL_BEFORE", "op", "rise")]["kind"] == "temporal"
    assert kinds[("INTERVAL_BEFORE", "op", "rise")]["uncertain"] is True
    assert kinds[("PARTICIPANT", "op", "who")]["kind"] == "participation"
    assert kinds[("SOURCE", "claim", "src")]["kind"] == "provenance"
    assert all("label" not in e for e in data["edges"] if e["kind"] not in {"claims", "disputed"})


def test_uncertain_and_approximate_dates_are_marked() -> None:
    data = json_block(parse(render_graph(sample(), title="x")), "cg-data")
    by_id = {n["id"]: n for n in data["nodes"]}
    assert by_id["frag"]["label"] == "Fragmentation ~"
    assert by_id["rise"]["label"] == "Rise ?"
    assert by_id["frag"]["shapeProperties"] == {"borderDashes": [4, 3]}
    assert "shapeProperties" not in by_id["op"]
    assert by_id["op"]["earliest"] == "2006-12-11"
    assert "earliest" not in by_id["case"]


def test_panel_links_and_unsafe_urls() -> None:
    def info(link_base: str | None) -> Any:
        html = render_graph(
            sample(), title="x", panels=panels(), options=GraphViewOptions(link_base=link_base)
        )
        return json_block(parse(html), "cg-data")["info"]

    served = info("")
    assert served["op"]["ld"] == "/id/event/op"
    assert served["op"]["recentre"] == "/view/entity/op"
    assert served["who"]["ld"] == "/id/agent/who"  # kind from the labels when there is no IRI
    assert [s["url"] for s in served["op"]["sources"]] == ["https://example.org/a", None]
    assert served["op"]["dates"] == "2006-12-11"  # one exact day: no span in brackets
    assert served["op"]["status"] == "VERIFIED"
    exported = info("https://casegraph.example.org/")
    assert exported["op"]["ld"] == "https://casegraph.example.org/id/event/op"
    assert info(None)["op"]["ld"] is None
    assert info(None)["op"]["recentre"] is None


def test_big_graph_is_laid_out_in_python_with_physics_off() -> None:
    n = 2500
    nodes = tuple(node(f"n{i}", ("Event",), f"Event {i}") for i in range(n))
    rels = tuple(RelRecord("CAUSES", f"n{i}", f"n{(i * 7 + 1) % n}") for i in range(n))
    html = render_graph(Projection(nodes, rels), title="Big")
    page = parse(html)
    config, data = json_block(page, "cg-config"), json_block(page, "cg-data")
    assert config["physics"] is False
    assert config["nodeCount"] == n
    assert all(isinstance(v["x"], float) and isinstance(v["y"], float) for v in data["nodes"])
    assert "physics is off" in " ".join(page.text)
    small = json_block(parse(render_graph(sample(), title="x")), "cg-config")
    assert small["physics"] is True
    assert "physics is off" not in " ".join(parse(render_graph(sample(), title="x")).text)


def test_twenty_thousand_nodes_render() -> None:
    n = 20_000
    nodes = tuple(
        node(f"n{i}", ("Event",), f"Event {i}", earliest=D(1990 + i % 30, 1, 1)) for i in range(n)
    )
    rels = tuple(RelRecord("PART_OF", f"n{i}", f"n{i // 3}") for i in range(1, n))
    config = json_block(parse(render_graph(Projection(nodes, rels), title="x")), "cg-config")
    assert config["nodeCount"] == n
    assert config["edgeCount"] == n - 1


def test_layout_is_deterministic_and_scaled() -> None:
    projection = sample()
    first = compute_layout(projection, seed=3)
    assert first == compute_layout(projection, seed=3)
    assert set(first) == {n.id for n in projection.nodes}
    assert compute_layout(Projection((), ())) == {}


def test_json_for_script_cannot_close_the_block() -> None:
    text = str(json_for_script({"a": "</script><!-- & \u2028"}))
    for raw in ("<", ">", "&", "\u2028"):
        assert raw not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_node_families() -> None:
    assert style.node_style(["Entity", "Event", "Publication"]).family == "Event"
    assert style.node_style(["Entity", "Agent"]).family == "Organization"
    assert style.node_style(["Entity", "Measure"]).family == "Other"
    assert style.entity_kind(["Entity", "Measure"]) == "measure"
    assert style.edge_kind("HAS_NO_MATERIAL_EFFECT_ON", "disputes") == "disputed"
    assert style.edge_kind("INTERVAL_MEETS") == "temporal"
    assert style.type_text("MilitaryOperation") == "Military operation"
    assert style.type_text("NGO") == "NGO"


def timeline_input() -> tuple[list[TimelineEvent], list[TimelineSeries]]:
    events = [
        TimelineEvent("a", IMG, D(2006, 12, 11), D(2006, 12, 11), group=SCRIPT),
        TimelineEvent("b", "Range", D(2008, 6, 1), D(2021, 10, 8), approximate=True, group="US"),
        TimelineEvent("c", "Open", D(2019, 5, 1), None, uncertain=True),
    ]
    series = [
        TimelineSeries(
            "s",
            SCRIPT,
            (
                SeriesPoint(D(2010, 1, 1), D(2010, 12, 31), 22.6, id="obs-2010"),
                SeriesPoint(D(2011, 1, 1), D(2011, 12, 31), float("nan")),
            ),
            unit="per 100,000",
        )
    ]
    return events, series


def test_timeline_is_self_contained_and_escaped() -> None:
    events, series = timeline_input()
    html = render_timeline(
        events, series, title=SCRIPT, options=TimelineOptions(panels={"a": PanelData(status=IMG)})
    )
    assert_self_contained(html)
    assert_no_raw_markup(html, IMG, SCRIPT, "<img")
    page = parse(html)
    config, data = json_block(page, "cg-config"), json_block(page, "cg-data")
    assert config["eventCount"] == len(data["events"]) == 3
    assert config["seriesCount"] == len(data["series"]) == 1
    assert config["lanes"] == [SCRIPT, "US", ""]
    assert data["events"][0]["label"] == IMG
    assert data["events"][1]["marker"] == "~"
    assert data["events"][2]["latest"] is None
    assert [p["value"] for p in data["series"][0]["points"]] == [22.6]  # NaN dropped
    assert data["info"]["a"]["status"] == IMG
    assert data["info"]["a"]["recentre"] == "/view/entity/a"


def test_timeline_link_base() -> None:
    events, _ = timeline_input()
    config = json_block(parse(render_timeline(events, title="t")), "cg-config")
    assert config["linkBase"] == ""
    options = TimelineOptions(link_base=None)
    config = json_block(parse(render_timeline(events, title="t", options=options)), "cg-config")
    assert config["linkBase"] is None
    assert 'href="/"' not in render_timeline(events, title="t", options=options)  # no server


def test_public_names() -> None:
    assert sorted(graph.views.__all__) == [
        "ChainRef",
        "ClaimSummary",
        "EdgeItem",
        "GraphViewOptions",
        "NavLink",
        "PanelData",
        "SeriesPoint",
        "SourceRef",
        "TimelineEvent",
        "TimelineOptions",
        "TimelineSeries",
        "compute_layout",
        "render_graph",
        "render_timeline",
        "series_segments",
    ]


def test_a_repeated_node_id_is_drawn_once() -> None:
    projection = sample()
    doubled = Projection((*projection.nodes, node("op", ("Event",), "again")), ())
    data = json_block(parse(render_graph(doubled, title="x")), "cg-data")
    assert [n["label"] for n in data["nodes"] if n["id"] == "op"] == ["Operation"]
    assert len(data["nodes"]) == len(projection.nodes)
