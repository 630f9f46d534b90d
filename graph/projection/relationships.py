"""Subjects to relationships: object properties, claims' direct causal edges, temporal relations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Final

from graph.projection.fields import BY_PREDICATE, TEMPORAL_RELATION, local_name
from graph.projection.nodes import Subject
from graph.records import NodeRecord, PropertyValue, RelRecord
from ontology.namespaces import CG, CGID, split_entity_iri
from ontology.vocab import OBJECT_PROPERTIES, upper_snake

REL_TYPES: Final[Mapping[str, str]] = {upper_snake(p): p for p in OBJECT_PROPERTIES}


def relationship_type(predicate: str) -> str | None:
    if not predicate.startswith(CG) or predicate in BY_PREDICATE:
        return None
    local = predicate[len(CG) :]
    return upper_snake(local) if local in OBJECT_PROPERTIES else None


def claim_relationships(
    node: NodeRecord, subject: Subject, ids: Mapping[str, str]
) -> Iterator[RelRecord]:
    """The direct `cause -[RELATION]-> effect` relationship a claim stands for."""
    relations = subject.links.get(f"{CG}relation", [])
    props = node.properties
    metadata: dict[str, PropertyValue] = {"claim_ids": [node.id]}
    for name in ("stance", "confidence"):
        if name in props:
            metadata[name] = props[name]
    metadata["source_ids"] = _slugs(subject.links.get(f"{CG}source", []), ids)
    metadata["asserted_by"] = _slugs(subject.links.get(f"{CG}assertedBy", []), ids)
    for relation in relations:
        if not relation.startswith(CG):
            continue
        local = relation[len(CG) :]
        for cause in subject.links.get(f"{CG}cause", []):
            for effect in subject.links.get(f"{CG}effect", []):
                if cause in ids and effect in ids:
                    yield RelRecord(
                        upper_snake(local),
                        ids[cause],
                        ids[effect],
                        key=node.id,
                        properties={**metadata, "relation": local},
                    )


def _slugs(iris: Iterable[str], ids: Mapping[str, str]) -> list[str]:
    out = set()
    for iri in iris:
        split = split_entity_iri(iri)
        if iri in ids:
            out.add(ids[iri])
        elif split is not None:
            out.add(split[1])
    return sorted(out)


def temporal_relationship(subject: Subject, ids: Mapping[str, str]) -> RelRecord | None:
    sources = subject.links.get(f"{CG}relFrom", [])
    targets = subject.links.get(f"{CG}relTo", [])
    relations = subject.links.get(f"{CG}allenRelation", [])
    certain_values = subject.literals.get(f"{CG}certain", [])
    if not (sources and targets and relations) or sources[0] not in ids or targets[0] not in ids:
        return None
    certain = bool(certain_values) and certain_values[0].value in {"true", "1"}
    return RelRecord(
        upper_snake(local_name(relations[0])),
        ids[sources[0]],
        ids[targets[0]],
        key="" if certain else "possible",
        properties={"certain": certain},
    )


def relationships_of(
    node: NodeRecord | None, subject: Subject, ids: Mapping[str, str]
) -> list[RelRecord]:
    """The relationships a subject owns: its links to nodes, its claim edge, or (a temporal
    relation node) its interval relationship. `ids` maps the IRIs it refers to, that are
    nodes, to their node ids."""
    rels: dict[tuple[str, str, str, str], RelRecord] = {}
    if node is not None:
        for predicate, objects in subject.links.items():
            rel_type = relationship_type(predicate)
            if rel_type is None:
                continue
            for target in objects:
                if target in ids:
                    rel = RelRecord(rel_type, node.id, ids[target])
                    rels.setdefault((rel.type, rel.source, rel.target, rel.key), rel)
        if "Claim" in node.labels:
            for rel in claim_relationships(node, subject, ids):
                rels.setdefault((rel.type, rel.source, rel.target, rel.key), rel)
    elif TEMPORAL_RELATION in subject.classes:
        temporal = temporal_relationship(subject, ids)
        if temporal is not None:
            rels[(temporal.type, temporal.source, temporal.target, temporal.key)] = temporal
    return [rels[key] for key in sorted(rels)]


def referenced(subject: Subject) -> set[str]:
    """The entity IRIs a subject's relationships may point at."""
    return {
        target
        for objects in subject.links.values()
        for target in objects
        if target.startswith(CGID)
    }


def is_derived(rel: RelRecord) -> bool:
    """True for relationships computed from other statements (claims' direct edges, temporal)."""
    return "claim_ids" in rel.properties or "certain" in rel.properties
