"""RDF -> property graph: the node and relationship records both Cypher engines and networkx get.

Every entity (a subject under `cgid:` with a `cg:` class) becomes one node labelled `Entity` plus
its class chain; literals become native property values; object properties between entities
become relationships named after the property (`cg:partOf` -> `PART_OF`). A claim is a node and
also a direct relationship from its cause to its effect carrying the claim's metadata; a derived
`cg:TemporalRelation` becomes a relationship (`INTERVAL_BEFORE`, ...) saying whether it is
certain. `to_rdf` rebuilds a document's triples from its projection, so RDF -> property graph ->
RDF round-trips. docs/projection.md has the whole mapping as one table.
"""

from graph.projection.fields import RESERVED, STATUS_NAMES, Types
from graph.projection.nodes import (
    Subject,
    is_node_subject,
    labels_for,
    most_specific,
    node_of,
    subject_of,
)
from graph.projection.project import (
    Projected,
    document_triples,
    entity_ids,
    project_document,
    project_graph,
    project_graph_detailed,
    project_store,
    store_types,
)
from graph.projection.rdf import literal, to_rdf
from graph.projection.relationships import is_derived, referenced, relationships_of

__all__ = [
    "RESERVED",
    "STATUS_NAMES",
    "Projected",
    "Subject",
    "Types",
    "document_triples",
    "entity_ids",
    "is_derived",
    "is_node_subject",
    "labels_for",
    "literal",
    "most_specific",
    "node_of",
    "project_document",
    "project_graph",
    "project_graph_detailed",
    "project_store",
    "referenced",
    "relationships_of",
    "store_types",
    "subject_of",
    "to_rdf",
]
