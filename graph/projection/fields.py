"""How the projection maps RDF predicates and values to node properties (and back)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Final, Literal

import pyoxigraph as ox

from graph.records import Scalar
from ontology.namespaces import CG, DCTERMS, RDF, RDFS, SKOS, XSD
from ontology.vocab import CLASSES

type Types = Mapping[str, AbstractSet[str]]
"""Entity IRI -> the IRIs of its classes (as known outside the triples being projected)."""


type ValueKind = Literal["text", "date", "float", "int", "bool", "iri", "qid", "status", "stance"]


RDF_TYPE: Final = f"{RDF}type"


RDFS_LABEL: Final = f"{RDFS}label"


TEMPORAL_RELATION: Final = f"{CG}TemporalRelation"


STATUS_NAMES: Final[Mapping[str, str]] = {
    f"{CG}Verified": "VERIFIED",
    f"{CG}ReportedS00": "REPORTED(S00)",
    f"{CG}Unverified": "UNVERIFIED",
}


STATUS_IRIS: Final = {name: iri for iri, name in STATUS_NAMES.items()}


STANCES: Final = {f"{CG}Supports": "supports", f"{CG}Disputes": "disputes"}


STANCE_IRIS: Final = {name: iri for iri, name in STANCES.items()}


@dataclass(frozen=True, slots=True)
class Field:
    """How one predicate maps to a node property."""

    predicate: str
    name: str
    kind: ValueKind
    many: bool = False


_FIELDS: Final[tuple[Field, ...]] = (
    Field(f"{SKOS}altLabel", "aliases", "text", many=True),
    Field(f"{DCTERMS}description", "description", "text"),
    Field(f"{CG}status", "status", "status"),
    Field(f"{CG}statusNote", "status_note", "text"),
    Field(f"{CG}casebookId", "casebook_ids", "text", many=True),
    Field(f"{CG}dateEDTF", "date_edtf", "text"),
    Field(f"{CG}earliest", "earliest", "date"),
    Field(f"{CG}startLatest", "start_latest", "date"),
    Field(f"{CG}endEarliest", "end_earliest", "date"),
    Field(f"{CG}latest", "latest", "date"),
    Field(f"{CG}precision", "precision", "text"),
    Field(f"{CG}approximate", "approximate", "bool"),
    Field(f"{CG}uncertain", "uncertain", "bool"),
    Field(f"{CG}openEnd", "open_end", "bool"),
    Field(f"{CG}value", "value", "float"),
    Field(f"{CG}qualifier", "qualifier", "text"),
    Field(f"{CG}unit", "unit", "text"),
    Field(f"{CG}revision", "revision", "text"),
    Field(f"{CG}confidence", "confidence", "float"),
    Field(f"{CG}stance", "stance", "stance"),
    Field(f"{CG}relation", "relation", "iri"),
    Field(f"{CG}linkRelation", "relation", "iri"),
    Field(f"{CG}note", "note", "text"),
    Field(f"{CG}publisher", "publisher", "text"),
    Field(f"{CG}author", "authors", "text", many=True),
    Field(f"{CG}url", "urls", "iri", many=True),
    Field(f"{SKOS}exactMatch", "wikidata", "qid", many=True),
    Field(f"{CG}latitude", "latitude", "float"),
    Field(f"{CG}longitude", "longitude", "float"),
    Field(f"{CG}stepIndex", "step_index", "int"),
)


BY_PREDICATE: Final = {f.predicate: f for f in _FIELDS}


BY_NAME: Final = {f.name: f for f in _FIELDS if f.predicate != f"{CG}linkRelation"}


EXACT_MATCH: Final = Field(f"{SKOS}exactMatch", "exact_match", "iri", many=True)


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


def cg_class(iri: str) -> str | None:
    if not iri.startswith(CG):
        return None
    local = iri[len(CG) :]
    return local if local in CLASSES else None


def generic_field(predicate: str) -> Field | None:
    """A `cg:` literal property the table above does not name: its snake_case local name."""
    if not predicate.startswith(CG):
        return None
    name = _snake(predicate[len(CG) :])
    if name in RESERVED or name in BY_NAME or name.endswith("_lang"):
        name = f"cg_{name}"
    return Field(predicate, name, "text")


def literal_value(literal: ox.Literal, kind: ValueKind) -> tuple[Scalar, str]:
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


def iri_value(iri: str, kind: ValueKind) -> str:
    if kind == "status":
        return STATUS_NAMES.get(iri, local_name(iri))
    if kind == "stance":
        return STANCES.get(iri, local_name(iri))
    if kind == "iri" and iri.startswith(CG):
        return iri[len(CG) :]
    return iri


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
