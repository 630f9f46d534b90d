"""Small builders for the RDF terms every loader emits (pyoxigraph terms)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from loaders.edtf import EDTF
from ontology.namespaces import CG, RDF, RDFS, SKOS, WD, XSD, entity_iri

type Subject = NamedNode | BlankNode

RDF_TYPE = NamedNode(f"{RDF}type")
RDFS_LABEL = NamedNode(f"{RDFS}label")
XSD_DATE = NamedNode(f"{XSD}date")
XSD_DECIMAL = NamedNode(f"{XSD}decimal")
XSD_BOOLEAN = NamedNode(f"{XSD}boolean")
XSD_INTEGER = NamedNode(f"{XSD}integer")
SKOS_EXACT_MATCH = NamedNode(f"{SKOS}exactMatch")
SKOS_ALT_LABEL = NamedNode(f"{SKOS}altLabel")

STATUS_IRIS = {
    "VERIFIED": NamedNode(f"{CG}Verified"),
    "REPORTED(S00)": NamedNode(f"{CG}ReportedS00"),
    "UNVERIFIED": NamedNode(f"{CG}Unverified"),
}


def cg(local: str) -> NamedNode:
    """A term of the casegraph ontology."""
    return NamedNode(f"{CG}{local}")


def entity(kind: str, slug: str) -> NamedNode:
    """The IRI node of a record."""
    return NamedNode(entity_iri(kind, slug))


def wikidata(qid: str) -> NamedNode:
    return NamedNode(f"{WD}{qid}")


def date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD_DATE)


def decimal(value: float | int) -> Literal:
    text = format(value, "f") if isinstance(value, float) else str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".") or "0"
    return Literal(text, datatype=XSD_DECIMAL)


def boolean(value: bool) -> Literal:
    return Literal("true" if value else "false", datatype=XSD_BOOLEAN)


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD_INTEGER)


def text(value: str, lang: str | None = None) -> Literal:
    return Literal(value, language=lang) if lang else Literal(value)


def date_triples(subject: Subject, value: EDTF) -> Iterator[Triple]:
    """The EDTF string, its four bounds, precision and qualifiers (see docs/model.md)."""
    yield Triple(subject, cg("dateEDTF"), Literal(value.text))
    bounds = (
        ("earliest", value.earliest),
        ("startLatest", value.start_latest),
        ("endEarliest", value.end_earliest),
        ("latest", value.latest),
    )
    for name, bound in bounds:
        if bound is not None:
            yield Triple(subject, cg(name), date(bound))
    yield Triple(subject, cg("precision"), Literal(value.precision))
    if value.approximate:
        yield Triple(subject, cg("approximate"), boolean(True))
    if value.uncertain:
        yield Triple(subject, cg("uncertain"), boolean(True))
    if value.open_end:
        yield Triple(subject, cg("openEnd"), boolean(True))
