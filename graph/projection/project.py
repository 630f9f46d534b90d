"""Project triples, one document or the whole store to a `Projection`, with stable node ids."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

import pyoxigraph as ox

from graph.dataset import Dataset
from graph.projection.fields import TEMPORAL_RELATION, Types, cg_class
from graph.projection.nodes import build_node, collect_subjects
from graph.projection.relationships import (
    claim_relationships,
    relationship_type,
    temporal_relationship,
)
from graph.queries import sparql
from graph.records import NodeRecord, Projection, RelRecord
from ontology.namespaces import CGG, split_entity_iri

_DERIVED_PREFIX: Final = f"{CGG}derived/"


@dataclass(frozen=True, slots=True)
class Projected:
    """A projection plus the entity IRIs it referred to that were not nodes (dangling)."""

    projection: Projection
    dangling: frozenset[str]


def project_graph(triples: Iterable[ox.Triple], *, types: Types | None = None) -> Projection:
    """Project a set of triples (one document, several, or a whole dataset) to records.

    `types` tells the classes of entities described elsewhere, so that relationships to them
    are kept (a claim in one document about an event in another); without it only entities
    typed in `triples` are nodes.
    """
    return project_graph_detailed(triples, types=types).projection


def project_store(store: Dataset) -> Projection:
    """The projection of the whole visible dataset (every document, and the temporal relations)."""
    return project_graph(_store_triples(store))


def project_document(store: Dataset, graph_iri: str, *, types: Types | None = None) -> Projection:
    """What one registered graph contributes (the derived graph: its temporal relations only).

    Relationships to entities defined in other documents are kept (their classes come from the
    store, or from `types` when given).
    """
    known = types if types is not None else store_types(store)
    return project_graph(document_triples(store, graph_iri), types=known)


def project_graph_detailed(
    triples: Iterable[ox.Triple], *, types: Types | None = None
) -> Projected:
    """`project_graph`, also returning the referenced entities that were not nodes."""
    subjects = collect_subjects(triples)
    types = types or {}
    classes_of: dict[str, set[str]] = {}
    for iri, subject in subjects.items():
        known = {c for c in (*subject.classes, *types.get(iri, ())) if cg_class(c) is not None}
        if known and TEMPORAL_RELATION not in known and split_entity_iri(iri) is not None:
            classes_of[iri] = known
    endpoints = set(classes_of)
    for iri, classes in types.items():
        if (
            iri not in endpoints
            and split_entity_iri(iri) is not None
            and TEMPORAL_RELATION not in classes
            and any(cg_class(c) is not None for c in classes)
        ):
            endpoints.add(iri)
    ids = entity_ids(endpoints)
    nodes: list[NodeRecord] = []
    rels: dict[tuple[str, str, str, str], RelRecord] = {}
    dangling: set[str] = set()

    def add(rel: RelRecord) -> None:
        rels.setdefault((rel.type, rel.source, rel.target, rel.key), rel)

    for iri in sorted(classes_of):
        subject = subjects[iri]
        node = build_node(iri, ids[iri], subject, classes_of[iri])
        if node is None:
            continue
        nodes.append(node)
        for predicate, objects in subject.links.items():
            rel_type = relationship_type(predicate)
            if rel_type is None:
                continue
            for target in objects:
                if target in ids:
                    add(RelRecord(rel_type, node.id, ids[target]))
                elif split_entity_iri(target) is not None:
                    dangling.add(target)
        if "Claim" in node.labels:
            for rel in claim_relationships(node, subject, ids):
                add(rel)
    for subject in subjects.values():
        if TEMPORAL_RELATION in subject.classes:
            temporal = temporal_relationship(subject, ids)
            if temporal is not None:
                add(temporal)
    return Projected(
        Projection(tuple(nodes), tuple(rels[key] for key in sorted(rels))),
        frozenset(dangling),
    )


def store_types(store: Dataset) -> dict[str, set[str]]:
    """Every entity IRI of the visible dataset -> its `cg:` classes (the closure included)."""
    types: dict[str, set[str]] = defaultdict(set)
    for row in store.select(sparql("entity_types")):
        types[row["s"].value].add(row["c"].value)
    return dict(types)


def document_triples(store: Dataset, graph_iri: str) -> Iterator[ox.Triple]:
    """The triples of a registered graph that the projection reads.

    Nothing of a derived graph (`cgg:derived/...`: class closure and direct causal edges, which
    would duplicate what the documents give); all of the others, the temporal graph included.
    """
    if graph_iri.startswith(_DERIVED_PREFIX):
        return
    yield from store.graph_triples(graph_iri)


def _store_triples(store: Dataset) -> Iterator[ox.Triple]:
    for doc in store.documents():
        if doc.kind not in {"ontology", "derived"}:
            yield from document_triples(store, doc.graph)


def entity_ids(iris: Iterable[str]) -> dict[str, str]:
    """Entity IRI -> node id: the slug after `id/<kind>/` (`mx-2006-02`, `lnk-02/step-1`).

    Slugs are unique across a dataset loaded from case files; should two kinds share one (an
    RDF document can do that), the kind that sorts first keeps the bare slug and the other gets
    `<kind>/<slug>`.
    """
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for iri in sorted(iris, key=lambda i: (split_entity_iri(i) or ("", ""))[::-1]):
        split = split_entity_iri(iri)
        if split is None:
            continue
        kind, slug = split
        node_id = slug if slug not in taken else f"{kind}/{slug}"
        taken.add(node_id)
        ids[iri] = node_id
    return ids
