"""Namespace IRIs as plain strings, and the rules that turn record ids into IRIs.

Strings (not rdflib or pyoxigraph terms) keep this module free of RDF-library imports; each
layer wraps them in the term type it uses.
"""

import re
from typing import Final

CG: Final = "https://w3id.org/casegraph/ontology#"
CGID: Final = "https://w3id.org/casegraph/id/"
CGG: Final = "https://w3id.org/casegraph/graph/"
WD: Final = "http://www.wikidata.org/entity/"
SEM: Final = "http://semanticweb.cs.vu.nl/2009/11/sem/"
TIME: Final = "http://www.w3.org/2006/time#"
PROV: Final = "http://www.w3.org/ns/prov#"
SCHEMA: Final = "https://schema.org/"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
CITO: Final = "http://purl.org/spar/cito/"
FARO: Final = "http://purl.org/faro/"
DCTERMS: Final = "http://purl.org/dc/terms/"
QB: Final = "http://purl.org/linked-data/cube#"
SOSA: Final = "http://www.w3.org/ns/sosa/"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
SH: Final = "http://www.w3.org/ns/shacl#"

PREFIXES: Final[dict[str, str]] = {
    "cg": CG,
    "cgid": CGID,
    "cgg": CGG,
    "wd": WD,
    "sem": SEM,
    "time": TIME,
    "prov": PROV,
    "schema": SCHEMA,
    "skos": SKOS,
    "cito": CITO,
    "faro": FARO,
    "dcterms": DCTERMS,
    "qb": QB,
    "sosa": SOSA,
    "xsd": XSD,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
}

ENTITY_KINDS: Final = frozenset(
    {
        "event",
        "agent",
        "place",
        "source",
        "claim",
        "case",
        "observation",
        "link",
        "statement",
        "phenomenon",
        "measure",
    }
)

# One prefix per entity kind, so queries can write `event:mx-2006-02` or `agent:felipe-calderon`.
PREFIXES.update({kind: f"{CGID}{kind}/" for kind in sorted(ENTITY_KINDS)})

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def entity_iri(kind: str, slug: str) -> str:
    """The IRI of the record `slug` of the given kind (`event`, `agent`, ...)."""
    if kind not in ENTITY_KINDS:
        raise ValueError(f"unknown entity kind {kind!r}")
    if not _SLUG.match(slug):
        raise ValueError(f"not a slug: {slug!r} (lower-case letters, digits and '-')")
    return f"{CGID}{kind}/{slug}"


def split_entity_iri(iri: str) -> tuple[str, str] | None:
    """`(kind, slug)` for an IRI under `cgid:`, else None."""
    if not iri.startswith(CGID):
        return None
    kind, _, rest = iri[len(CGID) :].partition("/")
    if kind not in ENTITY_KINDS or not rest:
        return None
    return kind, rest


def graph_iri(name: str) -> str:
    """The IRI of a casegraph named graph (`meta`, `derived`, `ontology`, `doc/<name>/<hash>`)."""
    return f"{CGG}{name}"
