"""What the view builders choose and how the pages carry it: the causal spine and its toggles,
parallel claims merged into one edge, claims in words, ISO dates, header and panel links, the
temporal-consistency mark, and timeline lanes and series gaps.

The graph is a small case file loaded through the case-file loader and projected, as the API
does, without a store.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest

from graph.consistency import check, edges_from_projection
from graph.projection import project_graph
from graph.views import spine, style
from graph.views.build import (
    case_view,
    chain_view,
    entity_view,
    render_view,
    spine_ids,
    timeline_for_case,
    timeline_for_ids,
)
from graph.views.index import GraphIndex
from graph.views.timeline import SeriesPoint, series_segments
from loaders.base import LoadReport
from loaders.case_yaml import CaseYAMLLoader, parse_case_file
from tests.unit.test_views_render import json_block, parse

D = dt.date

CASE = (
    """\
casegraph: 1
cases:
  - {id: war, label: A drug war}
sources:
  - {id: src, label: A report, urls: ["https://example.org/report"]}
  - {id: brief, label: A brief}
agents:
  - {id: president, label: The president, type: Person}
  - {id: analyst, label: An analyst, type: Person}
  - {id: ministry, label: The ministry, type: GovernmentAgency}
  - {id: cartel, label: The cartel, type: CriminalOrganization}
places:
  - {id: state, label: A state, type: Region}
phenomena:
  - {id: fragmentation, label: Fragmentation of the cartels}
  - {id: violence, label: Rise in homicides}
measures:
  - {id: rate, label: Homicide rate, unit: per 100000}
events:
  - id: offensive
    label: The offensive begins
    date: "2006-12-11"
    participants: [president, ministry]
    places: [state]
    sources: [src]
    cases: [war]
  - id: kingpins
    label: The kingpin strategy
    date: "2012-12/2018-09"
    participants: [ministry]
    targets: [cartel]
    cases: [war]
  - id: arrest
    label: A leader is arrested
    date: "2024-07-25"
    participants: [ministry]
    cases: [war]
  - id: infighting
    label: Factions fight
    date: "2024-07-25/.."
    participants: [cartel]
    cases: [war]
  - id: report
    label: A report is published
    date: "2005"
    participants: [analyst]
    cases: [war]
  - id: unrelated
    label: An event no claim or link touches
    date: "2010"
    participants: [president]
    cases: [war]
observations:
"""
    + "".join(
        f"""  - {{id: rate-{year}, measure: rate, value: {value}, date: "{year}", sources: [src],
      cases: [war]}}
"""
        for year, value in ((2007, 8), (2008, 13), (2009, 18), (2010, 22), (2012, 22), (2013, 19))
    )
    + """claims:
  - id: cl-a
    casebook_id: CL-01
    cause: kingpins
    relation: causes
    effect: fragmentation
    asserted_by: [analyst]
    confidence: 0.9
    note: Removing leaders splits the cartels.
    sources: [src]
    cases: [war]
  - id: cl-b
    casebook_id: CL-01
    cause: kingpins
    relation: causes
    effect: fragmentation
    asserted_by: [president]
    confidence: 0.9
    note: The same, said by someone else.
    sources: [brief]
    cases: [war]
  - id: cl-c
    casebook_id: CL-01
    cause: kingpins
    relation: causes
    effect: fragmentation
    asserted_by: [ministry]
    stance: disputes
    confidence: 0.6
    note: The ministry disagrees.
    sources: [src]
    cases: [war]
  - id: cl-d
    cause: fragmentation
    relation: causes
    effect: violence
    asserted_by: [analyst]
    confidence: 0.6
    note: Splinter groups fight.
    sources: [src]
    cases: [war]
  - id: cl-late
    cause: arrest
    relation: causes
    effect: report
    asserted_by: [analyst]
    confidence: 0.3
    note: A claim whose cause comes long after its effect.
    sources: [src]
    cases: [war]
links:
  - id: lnk-seq
    relation: triggers
    chain: [arrest, infighting]
    illustrates: [cl-a, cl-b]
    sources: [src]
    cases: [war]
  - id: lnk-order
    relation: precedes
    chain: [offensive, kingpins, arrest]
    sources: [src]
    cases: [war]
"""
)


@pytest.fixture(scope="module")
def idx(tmp_path_factory: pytest.TempPathFactory) -> GraphIndex:
    path = tmp_path_factory.mktemp("views-build") / "case.yaml"
    path.write_text(CASE, encoding="utf-8")
    triples = list(CaseYAMLLoader().triples(parse_case_file(path), LoadReport()))
    return GraphIndex(project_graph(triples))


def page(view: Any, link_base: str | None = "") -> tuple[dict[str, Any], dict[str, Any], str]:
    html = render_view(view, link_base=link_base, export=link_base is None)
    parsed = parse(html)
    return json_block(parsed, "cg-config"), json_block(parsed, "cg-data"), html


def edge_between(data: dict[str, Any], source: str, target: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        e for e in data["edges"] if (e["from"], e["to"]) == (source, target)
    ]
    assert len(found) == 1, found
    return found[0]


# -- the case view: spine and toggles ----------------------------------------------------------


def test_case_view_opens_on_the_causal_spine(idx: GraphIndex) -> None:
    view = case_view(idx, "war")
    ends = {"kingpins", "fragmentation", "violence", "arrest", "report", "infighting", "offensive"}
    assert spine_ids(idx, {n.id for n in view.projection.nodes}) == ends
    assert view.initial_layers == frozenset({"spine"})
    config, data, html = page(view)
    layers = {n["id"]: n["layer"] for n in data["nodes"]}
    assert {i for i, layer in layers.items() if layer == "spine"} == ends
    assert layers["unrelated"] == "events"
    assert layers["president"] == layers["analyst"] == layers["cartel"] == "actors"
    assert layers["state"] == "places"
    assert layers["src"] == "sources"
    assert layers["rate-2008"] == layers["rate"] == "observations"
    assert layers["cl-a"] == layers["lnk-seq"] == "claims"
    assert layers["war"] == "cases"
    assert config["layers"] == ["spine"]
    assert config["timeRelations"] is False
    # one checkbox per layer that has nodes, with its count; only the spine is ticked
    boxes = re.findall(r'<input type="checkbox" data-layer="(\w+)"( checked)?> [^<]+<span', html)
    assert dict(boxes) == {
        "spine": " checked",
        "events": "",
        "actors": "",
        "places": "",
        "sources": "",
        "observations": "",
        "claims": "",
        "cases": "",
    }
    # link steps are edges, never nodes
    assert not any("/step-" in n["id"] for n in data["nodes"])


def test_spine_nodes_are_placed_and_the_others_are_not(idx: GraphIndex) -> None:
    _, data, _ = page(case_view(idx, "war"))
    for node in data["nodes"]:
        assert ("x" in node) == (node["layer"] == "spine"), node["id"]
    placed = {n["id"]: (n["x"], n["y"]) for n in data["nodes"] if "x" in n}
    # causes to the left of their effects
    assert placed["kingpins"][0] < placed["fragmentation"][0] < placed["violence"][0]
    assert placed["offensive"][0] < placed["kingpins"][0] < placed["arrest"][0]


def test_a_case_without_claims_or_links_shows_everything(idx: GraphIndex) -> None:
    projection = idx.projection
    without = [n for n in projection.nodes if not {"Claim", "Link", "LinkStep"} & set(n.labels)]
    rels = [r for r in projection.relationships if "claim_ids" not in r.properties]
    bare = GraphIndex(type(projection)(tuple(without), tuple(rels)))
    view = case_view(bare, "war")
    assert view.initial_layers is None
    assert "no claims or links" in view.notes[0]


def test_entity_view_opens_without_claim_records_unless_it_is_one(idx: GraphIndex) -> None:
    view = entity_view(idx, "kingpins")
    assert view.initial_layers is not None
    assert "claims" not in view.initial_layers and "actors" in view.initial_layers
    assert "claims" in (entity_view(idx, "cl-a").initial_layers or ())
    # a link step joins its two ends: the arrest is one step from the kingpin strategy
    ids = {n.id for n in view.projection.nodes}
    assert {"arrest", "offensive", "fragmentation", "ministry"} <= ids
    assert not any("/step-" in i for i in ids)


# -- merged edges, words, stance ---------------------------------------------------------------


def test_parallel_claims_are_one_edge_with_a_count_and_a_stance(idx: GraphIndex) -> None:
    _, data, _ = page(case_view(idx, "war"))
    edge = edge_between(data, "kingpins", "fragmentation")
    assert edge["kind"] == "claims"
    assert edge["count"] == 3
    assert edge["label"] == "causes \N{MULTIPLICATION SIGN}3"
    assert edge["stance"] == "contested"  # two support, one disputes
    assert "3 claims" in edge["title"] and "1 disputing" in edge["title"]
    panel = data["edgeInfo"][edge["id"]]
    assert (panel["from"], panel["to"]) == ("The kingpin strategy", "Fragmentation of the cartels")
    items = {i["id"]: i for i in panel["items"]}
    assert set(items) == {"cl-a", "cl-b", "cl-c"}
    assert items["cl-a"]["assertedBy"] == ["An analyst"]
    assert items["cl-b"]["sources"] == ["A brief"]
    assert items["cl-c"]["stance"] == "disputes"
    assert items["cl-a"]["casebookId"] == "CL-01"
    assert edge_between(data, "fragmentation", "violence")["stance"] == "supports"
    assert style.stance_of(["disputes"], causal=True) == "disputes"


def test_link_steps_are_edges_and_merge_with_claims(idx: GraphIndex) -> None:
    _, data, _ = page(case_view(idx, "war"))
    sequence = edge_between(data, "offensive", "kingpins")
    assert sequence["label"] == "precedes"
    assert sequence["stance"] == "sequence"  # a casebook link, not causal
    trigger = edge_between(data, "arrest", "infighting")
    assert trigger["stance"] == "supports"  # "triggers" is causal
    item = data["edgeInfo"][trigger["id"]]["items"][0]
    assert item["kind"] == "link"
    assert item["label"] == "triggers: A leader is arrested \N{RIGHTWARDS ARROW} Factions fight"
    assert item["related"] == [
        "CL-01: The kingpin strategy causes Fragmentation of the cartels",
        "CL-01: The kingpin strategy causes Fragmentation of the cartels",
    ]  # the claims it illustrates, in words, with their casebook id
    claim = next(
        i
        for i in data["edgeInfo"][edge_between(data, "kingpins", "fragmentation")["id"]]["items"]
        if i["id"] == "cl-a"
    )
    assert claim["related"] == [item["label"]]  # illustrated by the link


def test_claim_labels_are_in_words(idx: GraphIndex) -> None:
    assert idx.label("cl-a") == "kingpins causes fragmentation"  # the loader's generated label
    assert idx.display_label("cl-a") == "The kingpin strategy causes Fragmentation of the cartels"
    assert idx.display_label("lnk-order") == (
        "precedes: The offensive begins \N{RIGHTWARDS ARROW} The kingpin strategy "
        "\N{RIGHTWARDS ARROW} A leader is arrested"
    )
    _, data, _ = page(entity_view(idx, "cl-a"))
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels["cl-a"].startswith("The kingpin strategy causes Fragmentation")
    assert "kingpins causes" not in " ".join(labels.values())
    assert data["info"]["cl-a"]["label"] == idx.display_label("cl-a")


def test_inconsistent_dates_mark_the_edge(idx: GraphIndex) -> None:
    assert idx.consistency_of("cl-late").verdict == "inconsistent"  # type: ignore[union-attr]
    assert idx.consistency_of("lnk-seq/step-1").verdict == "consistent"  # type: ignore[union-attr]
    assert idx.consistency_of("arrest") is None  # not a claim or a link step
    # the same findings as graph.consistency over the whole projection
    whole = {f.edge.id: f.verdict for f in check(edges_from_projection(idx.projection))}
    assert whole == {i: idx.consistency_of(i).verdict for i in whole}  # type: ignore[union-attr]
    _, data, _ = page(case_view(idx, "war"))
    edge = edge_between(data, "arrest", "report")
    assert edge["consistency"] == "inconsistent"
    assert edge["label"].endswith(style.CONSISTENCY_MARK)
    item = data["edgeInfo"][edge["id"]]["items"][0]
    assert item["dates"] == "inconsistent"
    assert "2024-07-25" in item["datesNote"]
    assert "consistency" not in edge_between(data, "arrest", "infighting")
    claims = data["info"]["arrest"]["claims"]
    assert [c["dates"] for c in claims] == ["inconsistent"]


# -- dates, header, panel links ----------------------------------------------------------------


def test_dates_are_entered_and_shown_as_iso(idx: GraphIndex) -> None:
    config, data, html = page(case_view(idx, "war"))
    assert 'type="date"' not in html
    field = re.search(r'<input type="text" id="asof-date"[^>]*>', html)
    assert field is not None
    assert r'pattern="\d{4}-\d{2}-\d{2}"' in field.group(0)
    assert 'placeholder="YYYY-MM-DD"' in field.group(0)
    assert config["dateMin"] == "2005-01-01"
    info = data["info"]
    assert info["kingpins"]["dates"] == "2012-12/2018-09 (2012-12-01 \N{EN DASH} 2018-09-30)"
    assert info["offensive"]["dates"] == "2006-12-11"
    assert info["infighting"]["dates"] == "2024-07-25/.. (from 2024-07-25, still going)"


def test_header_links_home_case_timeline_and_back(idx: GraphIndex) -> None:
    _, _, html = page(entity_view(idx, "kingpins"))
    nav = re.search(r'<nav class="cg-nav".*?</nav>', html, re.S)
    assert nav is not None
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(0)) == [
        ("/", "Home"),
        ("/view/case/war", "Case: A drug war"),
        ("/view/timeline?case=war", "Timeline"),
    ]
    assert 'id="nav-back"' in nav.group(0)
    _, _, exported = page(entity_view(idx, "kingpins"), link_base=None)
    assert "<a href" not in re.search(r'<nav class="cg-nav".*?</nav>', exported, re.S).group(0)  # type: ignore[union-attr]
    _, _, base = page(case_view(idx, "war"), link_base="https://cg.example.org/")
    assert '<a href="https://cg.example.org/view/timeline?case=war">Timeline</a>' in base


def test_panel_links_to_cases_timeline_chains_and_linked_data(idx: GraphIndex) -> None:
    _, data, _ = page(case_view(idx, "war"))
    kingpins = data["info"]["kingpins"]
    assert kingpins["cases"] == [{"label": "A drug war", "href": "/view/case/war"}]
    assert kingpins["timeline"] == "/view/timeline?ids=kingpins"
    assert kingpins["ld"] == "/id/event/kingpins"
    assert kingpins["recentre"] == "/view/entity/kingpins"
    # Chains follow claims and casebook links: kingpins precedes the arrest (lnk-order), which
    # triggers the infighting (lnk-seq) and is claimed to cause the report (cl-late).
    assert kingpins["chains"] == [
        {
            "label": "Factions fight",
            "forward": True,
            "href": "/view/chain?from=kingpins&to=infighting",
        },
        {
            "label": "A report is published",
            "forward": True,
            "href": "/view/chain?from=kingpins&to=report",
        },
        {
            "label": "Rise in homicides",
            "forward": True,
            "href": "/view/chain?from=kingpins&to=violence",
        },
        {
            "label": "The offensive begins",
            "forward": False,
            "href": "/view/chain?from=offensive&to=kingpins",
        },
    ]
    violence = data["info"]["violence"]
    assert violence["timeline"] is None  # undated: nothing to show on a timeline
    assert violence["chains"][0]["forward"] is False
    assert data["info"]["president"]["cases"] == [{"label": "A drug war", "href": "/view/case/war"}]
    assert data["info"]["war"]["timeline"] == "/view/timeline?case=war"
    _, exported, _ = page(case_view(idx, "war"), link_base=None)
    assert exported["info"]["kingpins"]["cases"] == []
    assert exported["info"]["kingpins"]["chains"] == []


def test_chain_view_merges_the_claims_of_each_step(idx: GraphIndex) -> None:
    view = chain_view(idx, "kingpins", "violence")
    _, data, _ = page(view)
    assert {(e["from"], e["to"], e["count"]) for e in data["edges"]} == {
        ("kingpins", "fragmentation", 3),
        ("fragmentation", "violence", 1),
    }
    assert [n.label for n in view.nav] == ["Case: A drug war", "Timeline"]


# -- the layout of the spine -------------------------------------------------------------------


def test_spine_layout_leaves_room_for_every_label() -> None:
    labels = {f"n{i}": f"Node number {i} with a fairly long label to wrap" for i in range(12)}
    boxes = {
        i: spine.node_box(t, size=14, inside=i.endswith(("3", "7"))) for i, t in labels.items()
    }
    edges = [(f"n{i}", f"n{i + 1}", 60.0) for i in range(0, 10, 2)] + [("n1", "n5", 80.0)]
    edges += [("n0", "n3", 40.0), ("n3", "n0", 40.0)]  # a cycle is drawn, not refused
    placed = spine.layered_layout(boxes, edges)
    assert set(placed) == set(labels)
    rects = {
        i: (x - b.width / 2, y - b.above, x + b.width / 2, y + b.below)
        for i, b in boxes.items()
        for x, y in [placed[i]]
    }
    for a, b in itertools.combinations(rects, 2):
        ra, rb = rects[a], rects[b]
        assert ra[2] <= rb[0] or rb[2] <= ra[0] or ra[3] <= rb[1] or rb[3] <= ra[1], (a, b)
    assert placed["n0"][0] < placed["n1"][0]
    assert spine.layered_layout({}, []) == {}


# -- timelines ---------------------------------------------------------------------------------


def test_timeline_events_carry_both_groupings(idx: GraphIndex) -> None:
    view = timeline_for_case(idx, "war")
    lanes = {e.id: dict(e.lanes) for e in view.events}
    assert lanes["arrest"] == {"actor": "The ministry", "case": "A drug war"}
    assert lanes["infighting"] == {"actor": "The cartel", "case": "A drug war"}
    config, data, html = page(view)
    assert config["grouping"] == "actor"
    assert '<select id="lane-grouping">' in html
    assert '<option value="case">By case</option>' in html
    assert data["events"][0]["lanes"].keys() == {"actor", "case"}
    by_case = timeline_for_case(idx, "war", group="case")
    assert {e.group for e in by_case.events} == {"A drug war"}
    assert page(by_case)[0]["grouping"] == "case"
    by_ids = timeline_for_ids(idx, ["president", "arrest"])
    assert {e.id: e.lanes["case"] for e in by_ids.events}["offensive"] == "The president"
    assert [n.label for n in view.nav] == ["Case: A drug war"]


def test_series_lines_break_at_gaps(idx: GraphIndex) -> None:
    view = timeline_for_case(idx, "war")
    (series,) = view.series
    assert [p.earliest.year for p in series.points] == [2007, 2008, 2009, 2010, 2012, 2013]
    _, data, _ = page(view)
    segments = data["series"][0]["segments"]
    years = [[data["series"][0]["points"][i]["earliest"][:4] for i in run] for run in segments]
    assert years == [["2007", "2008", "2009", "2010"], ["2012", "2013"]]


def test_series_segments_join_adjoining_and_overlapping_periods() -> None:
    def point(a: D, b: D) -> SeriesPoint:
        return SeriesPoint(a, b, 1.0)

    years = [point(D(y, 1, 1), D(y, 12, 31)) for y in (2000, 2001, 2003)]
    assert series_segments(years) == [[0, 1], [2]]
    rolling = [point(D(2023, m, 1), D(2024, m, 1)) for m in (1, 4, 7)]  # 12-month windows
    assert series_segments(rolling) == [[0, 1, 2]]
    two_years = [point(D(2013, 1, 1), D(2013, 12, 31)), point(D(2014, 1, 1), D(2015, 12, 31))]
    assert series_segments([*two_years, point(D(2016, 1, 1), D(2016, 12, 31))]) == [[0, 1, 2]]
    assert series_segments([]) == []
