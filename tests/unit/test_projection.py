"""The RDF -> property-graph projection, its inverse, and the causal analytics on top of it."""

from __future__ import annotations

import datetime as dt
from typing import get_args

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graph.analytics import (
    betweenness,
    causal_chains,
    causal_subgraph,
    causes,
    effects,
    neighbors,
    to_networkx,
)
from graph.projection import entity_ids, project_graph, to_rdf
from graph.records import NodeRecord, Projection, RelRecord
from loaders import terms as t
from loaders.case_model import AgentType, EventType, PlaceType, SourceType
from loaders.edtf import EDTFError, parse_edtf
from ontology.namespaces import CG, CGID

PREFIXES = """
@prefix cg: <https://w3id.org/casegraph/ontology#> .
@prefix event: <https://w3id.org/casegraph/id/event/> .
@prefix agent: <https://w3id.org/casegraph/id/agent/> .
@prefix place: <https://w3id.org/casegraph/id/place/> .
@prefix source: <https://w3id.org/casegraph/id/source/> .
@prefix case: <https://w3id.org/casegraph/id/case/> .
@prefix claim: <https://w3id.org/casegraph/id/claim/> .
@prefix temporal: <https://w3id.org/casegraph/id/temporal/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix time: <http://www.w3.org/2006/time#> .
"""

DOCUMENT = (
    PREFIXES
    + """
event:mx-2006-02 a cg:MilitaryOperation ;
    rdfs:label "Operation Michoacán" , "Operativo Conjunto Michoacán"@es ;
    skos:altLabel "Michoacanazo" , "Operativo Michoacán"@es ;
    dcterms:description "A joint federal operation." ;
    cg:casebookId "MX-2006-02" ;
    cg:status cg:Verified ;
    cg:statusNote "start date disputed" ;
    cg:dateEDTF "2006-12-11" ;
    cg:earliest "2006-12-11"^^xsd:date ; cg:startLatest "2006-12-11"^^xsd:date ;
    cg:endEarliest "2006-12-11"^^xsd:date ; cg:latest "2006-12-11"^^xsd:date ;
    cg:precision "day" ;
    cg:participant agent:sedena ;
    cg:place place:michoacan ;
    cg:inCase case:mexico-drug-war ;
    cg:source source:s13 ;
    skos:exactMatch wd:Q123 .

event:drug-war a cg:ArmedConflict ;
    rdfs:label "Mexican drug war" ;
    cg:dateEDTF "2006-12/.." ;
    cg:earliest "2006-12-01"^^xsd:date ; cg:startLatest "2006-12-31"^^xsd:date ;
    cg:precision "month" ; cg:openEnd true ; cg:uncertain true .

agent:sedena a cg:GovernmentAgency ;
    rdfs:label "SEDENA" ;
    cg:basedIn place:mexico .

agent:analyst a cg:Person ; rdfs:label "An \\"analyst\\"" .

place:michoacan a cg:Region ;
    rdfs:label "Michoacán" ;
    cg:locatedIn place:mexico ;
    cg:latitude 19.1538 ; cg:longitude -101.8997 .

place:mexico a cg:Country ; rdfs:label "Mexico" ; skos:exactMatch wd:Q96 .

case:mexico-drug-war a cg:Case ; rdfs:label "Mexico's drug war" .

source:s13 a cg:Report ;
    rdfs:label "A report" ;
    cg:publisher "CRS" ;
    cg:author "B. Author" , "A. Author" ;
    cg:url <https://example.org/r> .

claim:cl-05 a cg:Claim , cg:CausalClaim ;
    rdfs:label "the operation contributed to the war" ;
    cg:cause event:mx-2006-02 ;
    cg:effect event:drug-war ;
    cg:relation cg:contributesTo ;
    cg:assertedBy agent:analyst ;
    cg:source source:s13 ;
    cg:stance cg:Supports ;
    cg:confidence 0.7 ;
    cg:note "paraphrase" .

temporal:abc-0 a cg:TemporalRelation ;
    cg:relFrom event:mx-2006-02 ; cg:relTo event:drug-war ;
    cg:allenRelation time:intervalStarts ; cg:certain false .
temporal:abc-1 a cg:TemporalRelation ;
    cg:relFrom event:drug-war ; cg:relTo event:mx-2006-02 ;
    cg:allenRelation time:intervalAfter ; cg:certain true .
"""
)


def parse(text: str) -> list[ox.Triple]:
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(text.encode(), ox.RdfFormat.TURTLE)
    ]


@pytest.fixture(scope="module")
def projection() -> Projection:
    return project_graph(parse(DOCUMENT))


def node(projection: Projection, node_id: str) -> NodeRecord:
    return next(n for n in projection.nodes if n.id == node_id)


def rels(projection: Projection, rel_type: str) -> list[RelRecord]:
    return [r for r in projection.relationships if r.type == rel_type]


def test_nodes_are_the_typed_entities(projection: Projection) -> None:
    ids = {n.id for n in projection.nodes}
    assert ids == {
        "mx-2006-02",
        "drug-war",
        "sedena",
        "analyst",
        "michoacan",
        "mexico",
        "mexico-drug-war",
        "s13",
        "cl-05",
    }


def test_event_labels_and_properties(projection: Projection) -> None:
    event = node(projection, "mx-2006-02")
    assert event.labels == ("Entity", "Event", "MilitaryOperation")
    props = event.properties
    assert props["iri"] == f"{CGID}event/mx-2006-02"
    assert props["kind"] == "event"
    assert props["type"] == "MilitaryOperation"
    assert props["label"] == "Operation Michoacán"
    assert props["other_labels"] == ["Operativo Conjunto Michoacán"]
    assert props["other_labels_lang"] == ["es"]
    assert props["aliases"] == ["Michoacanazo", "Operativo Michoacán"]
    assert props["aliases_lang"] == ["", "es"]
    assert props["description"] == "A joint federal operation."
    assert props["status"] == "VERIFIED"
    assert props["status_note"] == "start date disputed"
    assert props["casebook_ids"] == ["MX-2006-02"]
    assert props["date_edtf"] == "2006-12-11"
    assert props["earliest"] == dt.date(2006, 12, 11)
    assert props["latest"] == dt.date(2006, 12, 11)
    assert props["precision"] == "day"
    assert props["wikidata"] == ["Q123"]
    assert "approximate" not in props


def test_literal_types(projection: Projection) -> None:
    war = node(projection, "drug-war").properties
    assert war["open_end"] is True
    assert war["uncertain"] is True
    assert "latest" not in war
    place = node(projection, "michoacan").properties
    assert place["latitude"] == pytest.approx(19.1538)
    assert isinstance(place["longitude"], float)
    source = node(projection, "s13").properties
    assert source["authors"] == ["A. Author", "B. Author"]
    assert source["urls"] == ["https://example.org/r"]
    assert source["publisher"] == "CRS"
    assert node(projection, "analyst").properties["label"] == 'An "analyst"'


def test_claim_node(projection: Projection) -> None:
    claim = node(projection, "cl-05")
    assert claim.labels == ("Entity", "Claim", "CausalClaim")
    props = claim.properties
    assert props["type"] == "CausalClaim"
    assert props["classes"] == ["CausalClaim", "Claim"]
    assert props["stance"] == "supports"
    assert props["confidence"] == pytest.approx(0.7)
    assert props["relation"] == "contributesTo"
    assert props["note"] == "paraphrase"


def test_object_properties_become_relationships(projection: Projection) -> None:
    pairs = {(r.type, r.source, r.target) for r in projection.relationships if not r.key}
    assert {
        ("PARTICIPANT", "mx-2006-02", "sedena"),
        ("PLACE", "mx-2006-02", "michoacan"),
        ("IN_CASE", "mx-2006-02", "mexico-drug-war"),
        ("SOURCE", "mx-2006-02", "s13"),
        ("BASED_IN", "sedena", "mexico"),
        ("LOCATED_IN", "michoacan", "mexico"),
        ("CAUSE", "cl-05", "mx-2006-02"),
        ("EFFECT", "cl-05", "drug-war"),
        ("ASSERTED_BY", "cl-05", "analyst"),
        ("SOURCE", "cl-05", "s13"),
    } <= pairs
    assert not any(
        r.type in {"STATUS", "STANCE", "RELATION", "URL"} for r in projection.relationships
    )


def test_claim_gives_a_direct_causal_relationship(projection: Projection) -> None:
    (direct,) = rels(projection, "CONTRIBUTES_TO")
    assert (direct.source, direct.target, direct.key) == ("mx-2006-02", "drug-war", "cl-05")
    assert direct.properties == {
        "claim_ids": ["cl-05"],
        "relation": "contributesTo",
        "stance": "supports",
        "confidence": pytest.approx(0.7),
        "source_ids": ["s13"],
        "asserted_by": ["analyst"],
    }


def test_temporal_relations_are_relationships_not_nodes(projection: Projection) -> None:
    assert not any("TemporalRelation" in n.labels for n in projection.nodes)
    (starts,) = rels(projection, "INTERVAL_STARTS")
    assert (starts.source, starts.target, starts.key) == ("mx-2006-02", "drug-war", "possible")
    assert starts.properties == {"certain": False}
    (after,) = rels(projection, "INTERVAL_AFTER")
    assert (after.key, after.properties) == ("", {"certain": True})


def test_untyped_references_are_not_nodes() -> None:
    triples = parse(
        PREFIXES
        + """
        event:e1 a cg:Event ; rdfs:label "e1" ; cg:participant agent:elsewhere ;
            skos:exactMatch wd:Q1 .
        """
    )
    alone = project_graph(triples)
    assert [n.id for n in alone.nodes] == ["e1"]
    assert alone.relationships == ()
    known = project_graph(triples, types={f"{CGID}agent/elsewhere": {f"{CG}Person"}})
    assert [n.id for n in known.nodes] == ["e1"]
    assert [(r.type, r.target) for r in known.relationships] == [("PARTICIPANT", "elsewhere")]


def test_ids_shared_by_two_kinds_stay_distinct() -> None:
    ids = entity_ids([f"{CGID}event/x", f"{CGID}agent/x", f"{CGID}link/l/step-1"])
    assert ids == {
        f"{CGID}agent/x": "x",
        f"{CGID}event/x": "event/x",
        f"{CGID}link/l/step-1": "l/step-1",
    }


def test_to_rdf_inverts_the_handwritten_document(projection: Projection) -> None:
    original = {
        triple
        for triple in parse(DOCUMENT)
        if not triple.subject.value.startswith(f"{CGID}temporal/")
    }
    assert set(to_rdf(projection)) == original


# -- the round trip ----------------------------------------------------------------------------

SLUG = st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True)
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20
) | st.sampled_from(['say "hi"', "l'été", "\\", "日本語", "a@b", "😀", " spaced "])
LANG = st.none() | st.sampled_from(["en", "es", "fr", "pt-BR"])


@st.composite
def edtf_values(draw: st.DrawFn) -> str:
    def point() -> str:
        year = draw(st.integers(1000, 2998))
        precision = draw(st.sampled_from(["year", "month", "day"]))
        text = f"{year:04d}"
        if precision != "year":
            text += f"-{draw(st.integers(1, 12)):02d}"
        if precision == "day":
            text += f"-{draw(st.integers(1, 28)):02d}"
        return text + draw(st.sampled_from(["", "", "~", "?", "%"]))

    form = draw(st.sampled_from(["point", "interval", "open", "unknown-start"]))
    if form == "point":
        value = point()
    elif form == "interval":
        value = f"{point()}/{point()}"
    elif form == "open":
        value = f"{point()}/.."
    else:
        value = f"/{point()}"
    try:
        parse_edtf(value)
    except EDTFError:
        assume(False)
    return value


@st.composite
def documents(draw: st.DrawFn) -> list[ox.Triple]:
    counts = {
        "event": draw(st.integers(1, 4)),
        "agent": draw(st.integers(1, 3)),
        "place": draw(st.integers(1, 3)),
        "source": draw(st.integers(1, 2)),
        "claim": draw(st.integers(0, 3)),
    }
    slugs = draw(
        st.lists(SLUG, min_size=sum(counts.values()), max_size=sum(counts.values()), unique=True)
    )
    ids: dict[str, list[str]] = {}
    for kind, count in counts.items():
        ids[kind], slugs = slugs[:count], slugs[count:]
    classes = {
        "event": get_args(EventType),
        "agent": get_args(AgentType),
        "place": get_args(PlaceType),
        "source": get_args(SourceType),
    }
    out: list[ox.Triple] = []

    def refs(subject: ox.NamedNode, prop: str, kind: str) -> None:
        for slug in draw(st.lists(st.sampled_from(ids[kind]), max_size=2, unique=True)):
            out.append(ox.Triple(subject, t.cg(prop), t.entity(kind, slug)))

    for kind, slugs_of_kind in ids.items():
        for slug in slugs_of_kind:
            subject = t.entity(kind, slug)
            if kind == "claim":
                out.append(ox.Triple(subject, t.RDF_TYPE, t.cg("Claim")))
                out.append(ox.Triple(subject, t.RDF_TYPE, t.cg("CausalClaim")))
            else:
                cls = draw(st.sampled_from(classes[kind]))
                out.append(ox.Triple(subject, t.RDF_TYPE, t.cg(cls)))
            out.append(ox.Triple(subject, t.RDFS_LABEL, t.text(draw(TEXT))))
            if draw(st.booleans()):
                out.append(ox.Triple(subject, t.RDFS_LABEL, t.text(draw(TEXT), "es")))
            for alias, lang in draw(st.lists(st.tuples(TEXT, LANG), max_size=3)):
                out.append(ox.Triple(subject, t.SKOS_ALT_LABEL, t.text(alias, lang)))
            if draw(st.booleans()):
                description = t.text(draw(TEXT), draw(LANG))
                out.append(ox.Triple(subject, t.cg("statusNote"), description))
            for casebook_id in draw(
                st.lists(st.sampled_from(["MX-1", "S01", "CL-05"]), max_size=2)
            ):
                out.append(ox.Triple(subject, t.cg("casebookId"), t.text(casebook_id)))
            status = draw(st.none() | st.sampled_from(sorted(t.STATUS_IRIS)))
            if status:
                out.append(ox.Triple(subject, t.cg("status"), t.STATUS_IRIS[status]))
            if kind in {"event", "source"} and draw(st.booleans()):
                out.extend(t.date_triples(subject, parse_edtf(draw(edtf_values()))))
            if kind in {"event", "agent", "place"} and draw(st.booleans()):
                qid = f"Q{draw(st.integers(1, 10**8))}"
                out.append(ox.Triple(subject, t.SKOS_EXACT_MATCH, t.wikidata(qid)))
            refs(subject, "source", "source")
            if kind == "event":
                refs(subject, "participant", "agent")
                refs(subject, "target", draw(st.sampled_from(["agent", "place"])))
                refs(subject, "place", "place")
                refs(subject, "partOf", "event")
            elif kind == "agent":
                refs(subject, "memberOf", "agent")
                refs(subject, "basedIn", "place")
            elif kind == "place":
                refs(subject, "locatedIn", "place")
                if draw(st.booleans()):
                    lat = draw(st.integers(-900_000, 900_000)) / 10_000
                    out.append(ox.Triple(subject, t.cg("latitude"), t.decimal(lat)))
            elif kind == "source":
                if draw(st.booleans()):
                    out.append(ox.Triple(subject, t.cg("publisher"), t.text(draw(TEXT))))
                for author in draw(st.lists(TEXT, max_size=2)):
                    out.append(ox.Triple(subject, t.cg("author"), t.text(author)))
                for n in draw(st.lists(st.integers(0, 99), max_size=2)):
                    url = ox.NamedNode(f'https://example.org/doc/{n}?q="x"'.replace('"', "%22"))
                    out.append(ox.Triple(subject, t.cg("url"), url))
            elif kind == "claim":
                everything = [t.entity(k, s) for k in ("event", "agent") for s in ids[k]]
                out.append(ox.Triple(subject, t.cg("cause"), draw(st.sampled_from(everything))))
                out.append(ox.Triple(subject, t.cg("effect"), draw(st.sampled_from(everything))))
                relation = draw(
                    st.sampled_from(
                        ["causes", "contributesTo", "prevents", "hasNoMaterialEffectOn"]
                    )
                )
                out.append(ox.Triple(subject, t.cg("relation"), t.cg(relation)))
                refs(subject, "assertedBy", "agent")
                stance = draw(st.sampled_from(["Supports", "Disputes"]))
                out.append(ox.Triple(subject, t.cg("stance"), t.cg(stance)))
                confidence = draw(st.integers(0, 100)) / 100
                out.append(ox.Triple(subject, t.cg("confidence"), t.decimal(confidence)))
                out.append(ox.Triple(subject, t.cg("note"), t.text(draw(TEXT))))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_round_trip(triples: list[ox.Triple]) -> None:
    assert set(to_rdf(project_graph(triples))) == set(triples)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_projection_is_deterministic(triples: list[ox.Triple]) -> None:
    assert project_graph(triples) == project_graph(list(reversed(triples)))


# -- analytics ---------------------------------------------------------------------------------


def claim_rel(
    cause: str,
    effect: str,
    claim: str,
    confidence: float,
    *,
    stance: str = "supports",
    relation: str = "causes",
) -> RelRecord:
    rel_type = {
        "causes": "CAUSES",
        "hasNoMaterialEffectOn": "HAS_NO_MATERIAL_EFFECT_ON",
        "respondsTo": "RESPONDS_TO",
    }[relation]
    return RelRecord(
        rel_type,
        cause,
        effect,
        key=claim,
        properties={
            "claim_ids": [claim],
            "relation": relation,
            "stance": stance,
            "confidence": confidence,
            "source_ids": ["s1"],
            "asserted_by": ["someone"],
        },
    )


def entity(node_id: str) -> NodeRecord:
    return NodeRecord(node_id, ("Entity", "Event"), {"id": node_id, "label": node_id.upper()})


@pytest.fixture
def chain_graph() -> Projection:
    #   a -> b -> d          (0.9, then 0.8)
    #   a -> c -> d          (0.6, then 0.9 disputed at 0.5)
    #   a -> d               (0.3)
    #   d -> e               (0.9)
    return Projection(
        nodes=tuple(entity(x) for x in "abcde"),
        relationships=(
            claim_rel("a", "b", "c1", 0.9),
            claim_rel("b", "d", "c2", 0.8),
            claim_rel("b", "d", "c2b", 0.4),
            claim_rel("a", "c", "c3", 0.6),
            claim_rel("c", "d", "c4", 0.9),
            claim_rel("c", "d", "c5", 0.5, stance="disputes"),
            claim_rel("a", "d", "c6", 0.3),
            claim_rel("d", "e", "c7", 0.9),
            RelRecord("PARTICIPANT", "a", "e"),
        ),
    )


def test_causal_subgraph_merges_claims(chain_graph: Projection) -> None:
    graph = causal_subgraph(chain_graph)
    assert set(graph.edges) == {
        ("a", "b"),
        ("b", "d"),
        ("a", "c"),
        ("c", "d"),
        ("a", "d"),
        ("d", "e"),
    }
    claims = graph.edges["b", "d"]["claims"]
    assert [c.id for c in claims] == ["c2", "c2b"]
    assert claims[0].asserted_by == ("someone",)
    assert graph.edges["b", "d"]["relation"] == "causes"


def test_causal_chains_scores_and_order(chain_graph: Projection) -> None:
    chains = causal_chains(causal_subgraph(chain_graph), "a", "d", max_depth=3)
    assert [c.nodes for c in chains] == [("a", "b", "d"), ("a", "d"), ("a", "c", "d")]
    assert chains[0].score == pytest.approx(0.9 * 0.8)
    assert chains[1].score == pytest.approx(0.3)
    assert chains[2].score == pytest.approx(0.6 * 0.9 * (1 - 0.5))
    assert chains[2].steps[1].against == pytest.approx(0.5)


def test_causal_chains_min_confidence_and_depth(chain_graph: Projection) -> None:
    digraph = causal_subgraph(chain_graph)
    strict = causal_chains(digraph, "a", "d", max_depth=3, min_confidence=0.55)
    # a -> d (0.3) drops; the dispute at 0.5 no longer counts against c -> d.
    assert [c.nodes for c in strict] == [("a", "b", "d"), ("a", "c", "d")]
    assert strict[1].score == pytest.approx(0.6 * 0.9)
    assert [c.nodes for c in causal_chains(digraph, "a", "d", max_depth=1)] == [("a", "d")]
    assert [c.nodes for c in causal_chains(digraph, "a", "e", max_depth=2)] == [("a", "d", "e")]
    assert causal_chains(digraph, "a", "e", max_depth=3, min_confidence=0.95) == []


def test_no_material_effect_counts_against() -> None:
    projection = Projection(
        nodes=(entity("x"), entity("y")),
        relationships=(
            claim_rel("x", "y", "k1", 0.8),
            claim_rel("x", "y", "k2", 0.5, relation="hasNoMaterialEffectOn"),
        ),
    )
    (chain,) = causal_chains(causal_subgraph(projection), "x", "y")
    assert chain.score == pytest.approx(0.8 * 0.5)


def test_responds_to_points_from_the_stimulus() -> None:
    projection = Projection(
        nodes=(entity("stimulus"), entity("response")),
        relationships=(claim_rel("response", "stimulus", "k1", 0.7, relation="respondsTo"),),
    )
    digraph = causal_subgraph(projection)
    assert list(digraph.edges) == [("stimulus", "response")]
    assert digraph.edges["stimulus", "response"]["relation"] == "respondsTo"
    (chain,) = causal_chains(digraph, "stimulus", "response")
    assert chain.score == pytest.approx(0.7)


def test_reachability_and_neighbours(chain_graph: Projection) -> None:
    digraph = causal_subgraph(chain_graph)
    assert effects(digraph, "a", 1) == {"b", "c", "d"}
    assert effects(digraph, "b", 2) == {"d", "e"}
    assert causes(digraph, "d", 1) == {"a", "b", "c"}
    assert causes(digraph, "e", 1) == {"d"}
    multi = to_networkx(chain_graph)
    assert neighbors(multi, "e", 1) == {"a", "d"}
    assert multi.nodes["a"]["labels"] == ["Entity", "Event"]
    assert multi.edges["a", "e", "PARTICIPANT"]["type"] == "PARTICIPANT"
    assert multi.edges["b", "d", "CAUSES:c2b"]["confidence"] == 0.4


def test_betweenness_ranks_the_hub() -> None:
    star = Projection(
        nodes=tuple(entity(x) for x in ("hub", "l1", "l2", "l3")),
        relationships=(
            RelRecord("PARTICIPANT", "hub", "l1"),
            RelRecord("TARGET", "hub", "l1"),
            RelRecord("PARTICIPANT", "l2", "hub"),
            RelRecord("PLACE", "hub", "l3"),
        ),
    )
    top = betweenness(star, top=2)
    assert top[0] == ("hub", pytest.approx(1.0))
    assert top[1] == ("l1", 0.0)
