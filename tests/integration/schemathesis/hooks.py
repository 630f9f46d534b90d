"""Schemathesis hooks for the casegraph run.

Bodies of SPARQL and RDF media types are text. Strings whose schema names a query language or
an RDF syntax (`format: sparql-query`, `sparql-update`, `cypher-query`, `turtle`,
`n-triples`) are generated as valid sentences of it, so that "schema-valid
data is accepted" is checked for what the schema says: any text is not a query, as any text is
not a date. Updates write only under https://example.org/st/ (the run carries the token).
"""

import json

import schemathesis
from hypothesis import strategies as st

schemathesis.serializer.alias(
    [
        "application/sparql-query",
        "application/sparql-update",
        "application/n-triples",
        "text/turtle",
        "application/x-turtle",
    ],
    "text/plain",
)

_WORDS = st.text(
    alphabet=st.characters(categories=["L", "N"], max_codepoint=0x2FFF), min_size=1, max_size=12
)
_LIMITS = st.integers(min_value=0, max_value=50)
_IRI = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12).map(
    lambda local: f"https://example.org/st/{local}"
)
_LITERAL = _WORDS.map(lambda w: json.dumps(w, ensure_ascii=False))

SPARQL_QUERIES = st.one_of(
    _LIMITS.map(lambda n: f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {n}"),
    _LITERAL.map(lambda text: f"ASK {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> {text} }}"),
    _LIMITS.map(lambda n: f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }} LIMIT {n}"),
    _IRI.map(lambda iri: f"DESCRIBE <{iri}>"),
    _LIMITS.map(
        lambda n: (
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g LIMIT {n}"
        )
    ),
)
SPARQL_UPDATES = st.tuples(_IRI, _LITERAL).map(
    lambda pair: f"INSERT DATA {{ GRAPH <{pair[0]}> {{ <{pair[0]}> <{pair[0]}#p> {pair[1]} }} }}"
)
CYPHER_QUERIES = st.one_of(
    _LIMITS.map(lambda n: f"MATCH (e:Event) RETURN e.id, e.label ORDER BY e.id LIMIT {n}"),
    _LITERAL.map(lambda text: f"MATCH (n:Entity) WHERE n.label = {text} RETURN count(n)"),
    st.just("MATCH (a)-[r]->(b) RETURN type(r), count(*) ORDER BY type(r)"),
)
TRIPLES = st.tuples(_IRI, _LITERAL).map(lambda pair: f"<{pair[0]}> <{pair[0]}#p> {pair[1]} .\n")
TURTLE = st.lists(TRIPLES, min_size=1, max_size=4).map("".join)

schemathesis.openapi.format("sparql-query", SPARQL_QUERIES)
schemathesis.openapi.format("sparql-update", SPARQL_UPDATES)
schemathesis.openapi.format("cypher-query", CYPHER_QUERIES)
schemathesis.openapi.format("turtle", TURTLE)
schemathesis.openapi.format("n-triples", TURTLE)
