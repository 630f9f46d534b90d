"""Subjects to nodes: one entity's classes, labels and literal properties as a `NodeRecord`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.projection.fields import (
    BY_PREDICATE,
    RDF_TYPE,
    RDFS_LABEL,
    TEMPORAL_RELATION,
    cg_class,
    generic_field,
    iri_value,
    literal_value,
)
from graph.records import NodeRecord, PropertyValue, Scalar
from ontology.namespaces import CGID, WD, split_entity_iri
from ontology.vocab import class_chain


@dataclass(slots=True)
class Subject:
    classes: set[str] = field(default_factory=set)
    literals: dict[str, list[ox.Literal]] = field(default_factory=lambda: defaultdict(list))
    links: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def collect_subjects(triples: Iterable[ox.Triple]) -> dict[str, Subject]:
    subjects: dict[str, Subject] = {}
    prefix, rdf_type = CGID, RDF_TYPE
    for triple in triples:
        subject = triple.subject
        if not isinstance(subject, ox.NamedNode):
            continue
        key = subject.value
        if not key.startswith(prefix):
            continue
        entry = subjects.get(key)
        if entry is None:
            entry = subjects[key] = Subject()
        predicate, obj = triple.predicate.value, triple.object
        if isinstance(obj, ox.Literal):
            entry.literals[predicate].append(obj)
        elif isinstance(obj, ox.NamedNode):
            if predicate == rdf_type:
                entry.classes.add(obj.value)
            else:
                entry.links[predicate].append(obj.value)
    return subjects


def most_specific(classes: Iterable[str]) -> list[str]:
    """The classes (local names) of which no other one in `classes` is a subclass, sorted."""
    local = set(classes)
    supers = {parent for c in local for parent in class_chain(c)[:-1]}
    return sorted(local - supers, key=lambda c: (-len(class_chain(c)), c))


def labels_for(classes: Iterable[str]) -> tuple[str, ...]:
    """`Entity` followed by the class chains of the most specific classes (deduplicated)."""
    labels = ["Entity"]
    for cls in most_specific(classes):
        labels.extend(label for label in class_chain(cls) if label not in labels)
    return tuple(labels)


def build_node(iri: str, node_id: str, subject: Subject, classes: set[str]) -> NodeRecord | None:
    local = [c for c in (cg_class(iri) for iri in classes) if c is not None]
    specific = most_specific(local)
    split = split_entity_iri(iri)
    if not specific or split is None:
        return None
    asserted = sorted(c for c in (cg_class(i) for i in subject.classes) if c is not None)
    props: dict[str, PropertyValue] = {
        "id": node_id,
        "iri": iri,
        "kind": split[0],
        "type": specific[0],
        "classes": asserted,
    }
    props.update(_label_properties(subject.literals.get(RDFS_LABEL, [])))
    values: dict[str, list[tuple[Scalar, str]]] = defaultdict(list)
    many: set[str] = set()
    for predicate, literals in subject.literals.items():
        if predicate == RDFS_LABEL:
            continue
        spec = BY_PREDICATE.get(predicate) or generic_field(predicate)
        if spec is None:
            continue
        if spec.many:
            many.add(spec.name)
        for literal in literals:
            values[spec.name].append(literal_value(literal, spec.kind))
    for predicate, objects in subject.links.items():
        spec = BY_PREDICATE.get(predicate)
        if spec is None:
            continue
        if spec.kind == "qid":
            for target in objects:
                if target.startswith(WD):
                    values["wikidata"].append((target[len(WD) :], ""))
                    many.add("wikidata")
                else:
                    values["exact_match"].append((target, ""))
                    many.add("exact_match")
            continue
        if spec.many:
            many.add(spec.name)
        for target in objects:
            values[spec.name].append((iri_value(target, spec.kind), ""))
    for name in sorted(values):
        props.update(_property(name, values[name], many=name in many))
    return NodeRecord(id=node_id, labels=labels_for(local), properties=props)


def _label_properties(literals: Sequence[ox.Literal]) -> dict[str, PropertyValue]:
    if not literals:
        return {}
    pairs = sorted({(lit.value, lit.language or "") for lit in literals})
    preferred = min(pairs, key=lambda p: (_lang_rank(p[1]), p))
    props: dict[str, PropertyValue] = {"label": preferred[0]}
    if preferred[1]:
        props["label_lang"] = preferred[1]
    others = [p for p in pairs if p != preferred]
    if others:
        props["other_labels"] = [text for text, _ in others]
        if any(lang for _, lang in others):
            props["other_labels_lang"] = [lang for _, lang in others]
    return props


def _lang_rank(lang: str) -> int:
    if not lang:
        return 0
    if lang.lower() == "en":
        return 1
    if lang.lower().startswith("en-"):
        return 2
    return 3


def _property(
    name: str, values: list[tuple[Scalar, str]], *, many: bool
) -> dict[str, PropertyValue]:
    unique = sorted(set(values), key=lambda v: (type(v[0]).__name__, v[0], v[1]))
    langs = [lang for _, lang in unique]
    if len(unique) == 1 and not many:
        value, lang = unique[0]
        return {name: value, f"{name}_lang": lang} if lang else {name: value}
    props: dict[str, PropertyValue] = {name: [value for value, _ in unique]}
    if any(langs):
        props[f"{name}_lang"] = langs
    return props


def subject_of(items: Iterable[tuple[str, ox.NamedNode | ox.Literal]]) -> Subject:
    """The classes, literals and links of one subject, from its (predicate, object) pairs."""
    entry = Subject()
    for predicate, obj in items:
        if isinstance(obj, ox.Literal):
            entry.literals[predicate].append(obj)
        elif predicate == RDF_TYPE:
            entry.classes.add(obj.value)
        else:
            entry.links[predicate].append(obj.value)
    return entry


def node_of(iri: str, node_id: str, subject: Subject) -> NodeRecord | None:
    """The node a subject projects to (`node_id` given), or None when it is no node."""
    classes = {c for c in subject.classes if cg_class(c) is not None}
    if not classes or TEMPORAL_RELATION in classes or split_entity_iri(iri) is None:
        return None
    return build_node(iri, node_id, subject, classes)


def is_node_subject(iri: str, subject: Subject) -> bool:
    """Whether `node_of` gives a node for this subject (without building it)."""
    classes = {c for c in subject.classes if cg_class(c) is not None}
    return bool(classes) and TEMPORAL_RELATION not in classes and split_entity_iri(iri) is not None
