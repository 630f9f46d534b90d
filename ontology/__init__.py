"""The casegraph ontology: namespaces, the closed lists of classes and properties, and file paths.

This package is data plus names; it imports none of the other casegraph packages.
"""

from ontology.namespaces import (
    CG,
    CGG,
    CGID,
    CITO,
    DCTERMS,
    ENTITY_KINDS,
    FARO,
    PREFIXES,
    PROV,
    QB,
    SCHEMA,
    SEM,
    SKOS,
    SOSA,
    TIME,
    WD,
    XSD,
    entity_iri,
    graph_iri,
    split_entity_iri,
)
from ontology.paths import CONTEXT_PATH, ONTOLOGY_DIR, ONTOLOGY_PATH, SHAPES_PATH

__all__ = [
    "CG",
    "CGG",
    "CGID",
    "CITO",
    "CONTEXT_PATH",
    "DCTERMS",
    "ENTITY_KINDS",
    "FARO",
    "ONTOLOGY_DIR",
    "ONTOLOGY_PATH",
    "PREFIXES",
    "PROV",
    "QB",
    "SCHEMA",
    "SEM",
    "SHAPES_PATH",
    "SKOS",
    "SOSA",
    "TIME",
    "WD",
    "XSD",
    "entity_iri",
    "graph_iri",
    "split_entity_iri",
]
