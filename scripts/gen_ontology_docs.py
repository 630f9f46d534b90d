"""Write docs/ontology.md, the reference page of the casegraph ontology and its SHACL shapes.

The page is generated from `ontology/casegraph.ttl` and `ontology/shapes.ttl` (read with rdflib)
and is deterministic: everything is sorted, so the same Turtle always gives the same bytes.

    python scripts/gen_ontology_docs.py           # (re)write docs/ontology.md
    python scripts/gen_ontology_docs.py --check   # exit 1 if docs/ontology.md is stale

Exit codes: 0 written or up to date, 1 stale (with --check), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Literal, Node

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "casegraph.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
OUTPUT = ROOT / "docs" / "ontology.md"

CG = Namespace("https://w3id.org/casegraph/ontology#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEMA = Namespace("https://schema.org/")
ONTOLOGY_IRI = URIRef("https://w3id.org/casegraph/ontology")

PREFIXES: dict[str, str] = {
    "cg": str(CG),
    "cgsh": "https://w3id.org/casegraph/shapes#",
    "cito": "http://purl.org/spar/cito/",
    "dcterms": "http://purl.org/dc/terms/",
    "faro": "http://purl.org/faro/",
    "owl": str(OWL),
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "sh": str(SH),
    "skos": str(SKOS),
    "sosa": "http://www.w3.org/ns/sosa/",
    "time": "http://www.w3.org/2006/time#",
    "wd": "http://www.wikidata.org/entity/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

ALIGNMENTS = (
    ("⊑", RDFS.subClassOf),
    ("⊑", RDFS.subPropertyOf),
    ("≡", OWL.equivalentClass),
    ("≡", OWL.equivalentProperty),
    ("≈", SKOS.closeMatch),
    ("=", SKOS.exactMatch),
    ("see", RDFS.seeAlso),
)
"""Predicates shown as alignments, with the mark that precedes each value."""

SHAPE_CONSTRAINTS = (
    ("min", SH.minCount),
    ("max", SH.maxCount),
    ("datatype", SH.datatype),
    ("node kind", SH.nodeKind),
    ("≥", SH.minInclusive),
    ("≤", SH.maxInclusive),
    ("≤ values of", SH.lessThanOrEquals),
    ("pattern", SH.pattern),
)


def curie(node: Node) -> str:
    """`cg:Event` for an IRI under a known prefix, else `<iri>`; literals as their text."""
    if isinstance(node, Literal):
        return str(node)
    text = str(node)
    for prefix, base in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if text.startswith(base) and len(text) > len(base):
            return f"{prefix}:{text[len(base) :]}"
    return f"<{text}>"


def code(node: Node) -> str:
    return f"`{curie(node)}`"


def cell(text: str) -> str:
    """Make text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def english(graph: Graph, subject: Node, predicate: URIRef) -> str:
    values = sorted(
        str(o)
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and o.language in (None, "en")
    )
    return values[0] if values else ""


def terms(graph: Graph, kind: URIRef) -> list[URIRef]:
    return sorted(
        (s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and s.startswith(CG)),
        key=str,
    )


def joined(nodes: Iterable[Node]) -> str:
    return ", ".join(sorted(code(n) for n in nodes)) or "—"


def alignments(graph: Graph, subject: URIRef) -> str:
    parts = []
    for mark, predicate in ALIGNMENTS:
        for value in sorted(graph.objects(subject, predicate), key=str):
            if isinstance(value, URIRef) and not value.startswith(CG):
                parts.append(f"{mark} {code(value)}")
    return ", ".join(parts) or "—"


def cg_parents(graph: Graph, subject: URIRef, predicate: URIRef) -> list[URIRef]:
    return sorted(
        (
            o
            for o in graph.objects(subject, predicate)
            if isinstance(o, URIRef) and o.startswith(CG)
        ),
        key=str,
    )


def hierarchy(graph: Graph, items: list[URIRef], predicate: URIRef) -> list[str]:
    """An indented bullet tree over the cg: parent links; roots are items with no cg: parent."""
    children: dict[URIRef, list[URIRef]] = {item: [] for item in items}
    roots = []
    for item in items:
        parents = cg_parents(graph, item, predicate)
        if not parents:
            roots.append(item)
        for parent in parents:
            children.setdefault(parent, []).append(item)
    lines: list[str] = []

    def walk(node: URIRef, depth: int) -> None:
        label = english(graph, node, RDFS.label)
        lines.append(f"{'  ' * depth}- {code(node)} — {label}")
        for child in sorted(children.get(node, []), key=str):
            walk(child, depth + 1)

    for root in sorted(roots, key=str):
        walk(root, 0)
    return lines


def class_section(graph: Graph) -> list[str]:
    classes = terms(graph, OWL.Class)
    out = [
        "## Classes",
        "",
        f"{len(classes)} classes. Every class below `cg:Entity` is a record kind with an IRI under",
        "`https://w3id.org/casegraph/id/`; the others are helper classes. In the property graph a",
        "node carries the labels of its class chain (root first).",
        "",
        "### Hierarchy",
        "",
        *hierarchy(graph, classes, RDFS.subClassOf),
        "",
        "### Reference",
        "",
        "Alignments: ⊑ sub-class or sub-property of, ≡ equivalent, ≈ `skos:closeMatch`,",
        "see `rdfs:seeAlso`.",
        "",
        "| class | label | parent | alignments | comment |",
        "|---|---|---|---|---|",
    ]
    for cls in classes:
        out.append(
            f"| {code(cls)} | {cell(english(graph, cls, RDFS.label))} "
            f"| {joined(cg_parents(graph, cls, RDFS.subClassOf))} "
            f"| {cell(alignments(graph, cls))} | {cell(english(graph, cls, RDFS.comment))} |"
        )
    out += ["", "### Individuals", "", "| individual | class | label | alignments | comment |"]
    out.append("|---|---|---|---|---|")
    individuals = terms(graph, OWL.NamedIndividual)
    for ind in individuals:
        types = [t for t in graph.objects(ind, RDF.type) if t != OWL.NamedIndividual]
        out.append(
            f"| {code(ind)} | {joined(types)} | {cell(english(graph, ind, RDFS.label))} "
            f"| {cell(alignments(graph, ind))} | {cell(english(graph, ind, RDFS.comment))} |"
        )
    return out


def domain_range(graph: Graph, prop: URIRef, strict: URIRef, loose: URIRef) -> str:
    strict_values = sorted(code(v) for v in graph.objects(prop, strict))
    loose_values = sorted(f"{code(v)}*" for v in graph.objects(prop, loose))
    return ", ".join(strict_values + loose_values) or "—"


def property_table(graph: Graph, props: list[URIRef]) -> list[str]:
    out = [
        "| property | label | domain | range | super-property | alignments | comment |",
        "|---|---|---|---|---|---|---|",
    ]
    for prop in props:
        out.append(
            f"| {code(prop)} | {cell(english(graph, prop, RDFS.label))} "
            f"| {domain_range(graph, prop, RDFS.domain, SCHEMA.domainIncludes)} "
            f"| {domain_range(graph, prop, RDFS.range, SCHEMA.rangeIncludes)} "
            f"| {joined(cg_parents(graph, prop, RDFS.subPropertyOf))} "
            f"| {cell(alignments(graph, prop))} | {cell(english(graph, prop, RDFS.comment))} |"
        )
    return out


def property_section(graph: Graph) -> list[str]:
    object_props = terms(graph, OWL.ObjectProperty)
    data_props = terms(graph, OWL.DatatypeProperty)
    relations = [
        p
        for p in object_props
        if CG.linkRelationProperty in graph.transitive_objects(p, RDFS.subPropertyOf)
    ]
    return [
        "## Properties",
        "",
        f"{len(object_props)} object properties and {len(data_props)} datatype properties.",
        "A starred domain or range is `schema:domainIncludes` / `schema:rangeIncludes`: a hint",
        "that does not type the value under RDFS inference (the value may be described in another",
        "document). In the property graph, relationship types are the upper-snake names of the",
        "object properties (`partOf` → `PART_OF`).",
        "",
        "### Relation properties",
        "",
        "Values of `cg:relation` (claims) are the sub-properties of `cg:causalRelation`; values of",
        "`cg:linkRelation` (links) are all sub-properties of `cg:linkRelationProperty`.",
        "",
        *hierarchy(graph, relations, RDFS.subPropertyOf),
        "",
        "### Object properties",
        "",
        *property_table(graph, object_props),
        "",
        "### Datatype properties",
        "",
        *property_table(graph, data_props),
    ]


def constraint_text(shapes: Graph, prop_shape: Node) -> str:
    parts = []
    for name, predicate in SHAPE_CONSTRAINTS:
        for value in sorted(shapes.objects(prop_shape, predicate), key=str):
            shown = f"`{value}`" if predicate == SH.pattern else code(value)
            parts.append(f"{name} {shown}")
    for values in shapes.objects(prop_shape, SH["in"]):
        items = Collection(shapes, values)
        parts.append("in " + ", ".join(code(v) for v in items))
    return cell("; ".join(parts)) or "—"


def shape_section(shapes: Graph) -> list[str]:
    out = [
        "## SHACL shapes",
        "",
        "From `ontology/shapes.ttl` (SHACL Core). Validation runs on one document's triples with",
        "this ontology as pySHACL's ontology graph and RDFS inference, so a shape that targets a",
        "class also reaches its sub-classes.",
    ]
    node_shapes = sorted(
        (s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)), key=str
    )
    for shape in node_shapes:
        targets = [
            f"{kind} {joined(shapes.objects(shape, predicate))}"
            for kind, predicate in (
                ("class", SH.targetClass),
                ("subjects of", SH.targetSubjectsOf),
                ("objects of", SH.targetObjectsOf),
            )
            if (shape, predicate, None) in shapes
        ]
        out += [
            "",
            f"### {english(shapes, shape, RDFS.label)} ({code(shape)})",
            "",
            english(shapes, shape, RDFS.comment),
            "",
            f"Targets: {'; '.join(targets)}.",
            "",
            "| path | constraints | message |",
            "|---|---|---|",
        ]
        rows = []
        for prop_shape in shapes.objects(shape, SH.property):
            path = shapes.value(prop_shape, SH.path)
            message = english(shapes, prop_shape, SH.message)
            assert path is not None
            rows.append(
                f"| {code(path)} | {constraint_text(shapes, prop_shape)} | {cell(message)} |"
            )
        out += sorted(rows)
    return out


def render() -> str:
    """The whole page as text."""
    graph = Graph().parse(ONTOLOGY, format="turtle")
    shapes = Graph().parse(SHAPES, format="turtle")
    version = graph.value(ONTOLOGY_IRI, OWL.versionInfo)
    version_iri = graph.value(ONTOLOGY_IRI, OWL.versionIRI)
    lines = [
        "# The casegraph ontology: reference",
        "",
        "<!-- Generated by scripts/gen_ontology_docs.py from ontology/casegraph.ttl and",
        "     ontology/shapes.ttl. Do not edit by hand; run the script. -->",
        "",
        english(graph, ONTOLOGY_IRI, RDFS.comment),
        "",
        f"- Ontology IRI: `{ONTOLOGY_IRI}`",
        f"- Version: {version} (`{version_iri}`)",
        "- The data-model contract, with the meaning of each record kind, is docs/model.md.",
        "",
        "## Prefixes",
        "",
        "| prefix | IRI |",
        "|---|---|",
        *(f"| `{p}:` | `{iri}` |" for p, iri in sorted(PREFIXES.items())),
        "",
        *class_section(graph),
        "",
        *property_section(graph),
        "",
        *shape_section(shapes),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if docs/ontology.md is not up to date"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="file to write or check")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(
                f"{args.output} is stale; run: python scripts/gen_ontology_docs.py",
                file=sys.stderr,
            )
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
