"""Property graph -> RDF: the document triples a projection stands for (the round trip back)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from decimal import Decimal

import pyoxigraph as ox

from graph.projection.fields import (
    BY_NAME,
    EXACT_MATCH,
    RDF_TYPE,
    RDFS_LABEL,
    RESERVED,
    STANCE_IRIS,
    STATUS_IRIS,
    Field,
    ValueKind,
    camel_case,
)
from graph.projection.relationships import REL_TYPES, is_derived
from graph.records import NodeRecord, Projection, PropertyValue, Scalar
from ontology.namespaces import CG, WD, XSD


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
        local = REL_TYPES.get(rel.type)
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
        yield ox.Triple(subject, ox.NamedNode(RDF_TYPE), ox.NamedNode(f"{CG}{cls}"))
    label = ox.NamedNode(RDFS_LABEL)
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
            spec = Field(predicate, name, "iri")
        elif name == "exact_match":
            spec = EXACT_MATCH
        else:
            spec = BY_NAME.get(name) or Field(f"{CG}{_generic_name(name)}", name, "text")
        for item, lang in _with_langs(props, name):
            yield ox.Triple(subject, ox.NamedNode(spec.predicate), _term(item, lang, spec.kind))


def _generic_name(name: str) -> str:
    return camel_case(name.removeprefix("cg_"))


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
        return ox.NamedNode(STATUS_IRIS.get(str(value), f"{CG}{value}"))
    if kind == "stance":
        return ox.NamedNode(STANCE_IRIS.get(str(value), f"{CG}{value}"))
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
