"""SELECT and CONSTRUCT results serialised row by row, so a query can be stopped at its deadline.

pyoxigraph cannot cancel a query, and its own `serialize` consumes every solution in one call:
a query abandoned after its timeout would run on and fill memory. Oxigraph evaluates lazily,
so pulling the solutions from Python and checking the clock every few hundred rows stops such
a query shortly after its deadline. The output follows the SPARQL 1.1 Query Results JSON, XML,
CSV and TSV formats.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ontology.errors import QueryError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
CHECK_EVERY = 256


class DeadlinePassed(QueryError):
    """The query ran past its deadline and was stopped."""


def until(rows: Iterable[Any], deadline: float) -> Iterator[Any]:
    """The rows, raising `DeadlinePassed` once `time.monotonic()` passes the deadline."""
    for index, row in enumerate(rows):
        if index % CHECK_EVERY == 0 and time.monotonic() > deadline:
            raise DeadlinePassed("the query was stopped at its deadline")
        yield row


def _json_term(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise QueryError(f"cannot serialise the term {term!r}")


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return (
                f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
            )
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    raise QueryError(f"cannot serialise the term {term!r}")


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    text = (
        f"_:{term.value}" if isinstance(term, ox.BlankNode) else str(getattr(term, "value", term))
    )
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_value(term: Any) -> str:
    if term is None:
        return ""
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def serialize_solutions(
    solutions: ox.QuerySolutions, result_format: ox.QueryResultsFormat, deadline: float
) -> bytes:
    """A SELECT result in `result_format`, stopped with `DeadlinePassed` at the deadline."""
    names = [variable.value for variable in solutions.variables]
    rows = until(solutions, deadline)
    buffer = io.StringIO()
    if result_format == ox.QueryResultsFormat.JSON:
        bindings = []
        for row in rows:
            bindings.append(
                {name: _json_term(row[name]) for name in names if row[name] is not None}
            )
        json.dump({"head": {"vars": names}, "results": {"bindings": bindings}}, buffer)
    elif result_format == ox.QueryResultsFormat.XML:
        buffer.write('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">')
        buffer.write("<head>")
        buffer.write("".join(f"<variable name={quoteattr(name)}/>" for name in names))
        buffer.write("</head><results>")
        for row in rows:
            buffer.write("<result>")
            for name in names:
                if row[name] is not None:
                    buffer.write(
                        f"<binding name={quoteattr(name)}>{_xml_term(row[name])}</binding>"
                    )
            buffer.write("</result>")
        buffer.write("</results></sparql>")
    elif result_format == ox.QueryResultsFormat.CSV:
        buffer.write(",".join(names) + "\r\n")
        for row in rows:
            buffer.write(",".join(_csv_value(row[name]) for name in names) + "\r\n")
    elif result_format == ox.QueryResultsFormat.TSV:
        buffer.write("\t".join(f"?{name}" for name in names) + "\n")
        for row in rows:
            buffer.write("\t".join(_tsv_value(row[name]) for name in names) + "\n")
    else:
        raise QueryError(f"unsupported results format {result_format}")
    return buffer.getvalue().encode("utf-8")


def serialize_triples(triples: ox.QueryTriples, rdf_format: ox.RdfFormat, deadline: float) -> bytes:
    """A CONSTRUCT or DESCRIBE result, stopped with `DeadlinePassed` at the deadline."""
    return ox.serialize(until(triples, deadline), format=rdf_format) or b""
