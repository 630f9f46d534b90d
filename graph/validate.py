"""SHACL validation of one document's triples against `ontology/shapes.ttl`, before any write.

pySHACL runs on the document graph with the ontology as its ontology graph and RDFS inference,
so a shape that targets `cg:Event` also reaches every `cg:MilitaryOperation`. The result is a
list of violations, each naming the focus node, the path and the shape's message.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate

from ontology.paths import ONTOLOGY_PATH, SHAPES_PATH

_SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result: the node that broke a shape, where, and the shape's message."""

    focus: str
    path: str | None
    message: str
    value: str | None


@functools.cache
def _shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_PATH, format="turtle")


@functools.cache
def _ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_PATH, format="turtle")


def _to_rdflib(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return rdflib.Graph().parse(data=data.decode("utf-8"), format="nt")


def validate_triples(triples: Iterable[ox.Triple]) -> list[Violation]:
    """Check a document's triples; an empty list means it conforms."""
    data = _to_rdflib(triples)
    conforms, report, _text = shacl_validate(
        data,
        shacl_graph=_shapes(),
        ont_graph=_ontology(),
        inference="rdfs",
        abort_on_first=False,
        allow_warnings=True,
        advanced=False,
    )
    if conforms:
        return []
    violations = []
    for result in report.subjects(rdflib.RDF.type, _SH.ValidationResult):
        severity = report.value(result, _SH.resultSeverity)
        if severity is not None and severity != _SH.Violation:
            continue
        path = report.value(result, _SH.resultPath)
        value = report.value(result, _SH.value)
        violations.append(
            Violation(
                focus=str(report.value(result, _SH.focusNode)),
                path=str(path) if path is not None else None,
                message=str(report.value(result, _SH.resultMessage) or "violates a shape"),
                value=str(value) if value is not None else None,
            )
        )
    return sorted(violations, key=lambda v: (v.focus, v.path or "", v.message))
