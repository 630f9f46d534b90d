"""Nesting of JSON-LD and RDF/XML documents, checked before parsing (loaders.nesting)."""

from __future__ import annotations

import contextlib

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from loaders.nesting import MAX_NESTING, check_nesting
from ontology.errors import LoadError

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def jsonld(depth: int) -> bytes:
    """A node whose property holds a node ... `depth` objects deep in all."""
    inner = '{"http://p/q": ' * (depth - 1) + '"x"' + "}" * (depth - 1)
    return ('{"@id": "http://a/", "http://p/q": ' + inner + "}").encode()


def rdfxml(depth: int) -> bytes:
    """`depth` nested elements: rdf:RDF, then alternating descriptions and properties."""
    levels = depth - 1
    opens = "".join(
        '<rdf:Description rdf:about="http://a/">' if i % 2 == 0 else "<p:q>" for i in range(levels)
    )
    closes = "".join(
        "</rdf:Description>" if i % 2 == 0 else "</p:q>" for i in reversed(range(levels))
    )
    return (
        f'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="{RDF}" xmlns:p="http://p/">'
        f"{opens}{closes}</rdf:RDF>"
    ).encode()


def test_jsonld_at_the_limit_passes_and_parses() -> None:
    data = jsonld(MAX_NESTING)
    check_nesting(data, ox.RdfFormat.JSON_LD, "doc.jsonld")
    assert len(list(ox.parse(data, format=ox.RdfFormat.JSON_LD))) == MAX_NESTING


def test_jsonld_past_the_limit_is_refused_with_file_and_line() -> None:
    data = b"\n" + jsonld(MAX_NESTING + 1)
    with pytest.raises(LoadError, match="levels deep") as caught:
        check_nesting(data, ox.RdfFormat.JSON_LD, "doc.jsonld")
    assert (caught.value.file, caught.value.line) == ("doc.jsonld", 2)
    with pytest.raises(LoadError):
        check_nesting(b"[" * 100_000, ox.RdfFormat.JSON_LD, "doc.jsonld")


def test_brackets_in_json_strings_do_not_count() -> None:
    text = '{"@id": "http://a/", "http://p/q": "' + "{[" * 1000 + '\\" {{{ \\\\"}'
    check_nesting(text.encode(), ox.RdfFormat.JSON_LD, "doc.jsonld")


def test_rdfxml_at_the_limit_passes_and_parses() -> None:
    data = rdfxml(MAX_NESTING)
    check_nesting(data, ox.RdfFormat.RDF_XML, "doc.rdf")
    assert list(ox.parse(data, format=ox.RdfFormat.RDF_XML))


def test_rdfxml_past_the_limit_is_refused() -> None:
    with pytest.raises(LoadError, match="levels deep"):
        check_nesting(rdfxml(MAX_NESTING + 1), ox.RdfFormat.RDF_XML, "doc.rdf")


def test_xml_markup_that_is_not_an_element_does_not_count() -> None:
    noise = (
        "<!-- <a><a><a> --><![CDATA[<b><b><b>]]><?pi <c><c>?>"
        '<p:q rdf:resource="http://x/" /><p:r attr="a > b <c>"/>'
    )
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY e "x"> ]>\n'
        f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:p="http://p/">' + noise * 500 + "</rdf:RDF>"
    ).encode()
    check_nesting(data, ox.RdfFormat.RDF_XML, "doc.rdf")


def test_turtle_is_not_checked() -> None:
    deep = "<http://a/> <http://p/q> " + "( " * 10_000 + "1" + " )" * 10_000 + " ."
    check_nesting(deep.encode(), ox.RdfFormat.TURTLE, "doc.ttl")


@given(st.binary(max_size=2000), st.sampled_from([ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML]))
def test_any_bytes_either_pass_or_are_refused(data: bytes, rdf_format: ox.RdfFormat) -> None:
    with contextlib.suppress(LoadError):  # no other exception, no hang
        check_nesting(data, rdf_format, "doc")
