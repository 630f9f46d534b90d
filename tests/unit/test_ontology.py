"""The ontology, its shapes, its JSON-LD context, `ontology.vocab` and docs/ontology.md agree.

The SHACL tests validate the way `graph.validate` does: the document graph, the ontology as
pySHACL's ontology graph, and RDFS inference.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ontology import vocab
from ontology.paths import CONTEXT_PATH, ONTOLOGY_PATH, SHAPES_PATH

ROOT = Path(__file__).resolve().parents[2]
CG = Namespace("https://w3id.org/casegraph/ontology#")
ID = Namespace("https://w3id.org/casegraph/id/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_PATH, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_PATH, format="turtle")


def local_names(graph: Graph, kind: URIRef) -> set[str]:
    return {
        str(s)[len(CG) :]
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and s.startswith(CG)
    }


def english(graph: Graph, subject: Node, predicate: URIRef) -> list[str]:
    return [
        str(o)
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and o.language == "en" and str(o).strip()
    ]


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ONTOLOGY_PATH, SHAPES_PATH], ids=lambda p: p.name)
def test_turtle_parses_with_both_libraries(path: Path) -> None:
    rdflib_count = len(Graph().parse(path, format="turtle"))
    oxigraph_count = len(list(ox.parse(path=path, format=ox.RdfFormat.TURTLE)))
    assert rdflib_count == oxigraph_count > 100


def test_ontology_header(ontology: Graph) -> None:
    header = URIRef("https://w3id.org/casegraph/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(header, OWL.versionInfo) is not None
    assert ontology.value(header, OWL.versionIRI) is not None


# --- labels, comments, agreement with vocab.py and docs/model.md -----------------------------


def test_every_term_has_english_label_and_comment(ontology: Graph) -> None:
    subjects = {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(CG)}
    missing = sorted(
        str(s)
        for s in subjects
        if not english(ontology, s, RDFS.label) or not english(ontology, s, RDFS.comment)
    )
    assert missing == []


def test_classes_equal_vocab(ontology: Graph) -> None:
    assert local_names(ontology, OWL.Class) == vocab.CLASSES


def test_object_properties_equal_vocab(ontology: Graph) -> None:
    assert local_names(ontology, OWL.ObjectProperty) == vocab.OBJECT_PROPERTIES


def test_data_properties_equal_vocab(ontology: Graph) -> None:
    assert local_names(ontology, OWL.DatatypeProperty) == vocab.DATA_PROPERTIES
    assert not vocab.OBJECT_PROPERTIES & vocab.DATA_PROPERTIES


def test_class_parents_equal_vocab(ontology: Graph) -> None:
    parents = {
        name: {
            str(o)[len(CG) :]
            for o in ontology.objects(CG[name], RDFS.subClassOf)
            if isinstance(o, URIRef) and o.startswith(CG)
        }
        for name in vocab.CLASSES
    }
    assert parents == {name: set(p) for name, p in vocab.CLASS_PARENTS.items()}


def test_entity_tree_excludes_only_helper_classes(ontology: Graph) -> None:
    below_entity = {
        str(s)[len(CG) :] for s in ontology.transitive_subjects(RDFS.subClassOf, CG.Entity)
    }
    assert below_entity == vocab.ENTITY_CLASSES
    assert {
        "LinkStep",
        "TemporalRelation",
        "Status",
        "Stance",
        "SourceGraph",
    } == vocab.HELPER_CLASSES


def sub_properties(graph: Graph, parent: URIRef) -> set[str]:
    return {
        str(s)[len(CG) :]
        for s in graph.transitive_subjects(RDFS.subPropertyOf, parent)
        if s != parent and isinstance(s, URIRef) and s.startswith(CG)
    }


def test_relation_families_equal_vocab(ontology: Graph) -> None:
    assert sub_properties(ontology, CG.causalRelation) == vocab.CAUSAL_RELATIONS
    assert (
        sub_properties(ontology, CG.linkRelationProperty) - vocab.RELATION_SUPER_PROPERTIES
        == vocab.LINK_RELATIONS
    )
    assert vocab.LINK_RELATIONS == vocab.CAUSAL_RELATIONS | vocab.LINK_ONLY_RELATIONS
    assert len(vocab.LINK_RELATIONS) == 16


def test_relation_lists_in_shapes_equal_vocab(shapes: Graph) -> None:
    def allowed(path: URIRef) -> set[str]:
        for prop_shape in shapes.subjects(SH.path, path):
            values = shapes.value(prop_shape, SH["in"])
            if values is not None:
                return {str(v)[len(CG) :] for v in shapes.items(values)}
        raise AssertionError(f"no sh:in for {path}")

    assert allowed(CG.relation) == vocab.CAUSAL_RELATIONS
    assert allowed(CG.linkRelation) == vocab.LINK_RELATIONS
    assert allowed(CG.status) == set(vocab.STATUSES.values())
    assert allowed(CG.stance) == set(vocab.STANCES.values())


def test_status_and_stance_individuals(ontology: Graph) -> None:
    for text, name in vocab.STATUSES.items():
        assert (CG[name], RDF.type, CG.Status) in ontology
        assert english(ontology, CG[name], RDFS.label) == [text]
    for name in vocab.STANCES.values():
        assert (CG[name], RDF.type, CG.Stance) in ontology
    cito = Namespace("http://purl.org/spar/cito/")
    assert (CG.Supports, SKOS.closeMatch, cito.supports) in ontology
    assert (CG.Disputes, SKOS.closeMatch, cito.disputes) in ontology


def model_text() -> str:
    return (ROOT / "docs" / "model.md").read_text(encoding="utf-8")


def test_every_class_in_model_md_exists() -> None:
    text = model_text()
    section = text.split("## Classes", 1)[1].split("## Properties", 1)[0]
    named = {m for m in re.findall(r"`cg:([A-Z][A-Za-z0-9]*)`", section)}
    individuals = {"Verified", "ReportedS00", "Unverified", "Supports", "Disputes"}
    assert named - individuals <= vocab.CLASSES
    assert len(named - individuals) >= 60


def test_every_cg_term_in_model_md_exists() -> None:
    named = set(re.findall(r"`cg:([A-Za-z][A-Za-z0-9]*)`", model_text()))
    named |= set(re.findall(r"(?<![A-Za-z])cg:([A-Za-z][A-Za-z0-9]*)", model_text()))
    individuals = set(vocab.STATUSES.values()) | set(vocab.STANCES.values())
    known = vocab.CLASSES | vocab.OBJECT_PROPERTIES | vocab.DATA_PROPERTIES | individuals
    assert named - known == set()


# --- vocab helpers ---------------------------------------------------------------------------


def test_class_chain() -> None:
    assert vocab.class_chain("MilitaryOperation") == ("Entity", "Event", "MilitaryOperation")
    assert vocab.class_chain("AirCampaign") == (
        "Entity",
        "Event",
        "MilitaryOperation",
        "AirCampaign",
    )
    assert vocab.class_chain("Entity") == ("Entity",)
    assert vocab.class_chain("LinkStep") == ("LinkStep",)
    for name in vocab.ENTITY_CLASSES:
        assert vocab.class_chain(name)[0] == "Entity"
    with pytest.raises(KeyError):
        vocab.class_chain("Battle")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("partOf", "PART_OF"),
        ("hasNoMaterialEffectOn", "HAS_NO_MATERIAL_EFFECT_ON"),
        ("causes", "CAUSES"),
        ("locatedIn", "LOCATED_IN"),
        ("dateEDTF", "DATE_EDTF"),
        ("citedAsAnalogyBy", "CITED_AS_ANALOGY_BY"),
        ("NGO", "NGO"),
    ],
)
def test_upper_snake(name: str, expected: str) -> None:
    assert vocab.upper_snake(name) == expected


def test_upper_snake_names_are_unique() -> None:
    names = vocab.OBJECT_PROPERTIES | vocab.DATA_PROPERTIES
    assert len({vocab.upper_snake(n) for n in names}) == len(names)


def test_public_exports() -> None:
    assert sorted(vocab.__all__) == [
        "CAUSAL_RELATIONS",
        "CLASSES",
        "CLASS_PARENTS",
        "DATA_PROPERTIES",
        "ENTITY_CLASSES",
        "HELPER_CLASSES",
        "LINK_ONLY_RELATIONS",
        "LINK_RELATIONS",
        "OBJECT_PROPERTIES",
        "RELATION_SUPER_PROPERTIES",
        "STANCES",
        "STATUSES",
        "WEB_ADDRESS_PROPERTIES",
        "class_chain",
        "upper_snake",
    ]


# --- SHACL -----------------------------------------------------------------------------------

VALID_DOCUMENT = """
@prefix cg: <https://w3id.org/casegraph/ontology#> .
@prefix ev: <https://w3id.org/casegraph/id/event/> .
@prefix ag: <https://w3id.org/casegraph/id/agent/> .
@prefix pl: <https://w3id.org/casegraph/id/place/> .
@prefix src: <https://w3id.org/casegraph/id/source/> .
@prefix cl: <https://w3id.org/casegraph/id/claim/> .
@prefix ph: <https://w3id.org/casegraph/id/phenomenon/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ev:operation-michoacan a cg:MilitaryOperation ;
    rdfs:label "Operation Michoacán"@en ;
    cg:dateEDTF "2006-12-11/2007-01" ;
    cg:earliest "2006-12-11"^^xsd:date ;
    cg:startLatest "2006-12-11"^^xsd:date ;
    cg:endEarliest "2007-01-01"^^xsd:date ;
    cg:latest "2007-01-31"^^xsd:date ;
    cg:precision "month" ;
    cg:participant ag:calderon-government ;
    cg:place pl:michoacan ;
    cg:status cg:Verified ;
    cg:casebookId "MX-2006-02" ;
    cg:source src:report .

ag:calderon-government a cg:Government ;
    rdfs:label "Government of Felipe Calderón" ;
    skos:exactMatch <http://www.wikidata.org/entity/Q5> .

src:report a cg:Report ;
    rdfs:label "A report" ;
    cg:publisher "An agency" ;
    cg:url <https://example.org/report> ;
    cg:dateEDTF "2018~" .

cl:operation-fragments-cartels a cg:CausalClaim , cg:Claim ;
    rdfs:label "operation causes fragmentation" ;
    cg:cause ev:operation-michoacan ;
    cg:effect ph:cartel-fragmentation ;
    cg:relation cg:causes ;
    cg:assertedBy ag:calderon-government ;
    cg:source src:report ;
    cg:stance cg:Supports ;
    cg:confidence 0.7 ;
    cg:note "The operation split the cartels." .
"""
"""An event, an agent, a source and a claim with every field. `pl:michoacan` and
`ph:cartel-fragmentation` are described in other documents and have no label here."""

OPERATION = ID["event/operation-michoacan"]
AGENT = ID["agent/calderon-government"]
SOURCE = ID["source/report"]
CLAIM = ID["claim/operation-fragments-cartels"]

type Result = tuple[str | None, str]


def run_shacl(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, list[Result]]:
    conforms, report, _text = validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="rdfs",
        advanced=False,
        abort_on_first=False,
        allow_warnings=True,
    )
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        results.append(
            (str(path) if path is not None else None, str(report.value(result, SH.resultMessage)))
        )
    return bool(conforms), sorted(results, key=lambda r: (r[0] or "", r[1]))


def valid_document() -> Graph:
    return Graph().parse(data=VALID_DOCUMENT, format="turtle")


def test_valid_document_conforms(shapes: Graph, ontology: Graph) -> None:
    conforms, results = run_shacl(valid_document(), shapes, ontology)
    assert conforms, results


def _drop(subject: URIRef, predicate: URIRef) -> Callable[[Graph], None]:
    def change(graph: Graph) -> None:
        graph.remove((subject, predicate, None))

    return change


def _set(subject: URIRef, predicate: URIRef, value: Node) -> Callable[[Graph], None]:
    def change(graph: Graph) -> None:
        graph.set((subject, predicate, value))

    return change


BROKEN = {
    "claim without source": (
        _drop(CLAIM, CG.source),
        CG.source,
        "A causal claim needs at least one source",
    ),
    "claim without asserter": (
        _drop(CLAIM, CG.assertedBy),
        CG.assertedBy,
        "A causal claim needs at least one asserting agent",
    ),
    "confidence 1.5": (
        _set(CLAIM, CG.confidence, Literal(Decimal("1.5"))),
        CG.confidence,
        "between 0 and 1",
    ),
    "bad EDTF string": (
        _set(OPERATION, CG.dateEDTF, Literal("11 December 2006")),
        CG.dateEDTF,
        "must be one EDTF string",
    ),
    "entity without a label": (
        _drop(AGENT, RDFS.label),
        RDFS.label,
        "An entity needs at least one rdfs:label",
    ),
    "latest before earliest": (
        _set(OPERATION, CG.latest, Literal("2006-01-31", datatype=XSD.date)),
        CG.earliest,
        "An interval's end is not before its start",
    ),
    "relation not causal": (
        _set(CLAIM, CG.relation, CG.precedes),
        CG.relation,
        "one of the causal relation properties",
    ),
    "unknown status": (
        _set(OPERATION, CG.status, CG.Maybe),
        CG.status,
        "cg:Verified, cg:ReportedS00, cg:Unverified",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_document_is_rejected(case: str, shapes: Graph, ontology: Graph) -> None:
    change, path, message = BROKEN[case]
    data = valid_document()
    change(data)
    conforms, results = run_shacl(data, shapes, ontology)
    assert not conforms
    assert any(p == str(path) and message in m for p, m in results), results


@pytest.mark.parametrize(
    "text",
    [
        "2006",
        "2006-12",
        "2006-12-11",
        "2006~",
        "2019-10-17?",
        "2012-12%",
        "2017-11/2018-12",
        "2024-07-25/..",
        "../2006",
        "/2006",
        "2006/",
    ],
)
def test_edtf_pattern_accepts(text: str, shapes: Graph, ontology: Graph) -> None:
    data = valid_document()
    data.remove((OPERATION, None, None))
    data.add((OPERATION, RDF.type, CG.Event))
    data.add((OPERATION, RDFS.label, Literal("x")))
    data.add((OPERATION, CG.dateEDTF, Literal(text)))
    conforms, results = run_shacl(data, shapes, ontology)
    assert conforms, results


@pytest.mark.parametrize(
    "text", ["06", "2006-13", "2006-12-32", "2006~~", "../..", "/", "2006/2007/2008", "2006 "]
)
def test_edtf_pattern_rejects(text: str, shapes: Graph, ontology: Graph) -> None:
    data = valid_document()
    data.set((OPERATION, CG.dateEDTF, Literal(text)))
    conforms, results = run_shacl(data, shapes, ontology)
    assert not conforms
    assert any(p == str(CG.dateEDTF) for p, _ in results), results


def test_every_shape_constraint_has_a_message(shapes: Graph) -> None:
    prop_shapes = list(shapes.objects(None, SH.property))
    assert prop_shapes
    assert all(shapes.value(p, SH.message) is not None for p in prop_shapes)


# --- JSON-LD context -------------------------------------------------------------------------


def test_context_maps_api_keys() -> None:
    context = json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]
    document = {
        "@context": context,
        "id": "cgid:claim/c1",
        "type": ["CausalClaim"],
        "label": "a claim",
        "date_edtf": "2006",
        "earliest": "2006-01-01",
        "cause": "cgid:event/a",
        "effect": "cgid:phenomenon/b",
        "relation": "causes",
        "assertedBy": ["cgid:agent/c"],
        "source": ["cgid:source/s"],
        "stance": "Supports",
        "confidence": "0.7",
        "status": "Verified",
        "sameAs": ["wd:Q5"],
    }
    triples = {
        (t.predicate.value, str(t.object.value))
        for t in ox.parse(json.dumps(document).encode(), format=ox.RdfFormat.JSON_LD)
    }
    assert (f"{RDF}type", f"{CG}CausalClaim") in triples
    assert (f"{RDFS}label", "a claim") in triples
    assert (f"{CG}relation", f"{CG}causes") in triples
    assert (f"{CG}stance", f"{CG}Supports") in triples
    assert (f"{CG}status", f"{CG}Verified") in triples
    assert (f"{CG}cause", f"{ID}event/a") in triples
    assert (f"{CG}assertedBy", f"{ID}agent/c") in triples
    assert (f"{CG}dateEDTF", "2006") in triples
    assert (f"{SKOS}exactMatch", "http://www.wikidata.org/entity/Q5") in triples


def test_context_terms_exist_in_ontology(ontology: Graph) -> None:
    context = json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]
    used = set()
    for value in context.values():
        target = value.get("@id") if isinstance(value, dict) else value
        if isinstance(target, str) and target.startswith("cg:"):
            used.add(target[3:])
    individuals = set(vocab.STATUSES.values()) | set(vocab.STANCES.values())
    known = vocab.CLASSES | vocab.OBJECT_PROPERTIES | vocab.DATA_PROPERTIES | individuals
    assert used - known == set()
    assert used >= vocab.CLASSES


# --- generated docs --------------------------------------------------------------------------


def test_docs_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_ontology_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
