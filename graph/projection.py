"""RDF -> property graph: the node and relationship records both Cypher engines and networkx get.

Every entity (a subject under `cgid:` with a `cg:` class) becomes one node labelled `Entity` plus
its class chain; literals become native property values; object properties between entities
become relationships named after the property (`cg:partOf` -> `PART_OF`). A claim is a node and
also a direct relationship from its cause to its effect carrying the claim's metadata; a derived
`cg:TemporalRelation` becomes a relationship (`INTERVAL_BEFORE`, ...) saying whether it is
certain. `to_rdf` rebuilds a document's triples from its projection, so RDF -> property graph ->
RDF round-trips. docs/projection.md has the whole mapping as one table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final, Literal

import pyoxigraph as ox

from graph.records import NodeRecord, Projection, PropertyValue, RelRecord, Scalar
from graph.store import Dataset
from ontology.namespaces import CG, CGG, CGID, DCTERMS, RDF, RDFS, SKOS, WD, XSD, split_entity_iri
from ontology.vocab import CLASSES, OBJECT_PROPERTIES, class_chain, upper_snake

type Types = Mapping[str, AbstractSet[str]]
"""Entity IRI -> the IRIs of its classes (as known outside the triples being projected)."""

type ValueKind = Literal["text", "date", "float", "int", "bool", "iri", "qid", "status", "stance"]

_TYPE: Final = f"{RDF}type"
_LABEL: Final = f"{RDFS}label"
_TEMPORAL_RELATION: Final = f"{CG}TemporalRelation"
_DERIVED_PREFIX: Final = f"{CGG}derived/"

STATUS_NAMES: Final[Mapping[str, str]] = {
    f"{CG}Verified": "VERIFIED",
    f"{CG}ReportedS00": "REPORTED(S00)",
    f"{CG}Unverified": "UNVERIFIED",
}
_STATUS_IRIS: Final = {name: iri for iri, name in STATUS_NAMES.items()}
_STANCES: Final = {f"{CG}Supports": "supports", f"{CG}Disputes": "disputes"}
_STANCE_IRIS: Final = {name: iri for iri, name in _STANCES.items()}


@dataclass(frozen=True, slots=True)
class _Field:
    """How one predicate maps to a node property."""

    predicate: str
    name: str
    kind: ValueKind
    many: bool = False


_FIELDS: Final[tuple[_Field, ...]] = (
    _Field(f"{SKOS}altLabel", "aliases", "text", many=True),
    _Field(f"{DCTERMS}description", "description", "text"),
    _Field(f"{CG}status", "status", "status"),
    _Field(f"{CG}statusNote", "status_note", "text"),
    _Field(f"{CG}casebookId", "casebook_ids", "text", many=True),
    _Field(f"{CG}dateEDTF", "date_edtf", "text"),
    _Field(f"{CG}earliest", "earliest", "date"),
    _Field(f"{CG}startLatest", "start_latest", "date"),
    _Field(f"{CG}endEarliest", "end_earliest", "date"),
    _Field(f"{CG}latest", "latest", "date"),
    _Field(f"{CG}precision", "precision", "text"),
    _Field(f"{CG}approximate", "approximate", "bool"),
    _Field(f"{CG}uncertain", "uncertain", "bool"),
    _Field(f"{CG}openEnd", "open_end", "bool"),
    _Field(f"{CG}value", "value", "float"),
    _Field(f"{CG}qualifier", "qualifier", "text"),
    _Field(f"{CG}unit", "unit", "text"),
    _Field(f"{CG}revision", "revision", "text"),
    _Field(f"{CG}confidence", "confidence", "float"),
    _Field(f"{CG}stance", "stance", "stance"),
    _Field(f"{CG}relation", "relation", "iri"),
    _Field(f"{CG}linkRelation", "relation", "iri"),
    _Field(f"{CG}note", "note", "text"),
    _Field(f"{CG}publisher", "publisher", "text"),
    _Field(f"{CG}author", "authors", "text", many=True),
    _Field(f"{CG}url", "urls", "iri", many=True),
    _Field(f"{SKOS}exactMatch", "wikidata", "qid", many=True),
    _Field(f"{CG}latitude", "latitude", "float"),
    _Field(f"{CG}longitude", "longitude", "float"),
    _Field(f"{CG}stepIndex", "step_index", "int"),
)
_BY_PREDICATE: Final = {f.predicate: f for f in _FIELDS}
_BY_NAME: Final = {f.name: f for f in _FIELDS if f.predicate != f"{CG}linkRelation"}
_EXACT_MATCH: Final = _Field(f"{SKOS}exactMatch", "exact_match", "iri", many=True)

RESERVED: Final = frozenset(
    {"id", "iri", "kind", "type", "classes", "label", "label_lang", "other_labels"}
)
"""Property names the projection sets itself; a generic `cg:` literal never takes one."""

_FLOAT_TYPES: Final = {f"{XSD}{t}" for t in ("decimal", "double", "float")}
_INT_TYPES: Final = {
    f"{XSD}{t}"
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}


@dataclass(slots=True)
class Subject:
    classes: set[str] = field(default_factory=set)
    literals: dict[str, list[ox.Literal]] = field(default_factory=lambda: defaultdict(list))
    links: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


@dataclass(frozen=True, slots=True)
class Projected:
    """A projection plus the entity IRIs it referred to that were not nodes (dangling)."""

    projection: Projection
    dangling: frozenset[str]


# -- the public functions ------------------------------------------------------------------------


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
    subjects = _collect(triples)
    types = types or {}
    classes_of: dict[str, set[str]] = {}
    for iri, subject in subjects.items():
        known = {c for c in (*subject.classes, *types.get(iri, ())) if _cg_class(c) is not None}
        if known and _TEMPORAL_RELATION not in known and split_entity_iri(iri) is not None:
            classes_of[iri] = known
    endpoints = set(classes_of)
    for iri, classes in types.items():
        if (
            iri not in endpoints
            and split_entity_iri(iri) is not None
            and _TEMPORAL_RELATION not in classes
            and any(_cg_class(c) is not None for c in classes)
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
        node = _node(iri, ids[iri], subject, classes_of[iri])
        if node is None:
            continue
        nodes.append(node)
        for predicate, objects in subject.links.items():
            rel_type = _relationship_type(predicate)
            if rel_type is None:
                continue
            for target in objects:
                if target in ids:
                    add(RelRecord(rel_type, node.id, ids[target]))
                elif split_entity_iri(target) is not None:
                    dangling.add(target)
        if "Claim" in node.labels:
            for rel in _claim_relationships(node, subject, ids):
                add(rel)
    for subject in subjects.values():
        if _TEMPORAL_RELATION in subject.classes:
            temporal = _temporal_relationship(subject, ids)
            if temporal is not None:
                add(temporal)
    return Projected(
        Projection(tuple(nodes), tuple(rels[key] for key in sorted(rels))),
        frozenset(dangling),
    )


def store_types(store: Dataset) -> dict[str, set[str]]:
    """Every entity IRI of the visible dataset -> its `cg:` classes (the closure included)."""
    types: dict[str, set[str]] = defaultdict(set)
    for row in store.select(_TYPES_QUERY):
        types[row["s"].value].add(row["c"].value)
    return dict(types)


_TYPES_QUERY: Final = f"""
SELECT DISTINCT ?s ?c WHERE {{
  ?s a ?c .
  FILTER(STRSTARTS(STR(?s), "{CGID}") && STRSTARTS(STR(?c), "{CG}"))
}}
"""


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


# -- nodes --------------------------------------------------------------------------------------


def _collect(triples: Iterable[ox.Triple]) -> dict[str, Subject]:
    subjects: dict[str, Subject] = {}
    prefix, rdf_type = CGID, _TYPE
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


def _cg_class(iri: str) -> str | None:
    if not iri.startswith(CG):
        return None
    local = iri[len(CG) :]
    return local if local in CLASSES else None


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


def _node(iri: str, node_id: str, subject: Subject, classes: set[str]) -> NodeRecord | None:
    local = [c for c in (_cg_class(iri) for iri in classes) if c is not None]
    specific = most_specific(local)
    split = split_entity_iri(iri)
    if not specific or split is None:
        return None
    asserted = sorted(c for c in (_cg_class(i) for i in subject.classes) if c is not None)
    props: dict[str, PropertyValue] = {
        "id": node_id,
        "iri": iri,
        "kind": split[0],
        "type": specific[0],
        "classes": asserted,
    }
    props.update(_label_properties(subject.literals.get(_LABEL, [])))
    values: dict[str, list[tuple[Scalar, str]]] = defaultdict(list)
    many: set[str] = set()
    for predicate, literals in subject.literals.items():
        if predicate == _LABEL:
            continue
        spec = _BY_PREDICATE.get(predicate) or _generic_field(predicate)
        if spec is None:
            continue
        if spec.many:
            many.add(spec.name)
        for literal in literals:
            values[spec.name].append(_literal_value(literal, spec.kind))
    for predicate, objects in subject.links.items():
        spec = _BY_PREDICATE.get(predicate)
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
            values[spec.name].append((_iri_value(target, spec.kind), ""))
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


def _generic_field(predicate: str) -> _Field | None:
    """A `cg:` literal property the table above does not name: its snake_case local name."""
    if not predicate.startswith(CG):
        return None
    name = _snake(predicate[len(CG) :])
    if name in RESERVED or name in _BY_NAME or name.endswith("_lang"):
        name = f"cg_{name}"
    return _Field(predicate, name, "text")


def _literal_value(literal: ox.Literal, kind: ValueKind) -> tuple[Scalar, str]:
    """A literal's native value and its language tag ("" when none)."""
    datatype = literal.datatype.value
    text = literal.value
    try:
        if datatype == f"{XSD}date":
            return dt.date.fromisoformat(text), ""
        if datatype == f"{XSD}boolean":
            return text.strip() in {"true", "1"}, ""
        if datatype in _INT_TYPES:
            return (float(text) if kind == "float" else int(text)), ""
        if datatype in _FLOAT_TYPES:
            return float(text), ""
    except ValueError:
        return text, ""
    return text, literal.language or ""


def _iri_value(iri: str, kind: ValueKind) -> str:
    if kind == "status":
        return STATUS_NAMES.get(iri, _local(iri))
    if kind == "stance":
        return _STANCES.get(iri, _local(iri))
    if kind == "iri" and iri.startswith(CG):
        return iri[len(CG) :]
    return iri


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


# -- relationships ------------------------------------------------------------------------------


_REL_TYPES: Final[Mapping[str, str]] = {upper_snake(p): p for p in OBJECT_PROPERTIES}


def _relationship_type(predicate: str) -> str | None:
    if not predicate.startswith(CG) or predicate in _BY_PREDICATE:
        return None
    local = predicate[len(CG) :]
    return upper_snake(local) if local in OBJECT_PROPERTIES else None


def _claim_relationships(
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


def _temporal_relationship(subject: Subject, ids: Mapping[str, str]) -> RelRecord | None:
    sources = subject.links.get(f"{CG}relFrom", [])
    targets = subject.links.get(f"{CG}relTo", [])
    relations = subject.links.get(f"{CG}allenRelation", [])
    certain_values = subject.literals.get(f"{CG}certain", [])
    if not (sources and targets and relations) or sources[0] not in ids or targets[0] not in ids:
        return None
    certain = bool(certain_values) and certain_values[0].value in {"true", "1"}
    return RelRecord(
        upper_snake(_local(relations[0])),
        ids[sources[0]],
        ids[targets[0]],
        key="" if certain else "possible",
        properties={"certain": certain},
    )


# -- one subject at a time (the read model's incremental path) -------------------------------------


def subject_of(items: Iterable[tuple[str, ox.NamedNode | ox.Literal]]) -> Subject:
    """The classes, literals and links of one subject, from its (predicate, object) pairs."""
    entry = Subject()
    for predicate, obj in items:
        if isinstance(obj, ox.Literal):
            entry.literals[predicate].append(obj)
        elif predicate == _TYPE:
            entry.classes.add(obj.value)
        else:
            entry.links[predicate].append(obj.value)
    return entry


def node_of(iri: str, node_id: str, subject: Subject) -> NodeRecord | None:
    """The node a subject projects to (`node_id` given), or None when it is no node."""
    classes = {c for c in subject.classes if _cg_class(c) is not None}
    if not classes or _TEMPORAL_RELATION in classes or split_entity_iri(iri) is None:
        return None
    return _node(iri, node_id, subject, classes)


def is_node_subject(iri: str, subject: Subject) -> bool:
    """Whether `node_of` gives a node for this subject (without building it)."""
    classes = {c for c in subject.classes if _cg_class(c) is not None}
    return bool(classes) and _TEMPORAL_RELATION not in classes and split_entity_iri(iri) is not None


def relationships_of(
    node: NodeRecord | None, subject: Subject, ids: Mapping[str, str]
) -> list[RelRecord]:
    """The relationships a subject owns: its links to nodes, its claim edge, or (a temporal
    relation node) its interval relationship. `ids` maps the IRIs it refers to, that are
    nodes, to their node ids."""
    rels: dict[tuple[str, str, str, str], RelRecord] = {}
    if node is not None:
        for predicate, objects in subject.links.items():
            rel_type = _relationship_type(predicate)
            if rel_type is None:
                continue
            for target in objects:
                if target in ids:
                    rel = RelRecord(rel_type, node.id, ids[target])
                    rels.setdefault((rel.type, rel.source, rel.target, rel.key), rel)
        if "Claim" in node.labels:
            for rel in _claim_relationships(node, subject, ids):
                rels.setdefault((rel.type, rel.source, rel.target, rel.key), rel)
    elif _TEMPORAL_RELATION in subject.classes:
        temporal = _temporal_relationship(subject, ids)
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


# -- back to RDF --------------------------------------------------------------------------------


def to_rdf(projection: Projection, *, iris: Mapping[str, str] | None = None) -> list[ox.Triple]:
    """The document triples a projection stands for (not the derived ones).

    `iris` maps the ids of relationship ends that are not nodes of `projection` (entities of
    other documents) to their IRIs; relationships to ids known nowhere are left out.
    """
    known = dict(iris or {})
    known.update({node.id: str(node.properties["iri"]) for node in projection.nodes})
    triples: list[ox.Triple] = []
    for node in projection.nodes:
        triples.extend(_node_triples(node))
    for rel in projection.relationships:
        if is_derived(rel) or rel.source not in known or rel.target not in known:
            continue
        local = _REL_TYPES.get(rel.type)
        if local is None:
            continue
        triples.append(
            ox.Triple(
                ox.NamedNode(known[rel.source]),
                ox.NamedNode(f"{CG}{local}"),
                ox.NamedNode(known[rel.target]),
            )
        )
    return triples


def _node_triples(node: NodeRecord) -> Iterator[ox.Triple]:
    props = node.properties
    subject = ox.NamedNode(str(props["iri"]))
    for cls in _as_list(props.get("classes", [])):
        yield ox.Triple(subject, ox.NamedNode(_TYPE), ox.NamedNode(f"{CG}{cls}"))
    label = ox.NamedNode(_LABEL)
    if "label" in props:
        yield ox.Triple(
            subject, label, _text(str(props["label"]), str(props.get("label_lang", "")))
        )
    for text, lang in _with_langs(props, "other_labels"):
        yield ox.Triple(subject, label, _text(str(text), lang))
    for name in props:
        if name in RESERVED or name.endswith("_lang"):
            continue
        if name == "relation":
            linked = "Link" in node.labels
            predicate = f"{CG}linkRelation" if linked else f"{CG}relation"
            spec = _Field(predicate, name, "iri")
        elif name == "exact_match":
            spec = _EXACT_MATCH
        else:
            spec = _BY_NAME.get(name) or _Field(f"{CG}{_generic_name(name)}", name, "text")
        for item, lang in _with_langs(props, name):
            yield ox.Triple(subject, ox.NamedNode(spec.predicate), _term(item, lang, spec.kind))


def _generic_name(name: str) -> str:
    return _camel(name.removeprefix("cg_"))


def _as_list(value: PropertyValue) -> list[Scalar]:
    if isinstance(value, str | bool | int | float | dt.date):
        return [value]
    return list(value)


def _with_langs(props: Mapping[str, PropertyValue], name: str) -> list[tuple[Scalar, str]]:
    if name not in props:
        return []
    values = _as_list(props[name])
    langs = [str(lang) for lang in _as_list(props.get(f"{name}_lang", []))]
    if len(langs) != len(values):
        langs = [""] * len(values)
    return list(zip(values, langs, strict=True))


def _text(value: str, lang: str) -> ox.Literal:
    return ox.Literal(value, language=lang) if lang else ox.Literal(value)


def _term(value: Scalar, lang: str, kind: ValueKind) -> ox.NamedNode | ox.Literal:
    if kind == "status":
        return ox.NamedNode(_STATUS_IRIS.get(str(value), f"{CG}{value}"))
    if kind == "stance":
        return ox.NamedNode(_STANCE_IRIS.get(str(value), f"{CG}{value}"))
    if kind == "qid":
        return ox.NamedNode(f"{WD}{value}")
    if kind == "iri":
        text = str(value)
        return ox.NamedNode(text if ":" in text else f"{CG}{text}")
    return literal(value, lang)


def literal(value: Scalar, lang: str = "") -> ox.Literal:
    """The RDF literal of a native property value (canonical lexical forms)."""
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(f"{XSD}boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(f"{XSD}integer"))
    if isinstance(value, float):
        return ox.Literal(_decimal_text(value), datatype=ox.NamedNode(f"{XSD}decimal"))
    if isinstance(value, dt.date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(f"{XSD}date"))
    return _text(value, lang)


def _decimal_text(value: float) -> str:
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"", "-", "-0"} else text


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
